"""The File menu: sessions, figure and data export, and what the app remembers between launches (QSettings).

Every write is atomic, every failure is reported in words, and a file that cannot be opened leaves the current
session exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from gui.actions import make_action
from gui.export_dialog import ExportChoice, ExportDialog
from gui.figures import FIGURES, FORMATS, FigureContent, export_figure
from gui.render import PNG_SCALES
from model.csv_io import format_csv
from model.files import write_text_atomic
from model.report import history_csv
from model.session import Session, SessionError, load_session, save_session

if TYPE_CHECKING:
    from gui.main_window import MainWindow

EXPORT_FOLDER_KEY = "export/folder"
SESSION_FOLDER_KEY = "session/folder"
EXPORT_CHOICE_KEY = "export/choice"
DEFAULT_CHOICE = ExportChoice("canvas", "png", 2)


def app_settings() -> QtCore.QSettings:
    return QtCore.QSettings("Neuron Lab", "Neuron Lab")


class FileActions(QtCore.QObject):
    """Builds the File menu's actions on a window and carries them out."""

    sessionSaved = QtCore.Signal(str)

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        window.worker_thread.worker.sessionReady.connect(self._write_session)
        menu = window.file_menu
        first = menu.actions()[0] if menu.actions() else None
        w = self.window
        self.open_action = make_action(w, "Open session…", "Ctrl+O", "Open a saved run and carry on from where it was",
                                       self.open_session_dialog)
        self.save_action = make_action(w, "Save session…", "Ctrl+S", "Save settings, samples and training state",
                                       self.save_session_dialog)
        self.export_action = make_action(w, "Export figure…", "Ctrl+E", "Save a figure as PNG or SVG",
                                         self.export_figure_dialog)
        self.history_action = make_action(w, "Export history as CSV…", "", "epoch, w, b, loss, accuracy, boundary",
                                          lambda: self._export_text_dialog("history.csv", self.export_history))
        self.samples_action = make_action(w, "Export samples as CSV…", "", "x,label: the format Load CSV reads",
                                          lambda: self._export_text_dialog("samples.csv", self.export_samples))
        for made in (self.open_action, self.save_action, None, self.export_action, self.history_action,
                     self.samples_action, None):
            if made is None:
                menu.insertSeparator(first)
            else:
                menu.insertAction(first, made)

    def open_session(self, path: str) -> bool:
        """Open a session file; on any problem say why and keep the current session."""
        try:
            session = load_session(path)
        except SessionError as error:
            self.window.show_error("The session could not be opened", str(error))
            return False
        self.window.adopt_session(session)
        self.window.statusBar().showMessage(f"Opened {Path(path).name} at epoch {session.state.epoch}.", 5000)
        return True

    def save_session(self, path: str) -> None:
        """Ask the worker for a consistent copy of the run; it comes back to _write_session."""
        self.window.saveSessionRequested.emit(path)

    def export_figure(self, choice: ExportChoice, path: str) -> bool:
        view = self.window.canvas.last_view
        if view is None:
            return self._nothing_yet()
        panel = self.window.panel
        content = FigureContent(self.window.data, self.window.settings.loss, view, self.window.optimum,
                                panel.at_label.isChecked(), panel.histograms.isChecked())
        try:
            width, height = export_figure(choice.kind, content, path, choice.scale)
        except (OSError, ValueError) as error:
            self.window.show_error("The figure could not be saved", _reason(error))
            return False
        self.window.statusBar().showMessage(f"Saved {Path(path).name} ({width} × {height}).", 5000)
        return True

    def export_history(self, path: str) -> bool:
        view = self.window.canvas.last_view
        if view is None:
            return self._nothing_yet()
        write_text_atomic(path, history_csv(view.history))
        return True

    def _nothing_yet(self) -> bool:
        self.window.statusBar().showMessage("Nothing to export yet: the first picture is still being drawn.", 5000)
        return False

    def export_samples(self, path: str) -> bool:
        write_text_atomic(path, format_csv(self.window.data))
        return True

    def open_session_dialog(self) -> None:
        path = self._ask_path(False, SESSION_FOLDER_KEY, "session.json", "Neuron Lab sessions (*.json)")
        if path:
            self.open_session(path)

    def save_session_dialog(self) -> None:
        path = self._ask_path(True, SESSION_FOLDER_KEY, "session.json", "Neuron Lab sessions (*.json)")
        if path:
            self.save_session(path)

    def export_figure_dialog(self) -> None:
        dialog = ExportDialog(self._remembered_choice(), self.window)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        app_settings().setValue(EXPORT_CHOICE_KEY, f"{choice.kind},{choice.fmt},{choice.scale}")
        path = self._ask_path(True, EXPORT_FOLDER_KEY, f"{choice.kind}.{choice.fmt}",
                              f"{choice.fmt.upper()} images (*.{choice.fmt})")
        if path:
            self.export_figure(choice, path)

    def _export_text_dialog(self, name: str, write: Callable[[str], bool]) -> None:
        path = self._ask_path(True, EXPORT_FOLDER_KEY, name, "CSV files (*.csv)")
        if not path:
            return
        try:
            written = write(path)
        except OSError as error:
            self.window.show_error("The file could not be saved", _reason(error))
            return
        if written:
            self.window.statusBar().showMessage(f"Saved {Path(path).name}.", 5000)

    def _ask_path(self, saving: bool, folder_key: str, name: str, filter_text: str) -> str:
        """Ask for a file in the folder used last time; remember the folder chosen."""
        settings = app_settings()
        folder = str(settings.value(folder_key, QtCore.QDir.homePath()))
        if saving:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Save", str(Path(folder) / name), filter_text)
        else:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open", folder, filter_text)
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

    def _write_session(self, session: Session, path: str) -> None:
        try:
            save_session(session, path)
        except OSError as error:
            self.window.show_error("The session could not be saved", _reason(error))
            return
        self.window.statusBar().showMessage(f"Saved session {Path(path).name} at epoch {session.state.epoch}.", 5000)
        self.sessionSaved.emit(path)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{error.filename or 'The file'}: {error.strerror or error}"
    return str(error)
