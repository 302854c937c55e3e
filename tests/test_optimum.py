"""The exact optimum: hand-derived cases, a zero gradient, and separable data recognised."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.data import Dataset, generate
from model.kernel import PYTHON_KERNEL
from model.neuron import gradient
from model.optimum import exact_optimum
from model.settings import Settings
from model.trainer import Trainer


def test_symmetric_hand_case_gives_w_ln2_and_b_zero():
    data = Dataset([1, 1, 1, -1, -1, -1], [1, 1, 0, 0, 0, 1])
    optimum = exact_optimum(data)
    assert optimum.exists
    assert optimum.w == pytest.approx(math.log(2), abs=1e-10)
    assert optimum.b == pytest.approx(0.0, abs=1e-10)


def test_saturated_hand_case_matches_class_frequencies():
    data = Dataset([0, 0, 0, 0, 1, 1, 1, 1], [1, 0, 0, 0, 1, 1, 1, 0])
    optimum = exact_optimum(data)
    assert optimum.b == pytest.approx(-math.log(3), abs=1e-10)
    assert optimum.w == pytest.approx(2 * math.log(3), abs=1e-10)
    expected_loss = -(math.log(0.25) + 3 * math.log(0.75)) / 4
    assert optimum.loss == pytest.approx(expected_loss, rel=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_gradient_vanishes_at_the_optimum(l2):
    data = generate(Settings(seed=4))
    optimum = exact_optimum(data, "bce", l2)
    assert np.allclose(gradient(optimum.w, optimum.b, data.x, data.y, "bce", l2), 0.0, atol=1e-10)


@pytest.mark.parametrize("x, y", [([-2, -1, 1, 2], [0, 0, 1, 1]), ([-2, 0, 0, 2], [0, 0, 1, 1]),
                                  ([-2, -1, 1, 2], [1, 1, 0, 0])])
def test_separable_or_touching_classes_have_no_optimum_without_l2(x, y):
    optimum = exact_optimum(Dataset(x, y))
    assert not optimum.exists and optimum.w is None
    assert "separable" in optimum.reason and "L2" in optimum.reason
    with_penalty = exact_optimum(Dataset(x, y), "bce", 0.1)
    assert with_penalty.exists and math.isfinite(with_penalty.w)


def test_far_apart_preset_is_separable_like_the_tutorial_data():
    from model.settings import PRESETS

    assert not exact_optimum(generate(Settings(**PRESETS["far apart"]))).exists


def test_mse_has_no_reference_optimum():
    optimum = exact_optimum(generate(Settings()), "mse")
    assert not optimum.exists and "squared error" in optimum.reason


def test_long_small_step_sgd_approaches_the_optimum():
    settings = Settings(n0=50, n1=50, epochs=300, lr=0.5, optimizer="batch", l2=0.05)
    trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    trainer.run_to_end()
    optimum = exact_optimum(trainer.data, "bce", 0.05)
    assert trainer.current_loss() >= optimum.loss
    assert trainer.current_loss() == pytest.approx(optimum.loss, rel=1e-6)
    assert (trainer.w, trainer.b) == pytest.approx((optimum.w, optimum.b), rel=1e-3, abs=1e-4)
