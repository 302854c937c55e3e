"""`python main.py train …`: the same engine as the window, run headless so runs can be scripted and tested."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.anatomy import card, take_one_update
from model.cli_options import add_setting_options, given_settings, option_of, switch_options, value_options
from model.csv_io import DataFileError, format_csv
from model.data import Dataset
from model.diagnosis import diagnose_view
from model.examples import NAMES as EXAMPLES
from model.examples import example
from model.files import write_text_atomic
from model.headless_race import BEST_LR_EPOCHS, compare_lines, race, write_race
from model.landscape import landscape_csv, loss_surface
from model.lesson import LessonError, lesson_names, load_lesson, shipped_lesson
from model.problem import Problem, path_window, study
from model.race import GRID_SIZE, RaceError, parse_entry
from model.report import data_units, history_csv, result_json
from model.settings import GAUSSIAN_FIELDS, PRESETS, Settings, SettingsError, apply_preset
from model.sources import dataset_for
from model.trainer import DIVERGED, Remedy, Trainer, TrainerView

EXIT_OK, EXIT_DIVERGED, EXIT_USAGE = 0, 1, 2
SCRIPT = "python main.py"
"""The command that runs the app from a checkout, named in usage and error lines unless the caller names another."""

VALUE_OPTIONS = frozenset({"--preset", "--example", "--lesson", "--out", "--landscape-size", "--explain", "--race",
                           "--branch-at", *value_options(Settings)})
FLAG_OPTIONS = frozenset({"--figures", "--animation", "--landscape", "--quiet", "--help", "--race-best-lr",
                          *switch_options(Settings)})
LANDSCAPE_SIZES = (2, 1000)
DEFAULT_LANDSCAPE_SIZE = 200
MAX_EXPLAINED = 10_000
COMMAND_LINE_REMEDY = Remedy("Run again with a lower --lr (now {lr:g}).",
                             "Run again with a lower --lr (now {lr:g}) or with the data rescaled.")


class UsageError(Exception):
    """A bad command line; printed as one line, exit code 2."""


class DrawingUnavailableError(Exception):
    """The drawing side cannot be loaded here (Qt is missing); printed as one line, exit code 2, before anything is
    trained or written."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


@dataclass(frozen=True)
class TrainCommand:
    settings: Settings
    out: Path | None
    figures: bool
    quiet: bool
    landscape_size: int | None = None
    explain: int = 0
    """How many first updates to write out worked, as the window's card shows them after Shift+Right."""
    """Grid points per side of landscape.csv, or None when it is not asked for."""
    races: tuple[dict[str, Any], ...] = ()
    """The settings changes of each raced run (none without --race)."""
    branch_at: int = 0
    race_best_lr: bool = False
    animation: bool = False


def build_parser(prog: str = SCRIPT) -> argparse.ArgumentParser:
    """The `train` options; prog is the command that runs the app (`neuron-lab` or `python main.py`)."""
    parser = _Parser(
        prog=f"{prog} train",
        description="Train one neuron (z = w·x + b, ŷ = σ(z)) on two classes without opening the window.",
        epilog=f"Example: {prog} train --preset far-apart --lr 0.001 --epochs 120 --out run1",
    )
    groups = add_setting_options(parser, Settings)
    groups["Data"].add_argument("--preset", help="start from a preset's Gaussians: "
                                                 f"{', '.join(_cli_name(p) for p in PRESETS)}")
    groups["Data"].add_argument("--example", metavar="NAME",
                                help="train on a real data set shipped with the app (its file's header says where "
                                     f"it comes from): {', '.join(EXAMPLES)}")
    groups["Data"].add_argument("--lesson", metavar="NAME",
                                help="start from a lesson's settings (the options given still override them): "
                                     f"{', '.join(lesson_names())}, or a lesson file NAME.md")
    output = parser.add_argument_group("output")
    output.add_argument("--out", metavar="DIR", help="write history.csv, result.json and samples.csv (x,label, the "
                                                     "format --data reads) into DIR (created if needed)")
    output.add_argument("--figures", action="store_true",
                        help="also write the figures (PNG and SVG) into DIR; needs --out")
    output.add_argument("--animation", action="store_true",
                        help="also write training.gif into DIR: the canvas, one frame per snapshot (epoch 0, every "
                             "--every epochs and the last epoch); needs --out")
    output.add_argument("--landscape", action="store_true",
                        help="also write landscape.csv (w,b,loss): the loss surface over the (w, b) window that frames "
                             "the path and the optimum, as the window's parameter view shows it; needs --out")
    output.add_argument("--landscape-size", dest="landscape_size", type=int, metavar="N",
                        help="grid points per side of landscape.csv (default 200, so 40,000 rows)")
    output.add_argument("--explain", type=int, metavar="N", default=0,
                        help="also write updates.txt: the first N updates worked out with their numbers, as the "
                             "window shows one after Shift+Right (the run itself is unchanged); needs --out")
    output.add_argument("--quiet", action="store_true", help="print only the final line")
    racing = parser.add_argument_group("race")
    racing.add_argument("--race", action="append", default=[], metavar="CHANGES",
                        help="also train a run that differs from this one only in the changes given, e.g. lr=0.1 or "
                             "optimizer=minibatch,batch_size=8 (training settings only: same data, start and shuffle "
                             "order); repeat for more runs. With --out, writes DIR/runs/<run>/history.csv and "
                             "result.json for every run and DIR/race.csv, the compare table")
    racing.add_argument("--branch-at", dest="branch_at", type=int, metavar="E",
                        help="raced runs start from this run's exact state at the end of epoch E (default 0)")
    racing.add_argument("--race-best-lr", dest="race_best_lr", action="store_true",
                        help=f"each raced run trains with the best of {GRID_SIZE} learning rates tried for "
                             f"{BEST_LR_EPOCHS} epochs from where it starts (the lowest loss among those that do not "
                             "diverge)")
    return parser


