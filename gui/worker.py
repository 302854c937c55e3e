"""The training worker: owns the trainer on its own thread and reports immutable views of it.

The window sends commands as queued signals and receives TrainerView objects; the worker never touches a widget
and the window never steps the trainer. Each timer tick does at most ~12 ms of training so commands such as Pause,
Reset or quit are handled promptly even when training as fast as possible.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6 import QtCore

from model.data import Dataset
from model.optimum import exact_optimum
from model.session import Session, session_of
from model.settings import Settings
from model.trainer import Trainer

TICK_MS = 20
WORK_BUDGET_S = 0.012
"""Training takes at most 12 ms of every 20 ms tick: the rest leaves the window (which shares Python's lock with
this thread) free to draw, so a busy worker never freezes it."""


class TrainingWorker(QtCore.QObject):
    """Lives on a QThread. Slots are commands; signals carry results."""

    viewReady = QtCore.Signal(int, object)
    optimumReady = QtCore.Signal(object)
    playingChanged = QtCore.Signal(bool)
    statusMessage = QtCore.Signal(str)
    sessionReady = QtCore.Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        self.trainer: Trainer | None = None
        self._timer: QtCore.QTimer | None = None
        self._playing = False
        self._last_tick = 0.0
        self._sample_budget = 0.0
        self._kernel_ready = False
        self._ticket = 0
        self._fast = False

    @QtCore.Slot(int, object, object)
    def configure(self, ticket: int, settings: Settings, data: Dataset) -> None:
        """Start over with new settings and samples. Views carry the ticket so the window can drop stale ones."""
        self._ticket = ticket
        self.trainer = Trainer(settings, data)
        self.optimumReady.emit(exact_optimum(data, settings.loss, settings.l2))
        self._set_playing(False)
        self._emit()

    @QtCore.Slot(object)
    def update_settings(self, settings: Settings) -> None:
        """Adopt settings that apply while training runs: learning rate, epochs, snapshot interval and speed."""
        if self.trainer is None:
            return
        self.trainer.update_settings(settings)
        if self._playing and not self.trainer.can_train:
            self._set_playing(False)
        self._emit()

    @QtCore.Slot(int, object)
    def load_session(self, ticket: int, session: Session) -> None:
        self._ticket = ticket
        self.trainer = session.trainer()
        settings = self.trainer.settings
        self.optimumReady.emit(exact_optimum(self.trainer.data, settings.loss, settings.l2))
        self._set_playing(False)
        self._emit()

    @QtCore.Slot(str)
    def save_session(self, path: str) -> None:
        """Hand the window a consistent copy of the run; the window writes it to disk."""
        if self.trainer is not None:
            self.sessionReady.emit(session_of(self.trainer), path)

    @QtCore.Slot()
    def play(self) -> None:
        if self.trainer is not None and self.trainer.can_train:
            self._set_playing(True)

    @QtCore.Slot()
    def pause(self) -> None:
        self._set_playing(False)

    @QtCore.Slot()
    def step_epoch(self) -> None:
        self._command(lambda trainer: trainer.step_epoch())

    @QtCore.Slot()
    def step_batch(self) -> None:
        self._command(lambda trainer: trainer.step_batch())

    @QtCore.Slot()
    def run_to_end(self) -> None:
        """Finish the planned epochs, in timed slices so the window stays responsive."""
        if self.trainer is not None and self.trainer.can_train:
            self._set_playing(True, fast=True)

    @QtCore.Slot(int)
    def reset(self, ticket: int) -> None:
        self._ticket = ticket
        self._set_playing(False)
        if self.trainer is not None:
            self.trainer.reset()
            self._emit()

    @QtCore.Slot()
    def shutdown(self) -> None:
        self._set_playing(False)
        if self._timer is not None:
            self._timer.stop()

    def _command(self, action: Callable[[Trainer], None]) -> None:
        self._set_playing(False)
        if self.trainer is not None:
            self._prepare_kernel()
            action(self.trainer)
            self._emit()

    def _set_playing(self, playing: bool, fast: bool = False) -> None:
        self._fast = fast
        if playing:
            self._prepare_kernel()
            if self._timer is None:
                self._timer = QtCore.QTimer(self)
                self._timer.setInterval(TICK_MS)
                self._timer.timeout.connect(self._tick)
            self._last_tick = time.perf_counter()
            self._sample_budget = 0.0
            self._timer.start()
        elif self._timer is not None:
            self._timer.stop()
        if playing != self._playing:
            self._playing = playing
            self.playingChanged.emit(playing)

    def _prepare_kernel(self) -> None:
        """The first use may compile the fast loop; say so instead of looking frozen."""
        if not self._kernel_ready and self.trainer is not None:
            self.statusMessage.emit("Preparing the training loop…")
            _ = self.trainer.kernel
            self._kernel_ready = True
            self.statusMessage.emit("")

    def _tick(self) -> None:
        trainer = self.trainer
        if trainer is None or not trainer.can_train:
            self._set_playing(False)
            return
        now = time.perf_counter()
        elapsed, self._last_tick = now - self._last_tick, now
        speed = trainer.settings.speed
        if self._fast or speed == 0:
            deadline = now + WORK_BUDGET_S
            while trainer.can_train and time.perf_counter() < deadline and (
                    not self._fast or trainer.epoch < trainer.settings.epochs):
                trainer.step_epoch()
        else:
            self._sample_budget += speed * len(trainer.data) * min(elapsed, 0.25)
            whole = int(self._sample_budget)
            if whole:
                self._sample_budget -= whole
                trainer.step_samples(whole)
        if not trainer.can_train:
            self._set_playing(False)
        self._emit()

    def _emit(self) -> None:
        if self.trainer is not None:
            self.viewReady.emit(self._ticket, self.trainer.view())


class WorkerThread(QtCore.QObject):
    """Owns the thread and the worker, and stops both cleanly (no 'QThread destroyed while running')."""

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.thread = QtCore.QThread()
        self.thread.setObjectName("training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.start()

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Stop training and the thread; True if it ended in time."""
        if not self.thread.isRunning():
            return True
        QtCore.QMetaObject.invokeMethod(self.worker, "shutdown", QtCore.Qt.ConnectionType.QueuedConnection)
        self.thread.quit()
        return self.thread.wait(timeout_ms)
