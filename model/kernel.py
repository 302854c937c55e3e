"""The inner training loop, written once: it runs as plain Python, or compiled by numba when the `fast` extra is
installed. Compilation happens on first use (on the training thread), never at import, so start-up stays quick.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from math import exp, isfinite
from typing import Any

import numpy as np

LOSS_CODES = {"bce": 0, "mse": 1}
PARAMETER_LIMIT = 1e12
"""A weight or bias beyond this has run away: the next z would swamp double precision."""

OK = 0
DIVERGED = 1

DISABLE_COMPILED_ENV = "NEURON_LAB_PURE_PYTHON"


def train_span(x, y, order, start, stop, w, b, lr, l2, loss_code, batch_size):
    """Apply the updates for order[start:stop], batch_size samples per update.

    For each batch: ŷ = σ(w·x + b), error signal s = ŷ − y (BCE) or 2(ŷ − y)ŷ(1 − ŷ) (MSE),
    w ← w − η(mean(s·x) + λw), b ← b − η·mean(s). With one sample and BCE this is exactly the tutorial's rule
    w ← w − η(ŷ − y)x, b ← b − η(ŷ − y).
    Returns (w, b, position reached, status); on divergence w and b are the last values that were still sane and
    the position is the start of the batch that broke them.
    """
    position = start
    while position < stop:
        end = min(position + batch_size, stop)
        grad_w = 0.0
        grad_b = 0.0
        for k in range(position, end):
            i = order[k]
            z = w * x[i] + b
            if z >= 0.0:
                y_hat = 1.0 / (1.0 + exp(-z))
            else:
                e = exp(z)
                y_hat = e / (1.0 + e)
            signal = y_hat - y[i] if loss_code == 0 else 2.0 * (y_hat - y[i]) * y_hat * (1.0 - y_hat)
            grad_w += signal * x[i]
            grad_b += signal
        count = end - position
        new_w = w - lr * (grad_w / count + l2 * w)
        new_b = b - lr * (grad_b / count)
        if not (isfinite(new_w) and isfinite(new_b) and abs(new_w) < PARAMETER_LIMIT and abs(new_b) < PARAMETER_LIMIT):
            return w, b, position, DIVERGED
        w = new_w
        b = new_b
        position = end
    return w, b, position, OK


@dataclass(frozen=True)
class SpanResult:
    w: float
    b: float
    position: int
    diverged: bool


class Kernel:
    """Runs train_span through numba when it is available and allowed, else as plain Python on lists."""

    def __init__(self, function: Callable[..., Any], compiled: bool):
        self._function = function
        self.compiled = compiled

    def prepare(self, values: np.ndarray) -> Any:
        """The container the loop indexes fastest: a contiguous array for numba, a list of floats for Python."""
        return np.ascontiguousarray(values) if self.compiled else values.tolist()

    def run(self, x: Any, y: Any, order: Any, start: int, stop: int, w: float, b: float, lr: float, l2: float,
            loss: str, batch_size: int) -> SpanResult:
        w, b, position, status = self._function(
            x, y, order, int(start), int(stop), float(w), float(b), float(lr), float(l2), LOSS_CODES[loss],
            int(batch_size),
        )
        return SpanResult(float(w), float(b), int(position), status == DIVERGED)


PYTHON_KERNEL = Kernel(train_span, compiled=False)
_compiled_kernel: Kernel | None = None
_compile_lock = threading.Lock()


def compiled_kernel() -> Kernel | None:
    """The numba-compiled kernel, or None without numba. The first call compiles it (or loads it from numba's
    disk cache) by running it once, so the cost is paid here and not in the middle of training."""
    global _compiled_kernel
    with _compile_lock:
        if _compiled_kernel is None:
            try:
                import numba
            except ImportError:
                return None
            kernel = Kernel(numba.njit(cache=True, nogil=True)(train_span), compiled=True)
            one = np.zeros(1)
            kernel.run(one, one, np.zeros(1, dtype=np.int64), 0, 1, 0.0, 0.0, 0.1, 0.0, "bce", 1)
            _compiled_kernel = kernel
        return _compiled_kernel


def best_kernel() -> Kernel:
    """The fastest kernel this installation has; set NEURON_LAB_PURE_PYTHON=1 to force plain Python."""
    if os.environ.get(DISABLE_COMPILED_ENV) == "1":
        return PYTHON_KERNEL
    return compiled_kernel() or PYTHON_KERNEL
