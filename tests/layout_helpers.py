"""Measuring the window as a learner sees it: each shown plot's height of data area, legends that cover data or are
cut off, labels cut short, and scroll areas that scroll. The layout tests assert on it and print the figures when
they fail."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

LAPTOP = (1366, 768)
OPENED_ON_LAPTOP = (1297, 707)
"""The size the window opens at on a 1366 × 768 screen (95 % and 92 % of it)."""
SLIM_ROW = 30
"""Room kept for one slim row of controls under the canvas (a slider, a list of runs)."""
TOLERANCE = 1.0
"""Pixels two rectangles may share, or a text overrun its room by, without counting: anti-aliased edges."""


@dataclass
class PlotFigures:
    name: str
    height: float
    """The ViewBox's height in pixels: the data area, without title, axes or legend."""
    legend_over_data: bool = False
    legend_clipped: bool = False
    labels_clipped: list[str] = field(default_factory=list)


@dataclass
class LayoutFigures:
    plots: list[PlotFigures]
    scrolling: list[str]
    """Scroll areas whose content does not fit, by name."""

    def lines(self) -> list[str]:
        rows = [f"{plot.name:<34} {plot.height:6.0f} px"
                + ("  legend over data" if plot.legend_over_data else "")
                + ("  legend clipped" if plot.legend_clipped else "")
                + "".join(f"  clipped: {label}" for label in plot.labels_clipped) for plot in self.plots]
        return [*rows, f"scrolling: {', '.join(self.scrolling) or 'none'}"]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def plot(self, name: str) -> PlotFigures:
        return next(plot for plot in self.plots if plot.name.startswith(name))


def shown(widget: QtWidgets.QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def measure(window: QtWidgets.QWidget) -> LayoutFigures:
    """The figures of every plot on show in the window's plot widgets, and its scroll areas that scroll."""
    plots: list[PlotFigures] = []
    for view in window.findChildren(pg.GraphicsView):
        if shown(view.viewport()):
            plots += _plots_of(view)
    scrolling = [_scroll_name(area) for area in window.findChildren(QtWidgets.QAbstractScrollArea)
                 if shown(area) and not isinstance(area, pg.GraphicsView) and _scrolls(area)]
    return LayoutFigures(plots, scrolling)


def _plots_of(view: pg.GraphicsView) -> list[PlotFigures]:
    seen = _visible_scene_rect(view)
    items = view.scene().items()
    plots = [item for item in items if isinstance(item, pg.PlotItem) and not isinstance(item, pg.ColorBarItem)
             and item.isVisible() and item.sceneBoundingRect().intersects(seen)]
    boxes = [plot.vb.sceneBoundingRect() for plot in plots]
    cut = [item for item in items if isinstance(item, pg.PlotItem) and item.isVisible() and _cut_sideways(item, seen)]
    figures = []
    for plot in plots:
        figures.append(PlotFigures(_name(plot), plot.vb.sceneBoundingRect().height(),
                                   labels_clipped=_clipped_labels(plot)))
        figures[-1].labels_clipped += [f"{'colour bar' if item is not plot else 'plot'} cut off at the side"
                                       for item in cut if item is plot or item.parentItem() is plot]
        legend = plot.legend
        if legend is None or not legend.isVisible() or not legend.items:
            continue
        inked = _inked(legend)
        figures[-1].legend_over_data = any(_overlap(inked, box) for box in boxes)
        figures[-1].legend_clipped = not _inside(inked, legend.sceneBoundingRect()) or not _inside(inked, seen)
    return figures


def _cut_sideways(item: pg.PlotItem, seen: QtCore.QRectF) -> bool:
    """Reaching past the widget's left or right edge (a grid in a scroll area may run on downwards)."""
    rect = item.sceneBoundingRect()
    return rect.left() < seen.left() - TOLERANCE or rect.right() > seen.right() + TOLERANCE


def _visible_scene_rect(view: pg.GraphicsView) -> QtCore.QRectF:
    """The part of the scene on screen: a plot widget inside a scroll area shows only its viewport's part."""
    region = view.viewport().visibleRegion().boundingRect()
    return view.mapToScene(region).boundingRect()


def _name(plot: pg.PlotItem) -> str:
    """A plot's title (a snapshot's only to its epoch), else its left axis label."""
    title = _plain(plot.titleLabel.text) if plot.titleLabel.isVisible() and plot.titleLabel.text else ""
    if title.startswith("Epoch"):
        return title.split(" loss")[0].split(" ·")[0]
    return title or plot.getAxis("left").labelText or "plot"


def _plain(html: str) -> str:
    document = QtGui.QTextDocument()
    document.setHtml(html.replace("<br>", " "))
    return document.toPlainText()


def _clipped_labels(plot: pg.PlotItem) -> list[str]:
    """Titles and axis labels whose text is longer than the room their plot gives them."""
    clipped = []
    title = plot.titleLabel
    if title.isVisible() and title.text and title.item.boundingRect().width() > title.boundingRect().width() + 1:
        clipped.append(f"title {_plain(title.text)!r}")
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        if not axis.isVisible() or not axis.label.isVisible() or not axis.labelText:
            continue
        room = axis.boundingRect().height() if name == "left" else axis.boundingRect().width()
        if axis.label.boundingRect().width() > room + TOLERANCE:
            clipped.append(f"{name} axis {axis.labelText!r}")
    return clipped


def _inked(legend: pg.LegendItem) -> QtCore.QRectF:
    """Where the legend's entries are drawn: its samples and labels, which may reach beyond its own rectangle."""
    rect = QtCore.QRectF()
    for sample, label in legend.items:
        for item in (sample, label):
            rect = rect.united(item.sceneBoundingRect())
    return rect


def _overlap(a: QtCore.QRectF, b: QtCore.QRectF) -> bool:
    shared = a.intersected(b)
    return shared.width() > TOLERANCE and shared.height() > TOLERANCE


def _inside(inner: QtCore.QRectF, outer: QtCore.QRectF) -> bool:
    grown = outer.adjusted(-TOLERANCE, -TOLERANCE, TOLERANCE, TOLERANCE)
    return grown.contains(inner)


def _scrolls(area: QtWidgets.QAbstractScrollArea) -> bool:
    bars = (area.verticalScrollBar(), area.horizontalScrollBar())
    return any(bar.maximum() > bar.minimum() for bar in bars)


def _scroll_name(area: QtWidgets.QAbstractScrollArea) -> str:
    widget = area
    while widget is not None and not widget.objectName():
        widget = widget.parentWidget()
    return f"{type(area).__name__} in {widget.objectName() if widget is not None else 'window'}"


def open_at_laptop_size(qtbot, settings=None, size: tuple[int, int] = LAPTOP):
    """The window at 1366 × 768 as a new user first sees it (no layout remembered from an earlier window), with its
    panes made and its first view drawn."""
    from gui_helpers import SMALL, open_window

    from gui.window.file_actions import app_settings

    app_settings().clear()
    window = open_window(qtbot, settings or SMALL)
    window.resize(*size)
    window.canvas.side.parameters.plot.getViewBox()
    qtbot.waitUntil(lambda: window.canvas.panes_made and window.size() == QtCore.QSize(*size))
    settle(qtbot)
    return window


def settle(qtbot) -> None:
    """Let the layouts finish: pyqtgraph lays a scene out on the event loop's next turns."""
    for _ in range(3):
        QtWidgets.QApplication.processEvents()
