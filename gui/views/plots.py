"""Drawing the neuron, its loss and its snapshots onto pyqtgraph plots.

These classes only draw: they are given a plot and the numbers to show, so the live window and the figure exporter
share them and draw the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.base import style
from gui.base.state import NOT_YET, PLAIN, DisplayOptions
from gui.views.legend import FittingLegend
from gui.views.sample_points import SamplePoints
from model.data import Dataset, Scale
from model.history import EpochRecord, HistoryView
from model.neuron import boundary, sigmoid
from model.optimum import Optimum
from model.truth import TrueAnswer

CURVE_POINTS = 400
"""The curves that stay put while training plays (the optimum's, the true answer's, those before an update) are drawn
through this many x values across the plot."""
BEND = 6.0
"""Beyond |z| = 6, σ(z) lies within 0.0025 of 0 or 1 (under a pixel): a sigmoid needs its points across the bend
only."""
SPREAD_POINTS = 25
SELECTED_PER_UNIT = 4
"""The selected run's sigmoid, drawn thicker, has a point every quarter unit of z across its bend (others: every
half unit)."""
STRIP_HEIGHT = 0.08
LOSS_NAMES = {"bce": "cross-entropy", "mse": "squared error"}
LOG_AXIS_RATIO = 1e3
"""A loss whose largest value is this many times its smallest is drawn on a log axis. On a linear one everything
under a thousandth of the top lies on the bottom pixel row, and a runaway loss (up to 1e23 and more) would flatten
the whole run into its last epoch."""
LOSS_PADDING = 0.05
CELL_AXIS_WIDTH = 26
"""A snapshot's left axis is this wide in every cell: an axis keeps the widest tick text it ever drew, and a reused
cell wider than the others widened its whole column and pushed the last column out of the grid's pane."""
MIN_CELL_WIDTH = 100.0
"""Snapshot cells are never narrower than this: below it their axes crowd out the curves."""
LEGEND_MARGINS = (4, 0, 4, 0)
"""Left, top, right, bottom around a legend under its plot: its labels carry their own padding above and below,
and every pixel of height a legend takes goes from its plot's data area."""
GHOST_OPACITY = 0.3
"""The curves before an update taken apart, drawn faintly under the curves after it."""


def neuron_title(epoch: int, loss: float, accuracy: float | None = None, separator: str = " · ") -> str:
    """The title over a neuron view; snapshot cells, a third of a pane wide, put its parts on lines of their own
    (separator "<br>")."""
    parts = [f"Epoch {epoch}", f"loss {style.number(loss)}"]
    if accuracy is not None:
        parts.append(f"accuracy {accuracy:.1%}")
    return separator.join(parts)


def curve_grid(data: Dataset) -> np.ndarray:
    """x values for drawing z and ŷ over the data's plot range."""
    return np.linspace(*data.plot_range, CURVE_POINTS)


def sigmoid_points(low: float, high: float, w: float, b: float, per_unit: int = 2) -> np.ndarray:
    """x values from low to high that draw σ(w·x + b) to within a pixel, however steep: `per_unit` points per unit
    of z across its bend, and SPREAD_POINTS spread over the plot where it is flat. Stroking a thick antialiased
    curve costs about a quarter as much through its 74 points (per_unit 4, the selected run's) as through 400, and
    six runs' sigmoids are drawn up to 60 times a second."""
    x = np.linspace(low, high, SPREAD_POINTS)
    if w == 0:
        return x
    bends = (np.linspace(-BEND, BEND, int(2 * BEND * per_unit) + 1) - b) / w
    return np.union1d(x, bends[(bends > low) & (bends < high)])


def input_label(scale: Scale | None) -> str:
    """The name of the input axis: x, or u = (x − mean)/sd when training on standardised x."""
    if scale is None:
        return "x (input)"
    return f"u = (x − {scale.mean:.4g}) / {scale.sd:.4g} (standardised input)"


def legend_below(layout: pg.GraphicsLayout, plot: pg.PlotItem, row: int, col: int = 0,
                 columns: int = 4) -> pg.LegendItem:
    """A legend in its own layout cell under the plot, so it never covers the data; in `columns` columns while they
    fit, in fewer rather than widen the plot past its window."""
    legend = FittingLegend(columns, labelTextSize=f"{style.LEGEND_FONT_SIZE}pt", verSpacing=-6, horSpacing=8)
    legend.layout.setContentsMargins(*LEGEND_MARGINS)
    legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
    layout.addItem(legend, row=row, col=col)
    plot.legend = legend
    return legend


