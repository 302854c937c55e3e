"""A long curve drawn through a bounded number of points: its peak envelope (each bin's lowest and highest value),
kept up to date as the series grows, so drawing it costs the same at a million points as at a thousand.

Another run's loss curve gains a point per epoch; handing pyqtgraph the whole series on every redraw made it scan
and thin all of it again (5 ms for five runs at 40,000 epochs, growing with the run). The envelope takes in only the
points added since the last call, in bins of a power-of-two width that doubles whenever the bins outgrow their
limit, and starts over when the series is not the one it saw growing (a run reset, cut or gone back).
"""

from __future__ import annotations

import numpy as np

BIN_LIMIT = 256
"""Bins at most, two points each: about one bin per two pixels of a loss pane, enough for a lighter curve behind
the selected run's, and each point costs its paint (five curves of 4,000 points took 23 ms to paint)."""


class Envelope:
    """The peak envelope of one growing series (x, y)."""

    def __init__(self, limit: int = BIN_LIMIT):
        self._limit = limit
        self._start()

    def _start(self) -> None:
        self._width = 1
        self._binned = 0
        """Points of the series the full bins cover."""
        self._lows = np.empty(0)
        self._highs = np.empty(0)
        self._seen = 0
        self._last = 0.0

    def of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points that draw y against x: the series itself while short, else at each full bin its first x twice,
        with the bin's lowest then highest y, followed by the points not yet in a full bin."""
        if y.size < self._seen or (self._seen and y[self._seen - 1] != self._last):
            self._start()
        self._take(y)
        self._seen = y.size
        self._last = float(y[-1]) if y.size else 0.0
        if self._width == 1:
            return x, y
        starts = x[:self._binned:self._width]
        tail = slice(self._binned, None)
        bins_y = np.column_stack([self._lows, self._highs]).ravel()
        return np.concatenate([np.repeat(starts, 2), x[tail]]), np.concatenate([bins_y, y[tail]])

    def _take(self, y: np.ndarray) -> None:
        """Bin the points that now fill whole bins, then halve the bins while there are too many."""
        if self._width == 1 and y.size <= self._limit:
            return
        if self._width == 1:
            self._width = 2
        full = (y.size - self._binned) // self._width
        if full:
            new = y[self._binned:self._binned + full * self._width].reshape(full, self._width)
            self._lows = np.concatenate([self._lows, new.min(axis=1)])
            self._highs = np.concatenate([self._highs, new.max(axis=1)])
            self._binned += full * self._width
        while self._lows.size > self._limit:
            pairs = self._lows.size // 2
            self._lows = np.minimum(self._lows[0:2 * pairs:2], self._lows[1:2 * pairs:2])
            self._highs = np.maximum(self._highs[0:2 * pairs:2], self._highs[1:2 * pairs:2])
            self._width *= 2
            self._binned = pairs * self._width