def parse_train_args(argv: Sequence[str], prog: str = SCRIPT) -> TrainCommand:
    """Turn the command line into validated settings. Raises UsageError with a one-line reason."""
    args = build_parser(prog).parse_args(_join_negative_values(argv))
    settings = Settings() if args.lesson is None else _lesson_settings(args.lesson)
    if args.preset is not None:
        preset = args.preset.replace("-", " ").lower()
        if preset not in PRESETS:
            raise UsageError(f"--preset: Unknown preset {args.preset!r}; choose one of "
                             f"{', '.join(map(_cli_name, PRESETS))}.")
        settings = apply_preset(settings, preset)
    given = given_settings(args, Settings)
    if args.example is not None:
        if "data_path" in given:
            raise UsageError("--example cannot be combined with --data.")
        try:
            given["data_path"] = str(example(args.example).path)
        except KeyError as error:
            raise UsageError(f"--example: {error.args[0]}") from None
    if "data_path" in given:
        clashing = [option_of(Settings, name) for name in GAUSSIAN_FIELDS if name in given]
        if args.preset is not None or clashing:
            source = "--example" if args.example is not None else "--data"
            raise UsageError(f"{source} cannot be combined with {', '.join(clashing or ['--preset'])}.")
    for flag, wanted in (("--figures", args.figures), ("--animation", args.animation),
                         ("--landscape", args.landscape)):
        if wanted and args.out is None:
            raise UsageError(f"{flag} needs --out DIR to know where to write.")
    if args.landscape_size is not None and not args.landscape:
        raise UsageError("--landscape-size goes with --landscape.")
    size = DEFAULT_LANDSCAPE_SIZE if args.landscape_size is None else args.landscape_size
    if not LANDSCAPE_SIZES[0] <= size <= LANDSCAPE_SIZES[1]:
        raise UsageError(f"--landscape-size: the grid must have from {LANDSCAPE_SIZES[0]} to {LANDSCAPE_SIZES[1]} "
                         "points per side.")
    if args.out == "":
        raise UsageError("--out needs the name of a folder, but it was empty.")
    if not 0 <= args.explain <= MAX_EXPLAINED:
        raise UsageError(f"--explain: give from 0 to {MAX_EXPLAINED:,} updates.")
    if args.explain and args.out is None:
        raise UsageError("--explain needs --out DIR to know where to write.")
    try:
        settings = settings.replace(**given).validated()
    except SettingsError as error:
        name, message = next(iter(error.problems.items()))
        raise UsageError(f"{option_of(Settings, name)}: {message}") from None
    return TrainCommand(settings, None if args.out is None else Path(args.out), args.figures, args.quiet,
                        size if args.landscape else None, args.explain, _races(args, settings),
                        args.branch_at or 0, args.race_best_lr, animation=args.animation)