def _optimum_in_legend(legend: pg.LegendItem, item: pg.GraphicsObject, name: str, shown: bool,
                      optimum: Optimum) -> bool:
    """Add or remove the optimum's legend entry as an optimum exists or not; returns whether it is shown now. While
    a new optimum is being computed (NOT_YET) the entry stays as it is: taking it out and putting it back laid the
    plots out twice for every edit."""
    if optimum is NOT_YET or optimum.exists == shown:
        return shown
    if optimum.exists:
        legend.addItem(item, name)
    else:
        legend.removeItem(item)
    return optimum.exists


def _keep_entry(legend: pg.LegendItem, sample: pg.GraphicsObject, name: str, on: bool) -> None:
    """Add or remove one legend entry, touching the legend only when that changes it: each change lays the plot
    out again."""
    present = any(entry.item is sample for entry, _ in legend.items)
    if on and not present:
        legend.addItem(sample, name)
    elif present and not on:
        legend.removeItem(sample)


def _faint(colour: str) -> QtGui.QColor:
    """A colour as a ghost curve shows it on white."""
    faint = QtGui.QColor(colour)
    faint.setAlphaF(GHOST_OPACITY)
    return faint


class NeuronView:
    """Samples of both classes, the line z = w·x + b, the sigmoid ŷ = σ(z) and the boundary x* on one plot.

    A full view also shows the curves just before the last single update, faintly, and rings the samples that
    update used. Its plot must have a legend (see legend_below); compact snapshot cells have none."""

    def __init__(self, plot: pg.PlotItem, compact: bool = False):
        self.plot = plot
        self.compact = compact
        if not compact:
            self.label_x(None)
            plot.setLabel("left", "class · z · ŷ")
            style.light_grid(plot)
        else:
            plot.getAxis("left").setWidth(CELL_AXIS_WIDTH)
        plot.setYRange(*style.Y_RANGE, padding=0)
        plot.setMouseEnabled(x=True, y=False)
        size = 6 if compact else 9
        self.histograms = [
            pg.PlotCurveItem(fillLevel=0, brush=style.brush(c, 60), pen=style.pen(c, 1))
            for c in style.CLASS_COLOURS
        ]
        for item in self.histograms:
            item.setVisible(False)
            plot.addItem(item)
        self.samples = [
            SamplePoints(size=size, brush=style.brush(c), pen=None, name=f"class {label}")
            for label, c in enumerate(style.CLASS_COLOURS)
        ]
        for item in self.samples:
            plot.addItem(item)
        self.strips = [pg.ImageItem(axisOrder="row-major") for _ in style.CLASS_COLOURS]
        self.strip_counts = [np.zeros(0, dtype=np.int64) for _ in style.CLASS_COLOURS]
        """Samples per strip column, per class: what each strip draws."""
        for item in self.strips:
            plot.addItem(item)
        self.ghost_z = plot.plot(pen=style.pen(style.Z_LINE_COLOUR, 1, dashed=True))
        self.ghost_sigmoid = plot.plot(pen=style.pen(style.SIGMOID_COLOUR, 2))
        for ghost in (self.ghost_z, self.ghost_sigmoid):
            ghost.setOpacity(GHOST_OPACITY)
        self.batch = pg.ScatterPlotItem(size=17, brush=None, pen=pg.mkPen(style.BATCH_COLOUR, width=2.5))
        plot.addItem(self.batch)
        self.update_keys = (
            (pg.PlotDataItem(pen=style.pen(_faint(style.Z_LINE_COLOUR), 1, dashed=True)), "z before update"),
            (pg.PlotDataItem(pen=style.pen(_faint(style.SIGMOID_COLOUR), 2)), "ŷ before update"),
            (pg.ScatterPlotItem(size=13, brush=None, pen=pg.mkPen(style.BATCH_COLOUR, width=2)), "update's samples"))
        """Legend entries for the marks of an update taken apart, shown exactly while they are drawn."""
        self.z_line = plot.plot(pen=style.pen(style.Z_LINE_COLOUR, 1.5, dashed=True), name="z = w·x + b")
        self.sigmoid = plot.plot(pen=style.pen(style.SIGMOID_COLOUR, 3), name="ŷ = σ(z)")
        self.optimum = plot.plot(pen=style.pen(style.OPTIMUM_COLOUR, 2, dotted=True))
        self._optimum_weights: tuple[float, float] | None = None
        self.truth = plot.plot(pen=style.pen(style.TRUTH_COLOUR, 2, dashed=True))
        self.truth_points = pg.ScatterPlotItem(size=12, symbol="d", brush=style.brush(style.TRUTH_COLOUR, 255),
                                               pen=pg.mkPen("#FFFFFF", width=1))
        self.truth_points.setZValue(5)
        plot.addItem(self.truth_points)
        self._truth: TrueAnswer | None = None
        self._truth_in_legend = False
        self.boundary = pg.InfiniteLine(angle=90, pen=style.pen(style.BOUNDARY_COLOUR, 2, dashed=True))
        plot.addItem(self.boundary)
        style.cache_still(*self.histograms, *self.samples, *self.strips, self.optimum, self.batch, self.truth_points)
        if not compact:
            plot.legend.addItem(pg.PlotDataItem(pen=style.pen(style.BOUNDARY_COLOUR, 2, dashed=True)),
                                "boundary x*")
        self._grid = np.zeros(0)
        self.data: Dataset | None = None
        self.display = PLAIN
        self._optimum_in_legend = False
        self._samples_at_label = False

    def set_data(self, data: Dataset, display: DisplayOptions = PLAIN) -> None:
        """Show the samples at y = 0 (the neuron's input line) or at y = label (the target it should output): as
        points, or above style.DENSE_ABOVE samples as a density strip per class unless every point is asked for."""
        self.data, self.display = data, display
        self._grid = curve_grid(data)
        self._samples_at_label = samples_at_label = display.samples_at_label
        dense = len(data) > style.DENSE_ABOVE and not display.every_point
        self.show_update(None)
        low, high = self._grid[0], self._grid[-1]
        edges = np.linspace(low, high, style.HISTOGRAM_BINS + 1)
        counts = [data.bin_counts(label, style.HISTOGRAM_BINS) for label in (0, 1)]
        tallest = max(1, max(int(c.max()) for c in counts))
        for label, (scatter, histogram) in enumerate(zip(self.samples, self.histograms, strict=True)):
            xs = data.of_class(label)
            height = float(label) if samples_at_label else 0.0
            if dense:
                scatter.setData([], [])
                self._draw_strip(label, data.bin_counts(label, style.STRIP_COLUMNS), height, (low, high))
            else:
                scatter.setData(x=xs, y=np.full(xs.size, height))
                self.strips[label].setVisible(False)
            histogram.setData(x=edges, y=counts[label] * (0.9 / tallest), stepMode="center")
            histogram.setVisible(display.histograms)
        self.plot.setXRange(low, high, padding=0)
        self._draw_optimum()
        self._draw_truth()

    def _draw_strip(self, label: int, counts: np.ndarray, height: float, x_range: tuple[float, float]) -> None:
        """One column per style.STRIP_COLUMNS-th of the x range, in the class colour, more opaque where more samples lie
        (square root, so a single sample still shows)."""
        self.strip_counts[label] = counts
        colour = QtGui.QColor(style.CLASS_COLOURS[label])
        image = np.zeros((1, style.STRIP_COLUMNS, 4), dtype=np.uint8)
        image[0, :, :3] = (colour.red(), colour.green(), colour.blue())
        image[0, :, 3] = np.round(255 * np.sqrt(counts / max(1, counts.max())))
        strip = self.strips[label]
        strip.setImage(image, autoLevels=False, levels=(0, 255))
        strip.setRect(QtCore.QRectF(x_range[0], height - STRIP_HEIGHT / 2, x_range[1] - x_range[0], STRIP_HEIGHT))
        strip.setVisible(True)

    def set_optimum(self, optimum: Optimum) -> None:
        """Draw σ at the exact optimum faintly, so the learner sees where gradient descent is heading."""
        self._optimum_weights = (optimum.w, optimum.b) if optimum.exists else None
        self._draw_optimum()
        if not self.compact:
            self._optimum_in_legend = _optimum_in_legend(self.plot.legend, self.optimum, "ŷ at the optimum",
                                                         self._optimum_in_legend, optimum)

    def _draw_optimum(self) -> None:
        if self._optimum_weights is None or not self._grid.size:
            self.optimum.setData([], [])
            return
        w, b = self._optimum_weights
        self.optimum.setData(self._grid, sigmoid(w * self._grid + b))

    def label_x(self, scale: Scale | None) -> None:
        self.plot.setLabel("bottom", input_label(scale))

    def set_truth(self, truth: TrueAnswer | None) -> None:
        """Draw the true P(class 1 | x) of the generating Gaussians and the x where it is ½, or nothing (None)."""
        self._truth = truth
        self._draw_truth()
        shown = truth is not None
        if not self.compact and shown != self._truth_in_legend:
            for item, name in ((self.truth, "true P(1 | x)"), (self.truth_points, "true ½ point")):
                if shown:
                    self.plot.legend.addItem(item, name)
                else:
                    self.plot.legend.removeItem(item)
            self._truth_in_legend = shown

    def _draw_truth(self) -> None:
        if self._truth is None or not self._grid.size:
            self.truth.setData([], [])
            self.truth_points.setData([], [])
            return
        self.truth.setData(self._grid, self._truth.probability(self._grid))
        low, high = self._grid[0], self._grid[-1]
        points = [x for x in self._truth.boundaries() if low <= x <= high]
        self.truth_points.setData(x=points, y=[0.5] * len(points))

    def show_update(self, before: tuple[float, float] | None, batch_x: np.ndarray | None = None,
                    batch_y: np.ndarray | None = None) -> None:
        """Ghost the curves at (w, b) before an update and ring the samples it used; None clears both."""
        if not self.compact:
            for sample, name in self.update_keys:
                _keep_entry(self.plot.legend, sample, name, before is not None)
        if before is None:
            self.ghost_z.setData([], [])
            self.ghost_sigmoid.setData([], [])
            self.batch.setData([], [])
            return
        z = before[0] * self._grid + before[1]
        self.ghost_z.setData(self._grid, z)
        self.ghost_sigmoid.setData(self._grid, sigmoid(z))
        heights = batch_y if self._samples_at_label else np.zeros_like(batch_x)
        self.batch.setData(x=batch_x, y=heights)

    @property
    def grid(self) -> np.ndarray:
        """The x values the curves are drawn at."""
        return self._grid

    def set_accent(self, colour: str | None) -> None:
        """Draw the sigmoid in this colour (a run's, among several), or in the single run's."""
        self.sigmoid.setPen(style.pen(colour or style.SIGMOID_COLOUR, 3))
        style.repaint_legend(self.plot.legend)

    def show(self, w: float, b: float, title: str) -> None:
        ends = self._grid[[0, -1]] if self._grid.size else self._grid
        self.z_line.setData(ends, w * ends + b)
        x = sigmoid_points(ends[0], ends[1], w, b, per_unit=SELECTED_PER_UNIT) if ends.size else ends
        self.sigmoid.setData(x, sigmoid(w * x + b))
        x_star = boundary(w, b)
        self.boundary.setVisible(x_star is not None)
        if x_star is not None:
            self.boundary.setValue(x_star)
        self.plot.setTitle(style.title_html(title, style.FONT_SIZE if self.compact else style.FONT_SIZE + 2))


