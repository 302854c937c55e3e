"""The app collects garbage on the GUI thread only, turns uncaught exceptions into a dialog and exits cleanly."""

from __future__ import annotations

import gc
import subprocess
import sys
import types
import weakref
from pathlib import Path

from PySide6 import QtWidgets

from gui.base.errors import install_excepthook
from gui.runs.process_tuning import collect_on_gui_thread
from gui.window.app import build_app


class Node:
    def __init__(self) -> None:
        self.partner = self


def test_cycles_are_collected_by_the_gui_thread_timer(qtbot):
    collector = collect_on_gui_thread()
    try:
        assert not gc.isenabled()
        probe = Node()
        alive = weakref.ref(probe)
        del probe
        garbage = [Node() for _ in range(20 * gc.get_threshold()[0])]
        del garbage
        assert alive() is not None
        qtbot.waitUntil(lambda: alive() is None, timeout=3000)
    finally:
        collector.timer.stop()


def test_uncaught_exception_in_a_slot_shows_a_copyable_report(window, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", lambda *args: None)
    install_excepthook(window.errors)
    try:
        raise RuntimeError("kernel failed to load")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    box = window.findChild(QtWidgets.QMessageBox, "errorBox")
    assert box is not None and box.isVisible()
    assert "kernel failed to load" in box.text()
    assert "Traceback" in box.detailedText()


def test_the_app_is_built_as_main_py_runs_it(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", lambda *args: None)
    app, window, collector = build_app([sys.argv[0]])
    qtbot.addWidget(window)
    try:
        assert app.applicationName() == "Neuron Lab" and not app.windowIcon().isNull()
        assert not window.isVisible()
        try:
            raise RuntimeError("a slot failed")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        assert "a slot failed" in window.findChild(QtWidgets.QMessageBox, "errorBox").text()
        assert collector.timer.isActive() and not gc.isenabled()
    finally:
        collector.timer.stop()
        window.close()


CLOSE_AT_ONCE = """
import sys
from PySide6 import QtCore, QtWidgets
from gui.window.app import run_app

app = QtWidgets.QApplication(sys.argv)
close = lambda: [widget.close() for widget in app.topLevelWidgets() if isinstance(widget, QtWidgets.QMainWindow)]
QtCore.QTimer.singleShot(int(sys.argv[1]), close)
sys.exit(run_app())
"""


def test_closing_the_app_moments_after_it_opens_exits_cleanly():
    """Closed while its threads were still starting, the app crashed on exit in 5 of 8 runs."""
    root = Path(__file__).resolve().parent.parent
    for delay_ms in (0, 50, 100, 100, 150, 300):
        done = subprocess.run([sys.executable, "-c", CLOSE_AT_ONCE, str(delay_ms)], cwd=root, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"closed after {delay_ms} ms: exit code {done.returncode}\n{done.stderr}"


def test_main_switches_automatic_collection_off_before_it_loads_the_window(monkeypatch):
    """The window collects on its own timer; the libraries it imports are loaded with no collection running."""
    import main

    seen = []
    stand_in = types.ModuleType("gui.window.app")
    stand_in.run_app = lambda: seen.append(gc.isenabled()) or 0
    monkeypatch.setitem(sys.modules, "gui.window.app", stand_in)
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        assert main.main([]) == 0
    finally:
        (gc.enable if was_enabled else gc.disable)()
    assert seen == [False]
