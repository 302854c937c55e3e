"""The neuron's sigmoid, losses and gradients: finite everywhere, and equal to hand-derived values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from model.data import Dataset
from model.neuron import accuracy, bce_per_sample, boundary, gradient, mse_per_sample, objective, sigmoid

EXTREME = np.array([-1e6, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e6])


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def test_sigmoid_is_finite_and_saturates_without_overflow():
    values = sigmoid(EXTREME)
    assert np.all(np.isfinite(values))
    assert values[0] == 0.0 and values[-1] == 1.0
    assert values[3] == 0.5
    assert sigmoid(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-12)


def test_cross_entropy_at_extreme_z_matches_hand_values():
    y_zero, y_one = np.zeros_like(EXTREME), np.ones_like(EXTREME)
    np.testing.assert_allclose(bce_per_sample(EXTREME, y_zero)[-2:], [1000.0, 1e6])
    np.testing.assert_allclose(bce_per_sample(EXTREME, y_one)[:2], [1e6, 1000.0])
    assert bce_per_sample(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(math.log(2))
    assert bce_per_sample(np.array([1000.0]), np.array([1.0]))[0] == 0.0
    assert bce_per_sample(np.array([40.0]), np.array([1.0]))[0] == pytest.approx(math.exp(-40.0), rel=1e-9)


def test_squared_error_at_extreme_z_is_bounded_by_one():
    values = mse_per_sample(EXTREME, np.zeros_like(EXTREME))
    np.testing.assert_allclose(values[[0, 3, -1]], [0.0, 0.25, 1.0])


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("w, b", [(0.7, -0.2), (-2.5, 1.5), (8.0, 3.0)])
def test_gradient_matches_central_finite_differences(loss, l2, w, b):
    rng = np.random.default_rng(3)
    data = Dataset(rng.normal(0, 2, 50), rng.integers(0, 2, 50))
    step = 1e-6
    numeric_w = (objective(w + step, b, data, loss, l2) - objective(w - step, b, data, loss, l2)) / (2 * step)
    numeric_b = (objective(w, b + step, data, loss, l2) - objective(w, b - step, data, loss, l2)) / (2 * step)
    grad_w, grad_b = gradient(w, b, data.x, data.y, loss, l2)
    assert grad_w == pytest.approx(numeric_w, rel=1e-6, abs=1e-8)
    assert grad_b == pytest.approx(numeric_b, rel=1e-6, abs=1e-8)


def test_objective_adds_half_lambda_w_squared():
    data = Dataset([-1.0, 1.0], [0, 1])
    assert objective(0.0, 0.0, data, "bce", 0.0) == pytest.approx(math.log(2))
    assert objective(2.0, 0.0, data, "bce", 0.5) - objective(2.0, 0.0, data, "bce", 0.0) == pytest.approx(1.0)


def test_accuracy_and_boundary():
    data = Dataset([-2.0, -1.0, 1.0, 0.5], [0, 0, 1, 0])
    assert accuracy(1.0, 0.0, data) == 0.75
    assert boundary(2.0, -1.0) == 0.5
    assert boundary(0.0, 1.0) is None
