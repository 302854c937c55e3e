"""One run, and the set of runs the window holds.

A Run owns everything about one training run: the settings asked for and those applied, the tickets that tell its
worker's answers apart from stale ones, its training thread, the analysis of its data, and its state (RunState),
replaced whole at every change. It announces each kind of change with a signal of its own, which the views
subscribe to; nothing else holds a copy of the run's state. It never draws and never imports a view.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore

from gui.base.state import PLAIN, UNSTUDIED, DisplayOptions, RunState
from gui.base.style import RUN_COLOURS
from gui.base.surface_picture import SurfacePicture
from gui.runs.analysis import Analysis
from gui.runs.lockstep import Lockstep
from gui.runs.worker import WorkerThread
from model.anatomy import UpdateStep
from model.data import Dataset
from model.diagnosis import Diagnosis, Verdict, diagnose, diagnose_view
from model.problem import Problem, study
from model.session import NamedRun, Runs, Session
from model.settings import Settings, classify_change
from model.timeline import Moment, Timeline
from model.trainer import TRAINING, Trainer, TrainerView

DRAW_INTERVAL_MS = 16
"""Views reach the views at most this often, however fast the worker sends them."""
APPLY_DELAY_MS = 300
"""Edits that restart training wait this long after the last keystroke (Enter applies at once)."""
MAX_RUNS = len(RUN_COLOURS)
"""Runs side by side: each keeps a colour of its own, and more would not be told apart."""
LIMIT_MESSAGE = f"At most {MAX_RUNS} runs fit side by side; remove one first."


class Run(QtCore.QObject):
    """One run. Commands are methods; what changed comes back as signals, on the GUI thread.

    Signals ending in Requested go to the worker, queued across threads, each with the request's ticket where the
    answer must be told apart from a superseded one.
    """

    dataChanged = QtCore.Signal(object)
    """RunState: new samples, loss or display options; the samples and the snapshot grid are drawn anew."""
    problemChanged = QtCore.Signal(object)
    """Problem: what the samples decide (the exact optimum, η_max), or UNSTUDIED while it is computed."""
    surfaceChanged = QtCore.Signal(object)
    """SurfacePicture | None: the loss over (w, b) the parameter view shows."""
    viewChanged = QtCore.Signal(object, bool)
    """(TrainerView, in_turn): the newest view to draw; in_turn while training plays (panes may take turns)."""
    stepChanged = QtCore.Signal(object)
    """UpdateStep | None: the last single update taken apart, or None once training moves on otherwise."""
    diagnosisChanged = QtCore.Signal(object)
    """Diagnosis: the engine's verdict on the run as the newest drawn view shows it."""
    viewsDropped = QtCore.Signal()
    """A reset or a new run: views of what came before are no longer drawn."""
    settingsAdopted = QtCore.Signal(object)
    """Settings: what the worker trains, for the panel to show (only when the learner is not in an edit)."""
    snapshotIntervalChanged = QtCore.Signal(int)
    playingChanged = QtCore.Signal(bool)
    busyChanged = QtCore.Signal(str, str)
    """(who, description): long work of the worker or the analysis started (or ended: empty description)."""
    notice = QtCore.Signal(str, int)
    """(message, milliseconds): a word for the status bar."""
    refused = QtCore.Signal(str, str)
    """(title, message): a file or request that could not be used; the run goes on."""
    failed = QtCore.Signal(str, str)
    """(title, traceback): an unexpected exception on one of the run's threads."""
    sessionSaved = QtCore.Signal(str)
    momentsChanged = QtCore.Signal(object, object)
    """(shown, end): the moment of the run the views show, and the furthest one it reached."""
    runsOpened = QtCore.Signal(object, object)
    """(Runs, trainers): the session this run opened holds these runs; it is the selected one (its trainer None)."""
    forked = QtCore.Signal(object)
    """Timeline: a branch of this run (fork), to be held as a run of its own, with this run's past."""

    configureRequested = QtCore.Signal(int, object, bool)
    startFromRequested = QtCore.Signal(int, object)
    settingsUpdateRequested = QtCore.Signal(object)
    playRequested = QtCore.Signal()
    pauseRequested = QtCore.Signal()
    viewIntervalRequested = QtCore.Signal(float)
    stepEpochRequested = QtCore.Signal()
    stepBatchRequested = QtCore.Signal()
    runToEndRequested = QtCore.Signal()
    resetRequested = QtCore.Signal(int)
    openSessionRequested = QtCore.Signal(int, str)
    seekRequested = QtCore.Signal(object)
    stepBackRequested = QtCore.Signal(bool)
    saveRunsRequested = QtCore.Signal(str, object)
    forkRequested = QtCore.Signal(object)
    snapshotRequested = QtCore.Signal(int)

    def __init__(self, settings: Settings, parent: QtCore.QObject | None = None, lockstep: Lockstep | None = None,
                 trainer: Trainer | Timeline | None = None):
        """A run of these settings from epoch 0, or one that carries on training `trainer` (its settings), or goes
        on with a timeline (a branch, with the past of the run it came from). Runs that share a lockstep play in
        step."""
        super().__init__(parent)
        self.name = ""
        self.colour = 0
        """Index into style.RUN_COLOURS."""
        self.hidden = False
        self.state: RunState | None = None
        self.playing = False
        self.display = PLAIN
        self._ticket = 0
        self._run_ticket = 0
        self._landed_ticket = 0
        """The newest run request the worker has answered with its run."""
        self._opening_ticket = -1
        self._requested = settings
        self._candidate: Settings | None = None
        self._editing_invalid = False
        self._pending: TrainerView | None = None
        self._last_draw = QtCore.QElapsedTimer()
        self._start_in_flight = False
        self._start_queued = False
        self._seek_wanted: Moment | None = None
        self.moments = (Moment(0), Moment(0))
        """(shown, end): the moment the views show and the furthest one reached, as last announced."""
        self._seek_in_flight = False
        self._snapshot_callbacks: dict[int, Callable[[Session], None]] = {}
        self._snapshot_tags = itertools.count(1)
        self._draw_timer = self._single_shot(DRAW_INTERVAL_MS, self._draw_pending)
        self._apply_timer = self._single_shot(APPLY_DELAY_MS, self.apply_now)
        self.analysis = Analysis(self)
        self.analysis.failed.connect(self.failed)
        self.analysis.busyChanged.connect(self._analysis_busy)
        self._connect_worker(lockstep)
        if trainer is None:
            self.configureRequested.emit(self._next_run(), settings, True)
        else:
            self._requested = (trainer.head if isinstance(trainer, Timeline) else trainer).settings
            self.startFromRequested.emit(self._next_run(), trainer)

    def _single_shot(self, interval_ms: int, slot: Callable[[], object]) -> QtCore.QTimer:
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def _connect_worker(self, lockstep: Lockstep | None) -> None:
        self.worker_thread = WorkerThread(self, lockstep)
        worker = self.worker_thread.worker
        for request, slot in ((self.configureRequested, worker.configure),
                              (self.startFromRequested, worker.start_from),
                              (self.settingsUpdateRequested, worker.update_settings),
                              (self.playRequested, worker.play), (self.pauseRequested, worker.pause),
                              (self.stepEpochRequested, worker.step_epoch),
                              (self.stepBatchRequested, worker.step_batch),
                              (self.runToEndRequested, worker.run_to_end), (self.resetRequested, worker.reset),
                              (self.openSessionRequested, worker.open_session),
                              (self.forkRequested, worker.fork), (self.snapshotRequested, worker.snapshot),
                              (self.saveRunsRequested, worker.save_runs),
                              (self.seekRequested, worker.seek), (self.stepBackRequested, worker.step_back),
                              (self.viewIntervalRequested, worker.set_view_interval)):
            request.connect(slot)
        worker.viewReady.connect(self._view_arrived)
        worker.runChanged.connect(self._run_changed)
        worker.refused.connect(self._refused)
        worker.playingChanged.connect(self._playing_changed)
        worker.busy.connect(self._worker_busy)
        worker.sessionSaved.connect(self._session_saved)
        worker.updateTaken.connect(self._update_taken)
        worker.saveFailed.connect(self._save_failed)
        worker.failed.connect(self.failed)
        worker.sought.connect(self._seek_landed)
        worker.forked.connect(self._forked)
        worker.snapshotTaken.connect(self._snapshot_taken)
        worker.runsOpened.connect(self._runs_opened)

    # Commands ------------------------------------------------------------------------------------------------

    def edit(self, candidate: Settings, problems: dict[str, str]) -> None:
        """Every edit of the panel: invalid ones wait to be fixed; valid ones apply live, or after a pause in
        typing when they restart training."""
        self._editing_invalid = bool(problems)
        if problems:
            self._candidate = None
            self._apply_timer.stop()
            return
        self._candidate = candidate
        change = classify_change(self._requested, candidate)
        if change.none:
            self._apply_timer.stop()
        elif change.live:
            self.apply_now()
        else:
            self._apply_timer.start()

    def apply_now(self) -> bool:
        """Send the newest valid edit to the worker: a restart, or a change that applies while training runs.
        True when a restart was sent (its run will land in _run_changed)."""
        self._apply_timer.stop()
        candidate, self._candidate = self._candidate, None
        if candidate is None:
            return False
        change = classify_change(self._requested, candidate)
        if change.none:
            return False
        self._requested = candidate
        if change.restart:
            self._clear_update()
            self.configureRequested.emit(self._next_run(), candidate, False)
            what = "Data" if change.data else "Model or training settings"
            self.notice.emit(f"{what} changed: training restarted from epoch 0.", 5000)
            return True
        self.settingsUpdateRequested.emit(candidate)
        self.notice.emit("Applied while training: " + ", ".join(sorted(change.changed)) + ".", 3000)
        return False

    def toggle_play(self) -> None:
        if self.playing:
            self.pauseRequested.emit()
            return
        self.apply_now()
        self._clear_update()
        if self.state is not None:
            requested = self._requested
            diagnosis = diagnose(self.state.problem, requested.lr, rule=requested.rule, momentum=requested.momentum)
            if diagnosis.verdict == Verdict.BEYOND_LIMIT:
                self.notice.emit(diagnosis.text, 10000)
        self.playRequested.emit()

    def step_epoch(self) -> None:
        self._after_edits(self.stepEpochRequested, moves_on=True)

    def step_update(self) -> None:
        self._after_edits(self.stepBatchRequested, moves_on=False)

    def run_to_end(self) -> None:
        self._after_edits(self.runToEndRequested, moves_on=True)

    def _after_edits(self, signal: QtCore.SignalInstance, moves_on: bool) -> None:
        """A command first applies edits still waiting out their delay, so it acts on what the panel shows; one
        that moves training on other than by a single update clears the update taken apart."""
        self.apply_now()
        if moves_on:
            self._clear_update()
        signal.emit()

    def seek(self, moment: Moment) -> None:
        """Show an earlier moment of the run. The worker computes one moment at a time; while it does, only the
        newest moment asked for waits (a fast drag never queues up)."""
        self._clear_update()
        self._seek_wanted = moment
        if not self._seek_in_flight:
            self._send_seek()

    def step_back(self, one_update: bool) -> None:
        """Show the moment one update, or one epoch, before the one shown."""
        self._clear_update()
        self.stepBackRequested.emit(one_update)

    def _send_seek(self) -> None:
        moment, self._seek_wanted = self._seek_wanted, None
        self._seek_in_flight = moment is not None
        if moment is not None:
            self.seekRequested.emit(moment)

    def _seek_landed(self) -> None:
        self._send_seek()

    def reset(self) -> None:
        self.apply_now()
        self._clear_update()
        self.resetRequested.emit(self._next_ticket())
        self.notice.emit("Training reset to epoch 0.", 4000)

    def new_samples(self, shown: Settings) -> Settings:
        """Draw fresh samples from the Gaussians shown (the next seed); returns the settings now asked for."""
        candidate = shown.replace(seed=shown.seed + 1, data_path=None)
        self._editing_invalid = False
        self._candidate = candidate
        self.apply_now()
        return candidate

    def load_csv(self, path: str, shown: Settings) -> Settings:
        """Train on a CSV file's samples; the file is read on the training thread, and a bad one is refused there
        with the reason while the current samples stay. Returns the settings now asked for."""
        self.apply_now()
        candidate = shown.replace(data_path=path)
        self._editing_invalid = False
        self._requested = candidate
        self.configureRequested.emit(self._next_run(), candidate, True)
        return candidate

    def open_session(self, path: str) -> None:
        """Open a session on the training thread; the run adopts it when it is read, or says why not."""
        self.apply_now()
        self._opening_ticket = self._next_run()
        self.openSessionRequested.emit(self._opening_ticket, path)

    def save_runs(self, path: str, runs: Runs) -> None:
        """This run's training thread writes the runs (whose states were taken on their own threads)."""
        self.saveRunsRequested.emit(path, runs)

    def set_view_interval(self, ms: float) -> None:
        """While playing, send views at most this often (a run drawn lighter needs no more than the canvas draws
        them): each view sent costs both threads Python's lock."""
        self.viewIntervalRequested.emit(ms / 1000)

    def fork(self, changes: dict) -> None:
        """Branch the run where it stands with these settings changed (model.race); the branch comes back as
        `forked`, or a refusal says why."""
        self.apply_now()
        self.forkRequested.emit(dict(changes))

    def snapshot(self, done: Callable[[Session], None]) -> None:
        """Call done(session) on the GUI thread with the run's settings, samples and exact state as they are when
        its training thread gets to the request (a copy: the run trains on)."""
        self.apply_now()
        tag = next(self._snapshot_tags)
        self._snapshot_callbacks[tag] = done
        self.snapshotRequested.emit(tag)

    def set_start(self, candidate: Settings) -> None:
        """Start training at the candidate's (w, b): the run resets there at once. While one restart is on its way
        the newest point waits, so a fast drag never queues up."""
        self._apply_timer.stop()
        self._editing_invalid = False
        self._candidate = candidate
        if self._start_in_flight:
            self._start_queued = True
            return
        self._start_in_flight = self.apply_now()

    def set_display(self, display: DisplayOptions) -> None:
        self.display = display
        if self.state is not None:
            self.state = self.state.replace(display=display)
            self.dataChanged.emit(self.state)

    def adopt_picture(self, data: Dataset, loss: str, l2: float, picture: SurfacePicture) -> None:
        """A loss surface computed for (data, loss, λ): shown if it still belongs to the run."""
        if self.state is None or not self.state.same_problem(data, loss, l2):
            return
        self.state = self.state.replace(picture=picture)
        self.surfaceChanged.emit(picture)

    def close(self) -> None:
        """Stop the threads: nothing more is reported."""
        self._draw_timer.stop()
        self._apply_timer.stop()
        self._ticket = self._run_ticket = 1 << 62
        self.worker_thread.stop()
        self.analysis.close()

    # What the worker reports ---------------------------------------------------------------------------------

    def _next_ticket(self) -> int:
        """A new ticket: views of the previous run that are still on their way are dropped from now on."""
        self._ticket += 1
        self.viewsDropped.emit()
        return self._ticket

    def _next_run(self) -> int:
        """A ticket for a request that replaces the run. A later reset only drops views: the run it reports
        (runChanged) still belongs to the window."""
        self._run_ticket = self._next_ticket()
        return self._run_ticket

    def _run_changed(self, ticket: int, settings: Settings, data: Dataset) -> None:
        if ticket < self._run_ticket:
            return
        self._landed_ticket = ticket
        previous = self.state
        restart = previous is None or data is not previous.data or classify_change(previous.settings, settings).restart
        same = previous is not None and previous.same_problem(data, settings.loss, settings.l2)
        self.state = RunState(settings, data, previous.problem if same else UNSTUDIED, self.display,
                              previous.view if previous else None, previous.picture if same else None)
        opened = ticket == self._opening_ticket
        if opened:
            self.notice.emit("Opened the session.", 5000)
        self._adopt_settings(settings, opened)
        if restart:
            self.dataChanged.emit(self.state)
            self.problemChanged.emit(self.state.problem)
        else:
            self.snapshotIntervalChanged.emit(settings.every)
        self._start_landed()
        if not same:
            self.surfaceChanged.emit(None)
            self.analysis.request("exact optimum", f"Studying {len(data):,} samples (exact optimum, η_max)…",
                                  lambda superseded: study(data, settings.loss, settings.l2),
                                  lambda problem: self._problem_arrived(data, settings.loss, settings.l2, problem))

    def _adopt_settings(self, settings: Settings, opened: bool) -> None:
        """The run the worker trains is the truth: unless the learner is in the middle of an edit (an opened session
        replaces even that), the panel and the next edit compare against it. A refused file or session re-announces
        the run that goes on, which may be one whose own announcement was dropped as superseded."""
        if opened:
            self._apply_timer.stop()
            self._candidate = None
        elif self._apply_timer.isActive() or self._candidate is not None or self._editing_invalid:
            return
        self._requested = settings
        self.settingsAdopted.emit(settings)

    def _start_landed(self) -> None:
        """A run landed: send the point that waited, if it still differs from what was sent (a drag's release
        repeats its last point, and Play may have sent the waiting point already)."""
        self._start_in_flight = False
        if self._start_queued:
            self._start_queued = False
            self._start_in_flight = self.apply_now()

    def _problem_arrived(self, data: Dataset, loss: str, l2: float, problem: Problem) -> None:
        if self.state is None or not self.state.same_problem(data, loss, l2):
            return
        self.state = self.state.replace(problem=problem)
        self.problemChanged.emit(problem)
        if self.state.view is not None:
            self.diagnosisChanged.emit(self.diagnosis())

    def _update_taken(self, ticket: int, step: UpdateStep) -> None:
        if ticket != self._ticket or self.state is None:
            return
        self.state = self.state.replace(step=step)
        self.stepChanged.emit(step)

    def _clear_update(self) -> None:
        if self.state is not None and self.state.step is not None:
            self.state = self.state.replace(step=None)
            self.stepChanged.emit(None)

    def _refused(self, ticket: int, title: str, message: str) -> None:
        """A file or request was refused: say why. The worker then re-announces the run that goes on."""
        if ticket == self._opening_ticket:
            self._opening_ticket = -1
        self.refused.emit(title, message)

    def _session_saved(self, path: str, epoch: int) -> None:
        self.notice.emit(f"Saved session {Path(path).name} at epoch {epoch}.", 5000)
        self.sessionSaved.emit(path)

    def _save_failed(self, message: str) -> None:
        self.refused.emit("The session could not be saved", message)

    def _runs_opened(self, ticket: int, runs: Runs, trainers: tuple[Trainer | None, ...]) -> None:
        if ticket == self._opening_ticket:
            self.runsOpened.emit(runs, trainers)

    def _snapshot_taken(self, tag: int, session: Session) -> None:
        done = self._snapshot_callbacks.pop(tag, None)
        if done is not None:
            done(session)

    def _forked(self, timeline: Timeline) -> None:
        """A bound slot: the branch reaches the GUI thread."""
        self.forked.emit(timeline)

    def _analysis_busy(self, description: str) -> None:
        self.busyChanged.emit("analysis", description)

    def _worker_busy(self, task: str) -> None:
        """A bound slot, not a lambda: only a receiver object makes Qt deliver it on the GUI thread."""
        self.busyChanged.emit("worker", task)

    def _playing_changed(self, playing: bool) -> None:
        self.playing = playing
        self.playingChanged.emit(playing)

    def _view_arrived(self, ticket: int, view: TrainerView, shown: Moment, end: Moment) -> None:
        """Keep only the newest view; pass it on now if a frame's time has passed since the last one. Announce
        where the views are in the run."""
        if ticket != self._ticket:
            return
        self._pending = view
        if not self._draw_timer.isActive():
            since = self._last_draw.elapsed() if self._last_draw.isValid() else DRAW_INTERVAL_MS
            if since >= DRAW_INTERVAL_MS:
                self._draw_pending()
            else:
                self._draw_timer.start(DRAW_INTERVAL_MS - since)
        self.moments = (shown, end)
        self.momentsChanged.emit(shown, end)

    def _draw_pending(self) -> None:
        view, self._pending = self._pending, None
        if view is None or self.state is None:
            return
        self._last_draw.start()
        self.state = self.state.replace(view=view)
        self.viewChanged.emit(view, self.playing and view.status == TRAINING)
        self.diagnosisChanged.emit(self.diagnosis())

    @property
    def settled(self) -> bool:
        """Nothing is on its way: no edit waits for a pause in typing, every run asked for has landed, and no view
        waits to be drawn."""
        return (not self._apply_timer.isActive() and self._landed_ticket >= self._run_ticket
                and self._pending is None and not self._draw_timer.isActive())

    def diagnosis(self) -> Diagnosis:
        """The engine's verdict on the run as its newest drawn view shows it."""
        assert self.state is not None and self.state.view is not None
        settings = self.state.settings
        return diagnose_view(self.state.problem, settings.lr, self.state.view, settings.rule, settings.momentum)


