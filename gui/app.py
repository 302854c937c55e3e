"""Starting the application: one QApplication, pyqtgraph's light theme, the main window."""

from __future__ import annotations

import sys

from PySide6 import QtWidgets

from gui.collector import GuiThreadCollector
from gui.main_window import MainWindow
from gui.style import configure_pyqtgraph


def run_app() -> int:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    app.setApplicationName("Neuron Lab")
    app.setOrganizationName("Neuron Lab")
    configure_pyqtgraph()
    GuiThreadCollector(app)
    window = MainWindow()
    window.show()
    return app.exec()
