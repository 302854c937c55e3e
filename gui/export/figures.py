"""Figures for export: offscreen layouts drawn by the same views as the window, written as PNG or SVG.

The window and `main.py train --figures` both come here, so a figure made in a script looks like the one on screen.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.base.state import PLAIN, DisplayOptions
from gui.base.style import configure_pyqtgraph
from gui.base.surface_picture import SurfacePicture, picture_of
from gui.export.render import render_png, render_svg, settle_layout
from gui.views.parameter_view import ParameterView
from gui.views.plots import LossView, NeuronView, SnapshotGrid, legend_below, neuron_title
from model.data import Dataset
from model.files import write_bytes_atomic
from model.landscape import loss_surface
from model.optimum import Optimum
from model.problem import Problem, path_window
from model.settings import Settings
from model.trainer import TrainerView

FIGURES = {
    "main": "the neuron (samples, z, ŷ, boundary)",
    "parameters": "the loss over (w, b) with the path",
    "loss": "the loss curve",
    "snapshots": "the snapshot grid",
    "canvas": "the whole canvas",
}
FORMATS = ("png", "svg")
PANEL_SIZES = {"main": (900, 600), "parameters": (640, 600), "loss": (640, 480)}
CELL_SIZE = (380, 270)
COLUMNS = 3
PANELS = {"main": ("main",), "parameters": ("parameters",), "loss": ("loss",), "snapshots": (),
          "canvas": ("main", "parameters", "loss")}
"""The plots along a figure's top row; the snapshot grid goes under them in 'snapshots' and 'canvas'."""
SURFACE_SIZE = 200


@dataclass(frozen=True)
class FigureContent:
    """What a figure shows: one moment of one run, what its data decide, and how the samples are drawn."""

    data: Dataset
    loss: str
    view: TrainerView
    problem: Problem | None = None
    display: DisplayOptions = PLAIN
    picture: SurfacePicture | None = None

    @property
    def optimum(self) -> Optimum:
        return self.problem.optimum if self.problem else Optimum(False, reason="not computed")


class Figure:
    """One offscreen figure. Keep it alive while exporting; it is never shown on screen."""

    def __init__(self, kind: str, content: FigureContent):
        if kind not in FIGURES:
            raise ValueError(f"unknown figure {kind!r}")
        panels = [name for name in PANELS[kind] if name != "parameters" or content.picture is not None]
        if kind == "parameters" and not panels:
            raise ValueError("The loss surface is still being computed; export it again in a moment.")
        self.kind = kind
        self.views: dict[str, NeuronView | ParameterView | LossView] = {}
        """The view drawn in each top-row pane, by name, for a caller that asks what was drawn."""
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
        layout = self.widget.ci
        width, height = 0, 0
        for column, name in enumerate(panels):
            plot = layout.addPlot(row=0, col=column)
            legend_below(layout, plot, row=1, col=column, columns=2 if name == "loss" else 3)
            self.views[name] = _DRAW[name](plot, content)
            width, height = width + PANEL_SIZES[name][0], max(height, PANEL_SIZES[name][1])
        if kind in ("snapshots", "canvas"):
            grid_layout = layout.addLayout(row=2, col=0, colspan=max(1, len(panels))) if panels else layout
            grid = _draw_snapshots(grid_layout, content)
            grid_width = CELL_SIZE[0] * COLUMNS
            grid.fit_width(max(width, grid_width))
            width, height = max(width, grid_width), height + CELL_SIZE[1] * max(1, grid.rows)
        self.widget.resize(width, height)
        self.widget.show()
        settle_layout(self.widget)

    @property
    def size(self) -> tuple[int, int]:
        rect = self._source()
        return round(rect.width()), round(rect.height())

    def png(self, scale: float = 1.0) -> bytes:
        return render_png(self.widget.scene(), self._source(), scale)

    def svg(self) -> bytes:
        return render_svg(self.widget.scene(), self._source(), f"Neuron Lab: {FIGURES[self.kind]}")

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()

    def _source(self) -> QtCore.QRectF:
        return self.widget.ci.sceneBoundingRect()


