"""Per-epoch history kept in append-only buffers, so a read-only view of it costs nothing to hand out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COLUMNS = ("epoch", "w", "b", "loss", "accuracy", "boundary")


@dataclass(frozen=True)
class EpochRecord:
    """The neuron after an epoch. boundary is None when w = 0 (no point where ŷ = 0.5)."""

    epoch: int
    w: float
    b: float
    loss: float
    accuracy: float
    boundary: float | None


@dataclass(frozen=True, eq=False)
class HistoryView:
    """Read-only columns (boundary is NaN where there is none). Safe to share across threads."""

    epoch: np.ndarray
    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    boundary: np.ndarray

    def __len__(self) -> int:
        return int(self.epoch.size)

    def record(self, index: int) -> EpochRecord:
        boundary = float(self.boundary[index])
        return EpochRecord(
            int(self.epoch[index]), float(self.w[index]), float(self.b[index]), float(self.loss[index]),
            float(self.accuracy[index]), None if np.isnan(boundary) else boundary,
        )

    def records(self) -> list[EpochRecord]:
        return [self.record(i) for i in range(len(self))]


class History:
    """Grows by one row per epoch; rows once written never change, so views are slices, not copies."""

    def __init__(self, capacity: int = 256):
        self._buffer = np.empty((len(COLUMNS), max(capacity, 1)))
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, record: EpochRecord) -> None:
        if self._size == self._buffer.shape[1]:
            grown = np.empty((len(COLUMNS), 2 * self._size))
            grown[:, : self._size] = self._buffer[:, : self._size]
            self._buffer = grown
        boundary = np.nan if record.boundary is None else record.boundary
        self._buffer[:, self._size] = (record.epoch, record.w, record.b, record.loss, record.accuracy, boundary)
        self._size += 1

    def view(self) -> HistoryView:
        columns = []
        for row in self._buffer[:, : self._size]:
            column = row.view()
            column.flags.writeable = False
            columns.append(column)
        epoch = columns[0].astype(np.int64)
        epoch.flags.writeable = False
        return HistoryView(epoch, *columns[1:])
