"""One update taken apart: shares against the gradient, the new state against the training kernel and a real
trainer bit for bit, and the card's numbers against the update's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from model.anatomy import UpdateAnatomy, adam_corrected, anatomy, card, number, rule_arrow, shares, take_one_update
from model.data import Dataset, generate
from model.kernel import LOSS_CODES, PYTHON_KERNEL, RuleState, StepParams, compiled_kernel, train_span
from model.neuron import gradient
from model.settings import Settings, effective_batch_size
from model.trainer import Trainer

pytestmark = pytest.mark.filterwarnings("error")

DATA = generate(Settings(n0=110, n1=90, seed=3))


def _kernels():
    compiled = compiled_kernel()
    marks = [] if compiled else [pytest.mark.skip(reason="numba is not installed (the 'fast' extra)")]
    return [pytest.param(PYTHON_KERNEL, id="python"), pytest.param(compiled, id="numba", marks=marks)]


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.25])
def test_mean_share_plus_penalty_is_the_gradient(loss, l2):
    w, b = 0.7, -0.4
    share_w, share_b = shares(w, b, DATA.x, DATA.y, loss)
    assert share_w.shape == share_b.shape == DATA.x.shape
    expected = gradient(w, b, DATA.x, DATA.y, loss, l2)
    assert (np.mean(share_w) + l2 * w, np.mean(share_b)) == pytest.approx(expected, rel=1e-14, abs=1e-16)


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("size", [1, 7, 32, 200])
def test_new_state_is_the_kernels_bit_for_bit(kernel, loss, size):
    rng = np.random.default_rng(size)
    for _ in range(20):
        batch = rng.choice(len(DATA), size, replace=False)
        w, b = rng.normal(0.0, 2.0, 2)
        lr, l2 = rng.uniform(0.001, 2.0), rng.choice([0.0, rng.uniform(0.0, 0.5)])
        update = anatomy(w, b, DATA.x[batch], DATA.y[batch], lr, l2, loss, DATA)
        params = StepParams(lr, l2, LOSS_CODES[loss], size)
        plain = train_span(DATA.x.tolist(), DATA.y.tolist(), batch.tolist(), 0, size, w, b, params,
                           tuple(RuleState()))
        run = kernel.run(kernel.prepare(DATA.x), kernel.prepare(DATA.y), kernel.prepare(batch), 0, size, w, b, params)
        assert (update.new_w, update.new_b) == plain[:2] == (run.w, run.b)
        assert (update.step_w, update.step_b) == (-(lr * update.grad_w), -(lr * update.grad_b))
        assert (update.new_w, update.new_b) == (update.w + update.step_w, update.b + update.step_b)


def _next_batch(trainer: Trainer) -> np.ndarray:
    """The samples the trainer's next update will use: its shuffled order mid-epoch, or all in order unshuffled."""
    order = np.arange(len(trainer.data)) if trainer.order is None else trainer.order
    size = effective_batch_size(trainer.settings, len(trainer.data))
    return order[trainer.position:trainer.position + size]


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize(("optimizer", "loss", "l2"), [("sgd", "bce", 0.0), ("minibatch", "mse", 0.1),
                                                       ("minibatch", "bce", 0.3), ("batch", "bce", 0.05)])
def test_new_state_is_the_trainers_next_state(kernel, optimizer, loss, l2, monkeypatch):
    if kernel is PYTHON_KERNEL:
        monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    settings = Settings(n0=110, n1=90, seed=3, optimizer=optimizer, loss=loss, l2=l2, lr=0.3, batch_size=16,
                        shuffle=optimizer != "batch")
    trainer = Trainer(settings, DATA, kernel=None if kernel is PYTHON_KERNEL else kernel)
    trainer.step_batch()
    assert trainer.kernel is kernel
    for _ in range(12):
        batch = _next_batch(trainer)
        update = anatomy(trainer.w, trainer.b, DATA.x[batch], DATA.y[batch], settings.lr, settings.l2, loss, DATA)
        assert update.loss_before == trainer.current_loss()
        trainer.step_batch()
        assert (trainer.w, trainer.b) == (update.new_w, update.new_b)
        assert update.loss_after == trainer.current_loss()
        if trainer.order is None and settings.shuffle:
            break


