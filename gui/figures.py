"""Figures for export: offscreen layouts drawn by the same views as the window, written as PNG or SVG.

The window and `main.py train --figures` both come here, so a figure made in a script looks like the one on screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.render import render_png, render_svg
from gui.style import configure_pyqtgraph
from gui.views import LossView, NeuronView, SnapshotGrid, neuron_title
from model.data import Dataset
from model.files import write_bytes_atomic
from model.optimum import Optimum
from model.settings import Settings
from model.trainer import TrainerView

FIGURES = {
    "main": "the neuron (samples, z, ŷ, boundary)",
    "loss": "the loss curve",
    "snapshots": "the snapshot grid",
    "canvas": "the whole canvas",
}
FORMATS = ("png", "svg")
MAIN_SIZE = (900, 560)
LOSS_SIZE = (700, 450)
CELL_SIZE = (380, 270)
COLUMNS = 3


@dataclass(frozen=True)
class FigureContent:
    """What a figure shows: one moment of one run, and how the samples are drawn."""

    data: Dataset
    loss: str
    view: TrainerView
    optimum: Optimum
    samples_at_label: bool = False
    histograms: bool = False


class Figure:
    """One offscreen figure. Keep it alive while exporting; it is never shown on screen."""

    def __init__(self, kind: str, content: FigureContent):
        if kind not in FIGURES:
            raise ValueError(f"unknown figure {kind!r}")
        self.kind = kind
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
        layout = self.widget.ci
        width, height = 0, 0
        if kind in ("main", "canvas"):
            _draw_main(layout.addPlot(row=0, col=0, colspan=2 if kind == "canvas" else 1), content)
            width, height = MAIN_SIZE
        if kind in ("loss", "canvas"):
            _draw_loss(layout.addPlot(row=0, col=2 if kind == "canvas" else 0), content)
            width, height = (width + LOSS_SIZE[0], max(height, LOSS_SIZE[1])) if kind == "canvas" else LOSS_SIZE
        if kind in ("snapshots", "canvas"):
            grid_layout = layout.addLayout(row=1, col=0, colspan=3) if kind == "canvas" else layout
            grid = _draw_snapshots(grid_layout, content)
            grid_width = CELL_SIZE[0] * COLUMNS
            grid.fit_width(max(width, grid_width))
            width, height = max(width, grid_width), height + CELL_SIZE[1] * max(1, grid.rows)
        self.widget.resize(width, height)
        self.widget.show()
        QtWidgets.QApplication.processEvents()

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
    """Every figure in both formats into out_dir: what `main.py train --figures` makes."""
    written = []
    for kind in FIGURES:
        for fmt in FORMATS:
            path = out_dir / f"{kind}.{fmt}"
            export_figure(kind, content, path, scale)
            written.append(path)
    return written


def headless_figure_writer(out_dir: Path, settings: Settings, data: Dataset, view: TrainerView,
                           optimum: Optimum) -> list[Path]:
    """Draw figures without a display: start an offscreen Qt application if none is running."""
    if QtWidgets.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QtWidgets.QApplication([])
    configure_pyqtgraph()
    return write_figures(out_dir, FigureContent(data, settings.loss, view, optimum))


def _draw_main(plot: pg.PlotItem, content: FigureContent) -> None:
    neuron = NeuronView(plot)
    neuron.set_data(content.data, content.samples_at_label, content.histograms)
    neuron.set_optimum(content.optimum)
    view = content.view
    neuron.show(view.w, view.b, neuron_title(view.epoch, view.loss, view.accuracy))


def _draw_loss(plot: pg.PlotItem, content: FigureContent) -> None:
    loss = LossView(plot)
    loss.set_loss_name(content.loss)
    loss.set_optimum(content.optimum.loss if content.optimum.exists else None)
    loss.show(content.view.history, content.view.total_epochs)


def _draw_snapshots(layout: pg.GraphicsLayout, content: FigureContent) -> SnapshotGrid:
    grid = SnapshotGrid(layout, COLUMNS)
    grid.set_data(content.data, content.samples_at_label)
    grid.show(content.view.snapshots)
    return grid
