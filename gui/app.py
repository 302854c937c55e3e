"""Starting the application: one QApplication, pyqtgraph's light theme, garbage collected on the GUI thread only,
uncaught errors shown as dialogs, and the main window."""

from __future__ import annotations

import gc
import sys

import shiboken6
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6 import QtGui, QtWidgets

from gui.errors import install_excepthook
from gui.main_window import MainWindow
from gui.style import configure_pyqtgraph
from resources import resource_path

COLLECT_INTERVAL_S = 0.5


def start_collector() -> GarbageCollector:
    """Python's cycle collector would run in whichever thread allocates when a threshold is crossed, and from the
    training thread it could destroy the window's Qt objects. pyqtgraph's collector switches automatic collection
    off and collects on a GUI-thread timer instead. Keep the returned object alive for as long as the app runs.

    The libraries' own objects, loaded by now and kept for as long as the app runs, are set aside first
    (gc.freeze): a full collection walking them would hold the window's thread for tens of milliseconds."""
    gc.freeze()
    return GarbageCollector(interval=COLLECT_INTERVAL_S)


def build_app(argv: list[str]) -> tuple[QtWidgets.QApplication, MainWindow, GarbageCollector]:
    """The application, its main window (not shown yet) and the collector, set up as `python main.py` has them;
    the start-up benchmark builds the same."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv)
    app.setApplicationName("Neuron Lab")
    app.setOrganizationName("Neuron Lab")
    app.setDesktopFileName("neuron-lab")
    app.setWindowIcon(QtGui.QIcon(str(resource_path("icon.svg"))))
    configure_pyqtgraph()
    collector = start_collector()
    window = MainWindow()
    install_excepthook(window.errors)
    return app, window, collector


def run_app() -> int:
    app, window, collector = build_app(sys.argv)
    window.show()
    code = app.exec()
    collector.timer.stop()
    close_for_good(window)
    return code


def close_for_good(window: QtWidgets.QWidget) -> None:
    """Destroy the window's Qt objects now, while the interpreter still runs: left to its shutdown, they go in an
    arbitrary order, and closing within a moment of starting crashed on exit most times."""
    shiboken6.delete(window)