class LossView:
    """Loss after each epoch, with the exact optimum's loss as a dashed level when there is one. The y axis always
    shows every recorded epoch and that level; it turns logarithmic when the values span LOG_AXIS_RATIO or more.
    Untitled, it leaves naming the plot to what holds it (the window's tab) and its axis labels."""

    def __init__(self, plot: pg.PlotItem, titled: bool = True):
        self.plot = plot
        self.titled = titled
        plot.setLabel("bottom", "epoch")
        style.light_grid(plot)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.curve = plot.plot(pen=style.pen(style.LOSS_COLOUR, 2.5), name="loss per epoch",
                               autoDownsampleFactor=1.0)
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        plot.vb.sigResized.connect(self.curve.viewRangeChanged)
        """Thinning and clipping follow the view's width too: the curve is first drawn before its pane is laid out,
        and without this it stayed thinned for that first width (a handful of pixels: no curve at all)."""
        self.optimum = pg.InfiniteLine(angle=0, pen=style.pen(style.OPTIMUM_COLOUR, 1.5, dashed=True))
        self.optimum.setVisible(False)
        plot.addItem(self.optimum)
        self._optimum_legend = pg.PlotDataItem(pen=style.pen(style.OPTIMUM_COLOUR, 1.5, dashed=True))
        self._legend_shows_optimum = False
        self._optimum_loss: float | None = None
        self._loss_name = ""
        self.log_axis = False

    def set_loss_name(self, loss: str) -> None:
        self._loss_name = LOSS_NAMES[loss]
        self._label_axis()
        if self.titled:
            self.plot.setTitle(style.title_html(f"Loss ({self._loss_name}) per epoch"))

    def set_optimum(self, optimum: Optimum) -> None:
        """Draw the best loss this data allows, so the learner sees how far gradient descent still has to go."""
        self._optimum_loss = optimum.loss if optimum.exists else None
        self.optimum.setVisible(optimum.exists)
        self._place_optimum()
        self._legend_shows_optimum = _optimum_in_legend(self.plot.legend, self._optimum_legend, "exact optimum",
                                                        self._legend_shows_optimum, optimum)

    def set_accent(self, colour: str | None) -> None:
        """Draw the curve in this colour (a run's, among several), or in the single run's."""
        self.curve.setPen(style.pen(colour or style.LOSS_COLOUR, 2.5))
        style.repaint_legend(self.plot.legend)

    def show(self, history: HistoryView, total_epochs: int, others: Sequence[np.ndarray] = ()) -> None:
        """Plot the loss so far against the whole planned run, so the x axis does not jump as it grows, and frame
        every recorded loss, the other runs' (`others`) too: pyqtgraph's own auto-range clips far-off values and
        never reaches a runaway loss."""
        optimum = () if self._optimum_loss is None else ([self._optimum_loss],)
        levels = np.concatenate([history.loss, *others, *optimum])
        log_axis, low, high = loss_axis(levels)
        if log_axis != self.log_axis:
            self.log_axis = log_axis
            self.plot.setLogMode(y=log_axis)
            self._label_axis()
            self._place_optimum()
        self.curve.setData(history.epoch, history.loss)
        last = max([len(history), *(len(loss) for loss in others)]) - 1
        self.plot.setXRange(0, max(total_epochs, last), padding=0.02)
        self.plot.setYRange(low, high, padding=LOSS_PADDING)

    def _label_axis(self) -> None:
        self.plot.setLabel("left", f"loss ({self._loss_name}{', log scale' if self.log_axis else ''})")

    def _place_optimum(self) -> None:
        """The level line is not in plot coordinates of its own: on a log axis it sits at log₁₀ of the loss."""
        if self._optimum_loss is not None:
            self.optimum.setValue(np.log10(self._optimum_loss) if self.log_axis else self._optimum_loss)


