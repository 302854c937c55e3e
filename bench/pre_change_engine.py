"""The engine's per-epoch training loop as it was before whole epochs went to the kernel in one call: the reference
that bench_sgd.py times the new engine against.

A faithful copy of what Trainer.run_epochs did per epoch: draw the order with rng.permutation, hand it to the
compiled train_span (its source as it was then: σ by the sign of z, every batch mean divided by its count), measure
loss and accuracy with numpy (model.neuron, unchanged), then record the epoch. Stopping on divergence is kept as a
status only: the benchmark never diverges.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from math import exp, isfinite
from typing import Any

import numpy as np

from model.data import Dataset
from model.history import EpochRecord, History
from model.kernel import LOSS_CODES, PARAMETER_LIMIT
from model.neuron import accuracy, boundary, objective
from model.settings import Settings, effective_batch_size

OK = 0
DIVERGED = 1


def pre_change_train_span(x, y, order, start, stop, w, b, lr, l2, loss_code, batch_size):
    """model.kernel.train_span as it was written before the change."""
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


@cache
def compiled_span() -> Callable[..., Any]:
    import numba

    return numba.njit(cache=True, nogil=True)(pre_change_train_span)


class PreChangeEngine:
    """Trainer's state and its run_epochs → step_epoch → _advance path, one kernel call and one numpy measurement
    per epoch, as before the change."""

    def __init__(self, settings: Settings, data: Dataset):
        self._span = compiled_span()
        self.settings = settings
        self.data = data
        self._rng = np.random.default_rng((settings.seed, 1))
        drawn_w, drawn_b = self._rng.uniform(-0.01, 0.01, size=2)
        self.w = float(drawn_w if settings.init_w is None else settings.init_w)
        self.b = float(drawn_b if settings.init_b is None else settings.init_b)
        self.epoch = 0
        self.updates = 0
        self.history = History()
        self.snapshots: list[EpochRecord] = []
        self.diverged = False
        self._current = self._measure(self.w, self.b)
        self._record_epoch()

    @property
    def rng_state(self) -> dict:
        return self._rng.bit_generator.state

    def run_epochs(self, count: int) -> None:
        for _ in range(count):
            if self.diverged or self.epoch >= self.settings.epochs:
                return
            self._step_epoch()

    def _step_epoch(self) -> None:
        n = len(self.data)
        s = self.settings
        order = self._rng.permutation(n) if s.shuffle else np.arange(n)
        prepared = np.ascontiguousarray(self.data.x), np.ascontiguousarray(self.data.y), np.ascontiguousarray(order)
        batch = effective_batch_size(s, n)
        w, b, position, status = self._span(*prepared, 0, n, self.w, self.b, float(s.lr), float(s.l2),
                                            LOSS_CODES[s.loss], batch)
        w, b, position = float(w), float(b), int(position)
        measured = self._measure(w, b)
        if measured is None:
            self.diverged = True
            return
        self.updates += -(-position // batch)
        self.w, self.b, self._current = w, b, measured
        if status == DIVERGED:
            self.diverged = True
            return
        self.epoch += 1
        self._record_epoch()

    def _measure(self, w: float, b: float) -> tuple[float, float] | None:
        if not (math.isfinite(w) and math.isfinite(b)):
            return None
        s = self.settings
        loss, correct = objective(w, b, self.data, s.loss, s.l2), accuracy(w, b, self.data)
        return (loss, correct) if math.isfinite(loss) and math.isfinite(correct) else None

    def _record_epoch(self) -> None:
        loss, correct = self._current
        record = EpochRecord(self.epoch, self.w, self.b, loss, correct, boundary(self.w, self.b))
        self.history.append(record)
        if self.epoch % self.settings.every == 0:
            self.snapshots.append(record)
