"""The training worker: owns the trainer and its samples on its own thread and reports immutable views of them.

The window sends commands as queued signals and receives TrainerView objects; the worker never touches a widget
and the window never steps the trainer. Drawing or loading samples and opening or saving sessions happen here too,
so the window never waits for them. Each timer tick does at most ~10 ms of training so commands such as Pause,
Reset or quit are handled promptly even when training as fast as possible.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from PySide6 import QtCore

from gui.base.errors import reason
from gui.base.style import DRAWN_BINS
from gui.runs.lockstep import Lockstep
from gui.runs.process_tuning import set_aside_lasting_objects, use_training_switch_interval
from model.anatomy import take_one_update
from model.csv_io import DataFileError
from model.race import RaceError
from model.session import Runs, SessionError, load_runs, save_runs, session_of
from model.settings import Settings, classify_change
from model.sources import dataset_for
from model.timeline import Moment, Timeline
from model.trainer import Trainer, TrainerView

TICK_MS = 15
WORK_BUDGET_S = 0.010
"""Training takes at most 10 ms of every 15 ms tick: the rest leaves the window (which shares Python's lock with
this thread) free to draw, so a busy worker never freezes it, and a view every 15 ms lets the window draw a 60 Hz
screen's worth of frames."""

UNLIMITED = 1 << 62
"""The epoch limit of a run that plays alone: none (training stops at its planned end by itself)."""

FIRST_PACE = 200_000.0
"""Samples per second assumed before any has been measured: small enough that the first slice stays short."""

Method = TypeVar("Method", bound=Callable[..., Any])


