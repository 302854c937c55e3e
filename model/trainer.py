"""Training state: where the neuron is, how far training has gone, and what happened on the way.

The trainer advances by one update, one epoch or many epochs, and hands out immutable views of itself so a display
thread can draw any moment while training goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.data import Dataset
from model.history import EpochRecord, History, HistoryView
from model.kernel import PARAMETER_LIMIT, Kernel, best_kernel
from model.neuron import accuracy, boundary, objective
from model.settings import Settings, effective_batch_size

INIT_RANGE = 0.01
"""Random initial w and b are drawn uniformly from [−0.01, 0.01], as in the tutorial: small, so σ starts steep."""

LIVE_FIELDS = frozenset({"lr", "epochs", "every", "speed"})
"""Settings that can change during training; any other change starts training again."""

READY, TRAINING, FINISHED, DIVERGED = "ready", "training", "finished", "diverged"


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
    snapshots: tuple[EpochRecord, ...]

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


class Trainer:
    """One neuron trained on one dataset with one set of settings."""

    def __init__(self, settings: Settings, data: Dataset, kernel: Kernel | None = None):
        self.settings = settings.validated()
        self.data = data
        self._kernel = kernel
        self.reset()

    @property
    def kernel(self) -> Kernel:
        """Chosen on first use, so that compiling never delays opening the window."""
        if self._kernel is None:
            self._kernel = best_kernel()
        return self._kernel

    def reset(self) -> None:
        """Back to epoch 0 with the initial weights the settings and seed give."""
        self._rng = np.random.default_rng((self.settings.seed, 1))
        drawn_w, drawn_b = self._rng.uniform(-INIT_RANGE, INIT_RANGE, size=2)
        self.w = float(drawn_w if self.settings.init_w is None else self.settings.init_w)
        self.b = float(drawn_b if self.settings.init_b is None else self.settings.init_b)
        self.epoch = 0
        self.position = 0
        self.updates = 0
        self.order: np.ndarray | None = None
        self.status = READY
        self.message = "Ready to train."
        self.history = History()
        self.snapshots: list[EpochRecord] = []
        self._prepared: tuple | None = None
        self._record_epoch()

    def update_settings(self, settings: Settings) -> bool:
        """Adopt new settings. Returns True if that changed the run and training was reset."""
        settings = settings.validated()
        changed = {name for name, value in settings.to_dict().items() if getattr(self.settings, name) != value}
        self.settings = settings
        if changed - LIVE_FIELDS:
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

    def step_batch(self) -> None:
        """One update: one sample for SGD, one batch for mini-batch, the whole data for full batch."""
        if self.can_train:
            start = self._begin_epoch_if_needed()
            self._advance(start, min(start + self._batch_size(), len(self.data)))

    def step_epoch(self) -> None:
        """Finish the current epoch (a whole one when at an epoch's start)."""
        if self.can_train:
            start = self._begin_epoch_if_needed()
            self._advance(start, len(self.data))

    def step_samples(self, count: int) -> None:
        """About `count` samples' worth of whole updates, across epoch ends: a slow animation's smooth pace."""
        remaining = count
        while remaining > 0 and self.can_train:
            start = self._begin_epoch_if_needed()
            batch = self._batch_size()
            stop = min(start + max(batch, remaining - remaining % batch), len(self.data))
            self._advance(start, stop)
            remaining -= stop - start

    def run_epochs(self, count: int) -> None:
        """Up to `count` epochs, stopping early at the planned end or on divergence."""
        for _ in range(count):
            if not self.can_train:
                return
            self.step_epoch()

    def run_to_end(self) -> None:
        self.run_epochs(max(0, self.settings.epochs - self.epoch))

    def view(self) -> TrainerView:
        history = self.history.view()
        last = history.record(-1)
        if (last.w, last.b) == (self.w, self.b):
            loss, correct = last.loss, last.accuracy
        else:
            loss, correct = self.current_loss(), accuracy(self.w, self.b, self.data)
        return TrainerView(
            epoch=self.epoch, position=self.position, n_samples=len(self.data), total_epochs=self.settings.epochs,
            updates=self.updates, w=self.w, b=self.b, loss=loss, accuracy=correct, boundary=boundary(self.w, self.b),
            status=self.status, message=self.message, history=history, snapshots=tuple(self.snapshots),
        )

    def state(self) -> TrainerState:
        """The trainer's full state, for saving a session."""
        return TrainerState(
            w=self.w, b=self.b, epoch=self.epoch, position=self.position, updates=self.updates,
            order=None if self.order is None else tuple(int(i) for i in self.order),
            rng_state=self._rng.bit_generator.state, status=self.status, message=self.message,
            history=tuple(self.history.view().records()), snapshots=tuple(self.snapshots),
        )

    @classmethod
    def restored(cls, settings: Settings, data: Dataset, state: TrainerState) -> Trainer:
        """A trainer that continues from a saved state exactly as the original would have.

        Raises ValueError if the generator state is not one numpy accepts.
        """
        trainer = cls(settings, data)
        trainer._rng.bit_generator.state = state.rng_state
        trainer.w, trainer.b = state.w, state.b
        trainer.epoch, trainer.position, trainer.updates = state.epoch, state.position, state.updates
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
            self.order = self._rng.permutation(n) if self.settings.shuffle else np.arange(n)
            self._prepared = None
            self.status, self.message = TRAINING, "Training."
        return self.position

    def _advance(self, start: int, stop: int) -> None:
        kernel = self.kernel
        if self._prepared is None:
            self._prepared = (kernel.prepare(self.data.x), kernel.prepare(self.data.y), kernel.prepare(self.order))
        x, y, order = self._prepared
        s = self.settings
        batch = self._batch_size()
        result = kernel.run(x, y, order, start, stop, self.w, self.b, s.lr, s.l2, s.loss, batch)
        self.updates += -(-(result.position - start) // batch)
        self.w, self.b, self.position = result.w, result.b, result.position
        if result.diverged:
            self.status = DIVERGED
            self.message = (
                f"Training diverged in epoch {self.epoch + 1} at sample {self.position}: the weights ran away "
                f"(beyond ±{PARAMETER_LIMIT:.0e}). Lower the learning rate (now {s.lr:g}) and reset."
            )
            if s.lr * s.l2 > 2:
                self.message += (f" With the L2 penalty, each update multiplies w by 1 − η·λ = {1 - s.lr * s.l2:g}; "
                                 "beyond −1 that grows without bound.")
            return
        if self.position >= len(self.data):
            self.epoch += 1
            self.position = 0
            self.order = None
            self._record_epoch()
            if self.epoch >= s.epochs:
                self._finish()

    def _finish(self) -> None:
        self.status = FINISHED
        self.message = f"Finished {self.epoch} epochs."

    def _record_epoch(self) -> None:
        record = EpochRecord(
            self.epoch, self.w, self.b, self.current_loss(), accuracy(self.w, self.b, self.data),
            boundary(self.w, self.b),
        )
        self.history.append(record)
        if self.epoch % self.settings.every == 0:
            self.snapshots.append(record)
