"""Update rules against PyTorch's formulas written out again here with numpy (torch.optim.SGD with momentum, Adam),
on both kernels, for every batching; a hand-worked pair of updates for each rule; the settings and the command line
that choose them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.cli import UsageError, parse_train_args
from model.data import Dataset, generate
from model.kernel import AT_REST, PYTHON_KERNEL, RuleState, StepParams, compiled_kernel, power_fades, step_params
from model.settings import Settings
from model.trainer import Trainer


def _kernels():
    compiled = compiled_kernel()
    marks = [] if compiled else [pytest.mark.skip(reason="numba is not installed (the 'fast' extra)")]
    return [pytest.param(PYTHON_KERNEL, id="python"), pytest.param(compiled, id="numba", marks=marks)]


def reference(data: Dataset, settings: Settings, epochs: int, w: float, b: float) -> tuple[np.ndarray, dict]:
    """The issue's formulas, with numpy, visiting the samples in data order: θ = (w, b), g the gradient of the
    batch's mean loss plus λ·w on w only; momentum v ← μv + g, θ ← θ − ηv; Adam m ← β₁m + (1 − β₁)g,
    s ← β₂s + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), ŝ = s/(1 − β₂ᵗ), θ ← θ − η·m̂/(√ŝ + ε)."""
    n = len(data)
    size = {"sgd": 1, "minibatch": settings.batch_size, "batch": n}[settings.optimizer]
    theta = np.array([w, b])
    v, m, s, t = np.zeros(2), np.zeros(2), np.zeros(2), 0
    for _ in range(epochs):
        for start in range(0, n, size):
            x, y = data.x[start:start + size], data.y[start:start + size]
            y_hat = 1.0 / (1.0 + np.exp(-(theta[0] * x + theta[1])))
            signal = y_hat - y if settings.loss == "bce" else 2.0 * (y_hat - y) * y_hat * (1.0 - y_hat)
            g = np.array([np.mean(signal * x) + settings.l2 * theta[0], np.mean(signal)])
            if settings.rule == "plain":
                theta = theta - settings.lr * g
            elif settings.rule == "momentum":
                v = settings.momentum * v + g
                theta = theta - settings.lr * v
            else:
                t += 1
                m = settings.beta1 * m + (1 - settings.beta1) * g
                s = settings.beta2 * s + (1 - settings.beta2) * g * g
                m_hat = m / (1 - settings.beta1 ** t)
                s_hat = s / (1 - settings.beta2 ** t)
                theta = theta - settings.lr * m_hat / (np.sqrt(s_hat) + settings.eps)
    return theta, {"v": v, "m": m, "s": s, "t": t}


CASES = [
    ("sgd", "bce", 0.0, 0.05), ("sgd", "mse", 0.1, 0.2), ("minibatch", "bce", 0.3, 0.1), ("minibatch", "mse", 0.0, 0.5),
    ("batch", "bce", 0.2, 0.5), ("batch", "mse", 0.05, 1.0),
]


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("rule", ["momentum", "adam"])
@pytest.mark.parametrize(("optimizer", "loss", "l2", "lr"), CASES)
def test_rules_follow_pytorchs_formulas(kernel, rule, optimizer, loss, l2, lr):
    """Several epochs, run in single updates, a part of an epoch and then whole epochs, the way the window runs
    them; rules' parameters away from their defaults, so each one is read where it should be."""
    settings = Settings(n0=30, n1=25, seed=3, optimizer=optimizer, batch_size=8, loss=loss, l2=l2, lr=lr,
                        rule=rule, momentum=0.8, beta1=0.85, beta2=0.99, eps=1e-6, shuffle=False, epochs=6,
                        init_w=0.3, init_b=-0.2)
    data = generate(settings)
    trainer = Trainer(settings, data, kernel=kernel)
    trainer.step_batch()
    trainer.step_samples(20)
    trainer.run_to_end()
    theta, state = reference(data, settings, 6, 0.3, -0.2)
    assert (trainer.w, trainer.b) == pytest.approx(tuple(theta), rel=1e-10, abs=1e-13)
    found = trainer.rule_state
    if rule == "momentum":
        assert (found.v_w, found.v_b) == pytest.approx(tuple(state["v"]), rel=1e-9, abs=1e-13)
        assert (found.m_w, found.m_b, found.s_w, found.s_b, found.t) == (0.0, 0.0, 0.0, 0.0, 0)
    else:
        assert (found.m_w, found.m_b) == pytest.approx(tuple(state["m"]), rel=1e-9, abs=1e-13)
        assert (found.s_w, found.s_b) == pytest.approx(tuple(state["s"]), rel=1e-9, abs=1e-15)
        assert found.t == state["t"] == trainer.updates
        assert (found.v_w, found.v_b) == (0.0, 0.0)


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("optimizer", ["sgd", "minibatch", "batch"])
def test_plain_rule_keeps_no_state_and_matches_plain_descent(kernel, optimizer):
    settings = Settings(n0=20, n1=20, seed=2, optimizer=optimizer, batch_size=6, l2=0.1, lr=0.3, shuffle=False,
                        epochs=5)
    data = generate(settings)
    trainer = Trainer(settings, data, kernel=kernel)
    start = (trainer.w, trainer.b)
    trainer.run_to_end()
    theta, _ = reference(data, settings, 5, *start)
    assert (trainer.w, trainer.b) == pytest.approx(tuple(theta), rel=1e-10)
    assert trainer.rule_state == AT_REST


