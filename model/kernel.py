"""The inner training loop, written once: it runs as plain Python, or compiled by numba when the `fast` extra is
installed. Compilation happens on first use (on the training thread), never at import, so start-up stays quick.

Every function here is plain Python that numba can also compile. The loops call their helpers by name; numba learns
to compile those helpers when the compiled kernel is built (see compiled_kernel), so the source stays one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil, exp, isfinite, log1p, log2, sqrt
from typing import Any, NamedTuple

import numpy as np

from model.data import Dataset
from model.neuron import accuracy, objective
from model.settings import LOSSES, RULES, Settings, effective_batch_size

LOSS_CODES = {loss: code for code, loss in enumerate(LOSSES)}
RULE_CODES = {rule: code for code, rule in enumerate(RULES)}
PARAMETER_LIMIT = 1e12
"""A weight or bias beyond this has run away: the next z would swamp double precision."""

OK = 0
DIVERGED = 1
NEVER = 2**62
"""A count of updates no run reaches."""

DISABLE_COMPILED_ENV = "NEURON_LAB_PURE_PYTHON"

LOG_2 = 0.693147180559945309417232121458176568
"""log 2 to double precision, as numpy's logaddexp adds it when both arguments are equal."""

PAIRWISE_BLOCK = 128
"""numpy sums at most this many numbers in one run of eight partial sums before it splits them in two."""

GATHER_FROM = 1 << 18
"""From this many samples on (x and y then take 4 MiB, more than the L2 caches hold), the compiled kernel
reads each epoch's samples from copies made in the epoch's order: below, the copies cost more than they save."""


class StepParams(NamedTuple):
    """How the loops update w and b, as one argument: numba compiles a named tuple of numbers as plain values. The
    rule's parameters are there whichever rule runs; only its own are read."""

    lr: float
    l2: float
    loss_code: int
    batch_size: int
    rule_code: int = 0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    fade1: int = 369
    """From this many updates on, 1 − β₁ᵗ is 1.0 exactly (power_fades(β₁)); step_params derives it from β₁."""
    fade2: int = 38_797
    """Likewise for β₂."""


class RuleState(NamedTuple):
    """What an update rule carries from one update to the next: momentum's velocity v, Adam's running means m and s
    of the gradient and its square, and Adam's count t of updates made. All zero for plain gradient descent, and at
    the start of every run."""

    v_w: float = 0.0
    v_b: float = 0.0
    m_w: float = 0.0
    m_b: float = 0.0
    s_w: float = 0.0
    s_b: float = 0.0
    t: int = 0


AT_REST = RuleState()
"""Every rule's state before its first update."""


def step_params(settings: Settings, n_samples: int) -> StepParams:
    """The loops' parameters for a run with these settings on n_samples samples, each of the one type the compiled
    loops are compiled for."""
    return StepParams(float(settings.lr), float(settings.l2), LOSS_CODES[settings.loss],
                      effective_batch_size(settings, n_samples), RULE_CODES[settings.rule], float(settings.momentum),
                      float(settings.beta1), float(settings.beta2), float(settings.eps),
                      power_fades(settings.beta1), power_fades(settings.beta2))


def power_fades(beta: float) -> int:
    """The count t from which 1 − βᵗ rounds to 1.0 exactly: there βᵗ ≤ 2^−56, a quarter of what 1.0 − x needs to
    round back to 1.0, so pow's last-bit error cannot matter. Adam's bias corrections skip pow from there on."""
    if beta <= 0.0:
        return 0
    fall = -log2(beta)
    return NEVER if fall <= 56.0 / NEVER else ceil(56.0 / fall)


