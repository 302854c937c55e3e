"""Starting the application: one QApplication, pyqtgraph's light theme, garbage collected on the GUI thread only,
uncaught errors shown as dialogs, and the main window."""

from __future__ import annotations

import sys

import shiboken6
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6 import QtGui, QtWidgets

from gui.base.errors import install_excepthook
from gui.base.style import configure_pyqtgraph
from gui.runs.process_tuning import collect_on_gui_thread
from gui.window.file_actions import app_settings
from gui.window.lesson_control import offer_first_lesson
from gui.window.main_window import MainWindow
from resources import resource_path


def build_app(argv: list[str]) -> tuple[QtWidgets.QApplication, MainWindow, GarbageCollector]:
    """The application, its main window (not shown yet) and the collector, set up as `python main.py` has them;
    the start-up benchmark builds the same."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv)
    app.setApplicationName("Neuron Lab")
    app.setOrganizationName("Neuron Lab")
    app.setDesktopFileName("neuron-lab")
    app.setWindowIcon(QtGui.QIcon(str(resource_path("icon.svg"))))
    configure_pyqtgraph()
    collector = collect_on_gui_thread()
    window = MainWindow()
    install_excepthook(window.errors)
    return app, window, collector


def run_app() -> int:
    app, window, collector = build_app(sys.argv)
    window.show()
    offer_first_lesson(window, app_settings())
    code = app.exec()
    collector.timer.stop()
    close_for_good(window)
    return code


def close_for_good(window: QtWidgets.QWidget) -> None:
    """Destroy the window's Qt objects now, while the interpreter still runs: left to its shutdown, they go in an
    arbitrary order, and closing within a moment of starting crashed on exit most times."""
    shiboken6.delete(window)
