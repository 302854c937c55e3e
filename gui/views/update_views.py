"""One update taken apart: every sample's share of the gradient as stems at its x, with the update's own samples
emphasised, so a learner sees that well-classified samples barely pull and misclassified ones pull hard."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.base import style
from gui.views.hints import FrameHint
from gui.views.legend import KeyedLegend
from model.anatomy import UpdateAnatomy

MAX_STEMS = 5000
"""More samples than this are drawn as an even subset (the update's own samples always)."""
HINT = "Shift+Right takes one update apart here: each sample's pull on w and b"


class SharesView:
    """Stems of (ŷ − y)·x, each sample's pull on w, and dots of ŷ − y, its pull on b (for squared error both carry
    the extra factor 2ŷ(1 − ŷ)). The gradient is their mean, plus λw for w. Its plot must have a legend (see
    views.legend_below), which keys only what is drawn: nothing while the view shows its hint."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setLabel("bottom", "x (input)")
        plot.setLabel("left", "share")
        plot.getAxis("left").enableAutoSIPrefix(False)
        style.light_grid(plot)
        plot.setMouseEnabled(x=True, y=False)
        plot.addItem(pg.InfiniteLine(angle=0, pen=style.pen("#999999", 1)))
        self.stems = [plot.plot(pen=style.pen(colour, 1.2), connect="pairs") for colour in style.CLASS_COLOURS]
        self.dots = pg.ScatterPlotItem(size=5, brush=style.brush("#444444", 200), pen=None)
        plot.addItem(self.dots)
        self.batch = plot.plot(pen=style.pen(style.BATCH_COLOUR, 3.5), connect="pairs")
        self.legend = KeyedLegend(plot.legend, ((self.stems[0], "pull on w (ŷ − y)·x"), (self.dots, "pull on b ŷ − y"),
                                                (self.batch, "this update")))
        self.hint = FrameHint(plot, HINT)
        self.shown = 0

    def show(self, update: UpdateAnatomy | None, x: np.ndarray | None = None, y: np.ndarray | None = None,
             share_w: np.ndarray | None = None, share_b: np.ndarray | None = None) -> None:
        """Draw every sample's shares at the point before the update; None shows the hint instead."""
        if update is None or x is None:
            for item in (*self.stems, self.batch):
                item.setData([], [])
            self.dots.setData([], [])
            self.hint.show(True)
            self.legend.refresh()
            self.shown = 0
            return
        self.hint.show(False)
        chosen = _subset(x.size)
        self.shown = chosen.size
        for label, stems in enumerate(self.stems):
            keep = chosen[y[chosen] == label]
            stems.setData(*_stems(x[keep], share_w[keep]))
        self.dots.setData(x=x[chosen], y=share_b[chosen])
        self.batch.setData(*_stems(update.x, update.signal * update.x))
        self.plot.enableAutoRange(y=True)
        self.legend.refresh()


def _subset(count: int) -> np.ndarray:
    if count <= MAX_STEMS:
        return np.arange(count)
    return np.linspace(0, count - 1, MAX_STEMS).astype(np.int64)


def _stems(x: np.ndarray, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertical segments from 0 to each height, as pairs of points for one connect='pairs' item."""
    xs = np.repeat(x, 2)
    ys = np.zeros(2 * heights.size)
    ys[1::2] = heights
    return xs, ys
