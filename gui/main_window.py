"""The main window: panels on the left, the canvas on the right, controls in a toolbar and menus.

The window owns no training and no heavy work: it sends commands to the worker thread, asks the analysis thread
for what the data decide (the exact optimum, η_max) and for loss surfaces, and draws the newest view it receives,
at most about 60 times a second however fast the worker runs. What it shows is one WindowState, replaced whole when
the worker reports a new run, a view or an update taken apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from gui.actions import make_action
from gui.analysis import Analysis
from gui.canvas import Canvas
from gui.errors import ErrorReporter
from gui.file_actions import FileActions, app_settings
from gui.hand_controls import HandControls
from gui.landscape_control import LandscapeControl
from gui.panels import SettingsPanel
from gui.state import UNSTUDIED, DisplayOptions, WindowState
from gui.style import number
from gui.surface_picture import SurfacePicture
from gui.worker import WorkerThread
from model.anatomy import UpdateStep
from model.data import Dataset
from model.diagnosis import Diagnosis, Verdict, diagnose, diagnose_view
from model.problem import Problem, study
from model.settings import Settings, classify_change
from model.trainer import DIVERGED, FINISHED, TRAINING, TrainerView

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
DRAW_INTERVAL_MS = 16
APPLY_DELAY_MS = 300
"""Edits that restart training wait this long after the last keystroke (Enter applies at once)."""
RATE_WINDOW_S = 1.0
BANNER_ALARM = "QLabel { background: #FDECEA; color: #8A1C00; padding: 6px; font-weight: bold; }"
BANNER_NOTICE = "QLabel { background: #FFF4D6; color: #6B4A00; padding: 6px; }"


class MainWindow(QtWidgets.QMainWindow):
    """Neuron Lab's window. Signals ending in Requested go to the worker, queued across threads."""

    configureRequested = QtCore.Signal(int, object, bool)
    settingsUpdateRequested = QtCore.Signal(object)
    playRequested = QtCore.Signal()
    pauseRequested = QtCore.Signal()
    stepEpochRequested = QtCore.Signal()
    stepBatchRequested = QtCore.Signal()
    runToEndRequested = QtCore.Signal()
    resetRequested = QtCore.Signal(int)
    openSessionRequested = QtCore.Signal(int, str)
    saveSessionRequested = QtCore.Signal(str)
    viewDrawn = QtCore.Signal(object)
    sessionSaved = QtCore.Signal(str)

    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.setWindowTitle("Neuron Lab")
        screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1360, round(screen.width() * 0.95)), min(860, round(screen.height() * 0.92)))
        settings = settings or Settings()
        self.state: WindowState | None = None
        self.playing = False
        self._ticket = 0
        self._run_ticket = 0
        self._opening_ticket = -1
        self._requested = settings
        self._candidate: Settings | None = None
        self._pending: TrainerView | None = None
        self._last_draw = QtCore.QElapsedTimer()
        self._rate_mark: tuple[float, int] | None = None
        self._updates_per_second = 0.0
        self._tasks: dict[str, str] = {}
        self._start_in_flight = False
        self._start_queued = False
        self._framed = False

        self.errors = ErrorReporter(self)
        self.canvas = Canvas()
        self.panel = SettingsPanel(settings)
        self.hand = HandControls()
        self.setCentralWidget(self.canvas)
        self._build_dock()
        self.banner = QtWidgets.QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.banner.hide()
        self.canvas.layout().insertWidget(0, self.banner)

        self._build_actions()
        self._build_status_bar()
        self._draw_timer = self._single_shot(DRAW_INTERVAL_MS, self._draw_pending)
        self._apply_timer = self._single_shot(APPLY_DELAY_MS, self._apply_now)
        self._frame_timer = self._single_shot(0, self._frame_parameters)
        self.analysis = Analysis(self)
        self.analysis.failed.connect(self.errors.show_fault)
        self.analysis.busyChanged.connect(self._analysis_busy)
        self.landscape = LandscapeControl(self.canvas, self.analysis, lambda: self.state, self._picture_arrived)
        self.canvas.startPicked.connect(self.set_start)
        self.canvas.panesMade.connect(self._frame_timer.start)
        self.hand.pointChosen.connect(self.set_start)
        self.hand.trainRequested.connect(self._train_from_here)
        self._connect_worker()
        self.file_actions = FileActions(self, self.file_menu, lambda: self.state, self.statusBar(), self.errors)
        self.file_actions.openRequested.connect(self.open_session)
        self.file_actions.saveRequested.connect(self.save_session)

        self.panel.settingsEdited.connect(self._settings_edited)
        self.panel.applyRequested.connect(self._apply_now)
        self.panel.regenerateRequested.connect(self._regenerate)
        self.panel.loadCsvRequested.connect(self._load_csv)
        self.panel.displayChanged.connect(self._display_changed)
        self._restore_layout()
        self.configureRequested.emit(self._next_run(), settings, True)
        self.canvas.main_plot.setFocus()

    def _single_shot(self, interval_ms: int, slot: Callable[[], None]) -> QtCore.QTimer:
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def _build_dock(self) -> None:
        dock = QtWidgets.QDockWidget("Parameters")
        dock.setObjectName("parametersDock")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.panel)
        column.addWidget(self.hand)
        column.addStretch(1)
        scroll.setWidget(content)
        scroll.setMinimumWidth(365)
        dock.setWidget(scroll)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _connect_worker(self) -> None:
        self.worker_thread = WorkerThread(self)
        worker = self.worker_thread.worker
        self.configureRequested.connect(worker.configure)
        self.settingsUpdateRequested.connect(worker.update_settings)
        self.playRequested.connect(worker.play)
        self.pauseRequested.connect(worker.pause)
        self.stepEpochRequested.connect(worker.step_epoch)
        self.stepBatchRequested.connect(worker.step_batch)
        self.runToEndRequested.connect(worker.run_to_end)
        self.resetRequested.connect(worker.reset)
        self.openSessionRequested.connect(worker.open_session)
        self.saveSessionRequested.connect(worker.save_session)
        worker.viewReady.connect(self._view_arrived)
        worker.runChanged.connect(self._run_changed)
        worker.refused.connect(self._refused)
        worker.playingChanged.connect(self._playing_changed)
        worker.busy.connect(self._worker_busy)
        worker.sessionSaved.connect(self._session_saved)
        worker.updateTaken.connect(self._update_taken)
        worker.saveFailed.connect(self._save_failed)
        worker.failed.connect(self.errors.show_fault)

    def _build_actions(self) -> None:
        icon = QtWidgets.QStyle.StandardPixmap

        def action(text: str, shortcut: str, tip: str, slot: Callable[[], object],
                   pixmap: QtWidgets.QStyle.StandardPixmap | None = None) -> QtGui.QAction:
            return make_action(self, text, shortcut, tip, slot, pixmap)

        self.play_action = action("Play", "Space", "Train continuously at the chosen speed", self.toggle_play,
                                  icon.SP_MediaPlay)
        self.step_epoch_action = action("Step epoch", "Right", "Train exactly one epoch",
                                        self._after_edits(self.stepEpochRequested, True), icon.SP_MediaSeekForward)
        self.step_batch_action = action("Step update", "Shift+Right", "One update: one sample (SGD) or one batch",
                                        self._after_edits(self.stepBatchRequested, False), icon.SP_MediaSkipForward)
        self.run_to_end_action = action("Run to end", "Ctrl+End", "Train all remaining epochs as fast as possible",
                                        self._after_edits(self.runToEndRequested, True), icon.SP_MediaSkipForward)
        self.reset_action = action("Reset", "Ctrl+R", "Back to epoch 0 with the initial weights", self.reset,
                                   icon.SP_BrowserReload)
        self.training_actions = [self.play_action, self.step_epoch_action, self.step_batch_action,
                                 self.run_to_end_action, self.reset_action]
        self.quit_action = action("Quit", "Ctrl+Q", "Close Neuron Lab", self.close)

        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("trainingToolbar")
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for made in self.training_actions:
            toolbar.addAction(made)
        toolbar.addSeparator()
        self.epoch_label = QtWidgets.QLabel()
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setToolTip("Epochs done out of the planned number")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.setToolTip("Progress through the planned epochs")
        toolbar.addWidget(self.epoch_label)
        toolbar.addWidget(self.progress)

        self.file_menu = self.menuBar().addMenu("&File")
        self.file_menu.addAction(self.quit_action)
        train_menu = self.menuBar().addMenu("&Train")
        for made in self.training_actions:
            train_menu.addAction(made)

    def _build_status_bar(self) -> None:
        self.busy_bar = QtWidgets.QProgressBar()
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.hide()
        self.busy_label = QtWidgets.QLabel()
        self.busy_label.setObjectName("busyLabel")
        self.busy_label.hide()
        for busy in (self.busy_bar, self.busy_label):
            policy = busy.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            busy.setSizePolicy(policy)
        self.statusBar().addPermanentWidget(self.busy_bar)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.status_fields: dict[str, QtWidgets.QLabel] = {}
        tips = {"w": "weight", "b": "bias", "loss": "loss over all samples, after the last update",
                "accuracy": "share of samples on the right side of the boundary",
                "boundary": "decision boundary x* = −b/w, where ŷ = 0.5", "rate": "updates per second"}
        for name, tip in tips.items():
            label = QtWidgets.QLabel()
            label.setToolTip(tip)
            label.setMinimumWidth(90)
            self.status_fields[name] = label
            self.statusBar().addPermanentWidget(label)

    def toggle_play(self) -> None:
        if self.playing:
            self.pauseRequested.emit()
        elif self.play_action.isEnabled():
            self._apply_now()
            self._clear_update()
            self._warn_beyond_lr_limit()
            self.playRequested.emit()

    def reset(self) -> None:
        self._apply_now()
        self._clear_update()
        self.resetRequested.emit(self._next_ticket())
        self.statusBar().showMessage("Training reset to epoch 0.", 4000)

    def _after_edits(self, signal: QtCore.SignalInstance, moves_on: bool) -> Callable[[], None]:
        """A command that first applies edits still waiting out their delay, so it acts on what the panel shows;
        one that moves training on other than by a single update clears the update taken apart."""

        def send() -> None:
            self._apply_now()
            if moves_on:
                self._clear_update()
            signal.emit()

        return send

    def _next_ticket(self) -> int:
        """A new ticket: views of the previous run that are still on their way are dropped from now on."""
        self._ticket += 1
        self.banner.hide()
        return self._ticket

    def _next_run(self) -> int:
        """A ticket for a request that replaces the run. A later reset only drops views: the run it reports
        (runChanged) still belongs to the window."""
        self._run_ticket = self._next_ticket()
        return self._run_ticket

    def _settings_edited(self, candidate: Settings, problems: dict[str, str]) -> None:
        """Every edit: invalid ones disable Play at once; valid ones apply live, or after a pause in typing."""
        if problems:
            self._candidate = None
            self._apply_timer.stop()
            reason = "Fix the marked fields first: " + " ".join(problems.values())
            self.play_action.setEnabled(False)
            self.play_action.setToolTip(reason)
            self.statusBar().showMessage(reason)
            return
        self.play_action.setToolTip("Train continuously at the chosen speed (Space)")
        self._candidate = candidate
        self._refresh_enabled()
        change = classify_change(self._requested, candidate)
        if change.none:
            self._apply_timer.stop()
        elif change.live:
            self._apply_now()
        else:
            self._apply_timer.start()

    def _apply_now(self) -> bool:
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
            self.statusBar().showMessage(f"{what} changed: training restarted from epoch 0.", 5000)
            return True
        self.settingsUpdateRequested.emit(candidate)
        self.statusBar().showMessage("Applied while training: " + ", ".join(sorted(change.changed)) + ".", 3000)
        return False

    def _regenerate(self) -> None:
        candidate = self.panel.settings().replace(seed=self.panel.settings().seed + 1, data_path=None)
        self.panel.set_settings(candidate)
        self._candidate = candidate
        self._apply_now()

    def _load_csv(self) -> None:
        current = self.panel.settings().data_path
        start = str(Path(current).parent) if current else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load samples", start, "CSV files (*.csv);;All files (*)")
        if path:
            self.load_csv(path)

    def load_csv(self, path: str) -> None:
        """Train on a CSV file's samples; the file is read on the training thread, and a bad one is refused there
        with the reason while the current samples stay."""
        self._apply_now()
        candidate = self.panel.settings().replace(data_path=path)
        self.panel.set_settings(candidate)
        self._requested = candidate
        self.configureRequested.emit(self._next_run(), candidate, True)

    def open_session(self, path: str) -> None:
        """Open a session on the training thread; the window adopts it when it is read, or says why not."""
        self._apply_now()
        self._opening_ticket = self._next_run()
        self.openSessionRequested.emit(self._opening_ticket, path)

    def save_session(self, path: str) -> None:
        """The worker writes a consistent copy of the run (edits still waiting are applied first)."""
        self._apply_now()
        self.saveSessionRequested.emit(path)

    def _run_changed(self, ticket: int, settings: Settings, data: Dataset) -> None:
        if ticket < self._run_ticket:
            return
        previous = self.state
        restart = previous is None or data is not previous.data or classify_change(previous.settings, settings).restart
        same = previous is not None and previous.same_problem(data, settings.loss, settings.l2)
        self.state = WindowState(settings, data, previous.problem if same else UNSTUDIED, self.panel.display_options(),
                                 previous.view if previous else None, previous.picture if same else None)
        opened = ticket == self._opening_ticket
        if opened:
            self.statusBar().showMessage("Opened the session.", 5000)
        self._adopt_settings(settings, opened)
        if restart:
            self.canvas.set_data(data, settings.loss, settings.every, self.state.display)
            self.canvas.set_problem(self.state.problem)
        else:
            self.canvas.set_snapshot_interval(settings.every)
        self._start_landed()
        if not same:
            self.canvas.set_picture(None)
            self._framed = False
            self.analysis.request("exact optimum", f"Studying {len(data):,} samples (exact optimum, η_max)…",
                                  lambda _superseded: study(data, settings.loss, settings.l2),
                                  lambda problem: self._problem_arrived(data, settings.loss, settings.l2, problem))

    def _adopt_settings(self, settings: Settings, opened: bool) -> None:
        """The run the worker trains is the truth: unless the learner is in the middle of an edit (an opened session
        replaces even that), the panel and the next edit compare against it. A refused file or session re-announces
        the run that goes on, which may be one whose own announcement was dropped as superseded."""
        if opened:
            self._apply_timer.stop()
            self._candidate = None
        elif self._apply_timer.isActive() or self._candidate is not None or self.panel.problems():
            return
        self._requested = settings
        if self.panel.settings() != settings:
            self.panel.set_settings(settings)

    def _problem_arrived(self, data: Dataset, loss: str, l2: float, problem: Problem) -> None:
        if self.state is None or not self.state.same_problem(data, loss, l2):
            return
        self.state = self.state.replace(problem=problem)
        self.canvas.set_problem(problem)
        self.panel.set_problem(problem)
        self._frame_parameters()

    def _frame_parameters(self) -> None:
        """The first view of the (w, b) plane for new data frames the start and the optimum, once the parameter
        view is made (and, after a turn of the event loop, painted): its surface is then computed while the window
        is otherwise idle, not while it builds and paints the pane."""
        if not self._framed and self.state is not None and self.state.view is not None \
                and self.state.problem is not UNSTUDIED and self.canvas.panes_made:
            self._framed = True
            self.landscape.fit()

    def _picture_arrived(self, data: Dataset, loss: str, l2: float, picture: SurfacePicture) -> None:
        if self.state is None or not self.state.same_problem(data, loss, l2):
            return
        self.state = self.state.replace(picture=picture)
        self.canvas.set_picture(picture)
        surface = picture.surface
        self.hand.set_ranges((float(surface.w[0]), float(surface.w[-1])), (float(surface.b[0]), float(surface.b[-1])))

    def _analysis_busy(self, description: str) -> None:
        self._set_task("analysis", description)

    def set_start(self, w: float, b: float) -> None:
        """Start training at (w, b): the run resets there at once (the Model panel shows the values), so the curves
        follow a drag. While one restart is on its way the newest point waits, so a fast drag never queues up."""
        candidate = self.panel.settings().replace(init_w=float(w), init_b=float(b))
        problems = candidate.problems()
        if problems:
            self.statusBar().showMessage(" ".join(problems.values()), 5000)
            return
        self.panel.set_settings(candidate)
        self._apply_timer.stop()
        self._candidate = candidate
        if self._start_in_flight:
            self._start_queued = True
            return
        self._start_in_flight = self._apply_now()

    def _start_landed(self) -> None:
        """A run landed: send the point that waited, if it still differs from what was sent (a drag's release
        repeats its last point, and Play may have sent the waiting point already)."""
        self._start_in_flight = False
        if self._start_queued:
            self._start_queued = False
            self._start_in_flight = self._apply_now()

    def _train_from_here(self) -> None:
        if not self.playing:
            self.toggle_play()

    def _update_taken(self, ticket: int, step: UpdateStep) -> None:
        if ticket != self._ticket or self.state is None:
            return
        self.state = self.state.replace(step=step)
        self.canvas.show_update(step, self.state.data)
        self.landscape.show_batch_loss(step)

    def _clear_update(self) -> None:
        if self.state is not None and self.state.step is not None:
            self.state = self.state.replace(step=None)
            self.canvas.show_update(None)

    def _refused(self, ticket: int, title: str, message: str) -> None:
        """A file or request was refused: say why. The worker then re-announces the run that goes on."""
        if ticket == self._opening_ticket:
            self._opening_ticket = -1
        self.errors.show(title, message)

    def _session_saved(self, path: str, epoch: int) -> None:
        self.statusBar().showMessage(f"Saved session {Path(path).name} at epoch {epoch}.", 5000)
        self.sessionSaved.emit(path)

    def _save_failed(self, message: str) -> None:
        self.errors.show("The session could not be saved", message)

    def _display_changed(self, display: DisplayOptions) -> None:
        if self.state is None:
            return
        self.state = self.state.replace(display=display)
        self.canvas.set_data(self.state.data, self.state.settings.loss, self.state.settings.every, display)

    def _worker_busy(self, task: str) -> None:
        """A bound slot, not a lambda: only a receiver object makes Qt deliver it on the GUI thread."""
        self._set_task("worker", task)

    def _set_task(self, name: str, description: str) -> None:
        """Show long work in the status bar, with a busy indicator, for as long as any of it runs."""
        if description:
            self._tasks[name] = description
        else:
            self._tasks.pop(name, None)
        self.busy_bar.setVisible(bool(self._tasks))
        self.busy_label.setText(" ".join(self._tasks.values()))
        self.busy_label.setVisible(bool(self._tasks))

    def _view_arrived(self, ticket: int, view: TrainerView) -> None:
        """Keep only the newest view; draw it now if a frame's time has passed since the last draw."""
        if ticket != self._ticket:
            return
        self._pending = view
        if self._draw_timer.isActive():
            return
        since = self._last_draw.elapsed() if self._last_draw.isValid() else DRAW_INTERVAL_MS
        if since >= DRAW_INTERVAL_MS:
            self._draw_pending()
        else:
            self._draw_timer.start(DRAW_INTERVAL_MS - since)

    def _draw_pending(self) -> None:
        view, self._pending = self._pending, None
        if view is None or self.state is None:
            return
        self._last_draw.start()
        self.state = self.state.replace(view=view)
        self.canvas.show_view(view, in_turn=self.playing and view.status == TRAINING)
        self.hand.show_point(view.w, view.b)
        self._show_numbers(view)
        self._frame_parameters()
        self.viewDrawn.emit(view)

    def _show_numbers(self, view: TrainerView) -> None:
        fields = self.status_fields
        fields["w"].setText(f"w = {number(view.w, sign=True)}")
        fields["b"].setText(f"b = {number(view.b, sign=True)}")
        fields["loss"].setText(f"loss = {number(view.loss)}")
        fields["accuracy"].setText(f"accuracy = {view.accuracy:.1%}")
        boundary = "none" if view.boundary is None else number(view.boundary, 3, sign=True)
        fields["boundary"].setText(f"x* = {boundary}")
        fields["rate"].setText(f"{self._measure_rate(view):,.0f} updates/s")
        self.epoch_label.setText(f"  Epoch {view.epoch} / {view.total_epochs}  ")
        self.progress.setValue(round(view.progress * 1000))
        diagnosis = self._diagnosis(view)
        if diagnosis.verdict == Verdict.DIVERGED:
            self._show_banner(diagnosis.text, BANNER_ALARM)
        elif diagnosis.verdict == Verdict.OSCILLATING:
            self._show_banner(diagnosis.text, BANNER_NOTICE)
        elif view.status == FINISHED:
            self.statusBar().showMessage(view.message, 5000)
        self._refresh_enabled(view)

    def _show_banner(self, text: str, style: str) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(text)
        self.banner.show()

    def _diagnosis(self, view: TrainerView | None = None) -> Diagnosis:
        """The engine's verdict on the run as far as the window knows it: the drawn view's history, or (without a
        view) the learning rate about to be played."""
        assert self.state is not None
        if view is None:
            return diagnose(self.state.problem, self._requested.lr)
        return diagnose_view(self.state.problem, self.state.settings.lr, view)

    def _warn_beyond_lr_limit(self) -> None:
        if self.state is None:
            return
        diagnosis = self._diagnosis()
        if diagnosis.verdict == Verdict.BEYOND_LIMIT:
            self.statusBar().showMessage(diagnosis.text, 10000)

    def _measure_rate(self, view: TrainerView) -> float:
        now = QtCore.QTime.currentTime().msecsSinceStartOfDay() / 1000
        if self._rate_mark is None or view.updates < self._rate_mark[1] or now < self._rate_mark[0]:
            self._rate_mark = (now, view.updates)
        elif now - self._rate_mark[0] >= RATE_WINDOW_S:
            self._updates_per_second = (view.updates - self._rate_mark[1]) / (now - self._rate_mark[0])
            self._rate_mark = (now, view.updates)
        if not self.playing:
            self._updates_per_second = 0.0
        return self._updates_per_second

    def _refresh_enabled(self, view: TrainerView | None = None) -> None:
        view = view or (self.state.view if self.state else None)
        trainable = view is None or view.status not in (FINISHED, DIVERGED)
        valid = not self.panel.problems()
        self.play_action.setEnabled(valid and (trainable or self.playing))
        for made in (self.step_epoch_action, self.step_batch_action, self.run_to_end_action):
            made.setEnabled(valid and trainable)
        self.reset_action.setEnabled(valid)

    def _playing_changed(self, playing: bool) -> None:
        self.playing = playing
        if not playing:
            self.canvas.catch_up()
            if self.state is not None and self.state.view is not None:
                self._show_numbers(self.state.view)
        self.play_action.setText("Pause" if playing else "Play")
        pixmaps = QtWidgets.QStyle.StandardPixmap
        pixmap = pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay
        self.play_action.setIcon(self.style().standardIcon(pixmap))
        self._refresh_enabled()

    def _restore_layout(self) -> None:
        stored = app_settings()
        geometry, state = stored.value(GEOMETRY_KEY), stored.value(STATE_KEY)
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QtCore.QByteArray):
            self.restoreState(state)
        self.canvas.restore_layout(stored)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        stored = app_settings()
        stored.setValue(GEOMETRY_KEY, self.saveGeometry())
        stored.setValue(STATE_KEY, self.saveState())
        self.canvas.save_layout(stored)
        self._draw_timer.stop()
        self._apply_timer.stop()
        self._ticket = self._run_ticket = 1 << 62
        self.worker_thread.stop()
        self.analysis.close()
        super().closeEvent(event)