def _races(args: argparse.Namespace, settings: Settings) -> tuple[dict[str, Any], ...]:
    """Each --race entry's changes, checked with --branch-at and --race-best-lr. Raises UsageError."""
    if not args.race:
        for flag, given in (("--branch-at", args.branch_at is not None), ("--race-best-lr", args.race_best_lr)):
            if given:
                raise UsageError(f"{flag} goes with --race.")
        return ()
    at = args.branch_at or 0
    if not 0 <= at <= settings.epochs:
        raise UsageError(f"--branch-at {at}: this run trains {settings.epochs} epochs, so raced runs can branch "
                         f"at an epoch from 0 to {settings.epochs}.")
    races = []
    for entry in args.race:
        try:
            changes = parse_entry(entry, settings)
        except RaceError as error:
            raise UsageError(f"--race {entry}: {error}") from None
        epochs = settings.replace(**changes).epochs
        if epochs < at:
            raise UsageError(f"--race {entry}: that run trains {epochs} epochs, fewer than --branch-at {at}.")
        if args.race_best_lr and epochs == at:
            raise UsageError(f"--race-best-lr: the run {entry} has no epochs left after --branch-at {at} to try "
                             "learning rates on.")
        races.append(changes)
    return tuple(races)


def _lesson_settings(name: str) -> Settings:
    """The settings of a shipped lesson by name, or of a lesson file (a name ending in .md)."""
    try:
        return (load_lesson(name) if name.endswith(".md") else shipped_lesson(name)).settings
    except LessonError as error:
        raise UsageError(f"--lesson {name}: {error}") from None


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """argparse takes only -1 or -.5 style tokens for negative numbers: -1e3 looks to it like an unknown option,
    and --mu0 is left without its value. Joined to its option as --mu0=-1e3, any value reaches the option."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if index + 1 < len(argv) and _takes_value(token) and _is_negative_number(argv[index + 1]):
            joined.append(f"{token}={argv[index + 1]}")
            index += 2
        else:
            joined.append(token)
            index += 1
    return joined


def _takes_value(token: str) -> bool:
    """Whether the token names an option that takes a value, in full or by an unambiguous prefix as argparse allows."""
    if token in VALUE_OPTIONS:
        return True
    matches = [option for option in VALUE_OPTIONS | FLAG_OPTIONS if option.startswith(token)]
    return token.startswith("--") and len(matches) == 1 and matches[0] in VALUE_OPTIONS


def _is_negative_number(token: str) -> bool:
    if not token.startswith("-"):
        return False
    try:
        float(token)
    except ValueError:
        return False
    return True


def _prepare_out(out: Path) -> None:
    """Create the output folder and prove it takes files, so a bad --out is refused before any time is spent training.

    Raises UsageError with a one-line reason.
    """
    try:
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out}: this is a file, not a folder; choose a folder for the results.")
        out.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".neuron-lab-write-test-", dir=out)
        os.close(handle)
        os.unlink(probe)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(f"--out {out}: cannot write results there ({reason}).") from None


FigureWriter = Callable[[Path, Settings, Dataset, TrainerView, Problem], list[Path]]
AnimationWriter = Callable[[Path, Settings, Dataset, Sequence[TrainerView], Problem], Path]
"""Draws training.gif: the run's view first, then the views of the runs raced against it on the same loss."""


