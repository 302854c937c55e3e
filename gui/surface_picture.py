"""A loss surface made ready to draw: colour values on a linear or log scale and iso-lines for both.

Tracing iso-lines takes tens of milliseconds, so pictures are made on the analysis thread (pyqtgraph's isocurve is
plain numpy and touches no Qt object) and only handed to the GUI thread to draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from model.landscape import Surface

LEVELS = 12
DECADES_FOR_LOG = 2.0
"""Log colours are the default when the loss on the surface spans at least this many decades."""


@dataclass(frozen=True, eq=False)
class SurfacePicture:
    surface: Surface
    log_lines: tuple[np.ndarray, np.ndarray]
    linear_lines: tuple[np.ndarray, np.ndarray]

    @property
    def spans_decades(self) -> bool:
        loss = self.surface.loss
        return bool(np.log10(loss.max() / max(loss.min(), 1e-300)) >= DECADES_FOR_LOG)

    def colour_values(self, log: bool) -> np.ndarray:
        return _log(self.surface.loss) if log else self.surface.loss

    def colour_range(self, log: bool) -> tuple[float, float]:
        values = self.colour_values(log)
        low, high = float(values.min()), float(values.max())
        return (low, high) if high > low else (low, low + 1.0)

    def contour_lines(self, log: bool) -> tuple[np.ndarray, np.ndarray]:
        return self.log_lines if log else self.linear_lines

    def value_at(self, w: float, b: float) -> float | None:
        """The surface's loss at the grid point nearest (w, b); None outside the grid."""
        grid_w, grid_b = self.surface.w, self.surface.b
        if not (grid_w[0] <= w <= grid_w[-1] and grid_b[0] <= b <= grid_b[-1]):
            return None
        column = int(np.abs(grid_w - w).argmin())
        row = int(np.abs(grid_b - b).argmin())
        return float(self.surface.loss[row, column])


def picture_of(surface: Surface) -> SurfacePicture:
    """Trace iso-lines at evenly spaced colour values, on both scales, in (w, b) coordinates."""
    return SurfacePicture(surface, _lines(surface, _log(surface.loss)), _lines(surface, surface.loss))


def _log(loss: np.ndarray) -> np.ndarray:
    return np.log10(np.maximum(loss, 1e-300))


def _lines(surface: Surface, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All iso-lines as one pair of coordinate arrays, separated by NaN so one item draws them all."""
    low, high = float(values.min()), float(values.max())
    if not high > low:
        return np.zeros(0), np.zeros(0)
    w_parts: list[np.ndarray] = []
    b_parts: list[np.ndarray] = []
    for level in np.linspace(low, high, LEVELS + 2)[1:-1]:
        for line in pg.functions.isocurve(values, level, connected=True):
            rows, columns = np.array(line, dtype=float).T
            w_parts.append(np.append(np.interp(columns, np.arange(surface.w.size), surface.w), np.nan))
            b_parts.append(np.append(np.interp(rows, np.arange(surface.b.size), surface.b), np.nan))
    if not w_parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(w_parts), np.concatenate(b_parts)
