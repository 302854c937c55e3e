"""Samples of the two classes: drawn from two seeded Gaussians, or taken from a user's file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.settings import Settings

MAX_ABS_X = 1e8
"""Largest |x| accepted from a file: with |w|, |b| < 1e12, z = w·x + b stays finite and plots have sane ranges."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Read-only samples x with labels y (0.0 or 1.0), in the order training indexes them."""

    x: np.ndarray
    y: np.ndarray

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

    def of_class(self, label: int) -> np.ndarray:
        return self.x[self.y == label]

    @property
    def x_range(self) -> tuple[float, float]:
        """Extent of the samples, for drawing curves over the data."""
        return float(self.x.min()), float(self.x.max())


def generate(settings: Settings) -> Dataset:
    """Class 0 then class 1, drawn from a generator seeded by settings.seed (same seed, same samples)."""
    rng = np.random.default_rng(settings.seed)
    x0 = rng.normal(settings.mu0, settings.sigma0, settings.n0)
    x1 = rng.normal(settings.mu1, settings.sigma1, settings.n1)
    return Dataset(np.concatenate([x0, x1]), np.concatenate([np.zeros(settings.n0), np.ones(settings.n1)]))
