"""Training state: where the neuron is, how far training has gone, and what happened on the way.

The trainer advances by one update, one epoch or many epochs, and hands out immutable views of itself so a display
thread can draw any moment while training goes on.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from model.data import Dataset
from model.history import EpochRecord, History, HistoryView, Snapshots
from model.kernel import (
    AT_REST,
    PARAMETER_LIMIT,
    EpochsResult,
    Kernel,
    RuleState,
    SpanResult,
    best_kernel,
    step_params,
)
from model.neuron import accuracy, boundary, objective
from model.settings import Settings, classify_change, effective_batch_size

INIT_RANGE = 0.01
"""Random initial w and b are drawn uniformly from [−0.01, 0.01], as in the tutorial: small, so σ starts steep."""

class Status(StrEnum):
    """Where a run stands; its text is what sessions and result.json hold."""

    READY = "ready"
    TRAINING = "training"
    FINISHED = "finished"
    DIVERGED = "diverged"


READY, TRAINING, FINISHED, DIVERGED = Status

SAMPLES_PER_CALL = 1 << 18
"""Whole epochs go to the kernel in calls of about this many samples' updates: long enough that a call's cost in
Python is small beside it (and the window gets the GIL back only between calls), short enough that the orders
drawn for it stay small."""


@dataclass(frozen=True)
class Remedy:
    """What a learner can do when training runs away, in the words of where they train ({lr} is the learning rate):
    the window has a learning-rate field and Reset, the command line its options and another run."""

    lower_lr: str
    lower_lr_or_rescale: str


WINDOW_REMEDY = Remedy("Lower the learning rate (now {lr:g}) and reset.",
                       "Lower the learning rate (now {lr:g}) or rescale the data, and reset.")


@dataclass(frozen=True)
class TrainerView:
    """An immutable picture of the trainer at one moment: everything a figure or status line shows."""

    epoch: int
    position: int
    n_samples: int
    total_epochs: int
    updates: int
    w: float
    b: float
    loss: float
    accuracy: float
    boundary: float | None
    status: str
    message: str
    history: HistoryView
    snapshots: Snapshots

    @property
    def progress(self) -> float:
        """Fraction of the planned epochs done, counting a partial epoch."""
        return min(1.0, (self.epoch + self.position / self.n_samples) / self.total_epochs)


@dataclass(frozen=True)
class TrainerState:
    """Everything needed to carry on training exactly where it stopped, including the shuffling generator."""

    w: float
    b: float
    epoch: int
    position: int
    updates: int
    order: tuple[int, ...] | None
    rng_state: dict
    status: str
    message: str
    history: tuple[EpochRecord, ...]
    snapshots: tuple[EpochRecord, ...]
    rule_state: RuleState = AT_REST
    """The update rule's velocity, running means and update count (zeros for plain gradient descent)."""


