"""The parameter view: the loss over the plane of (w, b), where gradient descent actually happens.

It draws a surface picture computed off the GUI thread (heat map, iso-lines and colour bar), the training path,
the current point, the exact optimum (or, with separable classes, the direction the loss keeps falling in), and for a
single update the gradient, what the update rule follows instead (momentum's velocity, Adam's adapted direction),
the step taken and the contours of that update's own batch loss. Like the other views it
only draws what it is given, so the window and the exported figures share it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from gui.base import style
from gui.base.state import NOT_YET
from gui.base.surface_picture import SurfacePicture
from gui.views.legend import KeyedLegend
from model.anatomy import UpdateAnatomy, rule_arrow
from model.landscape import PLANE_LIMIT, Ray
from model.optimum import Optimum

COLOUR_MAP = "cividis"
STEP_KEY = "step = −η·arrow"
"""The step is −η times the gradient for plain descent, the velocity for momentum, Adam's m̂/(√ŝ + ε) for Adam."""
TITLE = "Loss over (w, b)"
PATH_POINT_LIMIT = 1500
"""Longer paths are thinned to this many points (always keeping the newest)."""


class ParameterView:
    """Loss surface over (w, b) with the path of training on it. A legend under the plot (views.legend_below,
    made before this view) gets a key to every mark. Untitled, it leaves its name to what holds it (the window
    names it in the read-out under it, where the title's height goes to the plots)."""

    def __init__(self, plot: pg.PlotItem, titled: bool = True):
        self.plot = plot
        plot.setLabel("bottom", "w (weight)")
        plot.setLabel("left", "b (bias)")
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        if titled:
            plot.setTitle(style.title_html(TITLE))
        plot.vb.setLimits(xMin=-PLANE_LIMIT, xMax=PLANE_LIMIT, yMin=-PLANE_LIMIT, yMax=PLANE_LIMIT)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-20)
        plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get(COLOUR_MAP), label="loss", interactive=False,
                                          width=14)
        self.colour_bar.setImageItem(self.image, insert_in=plot)
        self.contours = plot.plot(pen=style.pen("#FFFFFF", 1), connect="finite")
        self.contours.setOpacity(0.7)
        self.batch_contours = plot.plot(pen=style.pen(style.BATCH_COLOUR, 1.2, dashed=True), connect="finite")
        self.path = plot.plot(pen=style.pen(style.PATH_COLOUR, 2))
        self.start = pg.ScatterPlotItem(size=9, symbol="s", brush=style.brush(style.PATH_COLOUR, 255), pen=None)
        self.current = pg.ScatterPlotItem(size=13, brush=style.brush(style.SIGMOID_COLOUR, 255),
                                          pen=pg.mkPen("#FFFFFF", width=1.5))
        self.optimum = pg.ScatterPlotItem(size=18, symbol="star", brush=style.brush("#FFFFFF", 255),
                                          pen=pg.mkPen(style.OPTIMUM_COLOUR, width=1.5))
        self.ray = plot.plot(pen=style.pen("#FFFFFF", 2, dashed=True))
        self.gradient = plot.plot(pen=style.pen(style.GRADIENT_COLOUR, 2.5))
        self.velocity = plot.plot(pen=style.pen(style.RULE_COLOUR, 2.5, dashed=True))
        self.adapted = plot.plot(pen=style.pen(style.RULE_COLOUR, 2.5, dashed=True))
        self.step = plot.plot(pen=style.pen(style.SIGMOID_COLOUR, 3))
        for item in (self.start, self.current, self.optimum):
            item.setZValue(10)
            plot.addItem(item)
        style.cache_still(self.image, self.contours, self.optimum, self.ray)
        self.reason = ""
        """Why there is no optimum to mark, in words, for the caller to show beside the view."""
        self.picture: SurfacePicture | None = None
        self.log_colours = True
        self._optimum_pending = False
        self.legend = None if plot.legend is None else KeyedLegend(plot.legend, (
            (self.path, "path"), (self.start, "start"), (self.current, "now"), (self.optimum, "optimum"),
            (self.ray, "loss keeps falling this way"), (self.gradient, "gradient ∇"),
            (self.velocity, "velocity v"), (self.adapted, "Adam m̂/√ŝ"), (self.step, STEP_KEY),
            (self.batch_contours, "batch's own loss")),
            samples={self.ray: pg.PlotDataItem(pen=style.pen(style.OPTIMUM_COLOUR, 2, dashed=True))})

    def set_picture(self, picture: SurfacePicture | None) -> None:
        """Show a computed surface (None clears it while a new one is computed)."""
        self.picture = picture
        if picture is None:
            self.image.clear()
            self.contours.setData([], [])
            return
        surface = picture.surface
        dw, db = _spacing(surface.w), _spacing(surface.b)
        self.image.setImage(picture.colour_values(self.log_colours), autoLevels=False)
        self.image.setRect(QtCore.QRectF(surface.w[0] - dw / 2, surface.b[0] - db / 2,
                                         surface.w[-1] - surface.w[0] + dw, surface.b[-1] - surface.b[0] + db))
        self.colour_bar.setLevels(picture.colour_range(self.log_colours))
        self.colour_bar.setLabel("left", "log₁₀ loss" if self.log_colours else "loss")
        self.contours.setData(*picture.contour_lines(self.log_colours))

    def set_log_colours(self, on: bool) -> None:
        self.log_colours = on
        self.set_picture(self.picture)

    def set_optimum(self, optimum: Optimum, ray: Ray | None) -> None:
        """Mark the exact optimum, or draw the direction in which the loss keeps falling and say why. While a new
        optimum is computed (NOT_YET) neither is drawn, and their legend entries wait for it."""
        self._optimum_pending = optimum is NOT_YET
        self.optimum.setData(*(([optimum.w], [optimum.b]) if optimum.exists else ([], [])))
        self.reason = "" if optimum.exists else optimum.reason
        if optimum.exists or ray is None:
            self.ray.setData([], [])
        else:
            reach = np.linspace(0.0, 1e3, 200)
            self.ray.setData(ray.w_sign * reach, -ray.midpoint * ray.w_sign * reach)
            self.reason = f"{ray.reason} The dashed line is that direction."
        self._key()

    def show_path(self, w: np.ndarray, b: np.ndarray, recent: np.ndarray | None = None,
                  pixel: tuple[float, float] | None = None) -> None:
        """The path: one point per epoch (every stride-th when long), then the recent points within the current
        epoch (rows of w, b), always ending at the newest point; through a point per half `pixel` when given."""
        w, b = thinned_path(w, b, recent, pixel=pixel)
        self.path.setData(w, b)
        self.start.setData(w[:1], b[:1])
        self.current.setData(w[-1:], b[-1:])
        self._key()

    def pixel_size(self) -> tuple[float, float] | None:
        """A screen pixel's width in w and height in b, None while the view is not on screen."""
        view_box = self.plot.vb
        if None in view_box.pixelVectors():
            return None
        width, height = view_box.viewPixelSize()
        return (width, height) if width > 0 and height > 0 else None

    def set_accent(self, colour: str | None) -> None:
        """Draw the path and its points in this colour (a run's, among several), or in the single run's."""
        self.path.setPen(style.pen(colour or style.PATH_COLOUR, 2))
        self.start.setBrush(style.brush(colour or style.PATH_COLOUR, 255))
        self.current.setBrush(style.brush(colour or style.SIGMOID_COLOUR, 255))
        style.repaint_legend(self.plot.legend)

    def show_update(self, anatomy: UpdateAnatomy | None) -> None:
        """The gradient ∇ at the point before the update (it points uphill), beside it on the same scale what the
        rule follows instead (momentum's velocity v, Adam's m̂/(√ŝ + ε)), and the step actually taken: −η times
        that."""
        for item in (self.velocity, self.adapted):
            item.setData([], [])
        if anatomy is None:
            self.gradient.setData([], [])
            self.step.setData([], [])
            self.batch_contours.setData([], [])
        else:
            w0, b0 = anatomy.w, anatomy.b
            self.gradient.setData([w0, w0 + anatomy.grad_w], [b0, b0 + anatomy.grad_b])
            if anatomy.rule != "plain":
                arrow_w, arrow_b = rule_arrow(anatomy)
                arrow = self.velocity if anatomy.rule == "momentum" else self.adapted
                arrow.setData([w0, w0 + arrow_w], [b0, b0 + arrow_b])
            self.step.setData([w0, anatomy.new_w], [b0, anatomy.new_b])
        self._key()

    def show_batch_contours(self, lines: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Iso-lines of the update's own batch loss: the surface a single SGD step actually descends."""
        self.batch_contours.setData(*(lines or (np.zeros(0), np.zeros(0))))
        self._key()

    def _key(self) -> None:
        if self.legend is not None:
            self.legend.refresh(held=(self.optimum, self.ray) if self._optimum_pending else ())

    def value_at(self, w: float, b: float) -> float | None:
        """The loss at (w, b) read from the surface (nearest grid point), or None outside it."""
        if self.picture is None:
            return None
        return self.picture.value_at(w, b)


def thinned_path(w: np.ndarray, b: np.ndarray, recent: np.ndarray | None = None, limit: int = PATH_POINT_LIMIT,
                 pixel: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A path of one point per epoch, every stride-th when there are more than `limit` (keeping the newest), then
    the recent points within the current epoch (rows of w, b). Given a pixel's size in w and b, of consecutive
    points within one half-pixel cell only the first is kept (and always the newest): a settled path piles
    thousands of epochs onto a few pixels, and stroking them was half of the parameter view's paint."""
    stride = -(-w.size // limit)
    tail = np.zeros((0, 2)) if recent is None else recent
    w = np.concatenate([w[::stride], w[-1:] if (w.size - 1) % stride else w[:0], tail[:, 0]])
    b = np.concatenate([b[::stride], b[-1:] if (b.size - 1) % stride else b[:0], tail[:, 1]])
    if pixel is None or w.size < 3:
        return w, b
    cells = np.floor(np.stack([w / (pixel[0] / 2), b / (pixel[1] / 2)]))
    keep = np.ones(w.size, dtype=bool)
    keep[1:-1] = np.any(cells[:, 1:-1] != cells[:, :-2], axis=0)
    return w[keep], b[keep]


def _spacing(grid: np.ndarray) -> float:
    return float(grid[1] - grid[0]) if grid.size > 1 else 1.0
