"""One update taken apart: every sample's share of the gradient as stems at its x, with the update's own samples
emphasised, so a learner sees that well-classified samples barely pull and misclassified ones pull hard."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.base import style
from model.anatomy import UpdateAnatomy

MAX_STEMS = 5000
"""More samples than this are drawn as an even subset (the update's own samples always)."""
HINT = "Step one update (Shift+Right) to see each sample's pull on w and b"


class SharesView:
    """Stems of (ŷ − y)·x, each sample's pull on w, and dots of ŷ − y, its pull on b (for squared error both carry
    the extra factor 2ŷ(1 − ŷ)). The gradient is their mean, plus λw for w. Its plot must have a legend (see
    views.legend_below)."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setLabel("bottom", "x (input)")
        plot.setLabel("left", "share")
        plot.getAxis("left").enableAutoSIPrefix(False)
        style.light_grid(plot)
        plot.setMouseEnabled(x=True, y=False)
        plot.addItem(pg.InfiniteLine(angle=0, pen=style.pen("#999999", 1)))
        self.stems = [plot.plot(pen=style.pen(colour, 1.2), connect="pairs") for colour in style.CLASS_COLOURS]
        plot.legend.addItem(self.stems[0], "pull on w (ŷ − y)·x")
        self.dots = pg.ScatterPlotItem(size=5, brush=style.brush("#444444", 200), pen=None, name="pull on b ŷ − y")
        plot.addItem(self.dots)
        self.batch = plot.plot(pen=style.pen(style.BATCH_COLOUR, 3.5), connect="pairs", name="this update")
        self.note = pg.TextItem(HINT, color="#555555", anchor=(0.5, 0.5))
        plot.addItem(self.note, ignoreBounds=True)
        self.shown = 0

    def show(self, update: UpdateAnatomy | None, x: np.ndarray | None = None, y: np.ndarray | None = None,
             share_w: np.ndarray | None = None, share_b: np.ndarray | None = None) -> None:
        """Draw every sample's shares at the point before the update; None shows the hint instead."""
        if update is None or x is None:
            for item in (*self.stems, self.batch):
                item.setData([], [])
            self.dots.setData([], [])
            self.note.setVisible(True)
            self.shown = 0
            return
        self.note.setVisible(False)
        chosen = _subset(x.size)
        self.shown = chosen.size
        for label, stems in enumerate(self.stems):
            keep = chosen[y[chosen] == label]
            stems.setData(*_stems(x[keep], share_w[keep]))
        self.dots.setData(x=x[chosen], y=share_b[chosen])
        self.batch.setData(*_stems(update.x, update.signal * update.x))
        self.plot.enableAutoRange(y=True)

    def place_hint(self, x_range: tuple[float, float]) -> None:
        self.note.setPos(0.5 * (x_range[0] + x_range[1]), 0.0)


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