class Trainer:
    """One neuron trained on one dataset with one set of settings."""

    def __init__(self, settings: Settings, data: Dataset, kernel: Kernel | None = None,
                 remedy: Remedy = WINDOW_REMEDY):
        self._configure(settings, data, kernel, remedy)
        self.reset()

    def _configure(self, settings: Settings, data: Dataset, kernel: Kernel | None, remedy: Remedy) -> None:
        self.settings = settings.validated()
        self.data = data
        self._kernel = kernel
        self._remedy = remedy

    @property
    def kernel(self) -> Kernel:
        """Chosen on first use, so that compiling never delays opening the window."""
        if self._kernel is None:
            self._kernel = best_kernel()
        return self._kernel

    def reset(self) -> None:
        """Back to epoch 0 with the initial weights the settings and seed give."""
        self._set_start()
        self._current = self._measure(self.w, self.b)
        if self._current is None:
            raise ValueError(f"The neuron cannot start on these samples: its loss at w = {self.w:g}, b = {self.b:g} is "
                             f"not a finite number (the samples reach |x| = {self._reach():.3g}). Rescale the data.")
        self._record_epoch()

    def _set_start(self) -> None:
        """Every field as at epoch 0, the start not measured yet (reset measures it; a restored state replaces it)."""
        self._rng = np.random.default_rng((self.settings.seed, 1))
        drawn_w, drawn_b = self._rng.uniform(-INIT_RANGE, INIT_RANGE, size=2)
        self.w = float(drawn_w if self.settings.init_w is None else self.settings.init_w)
        self.b = float(drawn_b if self.settings.init_b is None else self.settings.init_b)
        self.epoch = 0
        self.position = 0
        self.updates = 0
        self.rule_state = AT_REST
        self.order: np.ndarray | None = None
        self.status = READY
        self.message = "Ready to train."
        self.history = History()
        self.snapshots: list[EpochRecord] = []
        self._prepared: tuple | None = None
        self._current: tuple[float, float] | None = None
        self._unmeasured = False

    def update_settings(self, settings: Settings) -> bool:
        """Adopt new settings. Returns True if that changed the run and training was reset."""
        settings = settings.validated()
        change = classify_change(self.settings, settings)
        self.settings = settings
        if change.restart:
            self.reset()
            return True
        if self.status == FINISHED and self.epoch < settings.epochs:
            self.status, self.message = TRAINING, "Training can go on: more epochs were asked for."
        elif self.status == TRAINING and self.epoch >= settings.epochs and self.position == 0:
            self._finish()
        return False

    @property
    def can_train(self) -> bool:
        return self.status in (READY, TRAINING)

    def next_batch(self) -> np.ndarray | None:
        """The indices of the samples the next step_batch will use, in order, or None when training cannot go on.

        At an epoch's start this draws the epoch's order exactly as step_batch would, so the step that follows uses
        these samples: what lets the window take one update apart before it happens."""
        if not self.can_train:
            return None
        start = self._begin_epoch_if_needed()
        return self.order[start:min(start + self._batch_size(), len(self.data))].copy()

    def step_batch(self) -> None:
        """One update: one sample for SGD, one batch for mini-batch, the whole data for full batch."""
        if self.can_train:
            start = self._begin_epoch_if_needed()
            self._advance(start, min(start + self._batch_size(), len(self.data)))

    def step_epoch(self) -> None:
        """Finish the current epoch (a whole one when at an epoch's start)."""
        if not self.can_train:
            return
        if self.order is None:
            self._run_whole_epochs(1)
        else:
            self._advance(self.position, len(self.data))

    def step_samples(self, count: int, measure: bool = True) -> None:
        """About `count` samples' worth of whole updates, across epoch ends: a slow animation's smooth pace.

        Without `measure` (training as fast as it can), the loss and accuracy where this stops inside an epoch are
        measured only once a view or the state asks for them: at a million samples one measurement costs as much
        as hundreds of thousands of updates, and slices of an epoch follow each other many times per view."""
        remaining = count
        while remaining > 0 and self.can_train:
            start = self._begin_epoch_if_needed()
            batch = self._batch_size()
            stop = min(start + max(batch, remaining - remaining % batch), len(self.data))
            self._advance(start, stop, measure)
            remaining -= stop - start

    def run_epochs(self, count: int) -> None:
        """Up to `count` epochs, stopping early at the planned end or on divergence.

        An epoch under way is finished first; the whole epochs after it go to the kernel many per call."""
        if count > 0 and self.order is not None:
            self.step_epoch()
            count -= 1
        if count > 0 and self.can_train:
            self._run_whole_epochs(min(count, max(1, self.settings.epochs - self.epoch)))

    def run_to_end(self) -> None:
        self.run_epochs(max(0, self.settings.epochs - self.epoch))

    def view(self) -> TrainerView:
        self._settle()
        history = self.history.view()
        loss, correct = self._current
        return TrainerView(
            epoch=self.epoch, position=self.position, n_samples=len(self.data), total_epochs=self.settings.epochs,
            updates=self.updates, w=self.w, b=self.b, loss=loss, accuracy=correct, boundary=boundary(self.w, self.b),
            status=self.status, message=self.message, history=history, snapshots=Snapshots(self.snapshots),
        )

    def state(self, with_history: bool = True) -> TrainerState:
        """The trainer's full state, for saving a session; without its history (empty history and snapshots) it
        costs nothing in proportion to the epochs run, for a timeline's keyframes."""
        self._settle()
        records = self.history.view().records() if with_history else ()
        return TrainerState(
            w=self.w, b=self.b, epoch=self.epoch, position=self.position, updates=self.updates,
            order=None if self.order is None else tuple(int(i) for i in self.order),
            rng_state=self._rng.bit_generator.state, status=self.status, message=self.message,
            history=tuple(records), snapshots=tuple(self.snapshots if with_history else ()), rule_state=self.rule_state,
        )

    @classmethod
    def restored(cls, settings: Settings, data: Dataset, state: TrainerState, kernel: Kernel | None = None,
                 remedy: Remedy = WINDOW_REMEDY, reached: bool = False) -> Trainer:
        """A trainer that continues from a saved state exactly as the original would have (with `kernel`, on the
        same computation as a trainer given it). A state this run `reached` itself (a timeline's keyframe) is not
        measured until asked: a replay measures where it stops, and at a million samples each measurement it
        spares costs 20–40 ms.

        Raises ValueError if the generator state is not one numpy accepts, or if the saved w and b give a loss that
        is not a finite number.
        """
        trainer = cls.__new__(cls)
        trainer._configure(settings, data, kernel, remedy)
        trainer._set_start()
        trainer._rng.bit_generator.state = state.rng_state
        if reached:
            trainer._unmeasured = True
        else:
            trainer._current = trainer._measure(state.w, state.b)
            if trainer._current is None:
                raise ValueError(f"the saved w = {state.w:g}, b = {state.b:g} give a loss that is not a finite number")
        trainer.w, trainer.b = state.w, state.b
        trainer.epoch, trainer.position, trainer.updates = state.epoch, state.position, state.updates
        trainer.rule_state = state.rule_state
        trainer.order = None if state.order is None else np.array(state.order, dtype=np.int64)
        trainer.status, trainer.message = state.status, state.message
        trainer.history = History(len(state.history))
        for record in state.history:
            trainer.history.append(record)
        trainer.snapshots = list(state.snapshots)
        return trainer

    def current_loss(self) -> float:
        s = self.settings
        return objective(self.w, self.b, self.data, s.loss, s.l2)

    def _batch_size(self) -> int:
        return effective_batch_size(self.settings, len(self.data))

    def _begin_epoch_if_needed(self) -> int:
        if self.order is None:
            n = len(self.data)
            self._use_order(self._rng.permutation(n) if self.settings.shuffle else np.arange(n))
            self.status, self.message = TRAINING, "Training."
        return self.position

    def _use_order(self, order: np.ndarray | None) -> None:
        self.order = order
        self._prepared = None

    def _advance(self, start: int, stop: int, measure: bool = True) -> None:
        """Updates over order[start:stop], read as the kernel reads whole epochs (in order, for large data)."""
        kernel = self.kernel
        if self._prepared is None:
            self._prepared = tuple(inputs[0] for inputs in kernel.epoch_inputs(self.data, self.order[np.newaxis]))
        x, y, order = self._prepared
        params = step_params(self.settings, len(self.data))
        self._adopt_span(start, kernel.run(x, y, order, start, stop, self.w, self.b, params, self.rule_state), measure)

    def _run_whole_epochs(self, count: int) -> None:
        """`count` epochs from an epoch's start, many per kernel call, leaving the state that as many calls of the
        one-epoch path would leave: weights, history, status and the shuffling generator alike."""
        s = self.settings
        self.status, self.message = TRAINING, "Training."
        orders = _EpochOrders(self._rng, self.data, s.shuffle, self.kernel)
        runs = orders.runs(count)
        try:
            result = self.kernel.run_epochs(self.data, runs, count, self.w, self.b, step_params(s, len(self.data)),
                                            self.rule_state)
        finally:
            runs.close()
        self._adopt_epochs(result, orders)

    def _adopt_epochs(self, result: EpochsResult, orders: _EpochOrders) -> None:
        """Take whole epochs' results as the one-epoch path would have, up to the first whose loss is not a finite
        number or the one that diverged: there training stopped inside an epoch, with that epoch's order."""
        records = result.records
        finite = np.isfinite(records[:, 2:]).all(axis=1)
        whole = len(records) if finite.all() else int(np.argmin(finite))
        if whole:
            self._record_epochs(records[:whole])
        if whole == len(records) and not result.diverged:
            self.rule_state = result.rule_state
            return
        self._use_order(orders.rewind(whole + 1))
        if whole < len(records):
            self._stop_not_finite(records[whole, 0], records[whole, 1])
        else:
            self._adopt_span(0, SpanResult(result.w, result.b, result.position, True, result.rule_state))

    def _adopt_span(self, start: int, result: SpanResult, measure: bool = True) -> None:
        """Move to where a span of updates from `start` ended: its last finite point, its updates counted, the epoch
        ended or the divergence reported. Without `measure`, a span that stops inside an epoch leaves its loss and
        accuracy to be measured when asked for (see _settle)."""
        s = self.settings
        batch = self._batch_size()
        if measure or result.diverged or result.position >= len(self.data):
            measured = self._measure(result.w, result.b, self.kernel)
            if measured is None:
                self._stop_not_finite(result.w, result.b)
                return
            self._current, self._unmeasured = measured, False
        else:
            self._unmeasured = True
        self.updates += -(-(result.position - start) // batch)
        self.w, self.b, self.position = result.w, result.b, result.position
        self.rule_state = result.rule_state
        if result.diverged:
            self.status = DIVERGED
            self.message = (
                f"Training diverged in epoch {self.epoch + 1} at sample {self.position}: the weights ran away "
                f"(beyond ±{PARAMETER_LIMIT:.0e}). {self._remedy.lower_lr.format(lr=s.lr)}"
            )
            if s.lr * s.l2 > 2:
                self.message += (f" With the L2 penalty, each update multiplies w by 1 − η·λ = {1 - s.lr * s.l2:g}; "
                                 "beyond −1 that grows without bound.")
            return
        if self.position >= len(self.data):
            self.epoch += 1
            self.position = 0
            self._use_order(None)
            self._record_epoch()
            if self.epoch >= s.epochs:
                self._finish()

    def _settle(self) -> None:
        """Measure the loss and accuracy at w and b if training moved them without measuring. Should they not be
        finite numbers, training stops there, showing the last finite ones measured (the window's limits on the
        data keep every loss finite; only samples beyond them, given to the trainer directly, can get here)."""
        if not self._unmeasured:
            return
        self._unmeasured = False
        measured = self._measure(self.w, self.b, self.kernel)
        if measured is None:
            self._stop_not_finite(self.w, self.b)
        else:
            self._current = measured

    def _finish(self) -> None:
        self.status = FINISHED
        self.message = f"Finished {self.epoch} epochs."

    def _measure(self, w: float, b: float, kernel: Kernel | None = None) -> tuple[float, float] | None:
        """(loss, accuracy) at w and b, or None when any of the four is not a finite number.

        Training measures with its kernel, as the kernel measures whole epochs, so every row of the history comes
        from the same computation however the epoch was run. Starting points are measured by numpy: choosing the
        kernel may compile it."""
        if not (math.isfinite(w) and math.isfinite(b)):
            return None
        s = self.settings
        if kernel is None:
            loss, correct = objective(w, b, self.data, s.loss, s.l2), accuracy(w, b, self.data)
        else:
            loss, correct = kernel.measure(self.data, w, b, s.loss, s.l2)
        return (loss, correct) if math.isfinite(loss) and math.isfinite(correct) else None

    def _stop_not_finite(self, w: float, b: float) -> None:
        """Keep the last finite w and b (those before this update) and say what ran away."""
        what = "the loss" if math.isfinite(w) and math.isfinite(b) else "w or b"
        self.status = DIVERGED
        self.message = (
            f"Training diverged in epoch {self.epoch + 1}: {what} stopped being a finite number (the samples reach "
            f"|x| = {self._reach():.3g}); w and b are the last finite ones. "
            f"{self._remedy.lower_lr_or_rescale.format(lr=self.settings.lr)}"
        )

    def _reach(self) -> float:
        return float(np.max(np.abs(self.data.x)))

    def _record_epochs(self, records: np.ndarray) -> None:
        """Adopt rows (w, b, loss, accuracy) of whole epochs from the current one on, as that many _record_epoch
        calls would: history in one write, snapshots at their interval (history row k is epoch k), the run finished
        at its planned end."""
        first = self.epoch + 1
        epochs = np.arange(first, first + len(records))
        w, b, loss, correct = records.T
        self.history.extend(epochs, w, b, loss, correct)
        view = self.history.view()
        every = self.settings.every
        for epoch in range(first + (-first) % every, first + len(records), every):
            self.snapshots.append(view.record(epoch))
        self.epoch += len(records)
        self.updates += len(records) * -(-len(self.data) // self._batch_size())
        self.w, self.b = float(w[-1]), float(b[-1])
        self._current, self._unmeasured = (float(loss[-1]), float(correct[-1])), False
        if self.epoch >= self.settings.epochs:
            self._finish()

    def _record_epoch(self) -> None:
        loss, correct = self._current
        record = EpochRecord(self.epoch, self.w, self.b, loss, correct, boundary(self.w, self.b))
        self.history.append(record)
        if self.epoch % self.settings.every == 0:
            self.snapshots.append(record)


@dataclass(frozen=True)
class _Run:
    """The orders of a run of epochs (a row each, or one row for all without shuffling), the kernel's inputs for
    them (None until made), and the generator state they were drawn from (None without shuffling)."""

    epochs: int
    orders: np.ndarray
    inputs: Any
    drawn_from: dict | None


class _EpochOrders:
    """Epochs' orders for whole-epoch training, drawn from the trainer's generator exactly as the one-epoch path
    draws them, rng.permutation(n) per epoch: that is arange(n) shuffled in place, and rng.permuted(rows of
    arange(n), axis=1) shuffles row after row the same way in one call (its extra step at the first element draws
    nothing), letting go of the GIL for all of them."""

    def __init__(self, rng: np.random.Generator, data: Dataset, shuffle: bool, kernel: Kernel):
        self._rng = rng
        self._data = data
        self._shuffle = shuffle
        self._kernel = kernel
        self._drawn: list[tuple[int, dict | None]] = []

    def runs(self, count: int) -> Iterator[tuple[int, Any]]:
        """The next `count` epochs as (epochs, kernel inputs) in runs of about SAMPLES_PER_CALL samples.

        With the compiled kernel the next run is drawn on a helper thread while the kernel trains on this one
        (and while the first run's samples are copied): both let go of the GIL, so on two cores shuffling takes
        no time of its own. Each run is drawn into the memory of the run before the kernel's current one, which it
        is done with. The generator is used by one thread at a time, and nothing is left drawing once this is
        closed."""
        per_call = max(1, SAMPLES_PER_CALL // len(self._data))
        sizes = [min(per_call, count - start) for start in range(0, count, per_call)]
        pipelined = self._kernel.compiled and len(sizes) > 1
        helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuron-lab-orders") if pipelined else None
        following: Future | None = None
        previous: _Run | None = None
        try:
            for index, size in enumerate(sizes):
                run = following.result() if following is not None else self._drawn_orders(size, previous)
                following = None
                if helper is not None and index + 1 < len(sizes):
                    following = helper.submit(self._draw, sizes[index + 1], previous)
                if run.inputs is None:
                    run = self._with_inputs(run, previous)
                self._drawn.append((run.epochs, run.drawn_from))
                previous = run
                yield run.epochs, run.inputs
        finally:
            if helper is not None:
                helper.shutdown()

    def rewind(self, begun: int) -> np.ndarray:
        """Put the generator where the one-epoch path leaves it, after the orders of the `begun` epochs training
        reached (not those drawn for epochs it never ran), and return the last of those orders."""
        first = 0
        for epochs, drawn_from in self._drawn:
            if begun <= first + epochs:
                if drawn_from is None:
                    return np.arange(len(self._data))
                self._rng.bit_generator.state = drawn_from
                return self._orders(begun - first, None)[-1]
            first += epochs
        raise IndexError("training cannot have begun more epochs than were drawn")

    def _draw(self, epochs: int, spare: _Run | None) -> _Run:
        """The next `epochs` epochs' orders and the kernel's inputs for them, in `spare`'s memory when given."""
        return self._with_inputs(self._drawn_orders(epochs, spare), spare)

    def _drawn_orders(self, epochs: int, spare: _Run | None) -> _Run:
        drawn_from = self._rng.bit_generator.state if self._shuffle else None
        return _Run(epochs, self._orders(epochs, None if spare is None else spare.orders), None, drawn_from)

    def _with_inputs(self, run: _Run, spare: _Run | None) -> _Run:
        inputs = self._kernel.epoch_inputs(self._data, run.orders, None if spare is None else spare.inputs)
        return dataclasses.replace(run, inputs=inputs)

    def _orders(self, count: int, spare: np.ndarray | None) -> np.ndarray:
        """`count` orders, a row each, in `spare`'s first rows when given; without shuffling, the one row
        arange(n)."""
        n = len(self._data)
        if not self._shuffle:
            return np.arange(n)[np.newaxis]
        orders = np.empty((count, n), dtype=np.int64) if spare is None else spare[:count]
        return self._rng.permuted(np.broadcast_to(np.arange(n), orders.shape), axis=1, out=orders)
