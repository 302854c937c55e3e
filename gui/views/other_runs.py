"""The runs other than the selected one, drawn lighter over the selected run's views: each run's sigmoid on the
neuron view, its loss curve on the loss view and its path with its current point on the parameter view, in the
run's colour. They only draw what they are given, like the other views."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg

from gui.base import style
from gui.views.envelope import Envelope
from gui.views.parameter_view import thinned_path
from gui.views.plots import sigmoid_points
from model.neuron import sigmoid
from model.trainer import TrainerView

LINE_WIDTH = 1.8
PATH_POINTS = 300
"""Another run's path is drawn through at most this many of its epochs: stroking five paths of 1,500 points doubled
the parameter view's paint."""


@dataclass
class _Marks:
    """One other run's items: the sigmoid, and (once the side panes exist) the loss curve, path and point."""

    sigmoid: pg.PlotCurveItem
    losses: Envelope = field(default_factory=Envelope)
    """The loss curve's points, kept up to date as the run grows (drawing it costs the same at any length)."""
    loss: pg.PlotDataItem | None = None
    path: pg.PlotCurveItem | None = None
    current: pg.ScatterPlotItem | None = None


class OtherRuns:
    """Lighter marks for each other run, keyed by whatever the caller names runs by."""

    def __init__(self, neuron_plot: pg.PlotItem):
        self._neuron_plot = neuron_plot
        self._loss_plot: pg.PlotItem | None = None
        self._parameter_plot: pg.PlotItem | None = None
        self._marks: dict[int, _Marks] = {}
        self.views: dict[int, tuple[str, TrainerView]] = {}
        """The view each other run is drawn at, with its colour."""
        self._stale: set[str] = set()
        """Which side marks ("losses", "paths") lag behind the views."""

    def attach_side(self, loss_plot: pg.PlotItem, parameter_plot: pg.PlotItem) -> None:
        """The loss and parameter views now exist: runs drawn so far get their marks there too."""
        self._loss_plot, self._parameter_plot = loss_plot, parameter_plot
        for key, marks in self._marks.items():
            self._side_marks(marks, self.views[key][0])
        self._stale = {"losses", "paths"}

    def show(self, key: int, colour: str, view: TrainerView, grid: np.ndarray) -> None:
        """Draw run `key`'s sigmoid at `view` (grid: the x values the neuron view draws its curves at, whose ends
        this curve keeps); its loss and path are drawn by show_losses and show_paths, with the pane they are on,
        when that pane is on show."""
        marks = self._marks.get(key)
        if marks is None or self.views[key][0] != colour:
            self.drop(key)
            marks = self._marks[key] = _Marks(self._curve(self._neuron_plot, colour))
            style.cache_still(marks.sigmoid)
            self._side_marks(marks, colour)
        self.views[key] = (colour, view)
        self._stale = {"losses", "paths"}
        x = sigmoid_points(grid[0], grid[-1], view.w, view.b) if grid.size else grid
        marks.sigmoid.setData(x, sigmoid(view.w * x + view.b))

    def show_losses(self) -> None:
        """Every other run's loss curve, at the view it was last shown at (once for each newer view)."""
        for marks, view in self._lagging("losses"):
            marks.loss.setData(*marks.losses.of(view.history.epoch, view.history.loss))

    def show_paths(self, pixel: tuple[float, float] | None = None) -> None:
        """Every other run's path and current point on the parameter view (once for each newer view, or after
        rescaled()), through a point per half `pixel` when given."""
        for marks, view in self._lagging("paths"):
            w, b = thinned_path(view.history.w, view.history.b, np.array([[view.w, view.b]]), PATH_POINTS, pixel)
            marks.path.setData(w, b)
            marks.current.setData([view.w], [view.b])

    def rescaled(self) -> None:
        """The parameter view was zoomed or resized: paths drawn a point per half pixel are drawn again."""
        self._stale.add("paths")

    def _lagging(self, kind: str) -> list[tuple[_Marks, TrainerView]]:
        """Each run's marks on the side panes with its view, if those of this kind lag behind the views (from now
        on they do not); none before the side panes exist."""
        if kind not in self._stale or self._loss_plot is None:
            return []
        self._stale.discard(kind)
        return [(marks, self.views[key][1]) for key, marks in self._marks.items() if marks.loss is not None]

    def drop(self, key: int) -> None:
        marks = self._marks.pop(key, None)
        self.views.pop(key, None)
        if marks is None:
            return
        self._neuron_plot.removeItem(marks.sigmoid)
        if marks.loss is not None:
            self._loss_plot.removeItem(marks.loss)
            self._parameter_plot.removeItem(marks.path)
            self._parameter_plot.removeItem(marks.current)

    def losses(self) -> list[np.ndarray]:
        """Every other run's losses so far, as their curves draw them (the same lowest and highest), so the loss
        axis can frame them all."""
        return [self._marks[key].losses.of(view.history.epoch, view.history.loss)[1]
                for key, (_, view) in self.views.items()]

    def _side_marks(self, marks: _Marks, colour: str) -> None:
        if self._loss_plot is None or marks.loss is not None:
            return
        marks.loss = self._loss_plot.plot(pen=self._pen(colour))
        marks.path = self._curve(self._parameter_plot, colour)
        marks.current = pg.ScatterPlotItem(size=10, brush=style.brush(style.lighter(colour), 255),
                                           pen=pg.mkPen("#FFFFFF", width=1))
        marks.current.setZValue(9)
        self._parameter_plot.addItem(marks.current)

    def _curve(self, plot: pg.PlotItem, colour: str) -> pg.PlotCurveItem:
        """A bare curve, for a sigmoid or a path: setting its data costs a third of a PlotDataItem's, and five runs'
        move many times a second. (A loss curve stays a PlotDataItem: the loss axis may turn logarithmic.)"""
        curve = pg.PlotCurveItem(pen=self._pen(colour))
        plot.addItem(curve)
        return curve

    @staticmethod
    def _pen(colour: str) -> object:
        return style.pen(style.lighter(colour), LINE_WIDTH)
