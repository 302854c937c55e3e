"""One update taken apart: each sample's share of the gradient, the step it adds up to, and the update written out
with its numbers, as a learner would work it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, floor, log10

import numpy as np

from model.data import Dataset
from model.neuron import objective, sigmoid
from model.trainer import Trainer

DIGITS = 4
"""Significant digits of the numbers on the card: enough to follow the arithmetic, few enough to read."""

MAX_DIGITS = 12
"""Never more digits than this, even when a step is too small to show beside its value."""


@dataclass(frozen=True, eq=False)
class UpdateAnatomy:
    """One update on one batch (a single sample for SGD), from (w, b) to (new_w, new_b).

    x, y, y_hat and signal are per batch sample, in the order the update visits them. grad_w_data is the batch mean
    of signal·x; grad_w = grad_w_data + λw and grad_b make the batch gradient, step = −η·gradient is the arrow, and
    (new_w, new_b) = (w, b) + step is bit for bit the trainer's next state. The losses are over the whole data.
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
            data: Dataset) -> UpdateAnatomy:
    """The update the trainer makes on this batch, with every intermediate number.

    The arithmetic repeats model.kernel.train_span operation for operation — sequential sums over the batch in its
    order, then w − η·(Σ/count + λw) — so the new (w, b) equal the trainer's next state exactly, not nearly.
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
    new_w = w - lr * grad_w
    new_b = b - lr * grad_b
    return UpdateAnatomy(
        w=w, b=b, lr=lr, l2=l2, loss=loss, x=_frozen(xs), y=_frozen(ys), y_hat=_frozen(y_hats),
        signal=_frozen(signals), grad_w_data=grad_w_data, grad_w=grad_w, grad_b=grad_b, step_w=-(lr * grad_w),
        step_b=-(lr * grad_b), new_w=new_w, new_b=new_b, loss_before=objective(w, b, data, loss, l2),
        loss_after=objective(new_w, new_b, data, loss, l2),
    )


def card(update: UpdateAnatomy) -> list[str]:
    """The worked update as lines of text, numbers filled in.

    One sample: the tutorial's rule with its numbers, e.g. w ← 0.8123 − 0.01 · (0.731 − 1) · 1.42 = 0.816. A batch:
    the gradient as a mean over the batch, with the λ·w term when there is an L2 penalty. Results carry enough
    digits to show that they changed.
    """
    w_digits = _digits(update.w, update.new_w)
    b_digits = _digits(update.b, update.new_b)
    old_w, new_w = number(update.w, w_digits), number(update.new_w, w_digits)
    old_b, new_b = number(update.b, b_digits), number(update.new_b, b_digits)
    lr = number(update.lr)
    penalty = f" + {number(update.l2)} · {_factor(update.w)}" if update.l2 > 0 else ""
    if update.x.size == 1:
        lines = _sample_lines(update)
        signal = _signal_text(update)
        w_pull = f"({signal} · {_factor(update.x[0])}{penalty})" if penalty else f"{signal} · {_factor(update.x[0])}"
        lines += [f"w ← {old_w} − {lr} · {w_pull} = {new_w}", f"b ← {old_b} − {lr} · {signal} = {new_b}"]
    else:
        count = update.x.size
        rule = "(ŷ − y)" if update.loss == "bce" else "2(ŷ − y)·ŷ(1 − ŷ)"
        penalty_rule = " + λ·w" if penalty else ""
        w_mean = number(update.grad_w_data)
        w_sum = f" = {w_mean}{penalty}" if penalty else ""
        lines = [
            f"∂w = mean over {count} samples of {rule}·x{penalty_rule}{w_sum} = {number(update.grad_w)}",
            f"w ← {old_w} − {lr} · {_factor(update.grad_w)} = {new_w}",
            f"∂b = mean over {count} samples of {rule} = {number(update.grad_b)}",
            f"b ← {old_b} − {lr} · {_factor(update.grad_b)} = {new_b}",
        ]
    loss_digits = _digits(update.loss_before, update.loss_after)
    lines.append(f"loss {number(update.loss_before, loss_digits)} → {number(update.loss_after, loss_digits)}")
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
    update = anatomy(trainer.w, trainer.b, data.x[indices], data.y[indices], s.lr, s.l2, s.loss, data)
    share_w, share_b = shares(trainer.w, trainer.b, data.x, data.y, s.loss)
    trainer.step_batch()
    for array in (indices, share_w, share_b):
        array.flags.writeable = False
    return UpdateStep(update, indices, share_w, share_b)
