"""Sample points that stay small in an SVG: on screen and in a PNG they are pyqtgraph's scatter points, unchanged;
drawn for export they are one circle per occupied pixel, all in one style.

pyqtgraph's export drawing writes every point as its own group (transform, pen, brush): about 250 bytes a point,
so 10,000 samples on a canvas with twelve snapshot cells came to 33 MB. Points closer than a pixel cover each other
anyway, so a plot never needs more circles than it has pixels along the samples' line, whatever the sample count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui


class SamplePoints(pg.ScatterPlotItem):
    """A scatter of equal circles (one size, pen and brush for all) that draws for export one circle per pixel."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.exporting = False

    def setExportMode(self, export: bool, opts: dict | None = None) -> bool:
        self.exporting = bool(export)
        return super().setExportMode(export, opts)

    def paint(self, painter: QtGui.QPainter, *args: Any) -> None:
        if not self.exporting:
            super().paint(painter, *args)
            return
        centres = pixel_centres(*self.getData(), painter.transform())
        radius = self.opts["size"] / 2
        painter.save()
        painter.resetTransform()
        painter.setPen(pg.mkPen(self.opts["pen"]))
        painter.setBrush(pg.mkBrush(self.opts["brush"]))
        for x, y in centres:
            painter.drawEllipse(QtCore.QPointF(x, y), radius, radius)
        painter.restore()


def pixel_centres(x: np.ndarray, y: np.ndarray, transform: QtGui.QTransform) -> np.ndarray:
    """The device pixels the points (x, y) fall on, each once (rows of x, y at the pixels' centres)."""
    if x is None or len(x) == 0:
        return np.zeros((0, 2))
    device_x = transform.m11() * x + transform.m21() * y + transform.dx()
    device_y = transform.m12() * x + transform.m22() * y + transform.dy()
    pixels = np.unique(np.floor(np.column_stack([device_x, device_y])), axis=0)
    return pixels + 0.5
