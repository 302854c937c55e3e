"""One update taken apart: each sample's share of the gradient, the step it adds up to, and the update written out
with its numbers, as a learner would work it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, floor, log10

import numpy as np

from model.data import Dataset
from model.kernel import AT_REST, LOSS_CODES, RuleState, StepParams, rule_direction, step_params
from model.neuron import objective, sigmoid
from model.settings import RULES
from model.trainer import Trainer

DIGITS = 4
"""Significant digits of the numbers on the card: enough to follow the arithmetic, few enough to read."""

MAX_DIGITS = 12
"""Never more digits than this, even when a step is too small to show beside its value."""


@dataclass(frozen=True, eq=False)
class UpdateAnatomy:
    """One update on one batch (a single sample for SGD), from (w, b) to (new_w, new_b).

    x, y, y_hat and signal are per batch sample, in the order the update visits them. grad_w_data is the batch mean
    of signal·x; grad_w = grad_w_data + λw and grad_b make the batch gradient. The update rule turns it into a step
    size and a direction (the gradient itself for plain descent, the velocity v for momentum, m̂ / (√ŝ + ε) for
    Adam); step = −size·direction is the arrow, and (new_w, new_b) = (w, b) + step is bit for bit the trainer's next
    state, as is the rule's state after it (`after`; `before` is the state it started from). The losses are over
    the whole data.
    """

    w: float
    b: float
    lr: float
    l2: float
    loss: str
    x: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray
    signal: np.ndarray
    grad_w_data: float
    grad_w: float
    grad_b: float
    step_w: float
    step_b: float
    new_w: float
    new_b: float
    loss_before: float
    loss_after: float
    params: StepParams
    before: RuleState = AT_REST
    after: RuleState = AT_REST
    size: float = 0.0
    direction_w: float = 0.0
    direction_b: float = 0.0

    @property
    def rule(self) -> str:
        return RULES[self.params.rule_code]


def shares(w: float, b: float, x: np.ndarray, y: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's share of the gradient of the mean loss before dividing by N: (signal·x, signal).

    The signal is ŷ − y for BCE and 2(ŷ − y)·ŷ(1 − ŷ) for MSE; their means, plus λw on w, are the gradient, so the
    shares show which samples pull the update, and which way.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y_hat = sigmoid(w * x + b)
    signal = y_hat - y if loss == "bce" else 2.0 * (y_hat - y) * y_hat * (1.0 - y_hat)
    return signal * x, signal


def anatomy(w: float, b: float, x_batch: np.ndarray, y_batch: np.ndarray, lr: float, l2: float, loss: str,
            data: Dataset, params: StepParams | None = None, state: RuleState = AT_REST) -> UpdateAnatomy:
    """The update the trainer makes on this batch, with every intermediate number; `params` give the update rule
    (plain descent with lr and l2 when None) and `state` the rule's state before the update.

    The arithmetic repeats model.kernel.train_span operation for operation — sequential sums over the batch in its
    order, then the kernel's own rule_direction on Σ/count + λw — so the new (w, b) and the rule's new state equal
    the trainer's next state exactly, not nearly.
    """
    xs = [float(value) for value in np.asarray(x_batch, dtype=np.float64).reshape(-1)]
    ys = [float(value) for value in np.asarray(y_batch, dtype=np.float64).reshape(-1)]
    w, b, lr, l2 = float(w), float(b), float(lr), float(l2)
    y_hats: list[float] = []
    signals: list[float] = []
    sum_w = 0.0
    sum_b = 0.0
    for x_i, y_i in zip(xs, ys, strict=True):
        y_hat = _sigmoid_as_trained(w * x_i + b)
        signal = y_hat - y_i if loss == "bce" else 2.0 * (y_hat - y_i) * y_hat * (1.0 - y_hat)
        y_hats.append(y_hat)
        signals.append(signal)
        sum_w += signal * x_i
        sum_b += signal
    count = len(xs)
    grad_w_data = sum_w / count
    grad_w = grad_w_data + l2 * w
    grad_b = sum_b / count
    params = StepParams(lr, l2, LOSS_CODES[loss], count) if params is None else params
    size, direction_w, direction_b, after = rule_direction(grad_w, grad_b, params, tuple(state))
    new_w = w - size * direction_w
    new_b = b - size * direction_b
    return UpdateAnatomy(
        w=w, b=b, lr=lr, l2=l2, loss=loss, x=_frozen(xs), y=_frozen(ys), y_hat=_frozen(y_hats),
        signal=_frozen(signals), grad_w_data=grad_w_data, grad_w=grad_w, grad_b=grad_b, step_w=-(size * direction_w),
        step_b=-(size * direction_b), new_w=new_w, new_b=new_b, loss_before=objective(w, b, data, loss, l2),
        loss_after=objective(new_w, new_b, data, loss, l2), params=params, before=state, after=RuleState(*after),
        size=size, direction_w=direction_w, direction_b=direction_b,
    )


def card(update: UpdateAnatomy) -> list[str]:
    """The worked update as lines of text, numbers filled in.

    One sample: the tutorial's rule with its numbers, e.g. w ← 0.8123 − 0.01 · (0.731 − 1) · 1.42 = 0.816. A batch:
    the gradient as a mean over the batch, with the λ·w term when there is an L2 penalty. With momentum or Adam the
    gradient comes first, then the rule's own formulas with their numbers (v; m, m̂, s, ŝ) and the step they make.
    Results carry enough digits to show that they changed.
    """
    w_digits = _digits(update.w, update.new_w)
    b_digits = _digits(update.b, update.new_b)
    old_w, new_w = number(update.w, w_digits), number(update.new_w, w_digits)
    old_b, new_b = number(update.b, b_digits), number(update.new_b, b_digits)
    lr = number(update.lr)
    penalty = f" + {number(update.l2)} · {_factor(update.w)}" if update.l2 > 0 else ""
    if update.rule != "plain":
        lines = _gradient_lines(update, penalty)
        lines += (_momentum_lines if update.rule == "momentum" else _adam_lines)(update, (old_w, new_w),
                                                                                  (old_b, new_b))
    elif update.x.size == 1:
        lines = _sample_lines(update)
        signal = _signal_text(update)
        w_pull = f"({signal} · {_factor(update.x[0])}{penalty})" if penalty else f"{signal} · {_factor(update.x[0])}"
        lines += [f"w ← {old_w} − {lr} · {w_pull} = {new_w}", f"b ← {old_b} − {lr} · {signal} = {new_b}"]
    else:
        w_line, b_line = _gradient_lines(update, penalty)
        lines = [w_line, f"w ← {old_w} − {lr} · {_factor(update.grad_w)} = {new_w}",
                 b_line, f"b ← {old_b} − {lr} · {_factor(update.grad_b)} = {new_b}"]
    loss_digits = _digits(update.loss_before, update.loss_after)
    lines.append(f"loss {number(update.loss_before, loss_digits)} → {number(update.loss_after, loss_digits)}")
    return lines


def adam_corrected(update: UpdateAnatomy) -> tuple[float, float, float, float]:
    """(m̂_w, m̂_b, ŝ_w, ŝ_b) of an Adam update: the running means after it, divided by 1 − β₁ᵗ and 1 − β₂ᵗ."""
    params, after = update.params, update.after
    correction1 = 1.0 - params.beta1 ** float(after.t)
    correction2 = 1.0 - params.beta2 ** float(after.t)
    return after.m_w / correction1, after.m_b / correction1, after.s_w / correction2, after.s_b / correction2


def rule_arrow(update: UpdateAnatomy) -> tuple[float, float]:
    """What the rule follows instead of the gradient, on the gradient's scale: the step divided by −η. The velocity
    v for momentum, m̂ / (√ŝ + ε) for Adam, the gradient itself for plain descent."""
    scale = update.size / update.lr
    return scale * update.direction_w, scale * update.direction_b


def _gradient_lines(update: UpdateAnatomy, penalty: str) -> list[str]:
    """∂w and ∂b with their numbers: from the sample for one sample, as batch means otherwise."""
    if update.x.size == 1:
        signal = _signal_text(update)
        return [*_sample_lines(update), f"∂w = {signal} · {_factor(update.x[0])}{penalty} = {number(update.grad_w)}",
                f"∂b = {signal} = {number(update.grad_b)}"]
    count = update.x.size
    rule = "(ŷ − y)" if update.loss == "bce" else "2(ŷ − y)·ŷ(1 − ŷ)"
    penalty_rule = " + λ·w" if penalty else ""
    w_sum = f" = {number(update.grad_w_data)}{penalty}" if penalty else ""
    return [f"∂w = mean over {count} samples of {rule}·x{penalty_rule}{w_sum} = {number(update.grad_w)}",
            f"∂b = mean over {count} samples of {rule} = {number(update.grad_b)}"]


def _momentum_lines(update: UpdateAnatomy, w: tuple[str, str], b: tuple[str, str]) -> list[str]:
    mu, lr = number(update.params.momentum), number(update.lr)
    before, after = update.before, update.after
    return [f"v_w ← {mu} · {_factor(before.v_w)} + {_factor(update.grad_w)} = {number(after.v_w)}",
            f"w ← {w[0]} − {lr} · {_factor(after.v_w)} = {w[1]}",
            f"v_b ← {mu} · {_factor(before.v_b)} + {_factor(update.grad_b)} = {number(after.v_b)}",
            f"b ← {b[0]} − {lr} · {_factor(after.v_b)} = {b[1]}"]


def _adam_lines(update: UpdateAnatomy, w: tuple[str, str], b: tuple[str, str]) -> list[str]:
    params, before, after = update.params, update.before, update.after
    beta1, beta2, lr, eps = number(params.beta1), number(params.beta2), number(update.lr), number(params.eps)
    keep1, keep2 = number(1.0 - params.beta1), number(1.0 - params.beta2)
    m_hat_w, m_hat_b, s_hat_w, s_hat_b = adam_corrected(update)
    t = after.t
    lines = [f"t = {t}"]
    for name, g, m0, m1, s0, s1, m_hat, s_hat, (old, new) in (
            ("w", update.grad_w, before.m_w, after.m_w, before.s_w, after.s_w, m_hat_w, s_hat_w, w),
            ("b", update.grad_b, before.m_b, after.m_b, before.s_b, after.s_b, m_hat_b, s_hat_b, b)):
        lines += [f"m_{name} ← {beta1} · {_factor(m0)} + {keep1} · {_factor(g)} = {number(m1)}",
                  f"m̂_{name} = m_{name} / (1 − {beta1}^{t}) = {number(m_hat)}",
                  f"s_{name} ← {beta2} · {number(s0)} + {keep2} · {_factor(g)}² = {number(s1)}",
                  f"ŝ_{name} = s_{name} / (1 − {beta2}^{t}) = {number(s_hat)}",
                  f"{name} ← {old} − {lr} · {_factor(m_hat)} / (√{number(s_hat)} + {eps}) = {new}"]
    return lines


def number(value: float, digits: int = DIGITS) -> str:
    """A readable number: `digits` significant digits, scientific when huge or tiny, a true minus sign."""
    text = f"{value:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


def _sample_lines(update: UpdateAnatomy) -> list[str]:
    x, y, y_hat = update.x[0], update.y[0], update.y_hat[0]
    lines = [f"x = {number(x)}, y = {number(y)}",
             f"ŷ = σ({number(update.w)} · {_factor(x)} {_signed(update.b)}) = {number(y_hat)}"]
    if update.loss == "mse":
        lines.append(f"error signal 2(ŷ − y)·ŷ(1 − ŷ) = 2 · ({number(y_hat)} − {number(y)}) · {number(y_hat)} · "
                     f"(1 − {number(y_hat)}) = {number(update.signal[0])}")
    return lines


def _signal_text(update: UpdateAnatomy) -> str:
    """BCE's signal as the tutorial writes it, (ŷ − y); MSE's as the number worked out on the line above."""
    if update.loss == "bce":
        return f"({number(update.y_hat[0])} − {number(update.y[0])})"
    return _factor(update.signal[0])


def _factor(value: float) -> str:
    """A number to multiply by: in brackets when negative, so no two signs meet."""
    text = number(value)
    return f"({text})" if value < 0 else text


def _signed(value: float) -> str:
    return f"− {number(-value)}" if value < 0 else f"+ {number(value)}"


def _digits(old: float, new: float) -> int:
    """Enough significant digits that old and new print differently when they differ."""
    change = abs(new - old)
    if change == 0 or old == 0 or not np.isfinite(change):
        return DIGITS
    below = floor(log10(abs(old))) - floor(log10(change))
    return min(MAX_DIGITS, max(DIGITS, below + 2))


def _sigmoid_as_trained(z: float) -> float:
    """σ(z) exactly as the training kernel evaluates it."""
    if z >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


def _frozen(values: list[float]) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class UpdateStep:
    """One update as the window shows it: its anatomy, which samples it used (indices into the data), and every
    sample's shares of the gradient at the point before it."""

    update: UpdateAnatomy
    indices: np.ndarray
    share_w: np.ndarray
    share_b: np.ndarray


def take_one_update(trainer: Trainer) -> UpdateStep | None:
    """Make the trainer's next update and return it taken apart, or None when training cannot go on."""
    indices = trainer.next_batch()
    if indices is None:
        return None
    data, s = trainer.data, trainer.settings
    update = anatomy(trainer.w, trainer.b, data.x[indices], data.y[indices], s.lr, s.l2, s.loss, data,
                     step_params(s, len(data)), trainer.rule_state)
    share_w, share_b = shares(trainer.w, trainer.b, data.x, data.y, s.loss)
    trainer.step_batch()
    for array in (indices, share_w, share_b):
        array.flags.writeable = False
    return UpdateStep(update, indices, share_w, share_b)
