"""The main window: panels on the left, the canvas on the right, controls in a toolbar and menus.

The window owns no training: it sends commands to the worker thread and draws the newest view it receives,
at most about 60 times a second however fast the worker runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from gui.actions import make_action
from gui.canvas import Canvas
from gui.file_actions import FileActions, app_settings
from gui.panels import DATA_FIELDS, SettingsPanel
from gui.style import number
from gui.worker import WorkerThread
from model.csv_io import DataFileError
from model.data import Dataset
from model.optimum import Optimum
from model.session import Session
from model.settings import Settings
from model.sources import dataset_for
from model.trainer import DIVERGED, FINISHED, LIVE_FIELDS, TrainerView

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
DRAW_INTERVAL_MS = 16
RATE_WINDOW_S = 1.0


class MainWindow(QtWidgets.QMainWindow):
    """Neuron Lab's window. Signals ending in Requested go to the worker, queued across threads."""

    configureRequested = QtCore.Signal(int, object, object)
    settingsUpdateRequested = QtCore.Signal(object)
    playRequested = QtCore.Signal()
    pauseRequested = QtCore.Signal()
    stepEpochRequested = QtCore.Signal()
    stepBatchRequested = QtCore.Signal()
    runToEndRequested = QtCore.Signal()
    resetRequested = QtCore.Signal(int)
    loadSessionRequested = QtCore.Signal(int, object)
    saveSessionRequested = QtCore.Signal(str)
    viewDrawn = QtCore.Signal(object)

    def __init__(self, settings: Settings | None = None):
        super().__init__()
        self.setWindowTitle("Neuron Lab")
        screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(1360, round(screen.width() * 0.95)), min(860, round(screen.height() * 0.92)))
        self.settings = settings or Settings()
        self.data: Dataset = dataset_for(self.settings)
        self.playing = False
        self._ticket = 0
        self._pending: TrainerView | None = None
        self._rate_mark: tuple[float, int] | None = None
        self._updates_per_second = 0.0
        self.optimum = Optimum(False, reason="The exact optimum has not been computed yet.")

        self.canvas = Canvas()
        self.panel = SettingsPanel(self.settings)
        self.setCentralWidget(self.canvas)
        dock = QtWidgets.QDockWidget("Parameters")
        dock.setObjectName("parametersDock")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(370)
        dock.setWidget(scroll)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.banner = QtWidgets.QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #FDECEA; color: #8A1C00; padding: 6px; font-weight: bold; }")
        self.banner.hide()
        self.canvas.layout().insertWidget(0, self.banner)

        self._build_actions()
        self._build_status_bar()
        self._draw_timer = QtCore.QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(DRAW_INTERVAL_MS)
        self._draw_timer.timeout.connect(self._draw_pending)

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
        self.loadSessionRequested.connect(worker.load_session)
        self.saveSessionRequested.connect(worker.save_session)
        worker.viewReady.connect(self._view_arrived)
        worker.optimumReady.connect(self._optimum_arrived)
        worker.playingChanged.connect(self._playing_changed)
        worker.statusMessage.connect(self._worker_status)

        self.panel.settingsEdited.connect(self._settings_edited)
        self.panel.regenerateRequested.connect(self._regenerate)
        self.panel.loadCsvRequested.connect(self._load_csv)
        self.panel.displayChanged.connect(self._redraw_data)
        self.file_actions = FileActions(self)
        self._restore_layout()
        self._redraw_data()
        self._configure()
        self.canvas.main_plot.setFocus()

    def _build_actions(self) -> None:
        icon = QtWidgets.QStyle.StandardPixmap

        def action(text: str, shortcut: str, tip: str, slot: Callable[[], object],
                   pixmap: QtWidgets.QStyle.StandardPixmap | None = None) -> QtGui.QAction:
            return make_action(self, text, shortcut, tip, slot, pixmap)

        self.play_action = action("Play", "Space", "Train continuously at the chosen speed", self.toggle_play,
                                  icon.SP_MediaPlay)
        self.step_epoch_action = action("Step epoch", "Right", "Train exactly one epoch", self.stepEpochRequested,
                                        icon.SP_MediaSeekForward)
        self.step_batch_action = action("Step update", "Shift+Right", "One update: one sample (SGD) or one batch",
                                        self.stepBatchRequested, icon.SP_MediaSkipForward)
        self.run_to_end_action = action("Run to end", "Ctrl+End", "Train all remaining epochs as fast as possible",
                                        self.runToEndRequested, icon.SP_MediaSkipForward)
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
            self.playRequested.emit()

    def reset(self) -> None:
        self.resetRequested.emit(self._next_run())
        self.statusBar().showMessage("Training reset to epoch 0.", 4000)

    def _next_run(self) -> int:
        """A new ticket: views of the previous run that are still on their way are dropped from now on."""
        self._ticket += 1
        self.banner.hide()
        return self._ticket

    def _configure(self) -> None:
        self.configureRequested.emit(self._next_run(), self.settings, self.data)

    def _use_data(self, candidate: Settings, error_title: str) -> bool:
        """Load the samples the candidate settings describe and restart on them; on a bad file keep what we have."""
        try:
            data = dataset_for(candidate)
        except DataFileError as error:
            self.show_error(error_title, str(error))
            return False
        self.settings, self.data = candidate, data
        self._redraw_data()
        self._configure()
        return True

    def _settings_edited(self, candidate: Settings, problems: dict[str, str]) -> None:
        if problems:
            reason = "Fix the marked fields first: " + " ".join(problems.values())
            self.play_action.setEnabled(False)
            self.play_action.setToolTip(reason)
            self.statusBar().showMessage(reason)
            return
        self.play_action.setToolTip("Train continuously at the chosen speed (Space)")
        self._refresh_enabled()
        changed = {n for n, v in candidate.to_dict().items() if getattr(self.settings, n) != v}
        if not changed:
            return
        if changed & DATA_FIELDS:
            if self._use_data(candidate, "The data could not be loaded"):
                self.statusBar().showMessage("Data changed: training restarted from epoch 0.", 5000)
            else:
                self.panel.set_settings(self.settings)
        elif changed - LIVE_FIELDS:
            self.settings = candidate
            self._redraw_data()
            self._configure()
            self.statusBar().showMessage("Model or training settings changed: training restarted from epoch 0.", 5000)
        else:
            self.settings = candidate
            self.settingsUpdateRequested.emit(candidate)
            self.canvas.set_snapshot_interval(candidate.every)
            self.statusBar().showMessage("Applied while training: " + ", ".join(sorted(changed)) + ".", 3000)

    def _regenerate(self) -> None:
        candidate = self.settings.replace(seed=self.settings.seed + 1, data_path=None)
        self.panel.set_settings(candidate)
        self._settings_edited(candidate, {})

    def _load_csv(self) -> None:
        start = str(Path(self.settings.data_path).parent) if self.settings.data_path else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load samples", start, "CSV files (*.csv);;All files (*)")
        if path:
            self.load_csv(path)

    def load_csv(self, path: str) -> bool:
        """Use a CSV file's samples; on a bad file say why and keep the current data."""
        candidate = self.settings.replace(data_path=path)
        if not self._use_data(candidate, "The file could not be used"):
            return False
        self.panel.set_settings(candidate)
        self.statusBar().showMessage(f"Loaded {len(self.data)} samples from {Path(path).name}.", 5000)
        return True

    def adopt_session(self, session: Session) -> None:
        """Show a reopened session's settings and samples and hand its trainer state to the worker."""
        self.settings, self.data = session.settings, session.data
        self.panel.set_settings(session.settings)
        self._redraw_data()
        self.loadSessionRequested.emit(self._next_run(), session)

    def show_error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, title, message,
                                    QtWidgets.QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorBox")
        box.open()

    def _redraw_data(self) -> None:
        self.canvas.set_data(self.data, self.settings.loss, self.settings.every, self.panel.at_label.isChecked(),
                             self.panel.histograms.isChecked())

    def _view_arrived(self, ticket: int, view: TrainerView) -> None:
        if ticket != self._ticket:
            return
        self._pending = view
        if not self._draw_timer.isActive():
            self._draw_timer.start()

    def _draw_pending(self) -> None:
        view, self._pending = self._pending, None
        if view is None:
            return
        self.canvas.show_view(view)
        self._show_numbers(view)
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
        if view.status == DIVERGED:
            self.banner.setText(view.message)
            self.banner.show()
        elif view.status == FINISHED:
            self.statusBar().showMessage(view.message, 5000)
        self._refresh_enabled(view)

    def _measure_rate(self, view: TrainerView) -> float:
        now = QtCore.QTime.currentTime().msecsSinceStartOfDay() / 1000
        if self._rate_mark is None or view.updates < self._rate_mark[1] or now < self._rate_mark[0]:
            self._rate_mark = (now, view.updates)
        elif now - self._rate_mark[0] >= RATE_WINDOW_S:
            self._updates_per_second = (view.updates - self._rate_mark[1]) / (now - self._rate_mark[0])
            self._rate_mark = (now, view.updates)
        if not self.playing:
            self._updates_per_second = 0.0
        self.optimum = Optimum(False, reason="The exact optimum has not been computed yet.")
        return self._updates_per_second

    def _refresh_enabled(self, view: TrainerView | None = None) -> None:
        view = view or self.canvas.last_view
        trainable = view is None or view.status not in (FINISHED, DIVERGED)
        valid = not self.panel.problems()
        self.play_action.setEnabled(valid and (trainable or self.playing))
        for made in (self.step_epoch_action, self.step_batch_action, self.run_to_end_action):
            made.setEnabled(valid and trainable)
        self.reset_action.setEnabled(valid)

    def _optimum_arrived(self, optimum: Optimum) -> None:
        self.canvas.set_optimum(optimum)
        self.optimum = optimum

    def _playing_changed(self, playing: bool) -> None:
        self.playing = playing
        self.play_action.setText("Pause" if playing else "Play")
        pixmaps = QtWidgets.QStyle.StandardPixmap
        pixmap = pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay
        self.play_action.setIcon(self.style().standardIcon(pixmap))
        self._refresh_enabled()

    def _worker_status(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().clearMessage()

    def _restore_layout(self) -> None:
        stored = app_settings()
        geometry, state = stored.value(GEOMETRY_KEY), stored.value(STATE_KEY)
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QtCore.QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        stored = app_settings()
        stored.setValue(GEOMETRY_KEY, self.saveGeometry())
        stored.setValue(STATE_KEY, self.saveState())
        self._draw_timer.stop()
        self.worker_thread.stop()
        super().closeEvent(event)
