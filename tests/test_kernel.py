"""The training loop against the tutorial's own update rule, on both the plain-Python and the compiled path; whole
epochs in one call against one span per epoch; the measured loss and accuracy against model.neuron's."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from pre_change_engine import pre_change_train_span

import model.kernel
from model.data import Dataset, generate
from model.kernel import (
    DIVERGED,
    LOSS_CODES,
    PYTHON_KERNEL,
    RuleState,
    StepParams,
    compiled_kernel,
    log_one_plus_exp,
    loss_and_accuracy,
    pairwise_sum,
    train_span,
)
from model.neuron import accuracy, objective
from model.settings import PRESETS, Settings
from model.trainer import Trainer

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
    params = StepParams(lr, l2, LOSS_CODES[loss], batch)
    for order in orders:
        result = kernel.run(x, y, kernel.prepare(order), 0, len(data), w, b, params)
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
                        w, b, StepParams(lr, 0.0, LOSS_CODES["bce"], 1))
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
                        1.0, 0.0, StepParams(10.0, 1.0, LOSS_CODES["bce"], 1))
    assert result.diverged
    assert math.isfinite(result.w) and abs(result.w) < 1e12
    assert 0 < result.position < len(data)


def loss_close(found: float, expected: float, loss: str) -> bool:
    """The tolerance on a measured loss against model.neuron.objective: 4 ulps of the loss. For MSE also
    2^−51·√loss, since numpy's vectorised exp in σ may differ from the C library's exp in the last bit of ŷ, which
    moves each (ŷ − y)² by up to 2|ŷ − y|·2^−53 and their mean by at most 2^−52·√loss."""
    allowed = 4 * np.spacing(abs(expected)) + (2.0**-51 * math.sqrt(expected) if loss == "mse" else 0.0)
    return abs(found - expected) <= allowed


def _bits(values) -> tuple:
    return tuple(struct.pack("<d", value) if isinstance(value, float) else value for value in values)


@pytest.mark.parametrize("kernel", _kernels())
def test_the_loop_is_bit_for_bit_the_loop_as_first_written(kernel):
    rng = np.random.default_rng(4)
    specials = [0.0, -0.0, 1e-310, 5.0, -5.0, 1e8, -1e8, 1e300, -1e300]
    for _ in range(500):
        n = int(rng.integers(1, 30))
        x = rng.normal(0.0, 10.0 ** rng.uniform(-3, 3), n)
        picked = rng.random(n) < 0.2
        x[picked] = rng.choice(specials, picked.sum())
        y = (rng.random(n) < 0.5).astype(float)
        order = rng.integers(0, n, n)
        w = float(rng.choice([0.0, -0.0, rng.normal(), 1e6, -1e11]))
        b = float(rng.choice([0.0, -0.0, rng.normal(), 1e6]))
        params = StepParams(10.0 ** rng.uniform(-4, 3), float(rng.choice([0.0, 0.5, 100.0])), int(rng.integers(2)),
                            int(rng.integers(1, n + 1)))
        expected = pre_change_train_span(x.tolist(), y.tolist(), order.tolist(), 0, n, w, b, *params[:4])
        found = kernel.run(kernel.prepare(x), kernel.prepare(y), kernel.prepare(order), 0, n, w, b, params)
        assert _bits((found.w, found.b, found.position, found.diverged)) == _bits(
            (*expected[:3], expected[3] == DIVERGED))
        found_state = train_span(x.tolist(), y.tolist(), order.tolist(), 0, n, w, b, params, tuple(RuleState()))
        assert _bits(found_state[:4]) == _bits(expected) and found_state[4] == tuple(RuleState())


def test_pairwise_sum_is_numpys_sum_bit_for_bit():
    rng = np.random.default_rng(8)
    for n in [*range(300), 1023, 1024, 1025, 4097, 65_537, 1_000_003]:
        values = rng.random(n) * 10.0 ** rng.uniform(-3, 6) + rng.random(n) ** 8
        assert pairwise_sum(values) == np.sum(values)


def test_log_one_plus_exp_is_numpys_logaddexp_bit_for_bit():
    t = np.concatenate([[0.0, -0.0, 5e-324, -5e-324, 1e-300, 36.0, 37.0, -745.0, 710.0, 1e300, -1e300, np.inf,
                         -np.inf], np.random.default_rng(9).normal(0.0, 30.0, 2000)])
    assert [log_one_plus_exp(value) for value in t.tolist()] == np.logaddexp(0.0, t).tolist()


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_measured_loss_and_accuracy_are_model_neurons(loss, l2):
    compiled = compiled_kernel()
    rng = np.random.default_rng(10)
    for _ in range(60):
        n = int(rng.choice([1, 2, 7, 200, 1000, 4097]))
        data = Dataset(rng.normal(rng.uniform(-3, 3), rng.uniform(0.1, 5), n), rng.random(n) < 0.5)
        w, b = rng.normal(0.0, 3.0, 2)
        plain = loss_and_accuracy(data.x.tolist(), data.y.tolist(), w, b, l2, LOSS_CODES[loss])
        assert loss_close(plain[0], objective(w, b, data, loss, l2), loss)
        assert plain[1] == accuracy(w, b, data)
        assert PYTHON_KERNEL.measure(data, w, b, loss, l2) == (objective(w, b, data, loss, l2), accuracy(w, b, data))
        if compiled is not None:
            assert compiled.measure(data, w, b, loss, l2) == plain


def _epoch_by_epoch(kernel, data, orders, count, w, b, lr, l2, loss, batch):
    """The one-epoch path: a span over each epoch's order, measured after it."""
    x, y = kernel.prepare(data.x), kernel.prepare(data.y)
    params = StepParams(lr, l2, LOSS_CODES[loss], batch)
    rows = []
    for epoch in range(count):
        span = kernel.run(x, y, kernel.prepare(orders[epoch % len(orders)]), 0, len(data), w, b, params)
        if span.diverged:
            return rows, span
        w, b = span.w, span.b
        rows.append((w, b, *kernel.measure(data, w, b, loss, l2)))
    return rows, None


