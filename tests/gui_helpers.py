"""Shared set-up for the window tests: a small, fast run and helpers that wait for what the user would see."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.base.style import configure_pyqtgraph
from gui.window.main_window import MainWindow
from model.settings import Settings
from model.trainer import TrainerView

SMALL = Settings(n0=30, n1=30, epochs=12, every=4, speed=0.0, lr=0.05)


def open_window(qtbot, settings: Settings = SMALL) -> MainWindow:
    configure_pyqtgraph()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.canvas.last_view is not None)
    window.canvas.main_plot.setFocus()
    return window


def wait_for_view(qtbot, window: MainWindow, condition) -> TrainerView:
    """Wait until a drawn view satisfies condition; return it."""
    qtbot.waitUntil(lambda: window.canvas.last_view is not None and condition(window.canvas.last_view), timeout=10000)
    return window.canvas.last_view



def bring_to_front(qtbot, window: MainWindow, pane: str) -> None:
    """Click a pane's tab ("lossPane", "snapshotPane", "cardPane"): a pane behind another tab is drawn once shown."""
    tabs = window.canvas.tabs
    index = tabs.indexOf(tabs.findChild(QtWidgets.QWidget, pane))
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, QtCore.Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index
