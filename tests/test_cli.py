"""The headless command line end to end: files written and read back, one-line errors with exit code 2."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.cli import FLAG_OPTIONS, VALUE_OPTIONS, build_parser, run_train

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
    assert result["settings"]["lr"] == 0.05 and result["data"]["n0"] == 40
    assert (float(rows[-1]["w"]), float(rows[-1]["b"])) == (result["final"]["w"], result["final"]["b"])
    assert result["final"]["status"] == "finished"
    assert result["optimum"]["exists"] is True and result["optimum"]["loss"] <= result["final"]["loss"]
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:3]] == ["5", "10", "15"]
    assert out[-1].startswith("finished: epoch 15")


def test_far_apart_preset_reports_why_there_is_no_optimum(tmp_path):
    assert run_train(["--preset", "far-apart", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    chosen = [result["data"][name] for name in ("mu0", "sigma0", "n0", "mu1", "sigma1", "n1")]
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


def test_result_records_the_file_trained_on_and_no_generator_fields(tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("x,label\n-2,0\n-1,0\n0.5,0\n-0.5,1\n1,1\n2,1\n3.25,1\n")
    assert run_train(["--data", str(data), "--epochs", "3", "--quiet", "--out", str(tmp_path / "out")]) == 0
    result = _result(tmp_path / "out")
    assert result["data"] == {"source": "file", "file": str(data), "n0": 3, "n1": 4, "x_min": -2.0, "x_max": 3.25}
    for generator_field in ("mu0", "sigma0", "mu1", "sigma1", "n0", "n1", "data_path"):
        assert generator_field not in result["settings"]
    assert result["settings"]["seed"] == 0 and result["settings"]["epochs"] == 3


def test_result_records_the_generator_with_the_counts_and_range_it_made(tmp_path):
    from model.data import generate
    from model.settings import Settings

    assert run_train([*SMALL, "--n1", "25", "--mu0", "-2", "--seed", "4", "--quiet", "--out", str(tmp_path)]) == 0
    made = generate(Settings(n0=40, n1=25, mu0=-2.0, seed=4))
    assert _result(tmp_path)["data"] == {
        "source": "gaussians", "mu0": -2.0, "sigma0": 1.0, "mu1": 1.5, "sigma1": 1.0, "n0": 40, "n1": 25,
        "x_min": float(made.x.min()), "x_max": float(made.x.max()),
    }


def test_an_unknown_preset_is_refused_with_the_names_the_command_takes(capsys, tmp_path):
    assert run_train(["--preset", "nope"]) == 2
    listed = capsys.readouterr().err.strip().rsplit("choose one of ", 1)[1].rstrip(".").split(", ")
    assert listed == ["two-bumps", "far-apart"]
    help_text = build_parser().format_help().replace("\n", " ")
    for name in listed:
        assert name in help_text
        assert run_train(["--preset", name, "--epochs", "1", "--quiet", "--out", str(tmp_path / name)]) == 0


def test_out_writes_the_samples_and_training_on_them_again_gives_the_same_run(tmp_path):
    from model.data import generate
    from model.settings import Settings

    args = ["--n0", "40", "--n1", "30", "--seed", "9", "--l2", "0.01", "--epochs", "4", "--quiet"]
    assert run_train([*args, "--out", str(tmp_path / "run1")]) == 0
    written = tmp_path / "run1" / "samples.csv"
    made = generate(Settings(n0=40, n1=30, seed=9))
    assert written.read_text().splitlines()[0] == "x,label"
    rows = np.loadtxt(written, delimiter=",", skiprows=1)
    assert rows[:, 0].tobytes() == made.x.tobytes() and rows[:, 1].tobytes() == made.y.tobytes()
    again = ["--data", str(written), "--seed", "9", "--l2", "0.01", "--epochs", "4", "--quiet"]
    assert run_train([*again, "--out", str(tmp_path / "run2")]) == 0
    first, second = _result(tmp_path / "run1"), _result(tmp_path / "run2")
    assert first["optimum"]["exists"] is True and second["optimum"] == first["optimum"]
    assert second["final"] == first["final"] and second["lr_limit"] == first["lr_limit"]
    assert (tmp_path / "run2" / "samples.csv").read_bytes() == written.read_bytes()


@pytest.mark.parametrize("args, words", [
    (["--lr", "-1"], "--lr: Learning rate η must be"),
    (["--epochs", "zero"], "invalid int value"),
    (["--sigma0", "0"], "--sigma0: Class 0 spread σ₀"),
    (["--loss", "hinge"], "invalid choice"),
    (["--bogus"], "unrecognized arguments"),
    (["--preset", "three bumps"], "--preset: Unknown preset 'three bumps'; choose one of two-bumps, far-apart."),
    (["--data", "x.csv", "--mu0", "1"], "--data cannot be combined with --mu0"),
    (["--figures"], "--figures needs --out"),
    (["--sigma0", "1e308"], "--sigma0: Class 0 spread σ₀ must be a finite number greater than 0 and at most 1,000,000"),
    (["--mu1", "1e303", "--init-w", "1e6"], "--mu1: Class 1 mean μ₁ must be a finite number from -1,000,000 to"),
    (["--l2", "1e308"], "--l2: L2 penalty λ must be a finite number from 0 to 1,000"),
    (["--lr", "-1e-3"], "--lr: Learning rate η must be"),
    (["--mu0", "-inf"], "--mu0: Class 0 mean μ₀ must be a finite number"),
    (["--seed", "-1e3"], "argument --seed: invalid int value: '-1e3'"),
    (["--out", ""], "--out needs the name of a folder, but it was empty"),
    (["--out", "", "--figures"], "--out needs the name of a folder, but it was empty"),
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
    err = capsys.readouterr().err
    assert "Run again with a lower --lr (now 10)" in err
    assert "reset" not in err


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


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"result.json contains {name}, which is not valid JSON")


def _result(folder: Path) -> dict:
    """result.json read as strict JSON: NaN or Infinity fail the test."""
    return json.loads((folder / "result.json").read_text(), parse_constant=_refuse_constant)


@pytest.mark.parametrize("args, field, expected", [
    (["--mu0", "-1e3"], "mu0", -1000.0), (["--init-w", "-1e-3"], "init_w", -0.001),
    (["--init-b", "-1E-2"], "init_b", -0.01), (["--mu1", "-.5e1", "--mu0", "-7.5E+0"], "mu1", -5.0),
    (["--init-b", "-1_000.0"], "init_b", -1000.0), (["--init-w", "-0"], "init_w", 0.0),
])
def test_negative_numbers_in_any_float_syntax_reach_their_option(tmp_path, args, field, expected):
    assert run_train([*SMALL, *args, "--quiet", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path)
    assert {**result["settings"], **result["data"]}[field] == expected


def test_every_option_is_known_as_taking_a_value_or_not():
    """Negative values are joined to the options listed as taking one; an option missing from both lists would not
    get that help."""
    listed = set(re.findall(r"--[a-z0-9-]+", build_parser().format_help()))
    assert listed == VALUE_OPTIONS | FLAG_OPTIONS
    assert not VALUE_OPTIONS & FLAG_OPTIONS


def _taken_file(tmp_path: Path) -> Path:
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    return taken


@pytest.mark.parametrize("out, words", [
    (_taken_file, "this is a file, not a folder"),
    (lambda tmp_path: _taken_file(tmp_path) / "inside", "cannot write results there"),
])
def test_an_unusable_out_folder_is_refused_before_any_training(tmp_path, capsys, out, words):
    target = out(tmp_path)
    assert run_train([*SMALL, "--out", str(target), "--figures"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and words in captured.err and "--out" in captured.err
    assert (tmp_path / "taken").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_read_only_out_folder_is_refused_before_any_training(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert run_train([*SMALL, "--out", str(locked)]) == 2
    finally:
        locked.chmod(0o700)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "cannot write results there" in captured.err
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no one can write into")
def test_a_folder_no_one_can_write_into_is_refused_before_any_training(capsys):
    assert run_train([*SMALL, "--out", "/proc/self"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "cannot write results there" in captured.err


def test_the_out_folder_is_created_with_its_parents(tmp_path):
    assert run_train([*SMALL, "--quiet", "--out", str(tmp_path / "a" / "b")]) == 0
    assert _result(tmp_path / "a" / "b")["final"]["status"] == "finished"


def _all_finite(folder: Path) -> bool:
    numbers = [float(cell) for row in _history(folder / "history.csv") for cell in row.values() if cell != ""]
    final = _result(folder)["final"]
    numbers += [final[k] for k in ("w", "b", "loss", "accuracy")] + [final["boundary"] or 0.0]
    return all(map(math.isfinite, numbers))


@pytest.mark.parametrize("args", [
    ["--init-w", "1e-320", "--init-b", "1", "--lr", "1e-300"],
    ["--mu0", "-1e6", "--mu1", "1e6", "--sigma0", "1e6", "--sigma1", "1e-6", "--init-w", "1e6", "--init-b", "-1e6",
     "--lr", "1e3", "--l2", "1e3"],
    ["--mu0", "1e6", "--mu1", "1e6", "--sigma0", "1e-6", "--sigma1", "1e6", "--loss", "mse", "--optimizer", "batch",
     "--lr", "1e3", "--init-w", "-1e6"],
])
def test_results_hold_only_finite_numbers_and_a_runaway_exits_1(tmp_path, capsys, args):
    code = run_train([*SMALL, *args, "--quiet", "--out", str(tmp_path)])
    result = _result(tmp_path)
    assert code == (1 if result["final"]["status"] == "diverged" else 0)
    assert _all_finite(tmp_path)
    summary = capsys.readouterr().out.lower()
    assert "nan" not in summary and "inf" not in summary


def test_x_of_1e308_in_a_file_is_refused_with_one_line(tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x,label\n-1e308,0\n1e308,1\n0,0\n1,1\n")
    done = subprocess.run([sys.executable, "main.py", "train", "--data", str(data), "--out", str(tmp_path / "out"),
                           "--figures"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Line 2" in done.stderr
    assert not (tmp_path / "out" / "result.json").exists()


def test_a_file_with_x_near_1e8_trains_and_reports_its_optimum(tmp_path):
    rng = np.random.default_rng(5)
    x = np.concatenate([9.99e7 - 1 + rng.normal(0, 1, 50), 9.99e7 + 1 + rng.normal(0, 1, 50)])
    data = tmp_path / "far.csv"
    data.write_text("x,label\n" + "".join(f"{v!r},{i // 50}\n" for i, v in enumerate(x.tolist())))
    done = subprocess.run([sys.executable, "main.py", "train", "--data", str(data), "--l2", "0.1", "--lr", "1e-16",
                           "--epochs", "5", "--quiet", "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    optimum = _result(tmp_path / "out")["optimum"]
    assert optimum["exists"] is True and optimum["loss"] < math.log(2)
    assert "exact optimum w" in done.stdout


def test_a_write_that_fails_after_training_is_one_line(tmp_path, capsys):
    (tmp_path / "result.json").mkdir()
    assert run_train([*SMALL, "--quiet", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write to" in err


def test_a_failing_figure_writer_is_not_hidden(tmp_path):
    def broken_writer(*_args):
        raise RuntimeError("a bug in the drawing code")

    with pytest.raises(RuntimeError, match="a bug in the drawing code"):
        run_train([*SMALL, "--quiet", "--out", str(tmp_path), "--figures"], figure_writer=broken_writer)


def test_landscape_csv_is_the_loss_on_a_grid_framing_path_and_optimum(tmp_path):
    from model.data import generate
    from model.neuron import objective
    from model.settings import Settings

    args = ["--n0", "40", "--n1", "40", "--l2", "0.05", "--epochs", "15", "--seed", "3"]
    assert run_train([*args, "--out", str(tmp_path), "--landscape", "--landscape-size", "30", "--quiet"]) == 0
    lines = (tmp_path / "landscape.csv").read_text().splitlines()
    assert lines[0] == "w,b,loss" and len(lines) == 1 + 30 * 30
    grid = np.loadtxt(tmp_path / "landscape.csv", delimiter=",", skiprows=1)
    data = generate(Settings(n0=40, n1=40, seed=3))
    for w, b, loss in grid[::97]:
        assert loss == pytest.approx(objective(w, b, data, "bce", 0.05), rel=1e-12)
    result = json.loads((tmp_path / "result.json").read_text())
    history = np.loadtxt(tmp_path / "history.csv", delimiter=",", skiprows=1)
    ws, bs = np.unique(grid[:, 0]), np.unique(grid[:, 1])
    for w, b in [(history[0, 1], history[0, 2]), (result["final"]["w"], result["final"]["b"]),
                 (result["optimum"]["w"], result["optimum"]["b"])]:
        assert ws[0] <= w <= ws[-1] and bs[0] <= b <= bs[-1]


def test_result_gives_the_learning_rate_limit_from_the_hessian_at_the_optimum(tmp_path):
    from model.data import generate
    from model.neuron import objective
    from model.settings import Settings

    assert run_train(["--l2", "0.1", "--epochs", "5", "--out", str(tmp_path), "--quiet"]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    data = generate(Settings())
    w, b, h = result["optimum"]["w"], result["optimum"]["b"], 1e-4

    def f(dw, db):
        return objective(w + dw, b + db, data, "bce", 0.1)

    hessian = np.array([
        [(f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2, (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)],
        [0.0, (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2]])
    hessian[1, 0] = hessian[0, 1]
    assert result["lr_limit"] == pytest.approx(2 / np.linalg.eigvalsh(hessian).max(), rel=1e-4)
    assert run_train(["--preset", "far-apart", "--epochs", "2", "--out", str(tmp_path), "--quiet"]) == 0
    assert json.loads((tmp_path / "result.json").read_text())["lr_limit"] is None


@pytest.mark.parametrize(("args", "words"), [
    (["--landscape"], "needs --out"),
    (["--landscape-size", "50", "--out", "."], "goes with --landscape"),
    (["--landscape", "--landscape-size", "1", "--out", "."], "from 2 to 1000"),
])
def test_landscape_options_are_checked(capsys, args, words):
    assert run_train(args) == 2
    assert words in capsys.readouterr().err


def test_explain_writes_the_first_updates_worked_out_and_leaves_the_run_unchanged(tmp_path):
    from model.anatomy import anatomy, card
    from model.data import generate
    from model.settings import Settings
    from model.trainer import Trainer

    args = ["--n0", "30", "--n1", "30", "--epochs", "3", "--l2", "0.1", "--quiet"]
    assert run_train([*args, "--out", str(tmp_path / "plain")]) == 0
    assert run_train([*args, "--out", str(tmp_path / "explained"), "--explain", "3"]) == 0
    plain = json.loads((tmp_path / "plain" / "result.json").read_text())["final"]
    explained = json.loads((tmp_path / "explained" / "result.json").read_text())["final"]
    assert (plain["w"], plain["b"]) == (explained["w"], explained["b"])
    blocks = (tmp_path / "explained" / "updates.txt").read_text().strip().split("\n\n")
    assert len(blocks) == 3
    settings = Settings(n0=30, n1=30, epochs=3, l2=0.1)
    trainer = Trainer(settings, generate(settings))
    for block in blocks:
        index = trainer.next_batch()
        data = trainer.data
        update = anatomy(trainer.w, trainer.b, data.x[index], data.y[index], settings.lr, 0.1, "bce", data)
        assert block.splitlines()[1:] == card(update)
        assert block.splitlines()[0].endswith(f"sample {int(index[0])})")
        trainer.step_batch()


def test_explain_names_one_sample_in_the_singular_and_a_batch_in_the_plural(tmp_path):
    args = ["--n0", "30", "--n1", "30", "--epochs", "1", "--quiet", "--explain", "1", "--no-shuffle"]
    assert run_train([*args, "--out", str(tmp_path / "sgd")]) == 0
    assert (tmp_path / "sgd" / "updates.txt").read_text().splitlines()[0] == "update 1 (epoch 1, sample 0)"
    assert run_train([*args, "--optimizer", "minibatch", "--batch-size", "3", "--out", str(tmp_path / "mini")]) == 0
    assert (tmp_path / "mini" / "updates.txt").read_text().splitlines()[0] == "update 1 (epoch 1, samples 0, 1, 2)"


def test_explain_needs_out_and_a_sane_count(capsys):
    assert run_train(["--explain", "2"]) == 2
    assert "needs --out" in capsys.readouterr().err
    assert run_train(["--explain", "-1", "--out", "."]) == 2
    assert "from 0 to" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "verdict", "code"), [
    (["--l2", "0.1", "--optimizer", "batch", "--lr", "0.5", "--epochs", "40"], "stable", 0),
    (["--l2", "0.1", "--optimizer", "batch", "--lr", "8", "--epochs", "3"], "beyond_limit", 0),
    (["--l2", "0.1", "--optimizer", "batch", "--lr", "8", "--epochs", "40"], "oscillating", 0),
    (["--l2", "0.1", "--optimizer", "batch", "--lr", "30", "--epochs", "40"], "diverged", 1),
    (["--preset", "far-apart", "--epochs", "40"], "no_optimum", 0),
])
def test_result_and_summary_carry_the_engine_s_one_verdict(tmp_path, capsys, args, verdict, code):
    assert run_train([*args, "--out", str(tmp_path), "--quiet"]) == code
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["diagnosis"]["verdict"] == verdict
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(f"; {verdict}: {result['diagnosis']['text']}")
    if verdict != "no_optimum":
        assert (result["settings"]["lr"] < result["lr_limit"]) == (verdict == "stable")
    assert "speed" not in result["settings"]


@pytest.mark.parametrize("optimizer", ["sgd", "minibatch"])
def test_landscape_of_a_run_that_diverged_inside_an_epoch_frames_its_final_point(tmp_path, capsys, optimizer):
    out = tmp_path / optimizer
    args = [*SMALL, "--optimizer", optimizer, "--lr", "1000", "--l2", "1000", "--seed", "3"]
    assert run_train([*args, "--out", str(out), "--landscape", "--landscape-size", "20", "--quiet"]) == 1
    final = re.match(r"diverged: epoch 0, w (\S+), b (\S+),", capsys.readouterr().out)
    w, b = float(final[1]), float(final[2])
    assert abs(w) > 1e3
    grid = np.loadtxt(out / "landscape.csv", delimiter=",", skiprows=1)
    assert np.all(np.isfinite(grid))
    ws, bs = np.unique(grid[:, 0]), np.unique(grid[:, 1])
    assert ws[0] <= w <= ws[-1] and bs[0] <= b <= bs[-1]
