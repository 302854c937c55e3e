"""Colours and pens shared by every figure: Okabe–Ito colours, which stay distinct for colour-blind viewers."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from model.diagnosis import Verdict

CLASS_COLOURS = ("#0072B2", "#E69F00")
"""Class 0 blue, class 1 orange."""
Z_LINE_COLOUR = "#555555"
SIGMOID_COLOUR = "#D55E00"
BOUNDARY_COLOUR = "#009E73"
LOSS_COLOUR = "#CC79A7"
OPTIMUM_COLOUR = "#333333"
TRUTH_COLOUR = "#7B3294"
PATH_COLOUR = "#F0E442"
GUESS_COLOUR = "#7B3294"
"""A lesson's guess, beside the truth."""
"""Yellow: the training path stays visible on the dark-to-light loss colours."""
GRADIENT_COLOUR = "#56B4E9"
RULE_COLOUR = "#009E73"
"""What momentum or Adam follows instead of the gradient; the boundary's green, which the parameter view never
draws."""
BATCH_COLOUR = "#CC79A7"
RUN_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#0072B2")
"""One colour per run, from the Okabe–Ito palette: vermilion (the single run's sigmoid), bluish green, reddish
purple, sky blue, black and blue. Yellow is left out (it vanishes on white) and orange is class 1's colour."""
OTHER_RUN_STRENGTH = 0.45
"""Runs other than the selected one are drawn in their colour mixed this strongly into white, and thinner: there,
but behind the selected run. Mixed, not translucent: translucent lines cost many times more to paint."""
Y_RANGE = (-0.25, 1.25)
DENSE_ABOVE = 10_000
"""More samples than this are drawn as density strips: a million points cost seconds per frame and look the same."""
STRIP_COLUMNS = 600
HISTOGRAM_BINS = 50
DRAWN_BINS = (HISTOGRAM_BINS, STRIP_COLUMNS)
"""The bin counts every neuron view asks of its samples, counted ahead on the thread that makes them."""
"""The tutorial's vertical window: room for samples at 0 and 1 and the sigmoid between."""

FONT_SIZE = 11
LEGEND_FONT_SIZE = 9


def configure_pyqtgraph() -> None:
    """Light background and antialiased lines, for every plot this process makes."""
    pg.setConfigOptions(background="w", foreground="#222222", antialias=True)


GRID_COLOUR = "#E3E3E3"
AXIS_TEXT_COLOUR = "#222222"


def light_grid(plot: pg.PlotItem) -> None:
    """A grid of opaque light lines with dark labels. pyqtgraph draws a grid in its axis pen at the grid's alpha, and
    translucent lines cost about 25 times more to paint than opaque ones, every frame."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(GRID_COLOUR))
        axis.setTextPen(pg.mkPen(AXIS_TEXT_COLOUR))
    plot.showGrid(x=True, y=True, alpha=1.0)
    cache_axes(plot)


def cache_axes(plot: pg.PlotItem) -> None:
    """Keep each axis, with its grid, as a pixmap that is redrawn only when the axis range changes: otherwise
    repainting the axes costs more than everything else in a frame."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def cache_still(*items: QtWidgets.QGraphicsItem) -> None:
    """Keep items that stay put while training runs (the samples, the optimum, the loss surface and its iso-lines,
    marks that are empty meanwhile, other runs' curves between their batches) as pixmaps: a frame that moves the
    curves over them then pastes them instead of drawing them again, even an empty scatter costing half a
    millisecond to draw. A plot's data item is cached through the curve and points it draws with."""
    for item in items:
        parts = (item.curve, item.scatter) if isinstance(item, pg.PlotDataItem) else (item,)
        for part in parts:
            part.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def lighter(colour: str, strength: float = OTHER_RUN_STRENGTH) -> str:
    """The colour mixed into white, `strength` of it kept: how it looks at that opacity on white, but opaque."""
    mixed = QtGui.QColor(colour)
    channels = (round(255 - strength * (255 - value)) for value in (mixed.red(), mixed.green(), mixed.blue()))
    return QtGui.QColor(*channels).name()


def repaint_legend(legend: pg.LegendItem | None) -> None:
    """Draw a legend's samples again after their items changed colour (a legend repaints them only when it
    changes itself)."""
    if legend is not None:
        for sample, _label in legend.items:
            sample.update()


def number(value: float, decimals: int = 4, sign: bool = False) -> str:
    """Fixed decimals for everyday values, scientific notation once they are huge (a diverging run)."""
    plus = "+" if sign else ""
    return f"{value:{plus}.{decimals}f}" if abs(value) < 1e5 else f"{value:{plus}.3e}"


VERDICT_WORDS = {Verdict.STABLE: "η stable", Verdict.BEYOND_LIMIT: "η ≥ η_max", Verdict.OSCILLATING: "oscillating",
                 Verdict.DIVERGED: "diverged", Verdict.NO_OPTIMUM: "no optimum", Verdict.NO_LIMIT: "Adam: no η_max"}
"""The engine's verdict in the few words the status bar and the worked update show."""


def pen(colour: str | QtGui.QColor, width: float = 2.0, dashed: bool = False, dotted: bool = False) -> QtGui.QPen:
    styles = QtCore.Qt.PenStyle
    style = styles.DotLine if dotted else styles.DashLine if dashed else styles.SolidLine
    return pg.mkPen(colour, width=width, style=style)


def brush(colour: str, alpha: int = 150) -> QtGui.QBrush:
    color = QtGui.QColor(colour)
    color.setAlpha(alpha)
    return pg.mkBrush(color)


def title_html(text: str, size: int = FONT_SIZE + 2) -> str:
    return f"<span style='font-size:{size}pt'>{text}</span>"


def axis_font(size: int = FONT_SIZE) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPointSize(size)
    return font
