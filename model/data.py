"""Samples of the two classes: drawn from two seeded Gaussians, or taken from a user's file."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from model.settings import Settings

MAX_ABS_X = 1e8
"""Largest |x| accepted from a file: with |w|, |b| < 1e12, z = w·x + b stays finite and plots have sane ranges."""
TINY_SPREAD = 1e-100
"""Samples spread less than this are only centred, not divided by their spread: w in data units, w/sd, stays finite."""


@dataclass(frozen=True)
class Scale:
    """How standardised samples u = (x − mean)/sd relate to the data's own x, and a neuron on u to one on x:
    w·u + b = (w/sd)·x + (b − w·mean/sd)."""

    mean: float
    sd: float

    def weights_in_data_units(self, w: float, b: float) -> tuple[float, float]:
        return w / self.sd, b - w * self.mean / self.sd

    def x_in_data_units(self, u: float) -> float:
        return self.mean + self.sd * u

    def neuron_in_data_units(self, w: float, b: float, boundary: float | None) -> dict[str, float | None]:
        """w, b and the boundary x* = −b/w (None when w = 0) of a neuron on standardised x, in the data's units."""
        w_data, b_data = self.weights_in_data_units(w, b)
        x = None if boundary is None else self.x_in_data_units(boundary)
        return {"w": w_data, "b": b_data, "boundary": x if x is not None and math.isfinite(x) else None}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Read-only samples x with labels y (0.0 or 1.0), in the order training indexes them."""

    x: np.ndarray
    y: np.ndarray
    scale: Scale | None = None
    """How x was standardised from the data's own (see standardised); None for samples as they came."""
    source: Dataset | None = None
    """The samples as they came, when these are standardised from them."""

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=np.float64).reshape(-1)
        y = np.array(self.y, dtype=np.float64).reshape(-1)
        if x.shape != y.shape:
            raise ValueError("x and y must have the same length")
        x.flags.writeable = False
        y.flags.writeable = False
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return int(self.x.size)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dataset) and np.array_equal(self.x, other.x) and np.array_equal(self.y, other.y)

    @property
    def original(self) -> Dataset:
        """The samples in the data's own units: what a file holds and a session keeps."""
        return self if self.source is None else self.source

    def of_class(self, label: int) -> np.ndarray:
        """The x of one class's samples (read-only)."""
        return self._classes[int(label)]

    @cached_property
    def _classes(self) -> tuple[np.ndarray, np.ndarray]:
        """Both classes' x, split once: every view of the samples asks, and at a million samples each split takes
        milliseconds. The thread that makes the data can split it before any view does (see prepare)."""
        classes = self.x[self.y == 0], self.x[self.y == 1]
        for xs in classes:
            xs.flags.writeable = False
        return classes

    @cached_property
    def x_range(self) -> tuple[float, float]:
        """Extent of the samples, for drawing curves over the data."""
        return float(self.x.min()), float(self.x.max())

    @cached_property
    def x_spread(self) -> float:
        """Standard deviation of x: the natural unit of w in the parameter view."""
        return float(np.std(self.x))

    @cached_property
    def plot_range(self) -> tuple[float, float]:
        """The extent curves are drawn over: the samples' plus a margin, so the ends of the sigmoid show."""
        low, high = self.x_range
        margin = max(0.5, 0.15 * (high - low))
        return low - margin, high + margin

    def bin_counts(self, label: int, bins: int) -> np.ndarray:
        """How many samples of a class fall in each of `bins` equal bins over plot_range (the last bin includes its
        right edge, as np.histogram's does). Counted once per data set and kept: the main view and every snapshot
        cell draw them, and at a million samples each count takes tens of milliseconds. Safe from any thread (two
        threads may both count; either result is kept)."""
        key = (int(label), int(bins))
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = count_bins(self.of_class(label), self.plot_range, bins)
            counts.flags.writeable = False
        return counts

    @cached_property
    def _counts(self) -> dict[tuple[int, int], np.ndarray]:
        return {}

    def prepare(self, bins: Iterable[int] = ()) -> Dataset:
        """Work out now what views of these samples will ask for (the classes split, their extent and spread, each
        class counted in these numbers of bins), on the thread that calls this rather than the window's; returns
        the dataset."""
        _ = self._classes, self.x_range, self.x_spread, self.plot_range, self._counts
        for count in bins:
            for label in (0, 1):
                self.bin_counts(label, count)
        return self


def count_bins(xs: np.ndarray, x_range: tuple[float, float], bins: int) -> np.ndarray:
    """How many of xs fall in each of `bins` equal bins over x_range, the last bin including its right edge."""
    low, high = x_range
    index = np.clip(((xs - low) * (bins / (high - low))).astype(np.int64), 0, bins - 1)
    return np.bincount(index, minlength=bins)


def standardised(data: Dataset) -> Dataset:
    """The samples with x replaced by (x − mean)/sd, remembering mean, sd and the samples they came from."""
    mean = float(np.mean(data.x))
    sd = float(np.std(data.x))
    sd = sd if sd >= TINY_SPREAD else 1.0
    return Dataset((data.x - mean) / sd, data.y, Scale(mean, sd), data)


def generate(settings: Settings) -> Dataset:
    """Class 0 then class 1, drawn from a generator seeded by settings.seed (same seed, same samples)."""
    rng = np.random.default_rng(settings.seed)
    x0 = rng.normal(settings.mu0, settings.sigma0, settings.n0)
    x1 = rng.normal(settings.mu1, settings.sigma1, settings.n1)
    return Dataset(np.concatenate([x0, x1]), np.concatenate([np.zeros(settings.n0), np.ones(settings.n1)]))
