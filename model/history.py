"""Per-epoch history kept in append-only buffers, so a read-only view of it costs nothing to hand out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

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

    def first(self, rows: int) -> HistoryView:
        """The first `rows` rows: the history as it stood at an earlier epoch, without a copy."""
        return HistoryView(*(column[:rows] for column in (self.epoch, self.w, self.b, self.loss, self.accuracy,
                                                           self.boundary)))

    def until(self, epoch: int) -> HistoryView:
        """The rows up to and including `epoch`: the history as it stood then."""
        return self.first(int(np.searchsorted(self.epoch, epoch, side="right")))


class Snapshots(Sequence[EpochRecord]):
    """The first records of an append-only list, read-only. A view of the trainer hands these out many times a
    second while the list grows by thousands: a tuple copy each time would cost time in proportion to the run, and
    the cycle collector would walk every copy."""

    __slots__ = ("_count", "_records")

    def __init__(self, records: list[EpochRecord], count: int | None = None):
        self._records = records
        self._count = len(records) if count is None else count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> EpochRecord: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[EpochRecord, ...]: ...

    def __getitem__(self, index: int | slice) -> EpochRecord | tuple[EpochRecord, ...]:
        if isinstance(index, slice):
            return tuple(self._records[i] for i in range(*index.indices(self._count)))
        if not -self._count <= index < self._count:
            raise IndexError("snapshot index out of range")
        return self._records[index % self._count]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Snapshots({list(self)!r})"


class History:
    """Grows by one row per epoch; rows once written never change, so views are slices, not copies."""

    def __init__(self, capacity: int = 256):
        capacity = max(capacity, 1)
        self._epochs = np.empty(capacity, dtype=np.int64)
        self._values = np.empty((len(COLUMNS) - 1, capacity))
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, record: EpochRecord) -> None:
        self._make_room(1)
        boundary = np.nan if record.boundary is None else record.boundary
        self._epochs[self._size] = record.epoch
        self._values[:, self._size] = (record.w, record.b, record.loss, record.accuracy, boundary)
        self._size += 1

    def extend(self, epochs: np.ndarray, w: np.ndarray, b: np.ndarray, loss: np.ndarray,
               accuracy: np.ndarray) -> None:
        """Many rows at once, as many appends would write them (boundaries included): whole epochs trained in one
        call arrive by the thousand, and a Python loop over them would hold the lock the window draws with."""
        count = len(epochs)
        self._make_room(count)
        end = self._size + count
        self._epochs[self._size:end] = epochs
        self._values[:4, self._size:end] = (w, b, loss, accuracy)
        self._values[4, self._size:end] = boundaries(w, b)
        self._size = end

    def _make_room(self, count: int) -> None:
        capacity = self._epochs.size
        if self._size + count <= capacity:
            return
        while capacity < self._size + count:
            capacity *= 2
        epochs, values = np.empty(capacity, dtype=np.int64), np.empty((len(COLUMNS) - 1, capacity))
        epochs[:self._size] = self._epochs[:self._size]
        values[:, :self._size] = self._values[:, :self._size]
        self._epochs, self._values = epochs, values

    def first(self, rows: int) -> History:
        """A copy of the first `rows` rows, to grow on its own: a run continued from an earlier epoch."""
        copy = History(rows)
        copy._epochs[:rows] = self._epochs[:rows]
        copy._values[:, :rows] = self._values[:, :rows]
        copy._size = rows
        return copy

    def view(self) -> HistoryView:
        columns = [self._epochs[: self._size], *self._values[:, : self._size]]
        views = []
        for column in columns:
            shared = column.view()
            shared.flags.writeable = False
            views.append(shared)
        return HistoryView(*views)


def boundaries(w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x* = −b/w for each row, NaN where model.neuron.boundary has none (w = 0, or −b/w beyond any float)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.negative(b) / w
    x[(w == 0) | ~np.isfinite(x)] = np.nan
    return x
