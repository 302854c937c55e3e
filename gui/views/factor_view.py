"""The gradient factor against z: how hard one sample pulls on the neuron, ∂loss/∂z, for cross-entropy and for
squared error, with each sample marked where it stands. Drawn against t = z for class 1 and −z for class 0, so left
of 0 the neuron is wrong about the sample, far left confidently wrong, and both classes share one pair of curves."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.base import style
from gui.views.plots import legend_below
from model.data import Dataset
from model.neuron import error_signal

T_RANGE = 8.0
LOSSES = (("bce", "cross-entropy", style.SIGMOID_COLOUR), ("mse", "squared error", style.GRADIENT_COLOUR))


class FactorView:
    """|∂loss/∂z| against t for both losses; the samples as points on the curve of the loss being trained."""

    def __init__(self, widget: pg.GraphicsLayoutWidget):
        layout = widget.ci
        self.plot = layout.addPlot(row=0, col=0)
        legend_below(layout, self.plot, row=1, columns=2)
        self.plot.setLabel("bottom", "t = z for class 1, −z for class 0 (left of 0: wrong)")
        self.plot.setLabel("left", "|∂loss/∂z|")
        self.plot.setXRange(-T_RANGE, T_RANGE, padding=0)
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.setMouseEnabled(x=False, y=False)
        t = np.linspace(-T_RANGE, T_RANGE, 401)
        for loss, words, colour in LOSSES:
            self.plot.plot(t, np.abs(error_signal(t, np.ones_like(t), loss)), pen=style.pen(colour), name=words)
        self.samples = pg.ScatterPlotItem(size=6, brush=style.brush(style.CLASS_COLOURS[1], 160), pen=None,
                                          name="each sample")
        self.plot.addItem(self.samples)

    def show(self, data: Dataset, w: float, b: float, loss: str) -> None:
        """Each sample at its t, on the curve of the loss being trained."""
        sign = 2.0 * data.y - 1.0
        t = np.clip(sign * (w * data.x + b), -T_RANGE, T_RANGE)
        self.samples.setData(t, np.abs(error_signal(t, np.ones_like(t), loss)))