def _runs(kernel, data, orders, sizes):
    """Whole epochs cut into kernel calls of the given sizes."""
    first = 0
    for size in sizes:
        rows = orders[first:first + size] if len(orders) > 1 else orders
        yield size, kernel.epoch_inputs(data, rows)
        first += size


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("gathered", [False, True], ids=["data-order", "gathered"])
@pytest.mark.parametrize(("optimizer", "loss", "l2", "lr"), [
    ("sgd", "bce", 0.0, 0.05), ("sgd", "mse", 0.1, 0.5), ("minibatch", "bce", 0.2, 0.3), ("batch", "mse", 0.0, 2.0),
    ("sgd", "bce", 1.0, 2.1), ("minibatch", "mse", 1.0, 2.2)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_whole_epochs_in_one_call_are_one_span_per_epoch(kernel, gathered, optimizer, loss, l2, lr, shuffle,
                                                        monkeypatch):
    """Bit for bit in w and b, wherever the calls are cut; each epoch's loss and accuracy as model.neuron has
    them; across a divergence the same last sane point."""
    monkeypatch.setattr(model.kernel, "GATHER_FROM", 1 if gathered else model.kernel.GATHER_FROM)
    settings = Settings(n0=25, n1=25, seed=6)
    data = generate(settings)
    batch = {"sgd": 1, "minibatch": 7, "batch": len(data)}[optimizer]
    count = 12
    rng = np.random.default_rng(7)
    orders = np.array([rng.permutation(len(data)) for _ in range(count)]) if shuffle else np.arange(50)[None]
    expected, divergence = _epoch_by_epoch(kernel, data, orders, count, 0.01, -0.01, lr, l2, loss, batch)
    for sizes in ([count], [1] * count, [5, 2, 4, 1]):
        found = kernel.run_epochs(data, _runs(kernel, data, orders, sizes), count, 0.01, -0.01,
                                  StepParams(lr, l2, LOSS_CODES[loss], batch))
        assert found.records[:, :2].tolist() == [list(row[:2]) for row in expected]
        for (_, _, loss_found, correct_found), (w, b, loss_expected, correct_expected) in zip(
                found.records.tolist(), expected, strict=True):
            assert (loss_found, correct_found) == (loss_expected, correct_expected)
            assert loss_close(loss_found, objective(w, b, data, loss, l2), loss)
            assert correct_found == accuracy(w, b, data)
        assert found.diverged == (divergence is not None)
        if divergence is not None:
            assert (found.w, found.b, found.position) == (divergence.w, divergence.b, divergence.position)


def test_whole_numbers_in_the_settings_train_on_the_loops_compiled_at_warm_up():
    """η = 1 and λ = 0 as whole numbers (which the settings accept) reach the compiled loops as the floats they
    were compiled for: training never stops for seconds to compile another version of them."""
    compiled = compiled_kernel()
    if compiled is None:
        pytest.skip("numba is not installed (the 'fast' extra)")
    loops = (compiled._span, compiled._epochs)
    compiled_before = [list(loop.signatures) for loop in loops]
    for optimizer in ("sgd", "minibatch", "batch"):
        settings = Settings(n0=10, n1=10, lr=1, l2=0, optimizer=optimizer, batch_size=3, epochs=3)
        trainer = Trainer(settings, generate(settings), kernel=compiled)
        trainer.step_batch()
        trainer.run_to_end()
        assert trainer.epoch == 3
    assert [list(loop.signatures) for loop in loops] == compiled_before
