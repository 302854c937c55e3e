"""A race on the command line: the raced runs trained from the base run's fork point, and what the race leaves
behind: a folder per run with its history.csv and result.json, race.csv, and the compare table as printed."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.data import Dataset
from model.files import write_text_atomic
from model.problem import Problem, study
from model.race import (
    BASE_NAME,
    BestLr,
    Comparison,
    best_lr,
    branch,
    changes_text,
    compare,
    folder_names,
    run_name,
    unique_names,
)
from model.report import history_csv, result_json
from model.settings import Settings
from model.trainer import Remedy, Trainer, TrainerState, TrainerView

BEST_LR_EPOCHS = 10
"""Epochs each η of the grid trains for when the best η is picked per run (fewer if the run has fewer left)."""
RACE_HEADER = ("run", "folder", "changes", "branched_at", "epochs_to_within_1pct", "final_loss", "accuracy",
               "distance_to_optimum", "status")


@dataclass(frozen=True)
class RaceRun:
    """One run of a race as it ended: its unique name and folder, settings, final view, problem and compare row,
    and the best-η search that chose its learning rate (None when none was asked for)."""

    name: str
    folder: str
    settings: Settings
    view: TrainerView
    problem: Problem
    row: Comparison
    best: BestLr | None


def race(base: Trainer, problem: Problem, fork: TrainerState, entries: Sequence[Mapping[str, Any]], pick_lr: bool,
         remedy: Remedy) -> list[RaceRun]:
    """The base run (trained to its end, with its problem) followed by one run per entry of changes, each trained
    to its end from fork, the base run's state at the branch point; with pick_lr, each raced run's η is the best of
    a grid tried over a short prefix (its own η kept should every try diverge)."""
    problems = {(base.settings.loss, base.settings.l2): problem}
    finished: list[tuple[str, Settings, TrainerView, BestLr | None]] = [
        (BASE_NAME, base.settings, base.view(), None)]
    for changes in entries:
        chosen, best = dict(changes), None
        if pick_lr:
            prefix = min(BEST_LR_EPOCHS, base.settings.replace(**changes).epochs - fork.epoch)
            best = best_lr(fork, base.settings, base.data, changes, prefix, kernel=base.kernel)
            if best.pick is not None:
                chosen["lr"] = best.pick
        trainer = branch(fork, base.settings, base.data, chosen, base.kernel, remedy)
        trainer.run_to_end()
        finished.append((run_name(base.settings, trainer.settings), trainer.settings, trainer.view(), best))
    names = unique_names([name for name, *_ in finished])
    runs = []
    for name, folder, (_, settings, view, best) in zip(names, folder_names(names), finished, strict=True):
        key = (settings.loss, settings.l2)
        if key not in problems:
            problems[key] = study(base.data, settings.loss, settings.l2)
        runs.append(RaceRun(name, folder, settings, view, problems[key], compare(name, view, problems[key].optimum),
                            best))
    return runs


def race_csv(runs: Sequence[RaceRun], branched_at: int) -> str:
    """The compare table, a row per run, the base run first: its changes as a race entry ("" for the base), the
    epoch the raced runs branched at (empty for the base), epochs to within 1 % of the optimum's loss (a number,
    "not yet" or "no optimum"), the final loss and accuracy, the distance to the optimum (empty without one)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(RACE_HEADER)
    base = runs[0].settings
    for index, run in enumerate(runs):
        row = run.row
        writer.writerow([run.name, run.folder, changes_text(base, run.settings), branched_at if index else "",
                         row.reached, repr(row.final_loss), repr(row.accuracy),
                         "" if row.distance is None else repr(row.distance), row.status])
    return text.getvalue()


def compare_lines(runs: Sequence[RaceRun], branched_at: int) -> list[str]:
    """The compare table as printed: a heading, a line per run, and the η each best-η search picked."""
    width = max(len("run"), *(len(run.name) for run in runs))
    heading = "race" if branched_at == 0 else f"race (branched at epoch {branched_at})"
    lines = [f"{heading}:", f"{'run':<{width}}  {'epochs to 1 %':>13}  {'final loss':>10}  {'accuracy':>8}  "
                            f"{'distance to optimum':>19}  status"]
    for run in runs:
        row = run.row
        distance = "" if row.distance is None else f"{row.distance:.6g}"
        lines.append(f"{run.name:<{width}}  {row.reached:>13}  {row.final_loss:>10.6g}  {row.accuracy:>8.3f}  "
                     f"{distance:>19}  {row.status}")
    lines += [f"{run.name}: {run.best.sentence}" for run in runs if run.best is not None]
    return lines


def write_race(out: Path, runs: Sequence[RaceRun], data: Dataset, branched_at: int) -> None:
    """out/runs/<folder>/history.csv and result.json for every run, then out/race.csv."""
    for run in runs:
        folder = out / "runs" / run.folder
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / "history.csv", history_csv(run.view.history))
        write_text_atomic(folder / "result.json", result_json(run.settings, data, run.view, run.problem))
    write_text_atomic(out / "race.csv", race_csv(runs, branched_at))