TWO = Dataset([2.0, -1.0], [1.0, 0.0])
"""Two samples, visited in order one at a time from w = b = 0 with η = 0.1: the first update sees z = 0, ŷ = ½, so
g = ((½ − 1)·2, ½ − 1) = (−1, −½); the second sees x = −1, y = 0."""


def _two_updates(rule: str, kernel) -> Trainer:
    settings = Settings(n0=1, n1=1, lr=0.1, rule=rule, shuffle=False, init_w=0.0, init_b=0.0, epochs=1)
    trainer = Trainer(settings, TWO, kernel=kernel)
    trainer.step_batch()
    trainer.step_batch()
    return trainer


def _second_gradient(w: float, b: float) -> tuple[float, float]:
    """At x = −1, y = 0: ŷ = σ(−w + b), g = (ŷ·(−1), ŷ)."""
    y_hat = 1.0 / (1.0 + math.exp(w - b))
    return -y_hat, y_hat


@pytest.mark.parametrize("kernel", _kernels())
def test_two_momentum_updates_by_hand(kernel):
    # v₁ = g₁ = (−1, −½), θ₁ = −0.1·v₁ = (0.1, 0.05)
    g_w, g_b = _second_gradient(0.1, 0.05)
    v_w, v_b = 0.9 * -1.0 + g_w, 0.9 * -0.5 + g_b
    trainer = _two_updates("momentum", kernel)
    assert (trainer.w, trainer.b) == pytest.approx((0.1 - 0.1 * v_w, 0.05 - 0.1 * v_b), rel=1e-15)
    assert (trainer.rule_state.v_w, trainer.rule_state.v_b) == pytest.approx((v_w, v_b), rel=1e-15)


@pytest.mark.parametrize("kernel", _kernels())
def test_two_adam_updates_by_hand(kernel):
    # t = 1: m = 0.1·g, s = 0.001·g², so m̂ = g and ŝ = g²: the step is η·g/(|g| + ε), η·sign(g) to within ε.
    w1 = 0.1 * 1.0 / (1.0 + 1e-8)
    b1 = 0.1 * 0.5 / (0.5 + 1e-8)
    g_w, g_b = _second_gradient(w1, b1)
    m_w, m_b = 0.9 * 0.1 * -1.0 + 0.1 * g_w, 0.9 * 0.1 * -0.5 + 0.1 * g_b
    s_w, s_b = 0.999 * 0.001 * 1.0 + 0.001 * g_w**2, 0.999 * 0.001 * 0.25 + 0.001 * g_b**2
    c1, c2 = 1 - 0.9**2, 1 - 0.999**2
    w2 = w1 - 0.1 * (m_w / c1) / (math.sqrt(s_w / c2) + 1e-8)
    b2 = b1 - 0.1 * (m_b / c1) / (math.sqrt(s_b / c2) + 1e-8)
    trainer = _two_updates("adam", kernel)
    assert (trainer.w, trainer.b) == pytest.approx((w2, b2), rel=1e-14)
    state = trainer.rule_state
    assert (state.m_w, state.m_b, state.s_w, state.s_b) == pytest.approx((m_w, m_b, s_w, s_b), rel=1e-14)
    assert state.t == 2


@pytest.mark.parametrize("kernel", _kernels())
def test_two_plain_updates_by_hand(kernel):
    g_w, g_b = _second_gradient(0.1, 0.05)
    trainer = _two_updates("plain", kernel)
    assert (trainer.w, trainer.b) == pytest.approx((0.1 - 0.1 * g_w, 0.05 - 0.1 * g_b), rel=1e-15)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.123456789])
def test_bias_corrections_are_one_exactly_from_where_pow_is_skipped(beta):
    fades = power_fades(beta)
    assert all(1.0 - beta ** float(t) == 1.0 for t in range(max(1, fades), fades + 2000))