def reported(title: str) -> Callable[[Method], Method]:
    """A slot that never lets an exception die on stderr: it stops playing and sends the report to the window."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def guarded(self: TrainingWorker, *args: Any) -> Any:
            try:
                return method(self, *args)
            except Exception:
                self._fail(title, traceback.format_exc())
                return None

        return guarded  # type: ignore[return-value]

    return decorate


class TrainingWorker(QtCore.QObject):
    """Lives on a QThread. Slots are commands; signals carry results, each tagged with the request's ticket."""

    viewReady = QtCore.Signal(int, object, object, object)
    """(ticket, view, shown, end): a view, with the moment the views show and the furthest one reached. One signal,
    not two: each crosses to the window's thread as an event, and with six runs racing those events kept the
    window's timers waiting."""
    runChanged = QtCore.Signal(int, object, object)
    """(ticket, settings, samples): the run the worker now trains, sent before any view of it."""
    refused = QtCore.Signal(int, str, str)
    """(ticket, title, message): a file or request that could not be used; the run is unchanged and announced
    again under this ticket (runChanged), since the window may have dropped its first announcement."""
    playingChanged = QtCore.Signal(bool)
    busy = QtCore.Signal(str)
    """A long task started (its description) or ended (empty text)."""
    updateTaken = QtCore.Signal(int, object)
    """(ticket, UpdateStep): the single update just made, taken apart; its view follows."""
    sessionSaved = QtCore.Signal(str, int)
    saveFailed = QtCore.Signal(str)
    """Why a session could not be written; the run goes on untouched."""
    failed = QtCore.Signal(str, str)
    sought = QtCore.Signal()
    """A seek was answered (its view went first): the window may ask for the next one."""
    forked = QtCore.Signal(object)
    """Timeline: a branch of this run at the moment it was asked for, for a run of its own (its past this run's)."""
    snapshotTaken = QtCore.Signal(int, object)
    """(tag, Session): the run's settings, samples and exact state at the moment asked for."""
    runsOpened = QtCore.Signal(int, object, object)
    """(ticket, Runs, trainers): an opened session's runs, and a trainer for each but the selected one (None), which
    this worker trains now."""

    def __init__(self, lockstep: Lockstep | None = None) -> None:
        super().__init__()
        self.trainer: Trainer | None = None
        self._lockstep = lockstep or Lockstep()
        self.timeline: Timeline | None = None
        self._shown: Moment | None = None
        """The moment shown when the learner went back in the run; None at its furthest moment, the trainer's."""
        self._timer: QtCore.QTimer | None = None
        self._playing = False
        self._last_tick = 0.0
        self._sample_budget = 0.0
        self._kernel_ready = False
        self._ticket = 0
        self._fast = False
        self._samples_per_second = FIRST_PACE
        self._view_interval = 0.0
        self._last_view = 0.0

    @QtCore.Slot(int, object, bool)
    @reported("Training could not restart")
    def configure(self, ticket: int, settings: Settings, reload_data: bool) -> None:
        """Start over with these settings, drawing or loading new samples only when the data settings changed."""
        self._ticket = ticket
        self._set_playing(False)
        current = self.trainer
        if current is not None and not reload_data and not classify_change(current.settings, settings).data:
            self._adopt(Trainer(settings, current.data))
            return
        data = self._read(ticket, _data_task(settings), "The data could not be used", lambda: dataset_for(settings),
                          DataFileError)
        if data is not None:
            self._adopt(Trainer(settings, data))

    @QtCore.Slot(int, object)
    @reported("The run could not start")
    def start_from(self, ticket: int, start: Trainer | Timeline) -> None:
        """Train a trainer made elsewhere (a run of an opened session), or go on with a timeline (a branch of
        another run)."""
        self._ticket = ticket
        self._set_playing(False)
        self._adopt(start)

    @QtCore.Slot(int)
    @reported("The run's state could not be read")
    def snapshot(self, tag: int) -> None:
        if self.trainer is not None:
            self.snapshotTaken.emit(tag, session_of(self.trainer))

    @QtCore.Slot(object)
    @reported("The run could not be branched")
    def fork(self, changes: dict) -> None:
        """A run going on from this one's exact state at the moment shown with the changes (Timeline.branch), made
        here so the window never waits for the copy; this run keeps its own future."""
        if self.trainer is None:
            return
        try:
            forked = self.timeline.branch(self._shown or self.timeline.end, changes)
        except RaceError as error:
            self.refused.emit(self._ticket, "The run could not be branched", str(error))
            return
        self.forked.emit(forked)

    @QtCore.Slot(object)
    @reported("The setting could not be applied")
    def update_settings(self, settings: Settings) -> None:
        """Adopt settings that apply while training runs: learning rate, epochs, snapshot interval and speed."""
        if self.trainer is None:
            return
        self._go_on_from_here()
        if self.trainer.update_settings(settings):
            self._start_timeline()
        else:
            self.timeline.edited()
        self.runChanged.emit(self._ticket, self.trainer.settings, self.trainer.data)
        if self._playing and not self.trainer.can_train:
            self._set_playing(False)
        self._emit()

    @QtCore.Slot(int, str)
    @reported("The session could not be opened")
    def open_session(self, ticket: int, path: str) -> None:
        self._ticket = ticket
        self._set_playing(False)
        opened = self._read(ticket, f"Opening {Path(path).name}…", "The session could not be opened",
                            lambda: _restored(load_runs(path)), SessionError)
        if opened is not None:
            runs, trainers = opened
            self._adopt(trainers[runs.selected])
            self.runsOpened.emit(ticket, runs, tuple(None if i == runs.selected else trainer
                                                     for i, trainer in enumerate(trainers)))

    @QtCore.Slot(str, object)
    @reported("The session could not be saved")
    def save_runs(self, path: str, runs: Runs) -> None:
        """Write the runs side by side (their states taken on their own threads), this one's epoch reported."""
        if self.trainer is None:
            return
        with self._busy(f"Saving {Path(path).name}…"):
            try:
                save_runs(runs, path)
            except (OSError, SessionError) as error:
                self.saveFailed.emit(reason(error))
                return
        self.sessionSaved.emit(path, self.trainer.epoch)

    @QtCore.Slot()
    @reported("Training could not start")
    def play(self) -> None:
        self._go_on_from_here()
        if self.trainer is not None and self.trainer.can_train:
            self._set_playing(True)
        else:
            self._lockstep.leave(id(self))

    @QtCore.Slot(float)
    def set_view_interval(self, seconds: float) -> None:
        """While playing, send a view at most every `seconds` (0: after every tick); when training stops, at once."""
        self._view_interval = seconds

    @QtCore.Slot()
    @reported("Training could not pause")
    def pause(self) -> None:
        """Stop playing, and send the view where it stopped (a tick may have kept its view back); among runs
        training flat out, first catch up with the furthest (Lockstep.halt)."""
        trainer, target, playing = self.trainer, self._lockstep.halted_at(), self._playing
        flat_out = trainer is not None and (self._fast or trainer.settings.speed == 0)
        if playing and flat_out and target is not None and trainer.epoch < target:
            with self._lockstep.turn():
                trainer.run_epochs(target - trainer.epoch)
        self._set_playing(False)
        if playing:
            self._emit()

    @QtCore.Slot()
    @reported("The epoch could not be trained")
    def step_epoch(self) -> None:
        self._command(lambda trainer: trainer.step_epoch())

    @QtCore.Slot()
    @reported("The update could not be made")
    def step_batch(self) -> None:
        """One update, taken apart for the window before it is made (the samples it uses, every sample's pull)."""
        self._command(self._step_taken_apart)

    def _step_taken_apart(self, trainer: Trainer) -> None:
        step = take_one_update(trainer)
        if step is not None:
            self.updateTaken.emit(self._ticket, step)

    @QtCore.Slot()
    @reported("Training could not run to the end")
    def run_to_end(self) -> None:
        """Finish the planned epochs, in timed slices so the window stays responsive."""
        self._go_on_from_here()
        if self.trainer is not None and self.trainer.can_train:
            self._set_playing(True, fast=True)
        else:
            self._lockstep.leave(id(self))

    @QtCore.Slot(int)
    @reported("Training could not be reset")
    def reset(self, ticket: int) -> None:
        self._ticket = ticket
        self._set_playing(False)
        if self.trainer is not None:
            self.trainer.reset()
            self._start_timeline()
            self._emit()

    @QtCore.Slot(object)
    @reported("That moment could not be shown")
    def seek(self, moment: Moment) -> None:
        """Show an earlier moment of the run (pausing it); the moments after it are kept until training goes on."""
        self._set_playing(False)
        try:
            if self.timeline is not None:
                self._show(moment)
        finally:
            self.sought.emit()

    @QtCore.Slot(bool)
    @reported("That moment could not be shown")
    def step_back(self, one_update: bool) -> None:
        """Show the moment one update, or one epoch, before the one shown."""
        self._set_playing(False)
        timeline = self.timeline
        if timeline is None:
            return
        shown = self._shown or timeline.end
        if not one_update:
            self._show(timeline.epoch_before(shown))
            return
        moment = timeline.update_before(shown)
        view, step = timeline.arrival(moment)
        if step is not None:
            self.updateTaken.emit(self._ticket, step)
        self._show(moment, view)

    def _show(self, moment: Moment, view: TrainerView | None = None) -> None:
        """Show a moment; when the settings in effect then differ from those of the moment shown before (a live
        edit lies between them), announce them, so the panel shows what training on from there uses."""
        timeline = self.timeline
        before = timeline.settings_at(self._shown or timeline.end)
        moment = timeline.clamp(moment)
        self._shown = None if moment == timeline.end else moment
        settings = timeline.settings_at(moment)
        if settings != before:
            self.runChanged.emit(self._ticket, settings, self.trainer.data)
        self._emit(view)

    def _go_on_from_here(self) -> None:
        """Training goes on from the moment shown: the moments after it are given up, and the panel shows the
        settings in effect there."""
        if self._shown is None or self.timeline is None:
            return
        self.trainer = self.timeline.cut(self._shown)
        self._shown = None
        self.runChanged.emit(self._ticket, self.trainer.settings, self.trainer.data)

    def _start_timeline(self) -> None:
        self.timeline = Timeline(self.trainer)
        self._shown = None

    @QtCore.Slot()
    def shutdown(self) -> None:
        self._set_playing(False)
        if self._timer is not None:
            self._timer.stop()

    def _read(self, ticket: int, task: str, title: str, read: Callable[[], Any],
              refusal: type[Exception]) -> Any:
        """Read a file while the window shows the task; a refused file is reported and the run goes on (None)."""
        with self._busy(task):
            try:
                return read()
            except refusal as error:
                self.refused.emit(ticket, title, str(error))
                if self.trainer is not None:
                    self.runChanged.emit(ticket, self.trainer.settings, self.trainer.data)
        self._emit()
        return None

    def _adopt(self, start: Trainer | Timeline) -> None:
        timeline = start if isinstance(start, Timeline) else Timeline(start)
        trainer = timeline.head
        trainer.data.prepare(DRAWN_BINS)
        self.trainer, self.timeline, self._shown = trainer, timeline, None
        self.runChanged.emit(self._ticket, trainer.settings, trainer.data)
        self._emit()

    def _command(self, action: Callable[[Trainer], None]) -> None:
        self._set_playing(False)
        self._go_on_from_here()
        if self.trainer is not None:
            self._prepare_kernel()
            action(self.trainer)
            self._emit()

    def _set_playing(self, playing: bool, fast: bool = False) -> None:
        self._fast = fast
        use_training_switch_interval(playing)
        if playing and self.trainer is not None:
            self._lockstep.enter(id(self), self.trainer.epoch)
        else:
            self._lockstep.leave(id(self))
        if playing:
            self._prepare_kernel()
            if self._timer is None:
                self._timer = QtCore.QTimer(self)
                self._timer.setInterval(TICK_MS)
                self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
                self._timer.timeout.connect(self.tick)
            self._last_tick = time.perf_counter()
            self._sample_budget = 0.0
            self._timer.start()
        elif self._timer is not None:
            self._timer.stop()
        if playing != self._playing:
            self._playing = playing
            self.playingChanged.emit(playing)

    def _prepare_kernel(self) -> None:
        """The first use may compile the fast loop; say so instead of looking frozen. Then the compiler's objects
        are set aside from the cycle collector (gui.runs.process_tuning)."""
        if not self._kernel_ready and self.trainer is not None:
            with self._busy("Preparing the training loop…"):
                _ = self.trainer.kernel
            self._kernel_ready = True
            set_aside_lasting_objects()

    @reported("Training stopped")
    def tick(self) -> None:
        """One turn of play, as the play timer gives it every TICK_MS (a test may give turns by hand)."""
        trainer = self.trainer
        if trainer is None or not trainer.can_train:
            self._set_playing(False)
            return
        now = time.perf_counter()
        elapsed, self._last_tick = now - self._last_tick, now
        speed = trainer.settings.speed
        n = len(trainer.data)
        if self._fast or speed == 0:
            with self._lockstep.turn():
                self._train_flat_out(trainer, WORK_BUDGET_S / self._lockstep.players())
        else:
            self._sample_budget += speed * n * min(elapsed, 0.25)
            whole = int(self._sample_budget)
            self._sample_budget -= whole
            room = (self._epoch_limit(trainer) - trainer.epoch) * n - trainer.position
            if min(whole, room) > 0:
                trainer.step_samples(min(whole, room))
                self._lockstep.report(id(self), trainer.epoch)
        if not trainer.can_train:
            self._set_playing(False)
        elif now - self._last_view < self._view_interval:
            return
        self._last_view = now
        self._emit()

    def _train_flat_out(self, trainer: Trainer, budget: float) -> None:
        """Train for `budget` seconds of this run's turn, up to the lockstep's ceiling (and, running to the end,
        the planned epochs)."""
        deadline = time.perf_counter() + budget
        quantum = int(budget * self._samples_per_second / len(trainer.data))
        while trainer.can_train and time.perf_counter() < deadline and (
                not self._fast or trainer.epoch < trainer.settings.epochs):
            limit = self._epoch_limit(trainer)
            if trainer.epoch >= limit:
                break
            self._train_slice(trainer, deadline, limit)
            self._lockstep.report(id(self), trainer.epoch, quantum)

    def _epoch_limit(self, trainer: Trainer) -> int:
        """The epoch this run may train up to: the lockstep's ceiling while other runs play with it."""
        ceiling = self._lockstep.ceiling()
        return UNLIMITED if ceiling is None else ceiling

    def _train_slice(self, trainer: Trainer, deadline: float, limit: int) -> None:
        """As much training as fits before the deadline, at the pace measured so far and up to epoch `limit`:
        whole epochs when they are short, else a slice of samples, so a million-sample epoch still sends a view
        every tick. The pace is measured in this thread's own time: measured by the clock, it counted the waits for
        Python's lock and the processor among six racing runs, and each then trained one epoch a turn."""
        budget = max(0.0, deadline - time.perf_counter()) * self._samples_per_second
        started = time.thread_time()
        n = len(trainer.data)
        before = trainer.epoch * n + trainer.position
        if trainer.position == 0 and budget >= 2 * n and limit - trainer.epoch >= 2:
            trainer.run_epochs(min(int(budget // n), limit - trainer.epoch))
        elif budget >= n - trainer.position:
            trainer.step_epoch()
        else:
            trainer.step_samples(max(1, int(budget)), measure=False)
        elapsed = time.thread_time() - started
        done = trainer.epoch * n + trainer.position - before
        if elapsed > 0 and done > 0:
            self._samples_per_second = 0.5 * self._samples_per_second + 0.5 * done / elapsed

    def _emit(self, shown: TrainerView | None = None) -> None:
        """Send the view of the moment shown (`shown` when already made), noting a new epoch's start in the
        timeline."""
        if self.trainer is None:
            return
        timeline = self.timeline
        if self._shown is None:
            timeline.observe()
            view = shown or self.trainer.view()
        else:
            view = shown or timeline.view_at(self._shown)
        self.viewReady.emit(self._ticket, view, self._shown or timeline.end, timeline.end)

    def _fail(self, title: str, details: str) -> None:
        self._set_playing(False)
        self.busy.emit("")
        self.failed.emit(title, details)

    @contextmanager
    def _busy(self, task: str) -> Iterator[None]:
        """Announce a long task to the window for as long as it runs, however it ends."""
        self.busy.emit(task)
        try:
            yield
        finally:
            self.busy.emit("")


def _restored(runs: Runs) -> tuple[Runs, list[Trainer]]:
    """An opened session's runs, each with a trainer going on from its state."""
    return runs, [run.session.trainer() for run in runs.runs]


def _data_task(settings: Settings) -> str:
    if settings.data_path:
        return f"Loading {Path(settings.data_path).name}…"
    return f"Drawing {settings.n0 + settings.n1:,} samples…"


class WorkerThread(QtCore.QObject):
    """Owns the thread and the worker, and stops both cleanly (no 'QThread destroyed while running')."""

    def __init__(self, parent: QtCore.QObject | None = None, lockstep: Lockstep | None = None):
        super().__init__(parent)
        self.thread = QtCore.QThread()
        self.thread.setObjectName("training")
        self.worker = TrainingWorker(lockstep)
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.start()

    def stop(self, timeout_ms: int = 10000) -> bool:
        """Stop training and the thread; True if it ended in time (a file being read may take a few seconds)."""
        if not self.thread.isRunning():
            return True
        QtCore.QMetaObject.invokeMethod(self.worker, "shutdown", QtCore.Qt.ConnectionType.QueuedConnection)
        self.thread.quit()
        return self.thread.wait(timeout_ms)
