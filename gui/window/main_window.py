"""The main window: panels on the left, the canvas on the right, controls in a toolbar and menus.

The window is wiring: it builds the widgets, turns their edits and the toolbar's commands into commands to the
selected run (gui.runs.run), and connects the run's signals to the views and to its own status bar and banner. It owns
no training, no heavy work and no copy of the run's state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from gui.base.accessibility import name_controls
from gui.base.actions import make_action
from gui.base.errors import ErrorReporter
from gui.base.state import UNSTUDIED, DisplayOptions, RunState
from gui.base.style import RUN_COLOURS, VERDICT_WORDS, number
from gui.base.surface_picture import SurfacePicture
from gui.export.animation import AnimatedRun
from gui.runs.run import Run, RunSet
from gui.views.canvas import Canvas
from gui.widgets.hand_controls import HandControls
from gui.widgets.history_slider import HistorySlider
from gui.widgets.panels import SettingsPanel
from gui.widgets.run_list import RunList
from gui.widgets.steady_label import SteadyLabel
from gui.window.branching import Branching
from gui.window.compare_control import COLUMNS as COMPARE_COLUMNS
from gui.window.compare_control import CompareControl
from gui.window.file_actions import FileActions, app_settings
from gui.window.landscape_control import LandscapeControl
from gui.window.lesson_control import LessonControl
from gui.window.run_overlays import RunOverlays
from model.diagnosis import Diagnosis, Verdict
from model.problem import Problem
from model.settings import Settings
from model.timeline import Moment
from model.trainer import DIVERGED, FINISHED, TrainerView

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
RATE_WINDOW_S = 1.0
BANNER_ALARM = "QLabel { background: #FDECEA; color: #8A1C00; padding: 6px; font-weight: bold; }"
BANNER_NOTICE = "QLabel { background: #FFF4D6; color: #6B4A00; padding: 6px; }"


class MainWindow(QtWidgets.QMainWindow):
    """Neuron Lab's window. `run` is the selected run, which every control acts on."""

    viewDrawn = QtCore.Signal(object)
    sessionSaved = QtCore.Signal(str)

    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.setWindowTitle("Neuron Lab")
        screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1360, round(screen.width() * 0.95)), min(860, round(screen.height() * 0.92)))
        settings = settings or Settings()
        self._rate_mark: tuple[float, int] | None = None
        self._updates_per_second = 0.0
        self._tasks: dict[str, str] = {}
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
        self.canvas.main_column.layout().insertWidget(0, self.banner)
        self.history = HistorySlider()
        self.canvas.layout().addWidget(self.history)

        self._build_actions()
        self._build_status_bar()
        self._frame_timer = QtCore.QTimer(self)
        self._frame_timer.setSingleShot(True)
        self._frame_timer.setInterval(0)
        self._frame_timer.timeout.connect(self._frame_parameters)
        self.runs = RunSet(self)
        self._wired: list[QtCore.QMetaObject.Connection] = []
        self.runs.make(settings)
        self._wire(self.run)
        self.landscape = LandscapeControl(self.canvas, self.run)
        self.overlays = RunOverlays(self.canvas, self.runs)
        self.runs.selectedChanged.connect(self._selection_moved)
        self.runs.playingChanged.connect(self._playing_changed)
        self.runs.added.connect(self._run_added)
        self.runs.removed.connect(self._some_run_moved)
        self.runs.hiddenChanged.connect(self._some_run_moved)
        self._build_runs_dock()
        self.branching = Branching(self.runs, self)
        self.branching.notice.connect(lambda message: self.statusBar().showMessage(message, 5000))
        self.branch_action = make_action(self, "Branch here…", "Ctrl+B", "Fork the selected run where it stands, with "
                                         "settings changed: same data, start and shuffle order",
                                         self.branching.open_dialog)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.branch_action)
        self.menuBar().addMenu("&Run").addAction(self.branch_action)
        self.canvas.startPicked.connect(self.set_start)
        self.canvas.panesMade.connect(self._frame_timer.start)
        self.canvas.panesMade.connect(lambda: name_controls(self))
        self.hand.pointChosen.connect(self.set_start)
        self.hand.trainRequested.connect(self._train_from_here)
        self.history.momentChosen.connect(self._seek)
        self.file_actions = FileActions(self, self.file_menu, lambda: self.run.state, self.statusBar(), self.errors,
                                        self.raced_runs)
        self.file_actions.openRequested.connect(self.open_session)
        self.file_actions.saveRequested.connect(self.save_session)
        self.file_actions.exampleRequested.connect(self.load_csv)

        self.panel.settingsEdited.connect(self._settings_edited)
        self.panel.applyRequested.connect(self._apply_now)
        self.panel.regenerateRequested.connect(self._regenerate)
        self.panel.loadCsvRequested.connect(self._load_csv)
        self.panel.displayChanged.connect(self._display_changed)
        self._restore_layout()
        self.lessons = LessonControl(self)
        name_controls(self)
        self.canvas.main_plot.setFocus()

    @property
    def run(self) -> Run:
        """The selected run: every control acts on it."""
        return self.runs.selected

    @property
    def state(self) -> RunState | None:
        """The selected run's state (what the views draw)."""
        return self.run.state

    @property
    def playing(self) -> bool:
        """Whether any run plays."""
        return self.runs.playing

    def _wire(self, run: Run) -> None:
        """The canvas and the window follow this run (the selected one): its signals reach the panes, the panel and
        the status bar, and panes made later read its state. The connections are kept to be undone when the
        selection moves."""
        canvas = self.canvas
        canvas.read_state_from(lambda: run.state)
        self._wired = [signal.connect(slot) for signal, slot in (
            (run.dataChanged, canvas.show_data), (run.problemChanged, canvas.set_problem),
            (run.surfaceChanged, canvas.set_picture), (run.viewChanged, canvas.show_view),
            (run.stepChanged, canvas.show_update), (run.diagnosisChanged, canvas.show_diagnosis),
            (run.snapshotIntervalChanged, canvas.label_snapshots),
            (run.settingsAdopted, self._settings_adopted), (run.problemChanged, self._problem_changed),
            (run.surfaceChanged, self._surface_changed), (run.viewChanged, self._view_drawn),
            (run.diagnosisChanged, self._show_diagnosis), (run.viewsDropped, self.banner.hide),
            (run.playingChanged, self._selected_playing), (run.busyChanged, self._set_task),
            (run.notice, self.statusBar().showMessage), (run.refused, self.errors.show),
            (run.failed, self.errors.show_fault), (run.sessionSaved, self.sessionSaved),
            (run.momentsChanged, self.history.show_moments))]

    def _run_added(self, run: Run) -> None:
        run.viewChanged.connect(self._some_run_moved)
        if len(self.runs.runs) == 2:
            self.runs_dock.raise_()
        self._some_run_moved()

    def _some_run_moved(self, *_: object) -> None:
        """A run was added, removed, hidden or shown, or drew a view: what Play and the steps can act on may have
        changed."""
        self._refresh_enabled()

    def _selection_moved(self, run: Run, previous: Run | None) -> None:
        """Every view, the panel and the status bar now follow `run`, drawn as it stands."""
        if previous is None:
            return
        for connection in self._wired:
            QtCore.QObject.disconnect(connection)
        self._wire(run)
        self.landscape.follow(run)
        self.banner.hide()
        self.canvas.redraw(run.state)
        self.history.show_moments(*run.moments)
        state = run.state
        if state is not None:
            self._framed = state.picture is not None
            self._settings_adopted(state.settings)
            self._problem_changed(state.problem)
            if state.view is not None:
                self._show_numbers(state.view)
                self._show_diagnosis(run.diagnosis())

    def _build_dock(self) -> None:
        dock = self.parameters_dock = QtWidgets.QDockWidget("Parameters")
        dock.setObjectName("parametersDock")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel.add_to_page("View", self.hand)
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(max(365, self.panel.minimumSizeHint().width() + 2 * scroll.frameWidth()))
        dock.setWidget(scroll)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _build_runs_dock(self) -> None:
        """The run list on a tab beside the parameters (stacked, both would scroll at 768 pixels): select, show or
        hide, rename and remove runs, and compare them. It comes to the front when a second run joins."""
        self.run_list = RunList(self.runs, COMPARE_COLUMNS)
        self.compare = CompareControl(self.runs, self.run_list)
        self.compare.notice.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.run_list.refused.connect(lambda message: self.statusBar().showMessage(message, 5000))
        dock = self.runs_dock = QtWidgets.QDockWidget("Runs")
        dock.setObjectName("runsDock")
        dock.setFeatures(self.parameters_dock.features())
        dock.setWidget(self.run_list)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.tabifyDockWidget(self.parameters_dock, dock)
        self.parameters_dock.raise_()

    def _build_actions(self) -> None:
        icon = QtWidgets.QStyle.StandardPixmap

        def action(text: str, shortcut: str, tip: str, slot: Callable[[], object],
                   pixmap: QtWidgets.QStyle.StandardPixmap | None = None) -> QtGui.QAction:
            return make_action(self, text, shortcut, tip, slot, pixmap)

        self.play_action = action("Play", "Space", "Train continuously at the chosen speed", self.toggle_play,
                                  icon.SP_MediaPlay)
        self.step_epoch_action = action("Step epoch", "Right", "Train exactly one epoch",
                                        self._step_epoch, icon.SP_MediaSeekForward)
        self.step_batch_action = action("Step update", "Shift+Right", "One update: one sample (SGD) or one batch",
                                        self._step_update, icon.SP_MediaSkipForward)
        self.run_to_end_action = action("Run to end", "Ctrl+End", "Train all remaining epochs as fast as possible",
                                        self._run_to_end, icon.SP_MediaSkipForward)
        self.reset_action = action("Reset", "Ctrl+R", "Back to epoch 0 with the initial weights",
                                   self._reset, icon.SP_BrowserReload)
        self.training_actions = [self.play_action, self.step_epoch_action, self.step_batch_action,
                                 self.run_to_end_action, self.reset_action]
        self.back_epoch_action = action("Step back epoch", "Left", "Show the run one epoch earlier",
                                        self._step_back_epoch, icon.SP_MediaSeekBackward)
        self.back_update_action = action("Step back update", "Shift+Left", "Show the run one update earlier",
                                         lambda: self.run.step_back(True), icon.SP_MediaSkipBackward)
        self.quit_action = action("Quit", "Ctrl+Q", "Close Neuron Lab", self.close)

        toolbar = self.toolbar = self.addToolBar("Training")
        toolbar.setObjectName("trainingToolbar")
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for made in self.training_actions:
            toolbar.addAction(made)
        toolbar.addSeparator()
        self.epoch_label = SteadyLabel()
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
        train_menu.addSeparator()
        train_menu.addAction(self.back_epoch_action)
        train_menu.addAction(self.back_update_action)

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
                "boundary": "decision boundary x* = −b/w, where ŷ = 0.5", "rate": "updates per second",
                "verdict": "the engine's verdict on the run",
                "units": "w, b and the boundary in the data's own units, when training on standardised x"}
        for name, tip in tips.items():
            label = SteadyLabel(minimum_width=90)
            label.setToolTip(tip)
            self.status_fields[name] = label
            self.statusBar().addPermanentWidget(label)

    def toggle_play(self) -> None:
        """Pause every run that plays, or play every run shown: they train in lockstep by epoch."""
        if self.runs.playing:
            self.runs.pause()
        elif self.play_action.isEnabled():
            self.runs.play()

    def _apply_now(self) -> None:
        self.run.apply_now()

    def _seek(self, moment: Moment) -> None:
        """The history slider moves every run shown to the same moment: runs are compared as they were then."""
        self.runs.for_each(lambda run: run.seek(moment))

    def raced_runs(self) -> list[AnimatedRun]:
        """The selected run first, then each other run shown that trains on the same samples with the same loss (an
        animation draws them over one loss surface), each in its colour."""
        selected = self.run.state
        if selected is None or selected.view is None:
            return []
        same = [run for run in self.runs.visible if run is self.run or (
            run.state is not None and run.state.view is not None and run.state.data == selected.data
            and run.state.settings.loss == selected.settings.loss)]
        same.sort(key=lambda run: run is not self.run)
        return [AnimatedRun(run.state.view, RUN_COLOURS[run.colour]) for run in same]

    def _step_back_epoch(self) -> None:
        """Left takes every run shown one epoch back, as Right takes them one forward."""
        self.runs.for_each(lambda run: run.step_back(False))

    def _step_epoch(self) -> None:
        self.runs.for_each(Run.step_epoch)

    def _step_update(self) -> None:
        self.run.step_update()

    def _run_to_end(self) -> None:
        self.runs.play(Run.run_to_end)

    def _reset(self) -> None:
        self.runs.for_each(Run.reset)

    def load_csv(self, path: str) -> None:
        """Train on a CSV file's samples (read and checked on the training thread)."""
        self.panel.set_settings(self.run.load_csv(path, self.panel.settings()))

    def open_session(self, path: str) -> None:
        self.run.open_session(path)

    def save_session(self, path: str) -> None:
        """Save every run side by side (model.session.save_runs)."""
        self.runs.save(path)

    def set_start(self, w: float, b: float) -> None:
        """Start training at (w, b), shown in the Model panel; a drag's points reach the run as it can take them.
        While a lesson's question waits for a click in the parameter view, the click is the learner's guess."""
        if self.lessons.take_point(w, b):
            return
        candidate = self.panel.settings().replace(init_w=float(w), init_b=float(b))
        problems = candidate.problems()
        if problems:
            self.statusBar().showMessage(" ".join(problems.values()), 5000)
            return
        self.panel.set_settings(candidate)
        self.run.set_start(candidate)

    def _settings_edited(self, candidate: Settings, problems: dict[str, str]) -> None:
        """Every edit: invalid ones disable Play at once with the reason; the run decides when valid ones apply."""
        if problems:
            reason = "Fix the marked fields first: " + " ".join(problems.values())
            self.play_action.setEnabled(False)
            self.play_action.setToolTip(reason)
            self.statusBar().showMessage(reason)
        else:
            self.play_action.setToolTip("Train continuously at the chosen speed (Space)")
        self.run.edit(candidate, problems)
        if not problems:
            self._refresh_enabled()

    def _regenerate(self) -> None:
        self.panel.set_settings(self.run.new_samples(self.panel.settings()))

    def _load_csv(self) -> None:
        current = self.panel.settings().data_path
        start = str(Path(current).parent) if current else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load samples", start, "CSV files (*.csv);;All files (*)")
        if path:
            self.load_csv(path)

    def _display_changed(self, display: DisplayOptions) -> None:
        self.run.set_display(display)

    def _settings_adopted(self, settings: Settings) -> None:
        if self.panel.settings() != settings:
            self.panel.set_settings(settings)

    def _problem_changed(self, problem: Problem) -> None:
        """The panel keeps the last η_max until the new samples' is known (no relayout while it is computed)."""
        if problem is not UNSTUDIED:
            self.panel.set_problem(problem)
            self._frame_parameters()

    def _surface_changed(self, picture: SurfacePicture | None) -> None:
        if picture is None:
            self._framed = False
            return
        surface = picture.surface
        self.hand.set_ranges((float(surface.w[0]), float(surface.w[-1])), (float(surface.b[0]), float(surface.b[-1])))

    def _frame_parameters(self) -> None:
        """The first view of the (w, b) plane for new data frames the start and the optimum, once the parameter
        view is made (and, after a turn of the event loop, painted): its surface is then computed while the window
        is otherwise idle, not while it builds and paints the pane."""
        state = self.run.state
        if not self._framed and state is not None and state.view is not None and state.problem is not UNSTUDIED \
                and self.canvas.panes_made:
            self._framed = True
            self.landscape.fit()

    def _train_from_here(self) -> None:
        if not self.run.playing:
            self.toggle_play()

    def _set_task(self, name: str, description: str) -> None:
        """Show long work in the status bar, with a busy indicator, for as long as any of it runs."""
        if description:
            self._tasks[name] = description
        else:
            self._tasks.pop(name, None)
        self.busy_bar.setVisible(bool(self._tasks))
        self.busy_label.setText(" ".join(self._tasks.values()))
        self.busy_label.setVisible(bool(self._tasks))

    def _view_drawn(self, view: TrainerView) -> None:
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
        self._show_data_units(view)
        self.epoch_label.setText(f"  Epoch {view.epoch} / {view.total_epochs}  ")
        self.progress.setValue(round(view.progress * 1000))
        if view.status == FINISHED:
            self.statusBar().showMessage(view.message, 5000)
        self._refresh_enabled(view)

    def _show_data_units(self, view: TrainerView) -> None:
        scale = self.run.state.data.scale if self.run.state is not None else None
        field = self.status_fields["units"]
        field.setVisible(scale is not None)
        if scale is not None:
            units = scale.neuron_in_data_units(view.w, view.b, view.boundary)
            boundary = "none" if units["boundary"] is None else number(units["boundary"], 3, sign=True)
            field.setText(f"in x: w = {number(units['w'], sign=True)}  b = {number(units['b'], sign=True)}  "
                          f"x* = {boundary}")

    def _show_diagnosis(self, diagnosis: Diagnosis) -> None:
        """The verdict in the status bar (its sentence as the tooltip); a run that ran away or oscillates also says
        why in the banner, until the next reset or restart."""
        field = self.status_fields["verdict"]
        field.setText(VERDICT_WORDS[diagnosis.verdict])
        field.setToolTip(diagnosis.text)
        if diagnosis.verdict == Verdict.DIVERGED:
            self._show_banner(diagnosis.text, BANNER_ALARM)
        elif diagnosis.verdict == Verdict.OSCILLATING:
            self._show_banner(diagnosis.text, BANNER_NOTICE)

    def _show_banner(self, text: str, style: str) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(text)
        self.banner.show()

    def _measure_rate(self, view: TrainerView) -> float:
        now = QtCore.QTime.currentTime().msecsSinceStartOfDay() / 1000
        if self._rate_mark is None or view.updates < self._rate_mark[1] or now < self._rate_mark[0]:
            self._rate_mark = (now, view.updates)
        elif now - self._rate_mark[0] >= RATE_WINDOW_S:
            self._updates_per_second = (view.updates - self._rate_mark[1]) / (now - self._rate_mark[0])
            self._rate_mark = (now, view.updates)
        if not self.run.playing:
            self._updates_per_second = 0.0
        return self._updates_per_second

    def _refresh_enabled(self, view: TrainerView | None = None) -> None:
        """Play, Step epoch and Run to end act on every run shown, Step update on the selected one."""
        selected = _trainable(view or (self.run.state.view if self.run.state else None))
        trainable = selected or any(_trainable(run.state.view if run.state else None) for run in self.runs.visible)
        valid = not self.panel.problems()
        self.play_action.setEnabled(valid and (trainable or self.runs.playing))
        for made in (self.step_epoch_action, self.run_to_end_action):
            made.setEnabled(valid and trainable)
        self.step_batch_action.setEnabled(valid and selected)
        self.reset_action.setEnabled(valid)

    def _selected_playing(self, playing: bool) -> None:
        """The selected run stopped (or started): draw the panes a turn-taking draw left behind."""
        if not playing:
            self.canvas.stop_turns()
            if self.run.state is not None and self.run.state.view is not None:
                self._show_numbers(self.run.state.view)

    def _playing_changed(self, playing: bool) -> None:
        """Some run plays, or none does any more."""
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
        self.runs.close()
        super().closeEvent(event)


def _trainable(view: TrainerView | None) -> bool:
    return view is None or view.status not in (FINISHED, DIVERGED)
