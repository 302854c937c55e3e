"""Animated export, the drawing half: each frame is one past moment of the stored history (w and b of that epoch, the
loss curve and the path up to it) drawn offscreen by the same views as the window. An export is thus reproducible,
never touches the live canvas, and may draw its frames in any order.

Frames are drawn on the GUI thread: pyqtgraph's plots are widgets' graphics items and Qt allows those on that thread
only. The window draws them a few at a time between its own work (gui.export.animation_job).

Several runs animate together (a race): the first is drawn by the full views, each other one as curves in its own
colour (its ŷ, its path over (w, b) and its loss), all at the same epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from gui.base import style
from gui.base.state import PLAIN, DisplayOptions
from gui.base.surface_picture import SurfacePicture, picture_of
from gui.export.render import render_image, settle_layout
from gui.views.parameter_view import ParameterView
from gui.views.plots import LossView, NeuronView, SnapshotGrid, curve_grid, legend_below, neuron_title
from model.data import Dataset
from model.history import HistoryView
from model.landscape import loss_surface, surface_window
from model.neuron import sigmoid
from model.problem import Problem
from model.trainer import TrainerView

ANIMATION_VIEWS = {
    "canvas": "the canvas (neuron, loss over (w, b), loss curve)",
    "main": "the neuron (samples, z, ŷ, boundary)",
    "parameters": "the loss over (w, b) with the path",
    "loss": "the loss curve",
    "snapshots": "the snapshot grid",
}
FRAME_SIZE = (800, 500)
"""Every animation is laid out at this size, then drawn at the chosen scale."""
SNAPSHOT_CELLS = 6
"""The snapshot grid of an animation: two rows of three, like the tutorial's figure."""
SURFACE_SIZE = 200
MAX_FRAMES = 500
"""At most this many frames: 200 MB of a GIF's frames in memory at 1×, a 20 MB file."""
AXIS_WIDTH = 66
"""The vertical axes keep this width whatever their labels, so the plots never shift from one frame to the next."""


@dataclass(frozen=True)
class AnimatedRun:
    """One run to animate: its stored history and snapshots, drawn in its colour."""

    view: TrainerView
    colour: str = style.SIGMOID_COLOUR


@dataclass(frozen=True)
class AnimationContent:
    """What an animation shows: the runs trained on the same samples with the same loss, and what the data decide."""

    data: Dataset
    loss: str
    runs: tuple[AnimatedRun, ...]
    problem: Problem
    picture: SurfacePicture
    display: DisplayOptions = PLAIN


def animation_content(data: Dataset, loss: str, l2: float, runs: Sequence[AnimatedRun], problem: Problem,
                      display: DisplayOptions = PLAIN) -> AnimationContent:
    """The content with its own loss surface, over the window that frames every run's whole path and the optimum:
    the same for the window and the command line, whatever the learner's pan and zoom."""
    points = [point for run in runs for point in zip(run.view.history.w.tolist(), run.view.history.b.tolist(),
                                                     strict=True)]
    w_range, b_range = surface_window(data, [*points, *problem.landmarks()])
    picture = picture_of(loss_surface(data, loss, l2, w_range, b_range, SURFACE_SIZE))
    return AnimationContent(data, loss, tuple(runs), problem, picture, display)