def rule_direction(grad_w, grad_b, params, state):
    """How an update moves w and b from the batch's gradient (λ·w already in grad_w), as PyTorch's optimisers do:
    (step size, direction for w, direction for b, the rule's new state), and the update is θ ← θ − size·direction.

    Plain: size η along g. Momentum: v ← μ·v + g, size η along v. Adam: t ← t + 1, m ← β₁·m + (1 − β₁)·g,
    s ← β₂·s + (1 − β₂)·g², which makes θ ← θ − η·m̂ / (√ŝ + ε) with m̂ = m / (1 − β₁ᵗ) and ŝ = s / (1 − β₂ᵗ),
    worked in PyTorch's order: size η / (1 − β₁ᵗ) along m / (√s / √(1 − β₂ᵗ) + ε). βᵗ is taken with a float
    exponent, which numba and Python both hand to the C library's pow, so both kernels agree; from power_fades on,
    1 − βᵗ is 1.0 exactly and pow is skipped.
    """
    v_w, v_b, m_w, m_b, s_w, s_b, t = state
    lr = params.lr
    if params.rule_code == 0:
        return lr, grad_w, grad_b, state
    if params.rule_code == 1:
        v_w = params.momentum * v_w + grad_w
        v_b = params.momentum * v_b + grad_b
        return lr, v_w, v_b, (v_w, v_b, m_w, m_b, s_w, s_b, t)
    beta1 = params.beta1
    beta2 = params.beta2
    t = t + 1
    m_w = beta1 * m_w + (1.0 - beta1) * grad_w
    m_b = beta1 * m_b + (1.0 - beta1) * grad_b
    s_w = beta2 * s_w + (1.0 - beta2) * (grad_w * grad_w)
    s_b = beta2 * s_b + (1.0 - beta2) * (grad_b * grad_b)
    size = lr if t >= params.fade1 else lr / (1.0 - beta1 ** float(t))
    root2 = 1.0 if t >= params.fade2 else sqrt(1.0 - beta2 ** float(t))
    direction_w = m_w / (sqrt(s_w) / root2 + params.eps)
    direction_b = m_b / (sqrt(s_b) / root2 + params.eps)
    return size, direction_w, direction_b, (v_w, v_b, m_w, m_b, s_w, s_b, t)


def train_span(x, y, order, start, stop, w, b, params, state):
    """Apply the updates for order[start:stop], params.batch_size samples per update, the rule's state (a plain
    tuple of RuleState's fields) carried from update to update.

    For each batch: ŷ = σ(w·x + b), error signal s = ŷ − y (BCE) or 2(ŷ − y)ŷ(1 − ŷ) (MSE), gradient
    g_w = mean(s·x) + λw, g_b = mean(s), then θ ← θ − size·direction by rule_direction. With one sample, BCE and
    the plain rule this is exactly the tutorial's rule w ← w − η(ŷ − y)x, b ← b − η(ŷ − y).
    Returns (w, b, position reached, status, state); on divergence w, b and the state are the last that were still
    sane and the position is the start of the batch that broke them.
    """
    w, b, position, status, _, state = train_and_measure(x, y, order, start, stop, w, b, params, state, x, y,
                                                         np.empty(0), False)
    return w, b, position, status, state


def train_and_measure(x, y, order, start, stop, w, b, params, state, data_x, data_y, terms, measuring):
    """train_span, and when `measuring`, the loss and accuracy of the starting w and b on the way.

    The update at position k also takes sample k of (data_x, data_y), in data order, at the starting w and b: its
    loss goes to terms[k] and a right prediction counts in the fifth of the returned values. That work does not
    depend on the updates, so the processor does it while each update waits for the one before.
    σ is taken as numerator / (1 + e^−|z|), the numerator 1 or e^−|z| by the sign of z: bit for bit the two
    formulas σ = 1 / (1 + e^−z) for z ≥ 0 and e^z / (1 + e^z) below, without a branch the data decides. A mean
    over one sample is the sum itself (x / 1 = x exactly), so single-sample updates skip that division.
    The parameters are read into locals once, outside the loop.
    """
    l2 = params.l2
    loss_code = params.loss_code
    batch_size = params.batch_size
    start_w = w
    start_b = b
    correct = 0
    grad_w = 0.0
    grad_b = 0.0
    batch_start = start
    batch_end = min(start + batch_size, stop)
    for k in range(start, stop):
        i = order[k]
        z = w * x[i] + b
        e = exp(-abs(z))
        y_hat = (1.0 if z >= 0.0 else e) / (1.0 + e)
        signal = y_hat - y[i] if loss_code == 0 else 2.0 * (y_hat - y[i]) * y_hat * (1.0 - y_hat)
        grad_w += signal * x[i]
        grad_b += signal
        if measuring:
            term, hit = sample_measure(start_w, start_b, data_x[k], data_y[k], loss_code)
            terms[k] = term
            correct += hit
        if k + 1 == batch_end:
            count = batch_end - batch_start
            mean_w = grad_w if count == 1 else grad_w / count
            mean_b = grad_b if count == 1 else grad_b / count
            size, direction_w, direction_b, new_state = rule_direction(mean_w + l2 * w, mean_b, params, state)
            new_w = w - size * direction_w
            new_b = b - size * direction_b
            if not (isfinite(new_w) and isfinite(new_b) and abs(new_w) < PARAMETER_LIMIT
                    and abs(new_b) < PARAMETER_LIMIT):
                return w, b, batch_start, DIVERGED, correct, state
            w = new_w
            b = new_b
            state = new_state
            grad_w = 0.0
            grad_b = 0.0
            batch_start = batch_end
            batch_end = min(batch_end + batch_size, stop)
    return w, b, max(start, stop), OK, correct, state


