"""Shared set-up for the window tests: a small, fast run and helpers that wait for what the user would see."""

from __future__ import annotations

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
