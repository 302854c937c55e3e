"""The headless command line end to end: files written and read back, one-line errors with exit code 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import build_parser, run_train

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--n0", "40", "--n1", "40", "--epochs", "15", "--every", "5"]


def _history(path: Path) -> list[dict[str, str]]:
    with path.open() as stream:
        return list(csv.DictReader(stream))


def test_run_writes_history_and_result_that_agree(tmp_path, capsys):
    assert run_train([*SMALL, "--lr", "0.05", "--out", str(tmp_path)]) == 0
    rows = _history(tmp_path / "history.csv")
    assert list(rows[0]) == ["epoch", "w", "b", "loss", "accuracy", "boundary"]
    assert [int(r["epoch"]) for r in rows] == list(range(16))
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["settings"]["lr"] == 0.05 and result["settings"]["n0"] == 40
    assert (float(rows[-1]["w"]), float(rows[-1]["b"])) == (result["final"]["w"], result["final"]["b"])
    assert result["final"]["status"] == "finished"
    assert result["optimum"]["exists"] is True and result["optimum"]["loss"] <= result["final"]["loss"]
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:3]] == ["5", "10", "15"]
    assert out[-1].startswith("finished: epoch 15")


def test_far_apart_preset_reports_why_there_is_no_optimum(tmp_path):
    assert run_train(["--preset", "far-apart", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    chosen = [result["settings"][name] for name in ("mu0", "sigma0", "n0", "mu1", "sigma1", "n1")]
    assert chosen == [0, 1, 500, 5, 0.5, 500]
    assert result["optimum"]["exists"] is False and "separable" in result["optimum"]["reason"]


def test_every_optimizer_loss_and_option_runs(tmp_path):
    args = [*SMALL, "--optimizer", "minibatch", "--batch-size", "8", "--loss", "mse", "--l2", "0.01", "--no-shuffle",
            "--init-w", "0.5", "--init-b", "-0.25", "--seed", "3", "--mu0", "-1", "--sigma0", "0.5", "--mu1", "1",
            "--sigma1", "2", "--quiet", "--out", str(tmp_path)]
    assert run_train(args) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["settings"]["shuffle"] is False and result["settings"]["optimizer"] == "minibatch"
    first = _history(tmp_path / "history.csv")[0]
    assert (float(first["w"]), float(first["b"])) == (0.5, -0.25)


def test_data_from_csv(tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("x,label\n-2,0\n-1,0\n0.5,0\n-0.5,1\n1,1\n2,1\n")
    assert run_train(["--data", str(data), "--epochs", "3", "--quiet", "--out", str(tmp_path / "out")]) == 0
    assert len(_history(tmp_path / "out" / "history.csv")) == 4


@pytest.mark.parametrize("args, words", [
    (["--lr", "-1"], "--lr: The learning rate must be"),
    (["--epochs", "zero"], "invalid int value"),
    (["--sigma0", "0"], "--sigma0: The standard deviation"),
    (["--loss", "hinge"], "invalid choice"),
    (["--bogus"], "unrecognized arguments"),
    (["--preset", "three bumps"], "Unknown preset"),
    (["--data", "x.csv", "--mu0", "1"], "--data cannot be combined with --mu0"),
    (["--figures"], "--figures needs --out"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(capsys, args, words):
    assert run_train(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


def test_bad_csv_gives_one_line_naming_the_line(tmp_path, capsys):
    data = tmp_path / "bad.csv"
    data.write_text("x,label\n1,0\n2,3\n")
    assert run_train(["--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Line 3: the label must be 0 or 1" in err


def test_divergence_exits_1_and_still_writes_the_files(tmp_path, capsys):
    assert run_train([*SMALL, "--lr", "10", "--l2", "1", "--quiet", "--out", str(tmp_path)]) == 1
    assert json.loads((tmp_path / "result.json").read_text())["final"]["status"] == "diverged"
    assert "Lower the learning rate" in capsys.readouterr().err


def test_help_documents_every_option():
    text = build_parser().format_help()
    for option in ("--mu0", "--sigma0", "--n0", "--mu1", "--sigma1", "--n1", "--seed", "--data", "--loss",
                   "--optimizer", "--batch-size", "--lr", "--epochs", "--l2", "--no-shuffle", "--init-w", "--init-b",
                   "--every", "--out", "--figures", "--preset"):
        assert option in text


def test_main_py_runs_headless_in_a_fresh_process(tmp_path):
    done = subprocess.run([sys.executable, "main.py", "train", *SMALL, "--quiet", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "result.json").exists()
    bad = subprocess.run([sys.executable, "main.py", "train", "--n0", "-4"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    unknown = subprocess.run([sys.executable, "main.py", "fly"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "unknown command" in unknown.stderr