def export_figure(kind: str, content: FigureContent, path: str | os.PathLike, scale: float = 1.0) -> tuple[int, int]:
    """Write one figure as PNG or SVG (by the path's suffix), atomically. Returns the image size in pixels."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"Figures are saved as .png or .svg, not {path.suffix or 'a file without a suffix'}.")
    figure = Figure(kind, content)
    try:
        width, height = figure.size
        if fmt == "png":
            write_bytes_atomic(path, figure.png(scale))
            return round(width * scale), round(height * scale)
        write_bytes_atomic(path, figure.svg())
        return width, height
    finally:
        figure.close()


def write_figures(out_dir: Path, content: FigureContent, scale: float = 2.0) -> list[Path]:
    """Every figure in both formats into out_dir: what `main.py train --figures` makes. Each figure is laid out
    once and written as PNG and SVG."""
    written = []
    for kind in FIGURES:
        figure = Figure(kind, content)
        try:
            for fmt, image in (("png", figure.png(scale)), ("svg", figure.svg())):
                path = out_dir / f"{kind}.{fmt}"
                write_bytes_atomic(path, image)
                written.append(path)
        finally:
            figure.close()
    return written


def headless_figure_writer(out_dir: Path, settings: Settings, data: Dataset, view: TrainerView,
                           problem: Problem) -> list[Path]:
    """Draw figures without a display: start an offscreen Qt application if none is running."""
    if QtWidgets.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QtWidgets.QApplication([])
    configure_pyqtgraph()
    return write_figures(out_dir, headless_content(settings, data, view, problem))


def headless_content(settings: Settings, data: Dataset, view: TrainerView, problem: Problem) -> FigureContent:
    """What the headless figures show. The parameter view shows the surface over the window that frames the whole
    path, as the window's Fit does."""
    w_range, b_range = path_window(data, view, problem)
    picture = picture_of(loss_surface(data, settings.loss, settings.l2, w_range, b_range, SURFACE_SIZE))
    return FigureContent(data, settings.loss, view, problem, picture=picture)


def _draw_main(plot: pg.PlotItem, content: FigureContent) -> NeuronView:
    neuron = NeuronView(plot)
    neuron.set_data(content.data, content.display)
    neuron.label_x(content.data.scale)
    neuron.set_optimum(content.optimum)
    view = content.view
    neuron.show(view.w, view.b, neuron_title(view.epoch, view.loss, view.accuracy))
    return neuron


def _draw_parameters(plot: pg.PlotItem, content: FigureContent) -> ParameterView:
    parameters = ParameterView(plot)
    parameters.log_colours = content.picture.spans_decades
    parameters.set_picture(content.picture)
    if content.problem is not None:
        parameters.set_optimum(content.problem.optimum, content.problem.ray)
    parameters.show_path(content.view.history.w, content.view.history.b)
    surface = content.picture.surface
    plot.setXRange(surface.w[0], surface.w[-1], padding=0)
    plot.setYRange(surface.b[0], surface.b[-1], padding=0)
    return parameters


def _draw_loss(plot: pg.PlotItem, content: FigureContent) -> LossView:
    loss = LossView(plot)
    loss.set_loss_name(content.loss)
    loss.set_optimum(content.optimum)
    loss.show(content.view.history, content.view.total_epochs)
    return loss


_DRAW: dict[str, Callable[[pg.PlotItem, FigureContent], NeuronView | ParameterView | LossView]] = {
    "main": _draw_main, "parameters": _draw_parameters, "loss": _draw_loss}


def _draw_snapshots(layout: pg.GraphicsLayout, content: FigureContent) -> SnapshotGrid:
    grid = SnapshotGrid(layout, COLUMNS)
    grid.set_data(content.data, content.display)
    grid.show(content.view.snapshots)
    return grid
