"""`python main.py train …`: the same engine as the window, run headless so runs can be scripted and tested."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from model.anatomy import card, take_one_update
from model.cli_options import add_setting_options, given_settings, option_of, switch_options, value_options
from model.csv_io import DataFileError, format_csv
from model.data import Dataset
from model.diagnosis import diagnose_view
from model.files import write_text_atomic
from model.landscape import landscape_csv, loss_surface
from model.problem import Problem, path_window, study
from model.report import history_csv, result_json
from model.settings import GAUSSIAN_FIELDS, PRESETS, Settings, SettingsError, apply_preset
from model.sources import dataset_for
from model.trainer import DIVERGED, Remedy, Trainer, TrainerView

EXIT_OK, EXIT_DIVERGED, EXIT_USAGE = 0, 1, 2
SCRIPT = "python main.py"
"""The command that runs the app from a checkout, named in usage and error lines unless the caller names another."""

VALUE_OPTIONS = frozenset({"--preset", "--out", "--landscape-size", "--explain", *value_options(Settings)})
FLAG_OPTIONS = frozenset({"--figures", "--animation", "--landscape", "--quiet", "--help", *switch_options(Settings)})
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
    return parser


def parse_train_args(argv: Sequence[str], prog: str = SCRIPT) -> TrainCommand:
    """Turn the command line into validated settings. Raises UsageError with a one-line reason."""
    args = build_parser(prog).parse_args(_join_negative_values(argv))
    settings = Settings()
    if args.preset is not None:
        preset = args.preset.replace("-", " ").lower()
        if preset not in PRESETS:
            raise UsageError(f"--preset: Unknown preset {args.preset!r}; choose one of "
                             f"{', '.join(map(_cli_name, PRESETS))}.")
        settings = apply_preset(settings, preset)
    given = given_settings(args, Settings)
    if "data_path" in given:
        clashing = [option_of(Settings, name) for name in GAUSSIAN_FIELDS if name in given]
        if args.preset is not None or clashing:
            raise UsageError(f"--data cannot be combined with {', '.join(clashing or ['--preset'])}.")
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
                        size if args.landscape else None, args.explain, animation=args.animation)


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
AnimationWriter = Callable[[Path, Settings, Dataset, TrainerView, Problem], Path]


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
    explained = _explain(trainer, command.explain)
    while trainer.can_train:
        trainer.run_epochs(settings.every)
        if not command.quiet and trainer.status != DIVERGED:
            _print_progress(trainer)
    view = trainer.view()
    problem = study(data, settings.loss, settings.l2)
    if command.out is not None:
        try:
            write_text_atomic(command.out / "history.csv", history_csv(view.history))
            write_text_atomic(command.out / "result.json", result_json(settings, data, view, problem))
            write_text_atomic(command.out / "samples.csv", format_csv(data))
            if explained:
                write_text_atomic(command.out / "updates.txt", explained)
            if command.landscape_size is not None:
                write_text_atomic(command.out / "landscape.csv", _landscape(data, settings, view, problem,
                                                                             command.landscape_size))
            if command.figures and figure_writer is not None:
                figure_writer(command.out, settings, data, view, problem)
            if animation_writer is not None:
                animation_writer(command.out, settings, data, view, problem)
        except (OSError, DataFileError) as error:
            reason = getattr(error, "strerror", None) or error
            print(f"{prog} train: error: cannot write to {command.out}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    print(_summary(settings, view, problem))
    if view.status == DIVERGED:
        print(f"{prog} train: {view.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return EXIT_OK


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


def _summary(settings: Settings, view: TrainerView, problem: Problem) -> str:
    """The final neuron, the exact optimum when there is one, and the engine's verdict with its sentence."""
    boundary = "none" if view.boundary is None else f"{view.boundary:+.6f}"
    line = (f"{view.status}: epoch {view.epoch}, w {view.w:+.6f}, b {view.b:+.6f}, loss {view.loss:.6f}, "
            f"accuracy {view.accuracy:.3f}, boundary x* {boundary}")
    optimum = problem.optimum
    if optimum.exists:
        line += f"; exact optimum w {optimum.w:+.6f}, b {optimum.b:+.6f}, loss {optimum.loss:.6f}"
    diagnosis = diagnose_view(problem, settings.lr, view)
    return f"{line}; {diagnosis.verdict.value}: {diagnosis.text}"


def _cli_name(preset: str) -> str:
    return preset.replace(" ", "-")