def run_train(argv: Sequence[str], figure_writer: FigureWriter | None = None, prog: str = SCRIPT,
              load_animation_writer: Callable[[], AnimationWriter] | None = None) -> int:
    """Run the command; returns the exit code. figure_writer draws the figures; load_animation_writer gives what
    draws training.gif, or raises DrawingUnavailableError (the display side provides both).

    Every expected failure (bad arguments, a bad data file, a folder that cannot be written) ends as one line on
    stderr; anything else is a bug and keeps its traceback.
    """
    try:
        command = parse_train_args(argv, prog)
        animation_writer = load_animation_writer() if command.animation and load_animation_writer else None
        data = dataset_for(command.settings)
        if command.out is not None:
            _prepare_out(command.out)
    except (UsageError, DataFileError, OSError, DrawingUnavailableError) as error:
        print(f"{prog} train: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    settings = command.settings
    trainer = Trainer(settings, data, remedy=COMMAND_LINE_REMEDY)
    fork = trainer.state() if command.races and command.branch_at == 0 else None
    explained = _explain(trainer, command.explain)
    _train(trainer, command.branch_at, command.quiet)
    if command.races and fork is None:
        fork = trainer.state()
    _train(trainer, settings.epochs, command.quiet)
    view = trainer.view()
    problem = study(data, settings.loss, settings.l2)
    runs = [] if fork is None else race(trainer, problem, fork, command.races, command.race_best_lr,
                                        COMMAND_LINE_REMEDY)
    if command.out is not None:
        try:
            write_text_atomic(command.out / "history.csv", history_csv(view.history))
            write_text_atomic(command.out / "result.json", result_json(settings, data, view, problem))
            write_text_atomic(command.out / "samples.csv", format_csv(data.original))
            if explained:
                write_text_atomic(command.out / "updates.txt", explained)
            if command.landscape_size is not None:
                write_text_atomic(command.out / "landscape.csv", _landscape(data, settings, view, problem,
                                                                             command.landscape_size))
            if command.figures and figure_writer is not None:
                figure_writer(command.out, settings, data, view, problem)
            if runs:
                write_race(command.out, runs, data, command.branch_at)
            if animation_writer is not None:
                raced = [run.view for run in runs[1:] if run.settings.loss == settings.loss]
                animation_writer(command.out, settings, data, [view, *raced], problem)
        except (OSError, DataFileError) as error:
            reason = getattr(error, "strerror", None) or error
            print(f"{prog} train: error: cannot write to {command.out}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    if runs and not command.quiet:
        print("\n".join(compare_lines(runs, command.branch_at)))
    print(_summary(settings, data, view, problem))
    diverged = [run for run in runs[1:] if run.view.status == DIVERGED]
    for run in diverged:
        print(f'{prog} train: run "{run.name}": {run.view.message}', file=sys.stderr)
    if view.status == DIVERGED:
        print(f"{prog} train: {view.message}", file=sys.stderr)
    return EXIT_DIVERGED if view.status == DIVERGED or diverged else EXIT_OK


def _train(trainer: Trainer, until: int, quiet: bool) -> None:
    """Train up to epoch `until`, printing a progress line at each snapshot interval and where training stops."""
    every = trainer.settings.every
    while trainer.can_train and trainer.epoch < until:
        trainer.run_epochs(min(every - trainer.epoch % every, until - trainer.epoch))
        if not quiet and trainer.status != DIVERGED and (trainer.epoch % every == 0 or not trainer.can_train):
            _print_progress(trainer)


def _print_progress(trainer: Trainer) -> None:
    record = trainer.history.view().record(-1)
    print(f"epoch {record.epoch:>6}  loss {record.loss:.6f}  accuracy {record.accuracy:.3f}  "
          f"w {record.w:+.6f}  b {record.b:+.6f}")


def _explain(trainer: Trainer, count: int) -> str:
    """The first `count` updates made and worked out, one block each; the trainer goes on from after them exactly
    as if it had made them unexplained."""
    blocks = []
    for number in range(1, count + 1):
        step = take_one_update(trainer)
        if step is None:
            break
        batch = ", ".join(str(int(i)) for i in step.indices[:10]) + (" …" if step.indices.size > 10 else "")
        samples = "sample" if step.indices.size == 1 else "samples"
        blocks.append("\n".join([f"update {number} (epoch {trainer.epoch + (trainer.position > 0)}, {samples} {batch})",
                                 *card(step.update)]))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _landscape(data: Dataset, settings: Settings, view: TrainerView, problem: Problem, size: int) -> str:
    w_range, b_range = path_window(data, view, problem)
    return landscape_csv(loss_surface(data, settings.loss, settings.l2, w_range, b_range, size))


def _summary(settings: Settings, data: Dataset, view: TrainerView, problem: Problem) -> str:
    """The final neuron, the exact optimum when there is one (both also in the data's units when x was standardised),
    and the engine's verdict with its sentence."""
    boundary = "none" if view.boundary is None else f"{view.boundary:+.6f}"
    line = (f"{view.status}: epoch {view.epoch}, w {view.w:+.6f}, b {view.b:+.6f}, loss {view.loss:.6f}, "
            f"accuracy {view.accuracy:.3f}, boundary x* {boundary}")
    optimum = problem.optimum
    if optimum.exists:
        line += f"; exact optimum w {optimum.w:+.6f}, b {optimum.b:+.6f}, loss {optimum.loss:.6f}"
    if data.scale is not None:
        units = data_units(data.scale, view, problem)
        line += f"; in the data's units (x = {data.scale.mean:.6g} + {data.scale.sd:.6g}·u) {_neuron(units['final'])}"
        if units["optimum"] is not None:
            line += f", exact optimum {_neuron(units['optimum'])}"
    diagnosis = diagnose_view(problem, settings.lr, view, settings.rule, settings.momentum)
    return f"{line}; {diagnosis.verdict.value}: {diagnosis.text}"


def _neuron(values: dict[str, float | None]) -> str:
    boundary = "none" if values["boundary"] is None else f"{values['boundary']:+.6g}"
    return f"w {values['w']:+.6g}, b {values['b']:+.6g}, boundary x* {boundary}"


def _cli_name(preset: str) -> str:
    return preset.replace(" ", "-")