def frame_epochs(runs: Sequence[AnimatedRun], every: int | None = None) -> list[int]:
    """The epochs drawn, one frame each: every snapshot's (every None), or 0, N, 2N, … (every N); both always end
    with the last epoch trained. Beyond MAX_FRAMES, every second (fourth, …) of them is drawn, as the snapshot grid
    thins its cells: a GIF holds all its frames in memory until it is written."""
    last = max(int(run.view.history.epoch[-1]) for run in runs)
    if every is None:
        epochs = {record.epoch for run in runs for record in run.view.snapshots}
    else:
        epochs = set(range(0, last + 1, every))
    chosen = sorted({epoch for epoch in epochs if epoch < last} | {0})
    step = 1
    while -(-len(chosen) // step) >= MAX_FRAMES:
        step *= 2
    return [*chosen[::step], last] if last > 0 else [0]


class FrameRenderer:
    """An offscreen layout of one view (or the canvas) that draws the runs as they stood at any epoch."""

    def __init__(self, kind: str, content: AnimationContent, scale: float = 1.0):
        if kind not in ANIMATION_VIEWS:
            raise ValueError(f"unknown view {kind!r}")
        self.content = content
        self.scale = scale
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
        layout = self.widget.ci
        self.neuron = self.parameters = self.loss = self.snapshots = None
        if kind in ("canvas", "main"):
            self.neuron = _neuron(layout, content)
        if kind in ("canvas", "parameters"):
            self.parameters = _parameters(layout, content, col=1 if kind == "canvas" else 0)
        if kind in ("canvas", "loss"):
            self.loss = _loss(layout, content, row=2 if kind == "canvas" else 0)
        if kind == "snapshots":
            self.snapshots = SnapshotGrid(layout, 3, SNAPSHOT_CELLS)
            self.snapshots.set_data(content.data, content.display)
            self.snapshots.fit_width(FRAME_SIZE[0])
            self.snapshots.fix_row_height(FRAME_SIZE[1] / self.snapshots.max_rows - 12)
        if kind == "canvas":
            layout.layout.setRowStretchFactor(0, 2)
            layout.layout.setRowStretchFactor(2, 1)
        self._others = [_RunCurves(self, run.colour) for run in content.runs[1:]]
        for view in (self.neuron, self.parameters, self.loss):
            if view is not None:
                view.plot.getAxis("left").setWidth(AXIS_WIDTH)
        self.widget.resize(*FRAME_SIZE)
        self.widget.show()
        # Laid out at the last moment, which shows the most (every snapshot cell): later frames move nothing.
        self.draw(max(int(run.view.history.epoch[-1]) for run in content.runs))
        settle_layout(self.widget)

    @property
    def size(self) -> tuple[int, int]:
        return round(FRAME_SIZE[0] * self.scale), round(FRAME_SIZE[1] * self.scale)

    def render(self, epoch: int) -> QtGui.QImage:
        """The frame of this epoch, on a white image of `size` pixels."""
        self.draw(epoch)
        _settle(self.widget)
        return render_image(self.widget.scene(), QtCore.QRectF(0, 0, *FRAME_SIZE), self.scale, keep_caches=True)

    def draw(self, epoch: int) -> None:
        first = self.content.runs[0]
        history = first.view.history.until(epoch)
        record = history.record(-1)
        if self.neuron is not None:
            self.neuron.show(record.w, record.b, neuron_title(record.epoch, record.loss, record.accuracy))
        if self.parameters is not None:
            self.parameters.show_path(history.w, history.b)
        if self.loss is not None:
            self.loss.show(history, first.view.total_epochs)
        if self.snapshots is not None:
            self.snapshots.show([snapshot for snapshot in first.view.snapshots if snapshot.epoch <= epoch])
        for curves, run in zip(self._others, self.content.runs[1:], strict=True):
            curves.show(run.view.history.until(epoch))

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()


class _RunCurves:
    """A further run of a race on the same views: its ŷ, its path and its loss in its own colour."""

    def __init__(self, renderer: FrameRenderer, colour: str):
        self._grid = curve_grid(renderer.content.data)
        self.sigmoid = _curve(renderer.neuron, colour, 2.5)
        self.path = _curve(renderer.parameters, colour, 2)
        self.loss = _curve(renderer.loss, colour, 2)

    def show(self, history: HistoryView) -> None:
        """The run at the last epoch of `history`; the loss plot puts the losses on its log scale when it has one."""
        w, b = float(history.w[-1]), float(history.b[-1])
        if self.sigmoid is not None:
            self.sigmoid.setData(self._grid, sigmoid(w * self._grid + b))
        if self.path is not None:
            self.path.setData(history.w, history.b)
        if self.loss is not None:
            self.loss.setData(history.epoch, history.loss)


def _curve(view: NeuronView | ParameterView | LossView | None, colour: str, width: float) -> pg.PlotDataItem | None:
    return None if view is None else view.plot.plot(pen=style.pen(colour, width))


def _neuron(layout: pg.GraphicsLayout, content: AnimationContent) -> NeuronView:
    plot = layout.addPlot(row=0, col=0)
    legend_below(layout, plot, row=1, col=0, columns=3)
    neuron = NeuronView(plot)
    neuron.set_data(content.data, content.display)
    neuron.set_optimum(content.problem.optimum)
    return neuron


def _parameters(layout: pg.GraphicsLayout, content: AnimationContent, col: int) -> ParameterView:
    plot = layout.addPlot(row=0, col=col)
    legend_below(layout, plot, row=1, col=col, columns=3)
    parameters = ParameterView(plot)
    parameters.log_colours = content.picture.spans_decades
    parameters.set_picture(content.picture)
    parameters.set_optimum(content.problem.optimum, content.problem.ray)
    surface = content.picture.surface
    plot.setXRange(surface.w[0], surface.w[-1], padding=0)
    plot.setYRange(surface.b[0], surface.b[-1], padding=0)
    return parameters


def _loss(layout: pg.GraphicsLayout, content: AnimationContent, row: int) -> LossView:
    plot = layout.addPlot(row=row, col=0, colspan=2 if row else 1)
    legend_below(layout, plot, row=row + 1, col=0, columns=2)
    loss = LossView(plot)
    loss.set_loss_name(content.loss)
    loss.set_optimum(content.problem.optimum)
    return loss


def _settle(widget: pg.GraphicsLayoutWidget) -> None:
    """Apply the layout the views asked for since the last frame (an axis whose labels grew), without running the
    event loop: an export must not handle the learner's clicks halfway through a frame."""
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
    widget.ci.layout.activate()
