"""Another run's loss curve is drawn through its peak envelope, kept up to date as the run grows: the same points as
binning the whole series at once, every bin's true lowest and highest value, and never more than the limit allows."""

from __future__ import annotations

import numpy as np
import pytest

from gui.views.envelope import Envelope

LIMIT = 64


def _brute_force(x: np.ndarray, y: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The envelope worked out from scratch: bins of the smallest power-of-two width (at least 2) that makes at
    most `limit` whole bins, each drawn as its first x twice with its lowest then highest y, then the rest."""
    if y.size <= limit:
        return x, y
    width = 2
    while y.size // width > limit:
        width *= 2
    whole = y.size // width * width
    xs, ys = [], []
    for start in range(0, whole, width):
        xs += [x[start], x[start]]
        ys += [y[start:start + width].min(), y[start:start + width].max()]
    return np.array([*xs, *x[whole:]]), np.array([*ys, *y[whole:]])


def _walk(size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.arange(size), np.abs(np.cumsum(rng.normal(size=size))) + rng.random(size)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_growing_series_keeps_the_envelope_worked_out_from_scratch(seed):
    x, y = _walk(40_000, seed)
    envelope = Envelope(LIMIT)
    rng = np.random.default_rng(seed + 10)
    size = 0
    while size < y.size:
        size = min(y.size, size + int(rng.choice([1, 3, 17, 250, 4000])))
        drawn_x, drawn_y = envelope.of(x[:size], y[:size])
        expected_x, expected_y = _brute_force(x[:size], y[:size], LIMIT)
        np.testing.assert_array_equal(drawn_x, expected_x)
        np.testing.assert_array_equal(drawn_y, expected_y)
        assert drawn_y.size <= 2 * LIMIT + 2 * size // LIMIT, "two points a bin, and fewer than a bin left over"
        assert drawn_y.min() == y[:size].min() and drawn_y.max() == y[:size].max()


def test_a_series_that_is_not_the_one_seen_growing_starts_over():
    """A run reset, cut or gone back hands over a shorter series, or one with another past: drawn afresh."""
    x, y = _walk(10_000, 5)
    envelope = Envelope(LIMIT)
    envelope.of(x, y)
    for shown in (y[:3_000], np.concatenate([y[:6_000], y[6_000:] + 1.0]), y[:1]):
        drawn_x, drawn_y = envelope.of(x[:shown.size], shown)
        expected_x, expected_y = _brute_force(x[:shown.size], shown, LIMIT)
        np.testing.assert_array_equal(drawn_x, expected_x)
        np.testing.assert_array_equal(drawn_y, expected_y)
