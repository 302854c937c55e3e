"""Neuron Lab: `python main.py` opens the window; `python main.py train …` runs the same engine headless."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

EXIT_NO_WINDOW = 1
SCRIPT = "python main.py"
"""The command as run from a checkout; installed, it is `neuron-lab` (see neuron_lab)."""


def usage(prog: str) -> str:
    """The top-level usage, naming the command the user ran so its lines can be copied as they are."""
    return (f"usage: {prog}              open the Neuron Lab window\n"
            f"       {prog} train [...]  train headless (see: {prog} train --help)")


def _write_figures(*args, **kwargs):
    """Load the drawing code only when figures are asked for, so plain headless runs never import Qt."""
    from gui.export.figures import headless_figure_writer

    return headless_figure_writer(*args, **kwargs)


def _animation_writer():
    """The drawing code of --animation, loaded only when it is asked for; without Qt, one line says so before
    anything is trained or written."""
    from model.cli import DrawingUnavailableError

    try:
        from gui.export.animation_export import headless_animation_writer
    except ImportError as error:
        raise DrawingUnavailableError(f"--animation needs Qt to draw ({error}); install PySide6-Essentials and "
                                      "Pillow, or leave --animation out.") from None
    return headless_animation_writer


def main(argv: Sequence[str] | None = None, prog: str = SCRIPT) -> int:
    """Open the window or run `train`; prog is the command as the user typed it, for usage and error lines."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        from model.cli import run_train

        return run_train(argv[1:], figure_writer=_write_figures, prog=prog, load_animation_writer=_animation_writer)
    if argv[:1] in (["-h"], ["--help"]):
        print(usage(prog))
        return 0
    if argv:
        print(f"{prog}: error: unknown command {argv[0]!r}\n{usage(prog)}", file=sys.stderr)
        return 2
    return _open_window(prog)


def neuron_lab() -> int:
    """The installed `neuron-lab` command (the console script's entry point)."""
    return main(prog="neuron-lab")


def _open_window(prog: str) -> int:
    """Collection pauses for start-up (gui.runs.process_tuning explains why). A display that cannot be opened is
    reported in one line before Qt is loaded: Qt itself would abort with a page of plugin messages."""
    from gui.runs.process_tuning import pause_collection_for_start_up

    pause_collection_for_start_up()
    from gui.window.display_check import display_problem

    problem = display_problem(os.environ)
    if problem is not None:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return EXIT_NO_WINDOW
    from gui.window.app import run_app

    return run_app()


if __name__ == "__main__":
    sys.exit(main())
