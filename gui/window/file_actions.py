"""The File menu: sessions, figure and data export, and what the app remembers between launches (QSettings).

It is handed what it needs (the menu, the window's state, where to report) rather than reaching into the window:
exports draw exactly the state they are given. Opening and saving sessions are requests the window passes to the
training thread, so a large file never freezes the window. Every write is atomic and every failure is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from gui.base.actions import make_action
from gui.base.errors import ErrorReporter, reason
from gui.base.state import RunState
from gui.export.animation import AnimatedRun, animation_content
from gui.export.animation_dialog import AnimationDialog
from gui.export.animation_export import AnimationChoice, AnimationExport
from gui.export.animation_job import AnimationJob
from gui.export.export_dialog import ExportChoice, ExportDialog
from gui.export.figures import FIGURES, FORMATS, FigureContent, export_figure
from gui.export.render import PNG_SCALES
from model.csv_io import format_csv
from model.examples import examples
from model.files import write_text_atomic
from model.report import history_csv

EXPORT_FOLDER_KEY = "export/folder"
SESSION_FOLDER_KEY = "session/folder"
EXPORT_CHOICE_KEY = "export/choice"
DEFAULT_CHOICE = ExportChoice("canvas", "png", 2)


def app_settings() -> QtCore.QSettings:
    return QtCore.QSettings("Neuron Lab", "Neuron Lab")


class FileActions(QtCore.QObject):
    """Builds the File menu's actions and carries them out on the state it is given."""

    openRequested = QtCore.Signal(str)
    saveRequested = QtCore.Signal(str)
    exampleRequested = QtCore.Signal(str)
    """The path of a shipped example data file to train on."""

    def __init__(self, parent: QtWidgets.QWidget, menu: QtWidgets.QMenu, state: Callable[[], RunState | None],
                 status: QtWidgets.QStatusBar, errors: ErrorReporter,
                 raced: Callable[[], list[AnimatedRun]] = list):
        """`state` is the selected run's; `raced` gives the selected run and the other runs shown, each in its colour,
        for an animation of a race (the selected run alone when it returns nothing)."""
        super().__init__(parent)
        self._parent = parent
        self._state = state
        self._raced = raced
        self._status = status
        self._errors = errors
        first = menu.actions()[0] if menu.actions() else None
        self.open_action = make_action(parent, "Open session…", "Ctrl+O",
                                       "Open a saved run and carry on from where it was", self.open_session_dialog)
        self.save_action = make_action(parent, "Save session…", "Ctrl+S", "Save settings, samples and training state",
                                       self.save_session_dialog)
        self.export_action = make_action(parent, "Export figure…", "Ctrl+E", "Save a figure as PNG or SVG",
                                         self.export_figure_dialog)
        self.animation_action = make_action(parent, "Export animation…", "Ctrl+Shift+E",
                                            "Save the run as an animated GIF or MP4, drawn from its stored history",
                                            self.export_animation_dialog)
        self.animation_choice, self.animation_format = AnimationChoice(), "gif"
        self.history_action = make_action(parent, "Export history as CSV…", "",
                                          "epoch, w, b, loss, accuracy, boundary",
                                          lambda: self._export_text_dialog("history.csv", self.export_history))
        self.samples_action = make_action(parent, "Export samples as CSV…", "", "x,label: the format Load CSV reads",
                                          lambda: self._export_text_dialog("samples.csv", self.export_samples))
        self.example_menu = self._example_menu(parent)
        for made in (self.open_action, self.save_action, self.example_menu.menuAction(), None, self.export_action,
                     self.history_action, self.samples_action, None):
            if made is None:
                menu.insertSeparator(first)
            else:
                menu.insertAction(first, made)
        menu.insertAction(self.history_action, self.animation_action)

    def _example_menu(self, parent: QtWidgets.QWidget) -> QtWidgets.QMenu:
        """One click trains on a real data set; each entry's tooltip is its file's header: source, licence, what it
        teaches and which class is label 1."""
        menu = QtWidgets.QMenu("Open example", parent)
        menu.setToolTipsVisible(True)
        for shipped in examples():
            action = make_action(parent, shipped.title, "", shipped.header,
                                 lambda *_, path=str(shipped.path): self.exampleRequested.emit(path))
            action.setStatusTip(shipped.title)
            menu.addAction(action)
        return menu

    def export_figure(self, choice: ExportChoice, path: str) -> bool:
        state = self._state()
        if state is None or state.view is None:
            return self._nothing_yet()
        content = FigureContent(state.data, state.settings.loss, state.view, state.problem, state.display,
                                state.picture)
        try:
            width, height = export_figure(choice.kind, content, path, choice.scale)
        except (OSError, ValueError) as error:
            self._errors.show("The figure could not be saved", reason(error))
            return False
        self._status.showMessage(f"Saved {Path(path).name} ({width} × {height}).", 5000)
        return True

    def export_animation(self, choice: AnimationChoice, path: str) -> AnimationJob | None:
        """Start drawing the run as it stands (with the runs it races) into an animation at path; the job reports
        its end in the status bar (or, when it fails, in an error box)."""
        state = self._state()
        if state is None or state.view is None:
            self._nothing_yet()
            return None
        settings = state.settings
        runs = self._raced() or [AnimatedRun(state.view)]
        content = animation_content(state.data, settings.loss, settings.l2, runs, state.problem, state.display)
        try:
            export = AnimationExport(content, choice, path)
        except (OSError, ValueError) as error:
            self._errors.show("The animation could not be saved", reason(error))
            return None
        job = AnimationJob(export, self._parent)
        frames, (width, height) = len(export.epochs), export.size
        job.done.connect(lambda saved: self._status.showMessage(
            f"Saved {saved.name} ({frames} frame{'s' * (frames != 1)}, {width} × {height}).", 5000))
        job.stopped.connect(self._animation_stopped)
        return job

    def _animation_stopped(self, message: str) -> None:
        if message:
            self._errors.show("The animation could not be saved", message)
        else:
            self._status.showMessage("Animation export cancelled; nothing was written.", 5000)

    def export_history(self, path: str) -> bool:
        state = self._state()
        if state is None or state.view is None:
            return self._nothing_yet()
        write_text_atomic(path, history_csv(state.view.history))
        return True

    def export_samples(self, path: str) -> bool:
        state = self._state()
        if state is None:
            return self._nothing_yet()
        write_text_atomic(path, format_csv(state.data.original))
        return True

    def _nothing_yet(self) -> bool:
        self._status.showMessage("Nothing to export yet: the first picture is still being drawn.", 5000)
        return False

    def open_session_dialog(self) -> None:
        path = self._ask_path(False, SESSION_FOLDER_KEY, "session.json", "Neuron Lab sessions (*.json)")
        if path:
            self.openRequested.emit(path)

    def save_session_dialog(self) -> None:
        path = self._ask_path(True, SESSION_FOLDER_KEY, "session.json", "Neuron Lab sessions (*.json)")
        if path:
            self.saveRequested.emit(path)

    def export_figure_dialog(self) -> None:
        dialog = ExportDialog(self._remembered_choice(), self._parent)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        app_settings().setValue(EXPORT_CHOICE_KEY, f"{choice.kind},{choice.fmt},{choice.scale}")
        path = self._ask_path(True, EXPORT_FOLDER_KEY, f"{choice.kind}.{choice.fmt}",
                              f"{choice.fmt.upper()} images (*.{choice.fmt})")
        if path:
            self.export_figure(choice, path)

    def export_animation_dialog(self) -> None:
        dialog = AnimationDialog(self.animation_choice, self.animation_format, self._parent)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return
        self.animation_choice, self.animation_format = dialog.choice()
        fmt = self.animation_format
        path = self._ask_path(True, EXPORT_FOLDER_KEY, f"training.{fmt}", f"{fmt.upper()} animations (*.{fmt})")
        if path:
            self.export_animation(self.animation_choice, path)

    def _export_text_dialog(self, name: str, write: Callable[[str], bool]) -> None:
        path = self._ask_path(True, EXPORT_FOLDER_KEY, name, "CSV files (*.csv)")
        if not path:
            return
        try:
            written = write(path)
        except OSError as error:
            self._errors.show("The file could not be saved", reason(error))
            return
        if written:
            self._status.showMessage(f"Saved {Path(path).name}.", 5000)

    def _ask_path(self, saving: bool, folder_key: str, name: str, filter_text: str) -> str:
        """Ask for a file in the folder used last time; remember the folder chosen."""
        settings = app_settings()
        folder = str(settings.value(folder_key, QtCore.QDir.homePath()))
        if saving:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self._parent, "Save", str(Path(folder) / name),
                                                            filter_text)
        else:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self._parent, "Open", folder, filter_text)
        if path:
            settings.setValue(folder_key, str(Path(path).parent))
        return path

    def _remembered_choice(self) -> ExportChoice:
        """The last export's choices; anything unreadable (an edited settings file) falls back to the default."""
        try:
            kind, fmt, scale = str(app_settings().value(EXPORT_CHOICE_KEY, "")).split(",")
            choice = ExportChoice(kind, fmt, int(scale))
        except ValueError:
            return DEFAULT_CHOICE
        valid = choice.kind in FIGURES and choice.fmt in FORMATS and choice.scale in PNG_SCALES
        return choice if valid else DEFAULT_CHOICE