class RunSet(QtCore.QObject):
    """The runs the window holds, at most MAX_RUNS, one of them selected: the controls act on the selected run, and
    commands for all of them (play, step, reset) reach every run shown. Runs it holds play in lockstep by epoch.

    Each change is announced: added(run), removed(run), selectedChanged(run, previous), hiddenChanged(run, hidden),
    renamed(run, name); playingChanged(bool) says whether any run plays."""

    added = QtCore.Signal(object)
    removed = QtCore.Signal(object)
    selectedChanged = QtCore.Signal(object, object)
    hiddenChanged = QtCore.Signal(object, bool)
    renamed = QtCore.Signal(object, str)
    playingChanged = QtCore.Signal(bool)
    arranged = QtCore.Signal()
    """The runs were replaced all at once (an opened session), in a new order, the selected one renamed."""

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.lockstep = Lockstep()
        self._runs: list[Run] = []
        self._selected: Run | None = None
        self._playing = False

    def make(self, settings: Settings, trainer: Trainer | Timeline | None = None, name: str = "",
             colour: int | None = None) -> Run:
        """A new run in this set's lockstep (see Run), held at once. Raises RunLimitError when MAX_RUNS are held."""
        if self.full:
            raise RunLimitError(LIMIT_MESSAGE)
        return self.add(Run(settings, self.parent(), self.lockstep, trainer), name, colour)

    def add(self, run: Run, name: str = "", colour: int | None = None) -> Run:
        """Hold a run with a name and the first colour no other run has (unless given); the first one held is
        selected."""
        taken = {held.colour for held in self._runs}
        run.colour = colour if colour is not None else next(i for i in range(MAX_RUNS) if i not in taken)
        run.name = name or f"run {len(self._runs) + 1}"
        run.playingChanged.connect(self._any_playing)
        run.runsOpened.connect(self._opened)
        self._runs.append(run)
        first = self._selected is None
        if first:
            self._selected = run
        self.added.emit(run)
        if first:
            self.selectedChanged.emit(run, None)
        return run

    def remove(self, run: Run) -> bool:
        """Stop and drop a run; the last one stays (the window always shows a run). False when refused."""
        if run not in self._runs or len(self._runs) == 1:
            return False
        index = self._runs.index(run)
        self._runs.remove(run)
        if run is self._selected:
            self.select(self._runs[min(index, len(self._runs) - 1)])
        run.close()
        self.removed.emit(run)
        run.deleteLater()
        self._any_playing()
        return True

    def select(self, run: Run) -> None:
        if run is self._selected or run not in self._runs:
            return
        previous, self._selected = self._selected, run
        if run.hidden:
            self.set_hidden(run, False)
        self.selectedChanged.emit(run, previous)

    def set_hidden(self, run: Run, hidden: bool) -> None:
        """A hidden run is not drawn and does not train with the others; the selected run cannot be hidden."""
        if run.hidden == hidden or (hidden and run is self._selected):
            return
        run.hidden = hidden
        if hidden and run.playing:
            run.toggle_play()
        self.hiddenChanged.emit(run, hidden)

    def rename(self, run: Run, name: str) -> None:
        name = name.strip()
        if name and name != run.name:
            run.name = name
            self.renamed.emit(run, name)

    def save(self, path: str) -> None:
        """Save every run: each run's exact state is taken on its own thread, then the selected run's thread
        writes them all (model.session.save_runs)."""
        held: tuple[Run, ...] = self.runs
        taken: dict[Run, Session] = {}

        def arrived(run: Run, session: Session) -> None:
            taken[run] = session
            if len(taken) == len(held) and all(run in self._runs for run in held):
                named = tuple(NamedRun(run.name, run.colour, taken[run]) for run in held)
                self.selected.save_runs(path, Runs(named, held.index(self.selected)))

        for run in held:
            run.snapshot(lambda session, run=run: arrived(run, session))

    def _opened(self, opened: Runs, trainers: tuple[Trainer | None, ...]) -> None:
        """A session opened by the selected run replaces every run with the session's, in the session's order."""
        selected = self.selected
        for run in self.runs:
            if run is not selected:
                self.remove(run)
        chosen = opened.runs[opened.selected]
        selected.colour, selected.name = chosen.colour, chosen.name
        order = [selected if trainer is None else self.make(named.session.settings, trainer, named.name, named.colour)
                 for named, trainer in zip(opened.runs, trainers, strict=True)]
        self._runs = order
        self.arranged.emit()

    def play(self, start: Callable[[Run], object] = Run.toggle_play) -> None:
        """Play every run shown (or run each to its end). All of them enter the lockstep before any trains, so
        none runs ahead while the others' threads are still getting the word (one that cannot train leaves it)."""
        for run in self.visible:
            if run.state is not None and run.state.view is not None and not run.playing:
                self.lockstep.enter(id(run.worker_thread.worker), run.state.view.epoch)
        self.for_each(start)

    def pause(self) -> None:
        """Pause every run that plays: those playing flat out stop together, at the furthest epoch any of them may
        reach by then (Lockstep.halt)."""
        self.lockstep.halt()
        for run in self.runs:
            if run.playing:
                run.toggle_play()

    def for_each(self, action: Callable[[Run], object]) -> None:
        """Do something to every run shown (a command all of them follow together)."""
        for run in self.visible:
            action(run)

    @property
    def selected(self) -> Run:
        assert self._selected is not None, "no run is held yet"
        return self._selected

    @property
    def runs(self) -> tuple[Run, ...]:
        return tuple(self._runs)

    @property
    def visible(self) -> tuple[Run, ...]:
        return tuple(run for run in self._runs if not run.hidden)

    @property
    def full(self) -> bool:
        return len(self._runs) >= MAX_RUNS

    @property
    def playing(self) -> bool:
        return self._playing

    def _any_playing(self) -> None:
        playing = any(run.playing for run in self._runs)
        if playing != self._playing:
            self._playing = playing
            self.playingChanged.emit(playing)

    def close(self) -> None:
        for run in self._runs:
            run.close()


class RunLimitError(RuntimeError):
    """A run asked for beyond MAX_RUNS; the message says so in words for the learner."""
