"""`train --race`: a folder per run and race.csv written and read back, branching at an epoch, refusals that leave
nothing behind."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from model.cli import run_train
from model.data import generate
from model.race import branch, lr_grid
from model.settings import Settings
from model.trainer import Trainer

SMALL = ["--n0", "40", "--n1", "40", "--epochs", "15", "--every", "5", "--l2", "0.01"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def _result(folder: Path) -> dict:
    return json.loads((folder / "result.json").read_text())


def test_a_race_writes_a_folder_per_run_and_the_compare_table(tmp_path, capsys):
    assert run_train([*SMALL, "--out", str(tmp_path), "--race", "lr=0.1", "--race",
                      "optimizer=minibatch,batch_size=8"]) == 0
    runs = tmp_path / "runs"
    assert sorted(p.name for p in runs.iterdir()) == ["base", "eta-0.1", "mini-batch-batch-size-8"]
    assert (runs / "base" / "history.csv").read_bytes() == (tmp_path / "history.csv").read_bytes()
    assert _result(runs / "eta-0.1")["settings"]["lr"] == 0.1
    assert _result(runs / "mini-batch-batch-size-8")["settings"]["batch_size"] == 8
    table = _rows(tmp_path / "race.csv")
    assert list(table[0]) == ["run", "folder", "changes", "branched_at", "epochs_to_within_1pct", "final_loss",
                              "accuracy", "distance_to_optimum", "status"]
    assert [(row["run"], row["folder"], row["changes"], row["branched_at"]) for row in table] == [
        ("base", "base", "", ""), ("η = 0.1", "eta-0.1", "lr=0.1", "0"),
        ("mini-batch, batch size 8", "mini-batch-batch-size-8", "optimizer=minibatch,batch_size=8", "0")]
    for row in table:
        result = _result(runs / row["folder"])
        final, optimum = result["final"], result["optimum"]
        assert (float(row["final_loss"]), float(row["accuracy"]), row["status"]) == (
            final["loss"], final["accuracy"], final["status"])
        distance = math.hypot(final["w"] - optimum["w"], final["b"] - optimum["b"])
        assert float(row["distance_to_optimum"]) == pytest.approx(distance, rel=1e-12)
        close = [int(r["epoch"]) for r in _rows(runs / row["folder"] / "history.csv")
                 if float(r["loss"]) <= optimum["loss"] * 1.01]
        assert row["epochs_to_within_1pct"] == (str(close[0]) if close else "not yet")
    assert {row["epochs_to_within_1pct"] for row in table} >= {"not yet"}
    assert any(row["epochs_to_within_1pct"].isdigit() for row in table)
    printed = capsys.readouterr().out.splitlines()
    assert printed[3] == "race:" and printed[5].startswith("base ") and printed[6].startswith("η = 0.1 ")
    assert printed[-1].startswith("finished: epoch 15")


def test_with_branch_at_the_raced_runs_share_the_base_history_up_to_that_epoch(tmp_path):
    assert run_train([*SMALL, "--quiet", "--out", str(tmp_path), "--race", "lr=0.1", "--branch-at", "7"]) == 0
    base = (tmp_path / "runs" / "base" / "history.csv").read_text().splitlines()
    raced = (tmp_path / "runs" / "eta-0.1" / "history.csv").read_text().splitlines()
    assert len(raced) == len(base) == 17
    assert raced[:9] == base[:9]
    assert all(mine.split(",")[1] != theirs.split(",")[1] for mine, theirs in zip(raced[9:], base[9:], strict=True))
    assert [row["branched_at"] for row in _rows(tmp_path / "race.csv")] == ["", "7"]


@pytest.mark.parametrize("more", [[], ["--branch-at", "7"], ["--explain", "3"], ["--explain", "3", "--branch-at", "2"],
                                  ["--optimizer", "minibatch", "--batch-size", "7", "--branch-at", "15"]])
def test_a_race_entry_that_changes_nothing_reproduces_the_base_run_exactly(tmp_path, more):
    assert run_train([*SMALL, "--quiet", "--out", str(tmp_path), "--race", "lr=0.01", *more]) == 0
    runs = tmp_path / "runs"
    assert (runs / "base-2" / "history.csv").read_bytes() == (runs / "base" / "history.csv").read_bytes()
    assert _result(runs / "base-2") == _result(runs / "base") == _result(tmp_path)
    first, second = _rows(tmp_path / "race.csv")
    assert second["run"] == "base (2)" and second["changes"] == ""
    for column in ("epochs_to_within_1pct", "final_loss", "accuracy", "distance_to_optimum", "status"):
        assert first[column] == second[column]


@pytest.mark.parametrize("args, words", [
    (["--race", "seed=2"], "--race seed=2: Seed cannot change in a race: every run keeps the base run's data, start "
                           "and shuffle order."),
    (["--race", "lr=0.1", "--race", "lr=abc"], "--race lr=abc: Learning rate η must be a finite number"),
    (["--race", "bogus"], "--race bogus: 'bogus' is not a change: write setting=value"),
    (["--race", "lr=0.1", "--branch-at", "16"], "--branch-at 16: this run trains 15 epochs, so raced runs can branch "
                                                "at an epoch from 0 to 15."),
    (["--race", "lr=0.1", "--branch-at", "-1"], "--branch-at -1: this run trains 15 epochs"),
    (["--branch-at", "3"], "--branch-at goes with --race."),
    (["--race-best-lr"], "--race-best-lr goes with --race."),
    (["--race", "epochs=5", "--branch-at", "7"],
     "--race epochs=5: that run trains 5 epochs, fewer than --branch-at 7."),
    (["--race", "lr=0.1", "--branch-at", "15", "--race-best-lr"],
     "--race-best-lr: the run lr=0.1 has no epochs left after --branch-at 15 to try learning rates on."),
])
def test_a_refused_race_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, args, words):
    assert run_train([*SMALL, "--out", str(tmp_path / "out"), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and words in captured.err
    assert list(tmp_path.iterdir()) == []


def test_a_raced_run_that_diverges_exits_1_and_still_writes_every_run(tmp_path, capsys):
    assert run_train([*SMALL, "--quiet", "--out", str(tmp_path), "--race", "lr=900", "--race", "lr=0.1"]) == 1
    err = capsys.readouterr().err
    assert 'run "η = 900": Training diverged' in err and "Run again with a lower --lr (now 900)" in err
    assert "reset" not in err
    assert [row["status"] for row in _rows(tmp_path / "race.csv")] == ["finished", "diverged", "finished"]
    diverged = json.loads((tmp_path / "runs" / "eta-900" / "result.json").read_text(),
                          parse_constant=lambda name: pytest.fail(f"result.json holds {name}"))
    assert diverged["final"]["status"] == "diverged" and math.isfinite(diverged["final"]["loss"])


def test_a_race_without_out_prints_the_table_and_quiet_keeps_the_final_line_only(capsys):
    assert run_train([*SMALL, "--race", "lr=0.1", "--branch-at", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "race (branched at epoch 5):" in out and any(line.startswith("η = 0.1 ") for line in out)
    assert run_train([*SMALL, "--race", "lr=0.1", "--quiet"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_best_lr_per_raced_run_picks_the_grid_s_lowest_loss_after_ten_epochs(tmp_path, capsys):
    assert run_train([*SMALL, "--out", str(tmp_path), "--race", "optimizer=minibatch", "--branch-at", "3",
                      "--race-best-lr"]) == 0
    settings = Settings(n0=40, n1=40, epochs=15, every=5, l2=0.01)
    start = Trainer(settings, generate(settings))
    start.run_epochs(3)
    losses = {}
    for lr in lr_grid():
        tried = branch(start.state(), settings, start.data, {"optimizer": "minibatch", "lr": lr, "epochs": 13})
        tried.run_to_end()
        if tried.status != "diverged":
            losses[lr] = tried.view().loss
    pick = min(losses, key=losses.get)
    raced = _rows(tmp_path / "race.csv")[1]
    assert raced["run"] == f"mini-batch, η = {pick:g}" and raced["changes"] == f"optimizer=minibatch,lr={pick!r}"
    assert _result(tmp_path / "runs" / raced["folder"])["settings"]["lr"] == pick
    assert capsys.readouterr().out.splitlines()[-2] == (
        f"mini-batch, η = {pick:g}: best η = {pick:g} (10 values tried over 10 epochs: the lowest loss among those "
        "that did not diverge)")
