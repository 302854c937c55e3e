"""Samples: the classes, extent and spread every view asks for, worked out once and read-only."""

from __future__ import annotations

import numpy as np
import pytest

from model.data import Dataset, generate
from model.settings import Settings


def test_classes_extent_and_spread_are_the_samples_own_and_read_only():
    data = generate(Settings(n0=300, n1=200, mu0=-1.0, mu1=2.0))
    assert data.prepare() is data
    for label in (0, 1):
        np.testing.assert_array_equal(data.of_class(label), data.x[data.y == label])
        with pytest.raises(ValueError):
            data.of_class(label)[0] = 0.0
    assert data.of_class(0).size == 300 and data.of_class(1).size == 200
    assert data.x_range == (data.x.min(), data.x.max())
    assert data.x_spread == np.std(data.x)


def test_a_class_with_no_samples_is_empty():
    data = Dataset([1.0, 2.0], [1.0, 1.0])
    assert data.of_class(0).size == 0 and data.of_class(1).tolist() == [1.0, 2.0]


def test_bin_counts_live_on_the_data_set_and_match_numpy_s_histogram():
    data = generate(Settings(n0=3000, n1=2000, seed=5)).prepare(bins=(50, 600))
    low, high = data.plot_range
    assert low < data.x_range[0] and data.x_range[1] < high
    for label, size in ((0, 3000), (1, 2000)):
        for bins in (50, 600):
            counts = data.bin_counts(label, bins)
            np.testing.assert_array_equal(counts, np.histogram(data.of_class(label), bins=bins, range=(low, high))[0])
            assert counts.sum() == size and data.bin_counts(label, bins) is counts
