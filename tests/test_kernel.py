"""The training loop against the tutorial's own update rule, on both the plain-Python and the compiled path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.data import generate
from model.kernel import PYTHON_KERNEL, compiled_kernel
from model.settings import PRESETS, Settings

FAR_APART = Settings(**PRESETS["far apart"])


def _kernels():
    kernels = [pytest.param(PYTHON_KERNEL, id="python")]
    compiled = compiled_kernel()
    marks = [] if compiled else [pytest.mark.skip(reason="numba is not installed (the 'fast' extra)")]
    kernels.append(pytest.param(compiled, id="numba", marks=marks))
    return kernels


def tutorial_epochs(x, y, orders, w, b, eta):
    """The tutorial's loop, written as it is: its own sigmoid, cross-entropy derivative and sigmoid derivative."""
    def sigmoid(z):
        return 1 / (1 + math.exp(-z))

    def derivative_cross_entropy(y_hat, target):
        return -1 / y_hat if target == 1 else 1 / (1 - y_hat)

    for order in orders:
        for i in order:
            y_hat = sigmoid(w * x[i] + b)
            d_w = derivative_cross_entropy(y_hat, y[i]) * y_hat * (1 - y_hat) * x[i]
            d_b = derivative_cross_entropy(y_hat, y[i]) * y_hat * (1 - y_hat)
            w, b = w - eta * d_w, b - eta * d_b
    return w, b


def _run(kernel, data, orders, w, b, lr, l2=0.0, loss="bce", batch=1):
    x, y = kernel.prepare(data.x), kernel.prepare(data.y)
    for order in orders:
        result = kernel.run(x, y, kernel.prepare(order), 0, len(data), w, b, lr, l2, loss, batch)
        assert not result.diverged and result.position == len(data)
        w, b = result.w, result.b
    return w, b


@pytest.mark.parametrize("kernel", _kernels())
def test_per_sample_sgd_equals_the_tutorial_rule(kernel):
    data = generate(FAR_APART)
    rng = np.random.default_rng(11)
    orders = [rng.permutation(len(data)) for _ in range(5)]
    expected = tutorial_epochs(data.x.tolist(), data.y.tolist(), orders, 0.004, -0.007, 0.001)
    assert _run(kernel, data, orders, 0.004, -0.007, 0.001) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("kernel", _kernels())
def test_one_update_is_w_minus_eta_error_times_x(kernel):
    data = generate(Settings(n0=3, n1=3))
    w, b, lr = 0.3, -0.1, 0.5
    i = 4
    result = kernel.run(kernel.prepare(data.x), kernel.prepare(data.y), kernel.prepare(np.array([i])), 0, 1,
                        w, b, lr, 0.0, "bce", 1)
    error = 1 / (1 + math.exp(-(w * data.x[i] + b))) - data.y[i]
    assert (result.w, result.b) == pytest.approx((w - lr * error * data.x[i], b - lr * error), rel=1e-15)


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_mini_batch_update_is_one_mean_gradient_step(kernel, loss):
    from model.neuron import gradient

    data = generate(Settings(n0=20, n1=20, seed=5))
    order = np.random.default_rng(2).permutation(len(data))
    w, b, lr, l2, batch = 0.8, 0.2, 0.3, 0.1, 7
    for start in range(0, len(data), batch):
        picked = order[start:start + batch]
        grad_w, grad_b = gradient(w, b, data.x[picked], data.y[picked], loss, l2)
        w, b = w - lr * grad_w, b - lr * grad_b
    assert _run(kernel, data, [order], 0.8, 0.2, lr, l2, loss, batch) == pytest.approx((w, b), rel=1e-12)


@pytest.mark.parametrize("kernel", _kernels())
def test_full_batch_is_gradient_descent_on_the_mean_loss(kernel):
    from model.neuron import gradient

    data = generate(Settings(n0=30, n1=30))
    w, b = 0.0, 0.0
    for _ in range(4):
        grad_w, grad_b = gradient(w, b, data.x, data.y, "bce")
        w, b = w - 0.5 * grad_w, b - 0.5 * grad_b
    orders = [np.arange(len(data))] * 4
    assert _run(kernel, data, orders, 0.0, 0.0, 0.5, batch=len(data)) == pytest.approx((w, b), rel=1e-12)


@pytest.mark.parametrize("loss, l2, batch", [("bce", 0.0, 1), ("mse", 0.0, 1), ("bce", 0.2, 5), ("mse", 0.05, 1000)])
def test_compiled_and_python_paths_give_the_same_numbers(loss, l2, batch):
    compiled = compiled_kernel()
    if compiled is None:
        pytest.skip("numba is not installed (the 'fast' extra)")
    data = generate(FAR_APART)
    rng = np.random.default_rng(1)
    orders = [rng.permutation(len(data)) for _ in range(3)]
    python = _run(PYTHON_KERNEL, data, orders, 0.01, 0.0, 0.05, l2, loss, batch)
    assert _run(compiled, data, orders, 0.01, 0.0, 0.05, l2, loss, batch) == pytest.approx(python, rel=1e-12)


@pytest.mark.parametrize("kernel", _kernels())
def test_runaway_weights_stop_at_the_last_sane_values(kernel):
    data = generate(Settings(n0=10, n1=10))
    order = np.arange(len(data))
    result = kernel.run(kernel.prepare(data.x), kernel.prepare(data.y), kernel.prepare(order), 0, len(data),
                        1.0, 0.0, 10.0, 1.0, "bce", 1)
    assert result.diverged
    assert math.isfinite(result.w) and abs(result.w) < 1e12
    assert 0 < result.position < len(data)