def _result(line: str) -> str:
    """The number after a line's last '= ', with ASCII minus signs."""
    return line.rsplit("= ", 1)[1].replace("−", "-")


def _shows(text: str, value: float) -> bool:
    """Whether text is value correctly rounded to 4 or more significant digits."""
    return any(text == f"{value:.{digits}g}" for digits in range(4, 13))


def test_card_for_one_sample_is_the_tutorials_rule():
    data = Dataset([1.42, -0.5], [1.0, 0.0])
    update = anatomy(0.8123, -0.1, [1.42], [1.0], 0.01, 0.0, "bce", data)
    lines = card(update)
    assert lines[:2] == ["x = 1.42, y = 1", f"ŷ = σ(0.8123 · 1.42 − 0.1) = {number(update.y_hat[0])}"]
    assert lines[2] == f"w ← 0.8123 − 0.01 · ({number(update.y_hat[0])} − 1) · 1.42 = {number(update.new_w)}"
    assert lines[3].startswith(f"b ← −0.1 − 0.01 · ({number(update.y_hat[0])} − 1) = ")
    assert re.fullmatch(r"loss \S+ → \S+", lines[4])


@pytest.mark.parametrize("size", [1, 16])
@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_card_prints_the_updates_results(size, loss, l2):
    rng = np.random.default_rng(size)
    batch = rng.choice(len(DATA), size, replace=False)
    update = anatomy(-0.35, 0.6, DATA.x[batch], DATA.y[batch], 0.05, l2, loss, DATA)
    lines = card(update)
    w_line = next(line for line in lines if line.startswith("w ←"))
    b_line = next(line for line in lines if line.startswith("b ←"))
    before, after = lines[-1].removeprefix("loss ").replace("−", "-").split(" → ")
    assert _shows(_result(w_line), update.new_w) and _shows(_result(b_line), update.new_b)
    assert _shows(before, update.loss_before) and _shows(after, update.loss_after)
    assert ("λ" in "".join(lines) or f"+ {number(l2)} · " in w_line) == (l2 > 0)
    if size > 1:
        assert f"mean over {size} samples" in lines[0]
        assert _shows(_result(lines[0]), update.grad_w)


def test_small_steps_still_show_a_change():
    update = anatomy(0.8123, -0.1, DATA.x[:4], DATA.y[:4], 1e-7, 0.0, "bce", DATA)
    w_line = next(line for line in card(update) if line.startswith("w ←"))
    old, new = w_line.removeprefix("w ← ").split(" − ")[0], _result(w_line)
    assert old != new and float(new) == pytest.approx(update.new_w, rel=1e-9)


@pytest.mark.parametrize(("value", "text"), [(0.81234567, "0.8123"), (-0.5, "−0.5"), (1.0, "1"),
                                             (123456789.0, "1.235e+08"), (-2.5e-07, "−2.5e-07")])
def test_numbers_are_readable(value, text):
    assert number(value) == text


@pytest.mark.parametrize("rule", ["plain", "momentum", "adam"])
def test_one_update_taken_apart_is_the_update_the_trainer_makes(rule):
    settings = Settings(optimizer="minibatch", batch_size=5, epochs=2, l2=0.05, rule=rule)
    trainer = Trainer(settings, generate(settings))
    twin = Trainer(settings, generate(settings))
    for _ in range(50):
        before = trainer.rule_state
        step = take_one_update(trainer)
        twin.step_batch()
        assert (step.update.new_w, step.update.new_b) == (trainer.w, trainer.b) == (twin.w, twin.b)
        assert (step.update.before, step.update.after) == (before, trainer.rule_state)
        assert (step.update.w + step.update.step_w, step.update.b + step.update.step_b) == (trainer.w, trainer.b)
        assert step.indices.size == step.update.x.size
        np.testing.assert_array_equal(trainer.data.x[step.indices], step.update.x)
        assert np.mean(step.share_w) + settings.l2 * step.update.w == pytest.approx(
            gradient(step.update.w, step.update.b, trainer.data.x, trainer.data.y, "bce", settings.l2)[0])
    trainer.run_to_end()
    assert take_one_update(trainer) is None


