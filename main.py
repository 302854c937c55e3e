"""Neuron Lab: `python main.py` opens the window; `python main.py train …` runs the same engine headless."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

USAGE = """usage: python main.py              open the Neuron Lab window
       python main.py train [...]  train headless (see: python main.py train --help)"""


def _write_figures(*args, **kwargs):
    """Load the drawing code only when figures are asked for, so plain headless runs never import Qt."""
    from gui.figures import headless_figure_writer

    return headless_figure_writer(*args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        from model.cli import run_train

        return run_train(argv[1:], figure_writer=_write_figures)
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if argv:
        print(f"main.py: error: unknown command {argv[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    return _open_window()


def _open_window() -> int:
    """The window collects garbage on a timer of its own thread only (gui.app.start_collector). Automatic collection
    goes off before the window's libraries are imported: importing them ran about 150 collections, 40–60 ms of
    start-up, over objects that all live as long as the app."""
    gc.disable()
    from gui.app import run_app

    return run_app()


if __name__ == "__main__":
    sys.exit(main())
