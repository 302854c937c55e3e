"""Every failure reaches the learner as a message, never only a traceback on stderr.

Worker slots catch their own exceptions and send them here as a signal; exceptions in GUI slots reach
sys.excepthook, which the app points here. One dialog at a time: while it is open, later reports go to the status
bar so a fault that repeats cannot bury the window under dialogs.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6 import QtCore, QtWidgets


class ErrorReporter(QtCore.QObject):
    """Shows errors in a message box whose details (the traceback) can be selected and copied."""

    reported = QtCore.Signal(str, str)
    """(title, message) of everything shown: refused files as well as faults."""
    faulted = QtCore.Signal(str, str)
    """(title, details) of unexpected exceptions only."""

    def __init__(self, window: QtWidgets.QMainWindow):
        super().__init__(window)
        self._window = window
        self._box: QtWidgets.QMessageBox | None = None

    def show(self, title: str, message: str, details: str = "") -> None:
        self.reported.emit(title, message)
        self._window.statusBar().showMessage(message.splitlines()[0] if message else title, 10000)
        if self._box is not None:
            if self._box.isVisible():
                return
            self._box.deleteLater()
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, title, message,
                                    QtWidgets.QMessageBox.StandardButton.Ok, self._window)
        box.setObjectName("errorBox")
        box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        if details:
            box.setDetailedText(details)
        self._box = box
        box.open()

    def show_fault(self, title: str, details: str) -> None:
        """An unexpected exception: say that the app still works and offer the report to copy."""
        self.faulted.emit(title, details)
        last = details.strip().splitlines()[-1] if details.strip() else "unknown error"
        self.show(title, f"{last}\n\nNeuron Lab is still running; the details below can be copied into a bug report.",
                  details)


def reason(error: Exception) -> str:
    """A failed file operation in words: which file and what the system said."""
    if isinstance(error, OSError):
        return f"{error.filename or 'The file'}: {error.strerror or error}"
    return str(error)


def install_excepthook(reporter: ErrorReporter) -> None:
    """Route uncaught exceptions in GUI slots to a dialog (they are also still printed to stderr)."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        previous(kind, error, trace)
        if issubclass(kind, KeyboardInterrupt):
            return
        reporter.show_fault("Something went wrong", "".join(traceback.format_exception(kind, error, trace)))

    sys.excepthook = hook
