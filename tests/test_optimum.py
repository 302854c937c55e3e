"""The exact optimum: hand-derived cases at any scale, a zero gradient, never worse than training, separable data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.data import Dataset, generate
from model.kernel import PYTHON_KERNEL
from model.neuron import gradient, objective
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
    assert trainer.current_loss() >= optimum.loss * (1 - 1e-14)
    assert trainer.current_loss() == pytest.approx(optimum.loss, rel=1e-6)
    assert (trainer.w, trainer.b) == pytest.approx((optimum.w, optimum.b), rel=1e-3, abs=1e-4)


def _gradient_vanishes(optimum, data: Dataset, l2: float) -> bool:
    """|∂/∂b| ≤ 1e-8 and |∂/∂w| ≤ 1e-8 per unit of the largest |x|: ~0 relative to the data's scale."""
    grad_w, grad_b = gradient(optimum.w, optimum.b, data.x, data.y, "bce", l2)
    return abs(grad_b) <= 1e-8 and abs(grad_w) <= 1e-8 * float(np.max(np.abs(data.x)))


@pytest.mark.parametrize("scale, centre", [(1e-3, 0.0), (1e3, 0.0), (1.0, 1e8), (250.0, -5e7), (1e200, 0.0),
                                           (1e-200, 0.0)])
def test_hand_cases_give_the_same_answer_at_any_scale_and_offset(scale, centre):
    """x' = centre + scale·x turns the optimum (w, b) into (w / scale, b − w·centre / scale), exactly."""
    symmetric = exact_optimum(Dataset(centre + scale * np.array([1, 1, 1, -1, -1, -1]), [1, 1, 0, 0, 0, 1]))
    assert symmetric.exists
    assert symmetric.w == pytest.approx(math.log(2) / scale, rel=1e-9)
    assert symmetric.b == pytest.approx(-math.log(2) * centre / scale, rel=1e-9, abs=1e-9)
    saturated = exact_optimum(Dataset(centre + scale * np.array([0, 0, 0, 0, 1, 1, 1, 1]), [1, 0, 0, 0, 1, 1, 1, 0]))
    assert saturated.w == pytest.approx(2 * math.log(3) / scale, rel=1e-9)
    assert saturated.b == pytest.approx(-math.log(3) - 2 * math.log(3) * centre / scale, rel=1e-9)
    assert saturated.loss == pytest.approx(-(math.log(0.25) + 3 * math.log(0.75)) / 4, rel=1e-9)


def _near(centre: float, spread: float, l2: float) -> tuple[Dataset, float]:
    rng = np.random.default_rng(5)
    x = np.concatenate([centre - spread + rng.normal(0, spread, 50), centre + spread + rng.normal(0, spread, 50)])
    return Dataset(x, np.repeat([0.0, 1.0], 50)), l2


LARGE_SCALE = {
    "two bumps": (generate(Settings(n0=50, n1=50, l2=0.1)), 0.1, 1.0),
    "class 1 near a thousand": (generate(Settings(n0=50, n1=50, mu1=1e3)), 0.1, 1e-6),
    "means and spreads in the thousands": (generate(Settings(n0=50, n1=50, mu0=-3e3, mu1=3e3, sigma0=2e3,
                                                             sigma1=2e3)), 0.1, 1e-7),
    "a file's x near 10^8": (*_near(9.99e7, 1.0, 0.1), 1e-16),
    "a million apart": (generate(Settings(n0=50, n1=50, mu0=-1e6, mu1=1e6, sigma0=5e5, sigma1=5e5)), 1e-3, 1e-12),
}


@pytest.mark.parametrize("name", list(LARGE_SCALE))
def test_optimum_is_never_worse_than_a_long_trained_run(name):
    data, l2, lr = LARGE_SCALE[name]
    settings = Settings(optimizer="batch", lr=lr, l2=l2, epochs=3000, every=3000, init_w=0.0, init_b=0.0)
    trainer = Trainer(settings, data, kernel=PYTHON_KERNEL)
    trainer.run_to_end()
    assert trainer.status == "finished"
    optimum = exact_optimum(data, "bce", l2)
    assert optimum.exists
    assert optimum.loss <= trainer.current_loss() * (1 + 1e-12)
    assert optimum.loss == pytest.approx(objective(optimum.w, optimum.b, data, "bce", l2), rel=1e-12)
    assert _gradient_vanishes(optimum, data, l2)


def test_no_optimum_is_claimed_where_none_can_be_pinned_down():
    """Separable at 10^200: the penalty on w is far below double precision, so no minimum can be pinned down.
    Claiming (0, 0) with loss ln 2, as Newton's method did when x² overflowed, is worse than any trained run."""
    rng = np.random.default_rng(2)
    data = Dataset(np.concatenate([rng.normal(-1.5, 1.0, 50), np.full(50, 1e200)]), np.repeat([0.0, 1.0], 50))
    optimum = exact_optimum(data, "bce", 0.1)
    assert not optimum.exists and optimum.w is None and optimum.loss is None
    assert "could not pin down" in optimum.reason
