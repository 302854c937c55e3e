"""One animated export, a frame at a time: the window interleaves the steps with its own work (and may stop between
any two), the command line and the benchmark run them in a loop."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtWidgets

from gui.base.style import RUN_COLOURS, configure_pyqtgraph
from gui.export.animation import AnimatedRun, AnimationContent, FrameRenderer, animation_content, frame_epochs
from gui.export.animation_file import open_animation_file
from model.data import Dataset
from model.problem import Problem
from model.settings import Settings
from model.trainer import TrainerView

FRAME_RATES = (2, 4, 5, 10, 20, 25)
"""Frames per second; each gives a whole number of hundredths of a second per frame, which is what GIF stores."""
ANIMATION_SCALES = (0.5, 1.0, 1.5, 2.0)
DEFAULT_FPS = 5
HEADLESS_NAME = "training.gif"


@dataclass(frozen=True)
class AnimationChoice:
    """What the learner asked for: which view, one frame per snapshot (every None) or per N epochs, how fast, and
    how many pixels per laid-out pixel."""

    kind: str = "canvas"
    every: int | None = None
    fps: int = DEFAULT_FPS
    scale: float = 1.0


class AnimationExport:
    """An export under way. step() draws and encodes the next frame; then write() encodes the rest and commit()
    puts the file in place; cancel() leaves nothing. Nothing is written at the path itself before commit()."""

    def __init__(self, content: AnimationContent, choice: AnimationChoice, path: str | os.PathLike):
        self.epochs = frame_epochs(content.runs, choice.every)
        self.done = 0
        self._renderer = FrameRenderer(choice.kind, content, choice.scale)
        try:
            self._file = open_animation_file(path, choice.fps, self._renderer.size, self._palette_samples)
        except BaseException:
            self._renderer.close()
            raise

    @property
    def size(self) -> tuple[int, int]:
        return self._renderer.size

    def _palette_samples(self) -> list:
        return [self._renderer.render(self.epochs[0]), self._renderer.render(self.epochs[-1])]

    def step(self) -> bool:
        """Draw and encode the next frame; False once every frame is in. A failure discards the file."""
        if self.done < len(self.epochs):
            try:
                self._file.add(self._renderer.render(self.epochs[self.done]))
            except BaseException:
                self.cancel()
                raise
            self.done += 1
        return self.done < len(self.epochs)

    def write(self) -> None:
        """Encode what remains into the temporary file. No Qt object is touched, so this may run on any thread (a
        GIF is encoded whole here, which takes a while); after a failure, cancel() on the GUI thread."""
        self._file.write()

    def commit(self) -> Path:
        """Put the written file in place (on the GUI thread: the drawing is closed too)."""
        try:
            return self._file.commit()
        finally:
            self._renderer.close()

    def discard_file(self) -> None:
        """Remove the temporary file (on any thread; cancel() does it too)."""
        self._file.discard()

    def cancel(self) -> None:
        try:
            self._file.discard()
        finally:
            self._renderer.close()


def export_animation(content: AnimationContent, choice: AnimationChoice, path: str | os.PathLike) -> Path:
    """Write the whole animation at once; any failure leaves nothing at the path."""
    export = AnimationExport(content, choice, path)
    while export.step():
        pass
    try:
        export.write()
    except BaseException:
        export.cancel()
        raise
    return export.commit()


def headless_animation_writer(out_dir: Path, settings: Settings, data: Dataset, views: Sequence[TrainerView],
                              problem: Problem) -> Path:
    """`train --animation`: the canvas, one frame per snapshot, as DIR/training.gif: the run, and each run raced
    against it (`--race`) in the colour the window gives the branch in that place. Starts an offscreen Qt
    application if none is running."""
    if QtWidgets.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QtWidgets.QApplication([])
    configure_pyqtgraph()
    runs = [AnimatedRun(view, RUN_COLOURS[place % len(RUN_COLOURS)]) for place, view in enumerate(views)]
    content = animation_content(data, settings.loss, settings.l2, runs, problem)
    return export_animation(content, AnimationChoice(), out_dir / HEADLESS_NAME)
