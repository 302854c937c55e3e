"""The curvature against finite differences of the loss, and η_max against gradient descent itself: just below it
the steps settle at the optimum, just above they never do."""

from __future__ import annotations

import numpy as np
import pytest

from model.data import Dataset, generate
from model.kernel import AT_REST, LOSS_CODES, RULE_CODES, StepParams, train_span
from model.lr_limit import hessian, lr_limit, rule_lr_limit
from model.neuron import objective
from model.optimum import Optimum, exact_optimum
from model.settings import PRESETS, Settings

pytestmark = pytest.mark.filterwarnings("error")

CASES = {
    "overlapping, no L2": (Settings(n0=100, n1=100, seed=3), 0.0),
    "overlapping, L2": (Settings(n0=100, n1=100, seed=4), 0.5),
    "far apart, L2": (Settings(**{**PRESETS["far apart"], "n0": 100, "n1": 100}, seed=5), 0.05),
    "off-centre, L2": (Settings(mu0=1.0, mu1=3.5, n0=100, n1=100, seed=6), 0.1),
}


def _finite_difference_hessian(w: float, b: float, data: Dataset, loss: str, l2: float, h: float = 1e-4):
    def f(dw: float, db: float) -> float:
        return objective(w + dw, b + db, data, loss, l2)

    h_ww = (f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2
    h_bb = (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2
    h_wb = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h**2)
    return np.array([[h_ww, h_wb], [h_wb, h_bb]])


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize(("w", "b"), [(0.5, -0.2), (-2.0, 1.5), (4.0, 3.0)])
def test_hessian_is_the_curvature_of_the_loss(loss, l2, w, b):
    data = generate(Settings(n0=80, n1=120, seed=1))
    expected = _finite_difference_hessian(w, b, data, loss, l2)
    np.testing.assert_allclose(hessian(w, b, data, loss, l2), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", CASES)
def test_limit_is_two_over_the_largest_curvature(case):
    settings, l2 = CASES[case]
    data = generate(settings)
    optimum = exact_optimum(data, "bce", l2)
    top = np.linalg.eigvalsh(_finite_difference_hessian(optimum.w, optimum.b, data, "bce", l2))[-1]
    assert lr_limit(data, "bce", l2, optimum) == pytest.approx(2.0 / top, rel=1e-5)


def test_no_limit_without_an_optimum():
    x = np.array([-2.0, -1.0, 1.0, 3.0])
    separable = Dataset(x, [0.0, 0.0, 1.0, 1.0])
    assert lr_limit(separable, "bce", 0.0, exact_optimum(separable, "bce", 0.0)) is None
    assert lr_limit(generate(Settings(n0=30, n1=30)), "mse", 0.0, Optimum(False, reason="not computed")) is None


def _full_batch_descent(data: Dataset, w: float, b: float, lr: float, l2: float, rule: str = "plain",
                        momentum: float = 0.0, steps: int = 2000):
    """The trainer's full-batch updates: one train_span call, batch size n, the data's order repeated per step."""
    n = len(data)
    order = list(range(n)) * steps
    params = StepParams(lr, l2, LOSS_CODES["bce"], n, RULE_CODES[rule], momentum)
    return train_span(data.x.tolist(), data.y.tolist(), order, 0, n * steps, w, b, params, tuple(AT_REST))[:4]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("rule", "momentum"), [("plain", 0.0), ("momentum", 0.5), ("momentum", 0.9)])
def test_descent_settles_below_the_limit_and_not_above(case, rule, momentum):
    """For heavy-ball momentum the limit is 2(1 + μ)/λ_max: (1 + μ) times plain descent's."""
    settings, l2 = CASES[case]
    data = generate(settings)
    optimum = exact_optimum(data, "bce", l2)
    limit = rule_lr_limit(lr_limit(data, "bce", l2, optimum), rule, momentum)
    assert limit == pytest.approx((1 + momentum) * lr_limit(data, "bce", l2, optimum), rel=1e-15)
    start = (optimum.w + 6e-6, optimum.b + 8e-6)

    w, b, _, status = _full_batch_descent(data, *start, 0.9 * limit, l2, rule, momentum)
    assert status == 0 and np.hypot(w - optimum.w, b - optimum.b) < 1e-9

    w, b, _, status = _full_batch_descent(data, *start, 1.1 * limit, l2, rule, momentum)
    assert status != 0 or np.hypot(w - optimum.w, b - optimum.b) > 1e-3


def test_adam_has_no_limit():
    assert rule_lr_limit(4.0, "adam", 0.9) is None and rule_lr_limit(None, "momentum", 0.9) is None