def train_epochs(epoch_x, epoch_y, orders, data_x, data_y, count, w, b, params, state, terms, measuring,
                 measure_last, records):
    """Up to `count` whole epochs in one call, stopping only when the weights run away.

    Epoch e visits orders[e % len(orders)] over epoch_x[e % len(epoch_x)] and epoch_y alike: either the data with
    each epoch's order, or each epoch's samples already in its order with one order that reads them in turn.
    records[0] gets the starting w and b, records[e + 1] those after epoch e. With `measuring`, a row also gets
    the loss and accuracy there (columns 2 and 3), taken on (data_x, data_y) during the next epoch's updates, or
    for the last row in a pass of its own if `measure_last`; terms holds each sample's loss meanwhile.
    Returns (whole epochs done, w, b, position, status, the rule's state): after a divergence in epoch `done`, w, b
    and the state are its last sane values and position is where it stopped.
    """
    n = len(data_x)
    l2 = params.l2
    loss_code = params.loss_code
    records[0][0] = w
    records[0][1] = b
    for epoch in range(count):
        start_w = w
        start_b = b
        w, b, position, status, correct, state = train_and_measure(
            epoch_x[epoch % len(epoch_x)], epoch_y[epoch % len(epoch_y)], orders[epoch % len(orders)], 0, n, w, b,
            params, state, data_x, data_y, terms, measuring)
        if measuring:
            if status == DIVERGED:
                correct = measure_samples(data_x, data_y, start_w, start_b, loss_code, terms)
            record_measure(records[epoch], terms, correct, start_w, l2)
        if status == DIVERGED:
            return epoch, w, b, position, status, state
        records[epoch + 1][0] = w
        records[epoch + 1][1] = b
    if measuring and measure_last:
        correct = measure_samples(data_x, data_y, w, b, loss_code, terms)
        record_measure(records[count], terms, correct, w, l2)
    return count, w, b, 0, OK, state


def gather(data_x, data_y, orders, epoch_x, epoch_y):
    """epoch_x[e, k], epoch_y[e, k] = data_x[i], data_y[i] for i = orders[e, k]: each epoch's samples in its order,
    x and y taken in the same pass."""
    for epoch in range(len(orders)):
        for k in range(len(orders[epoch])):
            i = orders[epoch][k]
            epoch_x[epoch][k] = data_x[i]
            epoch_y[epoch][k] = data_y[i]


def loss_and_accuracy(data_x, data_y, w, b, l2, loss_code):
    """(loss, accuracy) at w and b: model.neuron's objective and accuracy, computed the same way sample by sample."""
    terms = np.empty(len(data_x))
    correct = measure_samples(data_x, data_y, w, b, loss_code, terms)
    record = np.empty(4)
    record_measure(record, terms, correct, w, l2)
    return record[2], record[3]


def measure_samples(data_x, data_y, w, b, loss_code, terms):
    """Each sample's loss into terms; returns how many samples are predicted right."""
    correct = 0
    for k in range(len(data_x)):
        term, hit = sample_measure(w, b, data_x[k], data_y[k], loss_code)
        terms[k] = term
        correct += hit
    return correct


def record_measure(record, terms, correct, w, l2):
    """record[2], record[3] = mean loss plus (λ/2)·w², and accuracy, as model.neuron computes them."""
    n = len(terms)
    record[2] = pairwise_sum(terms) / n + 0.5 * l2 * w * w
    record[3] = correct / n


def sample_measure(w, b, x, label, loss_code):
    """(loss, 1 if predicted right else 0) of one sample, as model.neuron's per-sample loss and accuracy have it."""
    z = w * x + b
    hit = 1 if (z > 0.0) == (label == 1.0) else 0
    if loss_code == 0:
        return log_one_plus_exp(-z if label == 1.0 else z), hit
    e = exp(-abs(z))
    error = (1.0 if z >= 0.0 else e) / (1.0 + e) - label
    return error * error, hit


def log_one_plus_exp(t):
    """log(1 + e^t) with the bits of numpy's logaddexp(0, t), which is max(t, 0) + log1p(e^−|t|) (at t = 0,
    log1p(1) is log 2 to the last bit, the value numpy returns there). Written without branches on t, which the
    data would decide."""
    return (t if t > 0.0 else 0.0) + log1p(exp(-abs(t)))