TWO = Dataset([2.0, -1.0], [1.0, 0.0])


def _second_update(rule: str) -> UpdateAnatomy:
    """From w = b = 0 with η = 0.1, the update on x = 2, y = 1, then the one on x = −1, y = 0, taken apart."""
    settings = Settings(n0=1, n1=1, lr=0.1, rule=rule, shuffle=False, init_w=0.0, init_b=0.0)
    trainer = Trainer(settings, TWO)
    take_one_update(trainer)
    return take_one_update(trainer).update


def test_momentum_card_by_hand():
    """First update: g = v = (−1, −½), (w, b) = (0.1, 0.05). Second, at x = −1, y = 0: ŷ = σ(−0.05) = 0.48750260,
    g = (−0.48750260, 0.48750260), v = (0.9·(−1) − 0.4875026, 0.9·(−½) + 0.4875026) = (−1.3875026, 0.0375026),
    w = 0.1 + 0.1·1.3875026 = 0.23875026, b = 0.05 − 0.1·0.0375026 = 0.04624974."""
    update = _second_update("momentum")
    assert (update.after.v_w, update.after.v_b) == pytest.approx((-1.3875026035, 0.0375026035), abs=1e-10)
    assert rule_arrow(update) == pytest.approx((update.after.v_w, update.after.v_b), rel=1e-15)
    lines = card(update)
    assert "∂w = (0.4875 − 0) · (−1) = −0.4875" in lines
    assert "v_w ← 0.9 · (−1) + (−0.4875) = −1.388" in lines
    assert "w ← 0.1 − 0.1 · (−1.388) = 0.2388" in lines
    assert "v_b ← 0.9 · (−0.5) + 0.4875 = 0.0375" in lines
    assert "b ← 0.05 − 0.1 · 0.0375 = 0.04625" in lines


def test_adam_card_by_hand():
    """First update from rest: g = (−1, −½), m = 0.1·g, s = 0.001·g², so m̂ = g = (−1, −½) and ŝ = g² = (1, ¼):
    w = −0.1·(−1)/(1 + 1e−8) = 0.1, b = −0.1·(−½)/(½ + 1e−8) = 0.1: Adam's first step is η·sign(g), to within ε.
    The card shows it at t = 1."""
    settings = Settings(n0=1, n1=1, lr=0.1, rule="adam", shuffle=False, init_w=0.0, init_b=0.0)
    update = take_one_update(Trainer(settings, TWO)).update
    assert adam_corrected(update) == pytest.approx((-1.0, -0.5, 1.0, 0.25), rel=1e-15)
    assert (update.new_w, update.new_b) == pytest.approx((0.1 / (1 + 1e-8), 0.05 / (0.5 + 1e-8)), rel=1e-15)
    assert rule_arrow(update) == pytest.approx((-1 / (1 + 1e-8), -0.5 / (0.5 + 1e-8)), rel=1e-15)
    lines = card(update)
    assert lines[2:5] == ["∂w = (0.5 − 1) · 2 = −1", "∂b = (0.5 − 1) = −0.5", "t = 1"]
    assert lines[5:10] == ["m_w ← 0.9 · 0 + 0.1 · (−1) = −0.1", "m̂_w = m_w / (1 − 0.9^1) = −1",
                           "s_w ← 0.999 · 0 + 0.001 · (−1)² = 0.001", "ŝ_w = s_w / (1 − 0.999^1) = 1",
                           "w ← 0 − 0.1 · (−1) / (√1 + 1e-08) = 0.1"]
    assert "m̂_b = m_b / (1 − 0.9^1) = −0.5" in lines
    assert "ŝ_b = s_b / (1 − 0.999^1) = 0.25" in lines
    assert "b ← 0 − 0.1 · (−0.5) / (√0.25 + 1e-08) = 0.1" in lines