def loss_axis(losses: np.ndarray) -> tuple[bool, float, float]:
    """Whether a loss axis over these (finite, non-negative) values is logarithmic, and its lowest and highest value
    in axis units (log₁₀ of the loss on a log axis). A loss of exactly 0 keeps the axis linear: it has no logarithm."""
    low, high = float(losses.min()), float(losses.max())
    if low > 0 and high >= LOG_AXIS_RATIO * low:
        return True, float(np.log10(low)), float(np.log10(high))
    if high == low:
        half = 0.5 * max(abs(low), 1.0)
        return False, low - half, high + half
    return False, low, high


def thin(snapshots: Sequence[EpochRecord], limit: int) -> tuple[EpochRecord, ...]:
    """Every k-th snapshot, k the smallest power of two that keeps at most `limit`, so long runs stay readable and
    the choice only changes when the count doubles."""
    step = 1
    while -(-len(snapshots) // step) > limit:
        step *= 2
    return snapshots[::step]


class SnapshotGrid:
    """Small multiples of the neuron every N epochs, filled row by row like the tutorial's 2×3 figure.

    Plots are costly to make, so each cell is made once, at a fixed place, and kept: when the thinning moves or
    training restarts, unused cells are hidden (a hidden cell takes no room) and shown again later, and only cells
    whose moment changed are redrawn. prebuild() makes the next cell ahead of need, for idle moments. `cells` are
    the cells on show, in order; a hidden cell catches up with new samples when it is shown again."""

    def __init__(self, layout: pg.GraphicsLayout, columns: int = 3, max_cells: int = 12):
        self.layout = layout
        self.columns = columns
        self.max_cells = max_cells
        self.cells: list[NeuronView] = []
        self.drawn: list[EpochRecord | None] = []
        """The moment each cell shows: a cell is redrawn when its moment changes, even within the same epoch (a
        new start's epoch 0)."""
        self._made: list[NeuronView] = []
        self._wanted = max_cells
        """How many cells prebuild() makes: no more than the run will show."""
        self._data: Dataset | None = None
        self._display = PLAIN
        self._accent: str | None = None

    def set_accent(self, colour: str | None) -> None:
        """Draw every cell's sigmoid in the run's colour (see NeuronView.set_accent)."""
        self._accent = colour
        for cell in self._made:
            cell.set_accent(colour)

    def set_data(self, data: Dataset, display: DisplayOptions = PLAIN, snapshots: int | None = None) -> None:
        """The samples every cell draws; `snapshots`, how many the run will take, bounds the cells made ahead."""
        self._data = data
        self._wanted = self.max_cells if snapshots is None else min(self.max_cells, snapshots)
        self._display = DisplayOptions(display.samples_at_label, False, display.every_point)
        for cell in self.cells:
            cell.set_data(data, self._display)
        self.drawn = [None] * len(self.cells)

    def fit_width(self, width: float) -> None:
        """Give every column the same width, so the first snapshot does not stretch across the whole row, and all of
        them together the width given less the grid's margins and spacing, so the last column is never cut off."""
        grid = self.layout.layout
        left, _, right, _ = grid.getContentsMargins()
        room = width - left - right - grid.horizontalSpacing() * (self.columns - 1)
        for column in range(self.columns):
            grid.setColumnFixedWidth(column, max(MIN_CELL_WIDTH, room / self.columns))

    def fix_row_height(self, height: float) -> float:
        """Give every row, shown or not yet, this height; returns the height of all of them. A live grid that never
        changes size never moves or resizes a cell when another appears or the thinning moves: relaying out a
        dozen plots costs tens of milliseconds, each time, on the window's thread."""
        for row in range(self.max_rows):
            self.layout.layout.setRowFixedHeight(row, height)
        return height * self.max_rows

    def clear(self) -> None:
        """Hide every cell (they keep their plots for the next run)."""
        self._shrink_to(0)

    def prebuild(self) -> bool:
        """Make one more hidden cell, if the run will show it and it is not made yet; False when none is left."""
        if len(self._made) >= self._wanted or self._data is None:
            return False
        self._make()
        return True

    def show(self, snapshots: Sequence[EpochRecord]) -> None:
        """Draw the chosen snapshots, redrawing only the cells whose moment changed."""
        chosen = thin(snapshots, self.max_cells)
        self._shrink_to(len(chosen))
        for index, record in enumerate(chosen):
            if index == len(self.cells):
                self._show_next()
            if self.drawn[index] != record:
                self.cells[index].show(record.w, record.b, neuron_title(record.epoch, record.loss, separator="<br>"))
                self.drawn[index] = record

    def _make(self) -> NeuronView:
        index = len(self._made)
        plot = self.layout.addPlot(row=index // self.columns, col=index % self.columns)
        plot.setVisible(False)
        cell = NeuronView(plot, compact=True)
        cell.set_accent(self._accent)
        self._made.append(cell)
        return cell

    def _show_next(self) -> None:
        index = len(self.cells)
        cell = self._made[index] if index < len(self._made) else self._make()
        if cell.data is not self._data or cell.display != self._display:
            cell.set_data(self._data, self._display)
        cell.plot.setVisible(True)
        self.cells.append(cell)
        self.drawn.append(None)

    def _shrink_to(self, count: int) -> None:
        while len(self.cells) > count:
            self.cells.pop().plot.setVisible(False)
            self.drawn.pop()

    @property
    def made(self) -> int:
        """How many cells have been made (shown or kept hidden for later)."""
        return len(self._made)

    @property
    def rows(self) -> int:
        return -(-len(self.cells) // self.columns)

    @property
    def max_rows(self) -> int:
        return -(-self.max_cells // self.columns)