def pairwise_sum(values):
    """The sum of `values` in numpy's order: runs of up to PAIRWISE_BLOCK numbers, each as eight interleaved partial
    sums, halves split at a multiple of eight and added back up the tree. np.sum gives the same bits, and its
    rounding error grows with the logarithm of the count instead of the count."""
    sums = np.empty(64)
    depth = 0
    tasks = [(0, len(values), False)]
    while len(tasks) > 0:
        start, count, combine = tasks.pop()
        if combine:
            depth -= 1
            sums[depth - 1] += sums[depth]
        elif count <= PAIRWISE_BLOCK:
            sums[depth] = block_sum(values, start, count)
            depth += 1
        else:
            half = count // 2 - count // 2 % 8
            tasks.append((start, count, True))
            tasks.append((start + half, count - half, False))
            tasks.append((start, half, False))
    return sums[0]


def block_sum(values, start, count):
    """numpy's sum of at most PAIRWISE_BLOCK numbers: one by one below eight, else eight running sums."""
    if count < 8:
        total = 0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < count - count % 8:
        k = start + i
        r0 += values[k]
        r1 += values[k + 1]
        r2 += values[k + 2]
        r3 += values[k + 3]
        r4 += values[k + 4]
        r5 += values[k + 5]
        r6 += values[k + 6]
        r7 += values[k + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(start + i, start + count):
        total += values[k]
    return total


@dataclass(frozen=True)
class SpanResult:
    w: float
    b: float
    position: int
    diverged: bool
    rule_state: RuleState = AT_REST


@dataclass(frozen=True)
class EpochsResult:
    """Whole epochs run in one call: a row (w, b, loss, accuracy) after each, and where the call stopped (after
    the last whole epoch, or at the last sane point of the epoch that diverged)."""

    records: np.ndarray
    w: float
    b: float
    position: int
    diverged: bool
    rule_state: RuleState = AT_REST


class Kernel:
    """Runs the loops above through numba when it is available and allowed, else as plain Python on lists.

    The compiled kernel is given loss_and_accuracy compiled, and measures whole epochs inside their loop. Plain
    Python (measure None) leaves measuring to numpy's objective and accuracy, faster than a Python loop could be.
    """

    def __init__(self, span: Callable[..., Any], epochs: Callable[..., Any], measure: Callable[..., Any] | None = None,
                 gather_into: Callable[..., Any] | None = None):
        self._span = span
        self._epochs = epochs
        self._measure = measure
        self._gather = gather_into
        self.compiled = measure is not None

    def prepare(self, values: np.ndarray) -> Any:
        """The container the loop indexes fastest: a contiguous array for numba, a list of floats for Python."""
        return np.ascontiguousarray(values) if self.compiled else values.tolist()

    def run(self, x: Any, y: Any, order: Any, start: int, stop: int, w: float, b: float, params: StepParams,
            state: RuleState = AT_REST) -> SpanResult:
        w, b, position, status, state = self._span(x, y, order, int(start), int(stop), float(w), float(b), params,
                                                   _plain_state(state))
        return SpanResult(float(w), float(b), int(position), status == DIVERGED, _rule_state(state))

    def measure(self, data: Dataset, w: float, b: float, loss: str, l2: float) -> tuple[float, float]:
        """(loss, accuracy) at w and b, equal to model.neuron's objective and accuracy within a few ulps."""
        if not self.compiled:
            return objective(w, b, data, loss, l2), accuracy(w, b, data)
        found, correct = self._measure(data.x, data.y, float(w), float(b), float(l2), LOSS_CODES[loss])
        return float(found), float(correct)

    def epoch_inputs(self, data: Dataset, orders: np.ndarray, reuse: tuple[Any, Any, Any] | None = None
                     ) -> tuple[Any, Any, Any]:
        """What run_epochs reads for epochs in the given orders (a row each, or one row for every epoch).

        Plain Python reads lists. The compiled kernel reads arrays, and for large data each epoch's samples copied
        in its order beforehand: visiting them at random costs a cache miss per sample once they no longer fit in
        the cache, while a copy is read front to back. `reuse`, inputs returned earlier for at least as many
        epochs and no longer read, lends its memory (fresh memory costs a page fault per page). Safe to call on
        another thread."""
        if not self.compiled:
            return [data.x.tolist()], [data.y.tolist()], orders.tolist()
        if len(data) < GATHER_FROM:
            return data.x[np.newaxis], data.y[np.newaxis], orders
        if reuse is None:
            epoch_x, epoch_y = np.empty(orders.shape), np.empty(orders.shape)
        else:
            epoch_x, epoch_y = (spare.base[:len(orders)] for spare in reuse[:2])
        self._gather(data.x, data.y, orders, epoch_x, epoch_y)
        return _read_only(epoch_x), _read_only(epoch_y), np.arange(len(data))[np.newaxis]

    def run_epochs(self, data: Dataset, runs: Iterable[tuple[int, Any]], count: int, w: float, b: float,
                   params: StepParams, state: RuleState = AT_REST) -> EpochsResult:
        """Up to `count` whole epochs from (w, b) and the rule's state, taken from `runs` as (epochs,
        epoch_inputs(...)) one kernel call at a time. Each call measures its starting point during its first epoch,
        so only the last call measures apart from the updates. Stops early when the weights run away or once an
        epoch has ended with a loss that is not finite (training stops there, so nothing after it is measured)."""
        records = np.zeros((count + 1, 4))
        terms = np.empty(len(data) if self.compiled else 0)
        x, y = self.prepare(data.x), self.prepare(data.y)
        done, position, status, plain_state = 0, 0, OK, _plain_state(state)
        for epochs, (epoch_x, epoch_y, visits) in runs:
            first = done
            ran, w, b, position, status, plain_state = self._epochs(
                epoch_x, epoch_y, visits, x, y, int(epochs), float(w), float(b), params, plain_state, terms,
                self.compiled, done + epochs == count, records[first:first + epochs + 1],
            )
            done += ran
            if not self.compiled:
                self._measure_rows(data, records[first + 1:done + 1], LOSSES[params.loss_code], params.l2)
            if status == DIVERGED or not np.isfinite(records[max(first, 1):done + 1, 2:]).all():
                break
        return EpochsResult(records[1:done + 1], float(w), float(b), int(position), status == DIVERGED,
                            _rule_state(plain_state))

    def _measure_rows(self, data: Dataset, rows: np.ndarray, loss: str, l2: float) -> None:
        """numpy's loss and accuracy for each row's w and b, up to the first that is not finite."""
        for row in rows:
            row[2:] = self.measure(data, row[0], row[1], loss, l2)
            if not np.isfinite(row[2:]).all():
                return


def _plain_state(state: RuleState) -> tuple:
    """The state as the loops take it: a plain tuple of six floats and an int, the one type they are compiled for."""
    return (*(float(value) for value in state[:6]), int(state.t))


def _rule_state(values: tuple) -> RuleState:
    return RuleState(*(float(value) for value in values[:6]), int(values[6]))


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only view, like the data itself, so the compiled loop needs one version for both. Its base is the
    memory a later call may reuse."""
    view = values.view()
    view.flags.writeable = False
    return view


PYTHON_KERNEL = Kernel(train_span, train_epochs)
_compiled_kernel: Kernel | None = None
_compile_lock = threading.Lock()

_HELPERS = (train_and_measure, rule_direction, measure_samples, record_measure, sample_measure, log_one_plus_exp,
            pairwise_sum, block_sum)
"""The functions the compiled loops call: numba compiles each where it is called."""


def compiled_kernel() -> Kernel | None:
    """The numba-compiled kernel, or None without numba. The first call compiles it (or loads it from numba's
    disk cache) by running it once, so the cost is paid here and not in the middle of training."""
    global _compiled_kernel
    with _compile_lock:
        if _compiled_kernel is None:
            try:
                from numba import njit
                from numba.extending import register_jitable
            except ImportError:
                return None
            for helper in _HELPERS:
                register_jitable(helper)
            jit = njit(cache=True, nogil=True)
            kernel = Kernel(jit(train_span), jit(train_epochs), jit(loss_and_accuracy), jit(gather))
            _warm_up(kernel)
            _compiled_kernel = kernel
        return _compiled_kernel


def _warm_up(kernel: Kernel) -> None:
    """One call of each kind on the types training passes (read-only samples, int64 orders, step_params' record), the
    copying of large data's samples included."""
    data = Dataset([-1.0, 1.0], [0.0, 1.0])
    order = np.arange(2)
    params = step_params(Settings(), len(data))
    kernel.run(kernel.prepare(data.x), kernel.prepare(data.y), order, 0, 2, 0.0, 0.0, params)
    kernel.measure(data, 0.0, 0.0, "bce", 0.0)
    kernel.run_epochs(data, [(1, kernel.epoch_inputs(data, order[np.newaxis]))], 1, 0.0, 0.0, params)
    kernel._gather(data.x, data.y, order[np.newaxis], np.empty((1, 2)), np.empty((1, 2)))


def best_kernel() -> Kernel:
    """The fastest kernel this installation has; set NEURON_LAB_PURE_PYTHON=1 to force plain Python."""
    if os.environ.get(DISABLE_COMPILED_ENV) == "1":
        return PYTHON_KERNEL
    return compiled_kernel() or PYTHON_KERNEL