@pytest.mark.parametrize("kernel", _kernels())
def test_a_divergence_keeps_the_rule_state_of_the_last_sane_update(kernel):
    """(Adam's steps are about η each at most, so with η ≤ 1000 it never runs beyond ±1e12.)"""
    settings = Settings(n0=10, n1=10, seed=1, rule="momentum", lr=900.0, l2=1000.0, momentum=0.99)
    data = generate(settings)
    params = step_params(settings, len(data))
    x, y, order = kernel.prepare(data.x), kernel.prepare(data.y), kernel.prepare(np.arange(len(data)))
    broken = kernel.run(x, y, order, 0, len(data), 0.5, 0.1, params)
    assert broken.diverged and broken.position > 0
    sane = kernel.run(x, y, order, 0, broken.position, 0.5, 0.1, params)
    assert not sane.diverged
    assert (broken.w, broken.b, broken.rule_state) == (sane.w, sane.b, sane.rule_state)
    assert broken.rule_state != AT_REST


def test_both_kernels_agree_bit_for_bit_on_every_rule():
    compiled = compiled_kernel()
    if compiled is None:
        pytest.skip("numba is not installed (the 'fast' extra)")
    for rule in ("plain", "momentum", "adam"):
        for optimizer in ("sgd", "minibatch"):
            settings = Settings(n0=40, n1=40, rule=rule, optimizer=optimizer, lr=0.05, l2=0.1, epochs=8)
            data = generate(settings)
            runs = [Trainer(settings, data, kernel=kernel) for kernel in (PYTHON_KERNEL, compiled)]
            for trainer in runs:
                trainer.step_samples(9)
                trainer.run_to_end()
            python, numba = runs
            assert (python.w, python.b, python.rule_state) == (numba.w, numba.b, numba.rule_state)


def test_rules_train_on_the_loops_compiled_at_warm_up():
    """Every rule reaches the compiled loops as the types they were compiled for: no pause to compile again."""
    compiled = compiled_kernel()
    if compiled is None:
        pytest.skip("numba is not installed (the 'fast' extra)")
    loops = (compiled._span, compiled._epochs)
    before = [list(loop.signatures) for loop in loops]
    for rule in ("momentum", "adam"):
        settings = Settings(n0=10, n1=10, rule=rule, epochs=3)
        trainer = Trainer(settings, generate(settings), kernel=compiled)
        trainer.step_batch()
        trainer.run_to_end()
    assert [list(loop.signatures) for loop in loops] == before


def test_changing_the_rule_or_its_parameters_restarts_the_run():
    settings = Settings(n0=10, n1=10, rule="momentum", epochs=3)
    for change in ({"rule": "adam"}, {"momentum": 0.5}, {"beta1": 0.8}, {"beta2": 0.9}, {"eps": 1e-6}):
        trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
        trainer.run_epochs(2)
        assert trainer.update_settings(settings.replace(**change))
        assert (trainer.epoch, trainer.rule_state) == (0, AT_REST)


def test_a_new_learning_rate_keeps_the_velocity():
    """PyTorch's velocity holds gradients, not steps, so η can change mid-run and the velocity carries on."""
    settings = Settings(n0=10, n1=10, rule="momentum", epochs=5)
    trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    trainer.run_epochs(2)
    kept = trainer.rule_state
    assert not trainer.update_settings(settings.replace(lr=0.5))
    assert trainer.rule_state == kept != AT_REST


def test_the_command_line_chooses_the_rule_and_its_parameters():
    command = parse_train_args(["--rule", "adam", "--beta1", "0.8", "--beta2", "0.95", "--eps", "1e-6",
                                "--momentum", "0.5"])
    assert (command.settings.rule, command.settings.beta1, command.settings.beta2, command.settings.eps,
            command.settings.momentum) == ("adam", 0.8, 0.95, 1e-6, 0.5)
    with pytest.raises(UsageError, match="--beta2: Adam β₂ must be a finite number, 0 or more and less than 1"):
        parse_train_args(["--rule", "adam", "--beta2", "1"])
    with pytest.raises(UsageError, match="--eps: Adam ε must be a finite number greater than 0"):
        parse_train_args(["--eps", "0"])
    with pytest.raises(UsageError, match="invalid choice: 'nesterov'"):
        parse_train_args(["--rule", "nesterov"])


def test_rule_state_is_the_trainers_state():
    settings = Settings(n0=10, n1=10, rule="adam", epochs=3)
    trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    trainer.run_epochs(1)
    state = trainer.state()
    assert isinstance(state.rule_state, RuleState) and state.rule_state == trainer.rule_state
    assert Trainer.restored(settings, trainer.data, state).rule_state == trainer.rule_state


def test_the_loops_default_parameters_carry_the_fades_of_their_betas():
    defaults = StepParams(0.1, 0.0, 0, 1)
    assert (defaults.fade1, defaults.fade2) == (power_fades(defaults.beta1), power_fades(defaults.beta2))
