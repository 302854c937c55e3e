"""Shared pieces of the benchmarks: the offscreen application, the machine line, the bare pyqtgraph reference
window, probes (GUI-thread lateness, real paints), waiting on the event loop, child processes and the result table.

Importing this module sets QT_QPA_PLATFORM=offscreen (unless set) and points the window's remembered layout at a
throw-away folder, so a benchmark never reads or writes the user's own settings.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if "neuron-lab-bench-config-" not in os.environ.get("XDG_CONFIG_HOME", ""):
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="neuron-lab-bench-config-")
    atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow
    from model.settings import Settings

WINDOW_SIZE = (1360, 860)
"""The size the targets were measured at: the real window and the bare reference both get it."""
PROBE_MS = 5
CHILD_FLAG = "--child"


# ---------------------------------------------------------------- the machine, the command line, the table


def version(package: str) -> str:
    """An installed distribution's version, or 'not installed'."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_line() -> str:
    """One line naming what the figures were measured on."""
    pyside = version("PySide6-Essentials")
    if pyside == "not installed":
        pyside = version("PySide6")
    kernel = "plain Python (NEURON_LAB_PURE_PYTHON=1)" if os.environ.get("NEURON_LAB_PURE_PYTHON") == "1" else "numba"
    return (f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"PySide6 {pyside}, pyqtgraph {version('pyqtgraph')}, numba {version('numba')}, numpy "
            f"{version('numpy')}; Qt platform {os.environ.get('QT_QPA_PLATFORM')}; default kernel {kernel}")


def parser(doc: str, quick_help: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: --quick for a short run and --repeats to set how many medians use."""
    made = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                   epilog=doc.split("\n\n", 1)[1] if "\n\n" in doc else None,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--quick", action="store_true", help=quick_help)
    made.add_argument("--repeats", type=int, default=None, help="repeats per case (medians are over these)")
    return made


@dataclass(frozen=True)
class Target:
    """A bound on the measured value: absolute (in the row's unit) or relative to the reference (a ratio)."""

    op: str
    value: float
    relative: bool = False

    def met(self, measured: float, reference: float | None) -> bool | None:
        """Whether the bound holds; None when it cannot be told (no reference for a relative bound, no value)."""
        if (self.relative and not reference) or measured != measured:
            return None
        bound = self.value * reference if self.relative else self.value
        return {"<": measured < bound, "<=": measured <= bound, ">=": measured >= bound}[self.op]

    def __str__(self) -> str:
        symbol = {"<": "<", "<=": "≤", ">=": "≥"}[self.op]
        return f"{symbol} {self.value:g} × ref" if self.relative else f"{symbol} {self.value:g}"


@dataclass(frozen=True)
class Row:
    """One line of a result table. reference and target are optional; unit is printed with the numbers."""

    case: str
    measured: float
    reference: float | None = None
    unit: str = ""
    target: Target | None = None

    def ratio(self) -> float:
        """measured / reference (NaN without a reference)."""
        return self.measured / self.reference if self.reference else float("nan")

    def cells(self) -> list[str]:
        ratio = "" if not self.reference else f"{self.ratio():,.0f}×" if self.ratio() >= 100 else f"{self.ratio():.3g}×"
        target = "" if self.target is None else f"{self.target}{'' if self.target.relative else ' ' + self.unit}"
        met = None if self.target is None else self.target.met(self.measured, self.reference)
        verdict = {None: "", True: "met", False: "NOT met"}[met]
        reference = "" if self.reference is None else f"{fmt(self.reference)} {self.unit}"
        return [self.case, f"{fmt(self.measured)} {self.unit}", reference, ratio, target, verdict]


def fmt(value: float) -> str:
    """A number for a table cell: whole numbers with thousands separators, others to three significant digits."""
    if value != value:  # NaN
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100 or (value == round(value) and magnitude < 1e6):
        return f"{value:,.0f}"
    return f"{value:.3g}" if magnitude >= 0.01 else f"{value:.2e}"


def print_table(title: str, rows: Sequence[Row], note: str = "") -> None:
    """A plain-text table: case, measured, reference, ratio (measured / reference), target, verdict."""
    header = ["case", "measured", "reference", "ratio", "target", ""]
    lines = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print(f"\n== {title}")
    for index, line in enumerate(lines):
        print("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(line, widths, strict=True))).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths).rstrip())
    if note:
        print(note)


def median(values: Sequence[float]) -> float:
    """The median, NaN for no values."""
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), NaN for no values."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


# ---------------------------------------------------------------- the application and the event loop


def quiet_qt() -> None:
    """Silence the offscreen plugin's one known complaint; every other Qt message still goes to stderr."""
    QtCore.qInstallMessageHandler(_quiet_offscreen)


def _quiet_offscreen(mode: QtCore.QtMsgType, context: QtCore.QMessageLogContext, message: str) -> None:
    """Drop the offscreen plugin's one known complaint (it cannot propagate size hints); print everything else."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def application() -> QtWidgets.QApplication:
    """The one QApplication, configured like the app (light theme, antialiasing, garbage collected on the GUI
    thread every 0.5 s), so the real window and the reference run under the same conditions."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        quiet_qt()
        app = QtWidgets.QApplication([sys.argv[0]])
        from gui.base.style import configure_pyqtgraph
        from gui.runs.process_tuning import collect_on_gui_thread

        configure_pyqtgraph()
        app._bench_collector = collect_on_gui_thread()  # type: ignore[attr-defined]
    return app


def spin(seconds: float, until: Callable[[], bool] | None = None, poll_ms: int = 5) -> bool:
    """Run the event loop for at most `seconds`, or until `until()` is true (checked every poll_ms).
    Returns whether the condition was met (always True without one)."""
    if until is not None and until():
        return True
    loop = QtCore.QEventLoop()
    deadline = QtCore.QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(round(seconds * 1000))
    poll = QtCore.QTimer()
    if until is not None:
        poll.timeout.connect(lambda: until() and loop.quit())
        poll.start(poll_ms)
    loop.exec()
    poll.stop()
    deadline.stop()
    return until() if until is not None else True


class LatenessProbe(QtCore.QObject):
    """A precise 5 ms QTimer on the GUI thread; each tick records how late it came (interval − 5 ms), in ms."""

    def __init__(self) -> None:
        super().__init__()
        self.late_ms: list[float] = []
        self._times: list[float] = []
        self._last: float | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.late_ms, self._times, self._last = [], [], None
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.late_ms

    def since(self, start: float) -> list[float]:
        """Lateness of the ticks after perf_counter time `start`."""
        return [late for when, late in zip(self._times, self.late_ms, strict=True) if when >= start]

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.late_ms.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
            self._times.append(now)
        self._last = now


class PaintCounter(QtCore.QObject):
    """Counts real paint events of one widget (for a plot: its viewport) and remembers when each happened."""

    def __init__(self, widget: QtWidgets.QWidget):
        super().__init__(widget)
        self.times: list[float] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Paint:
            self.times.append(time.perf_counter())
        return False

    def count_between(self, start: float, stop: float) -> int:
        return sum(start <= t <= stop for t in self.times)

    def first_after(self, start: float) -> float | None:
        return next((t for t in self.times if t >= start), None)


# ---------------------------------------------------------------- the bare pyqtgraph reference


class BareWindow:
    """The reference: a PlotWidget with the same samples as two scatter items (styled like the app's) and a line,
    the line redrawn from a 0 ms timer, i.e. as fast as the event loop allows, once started."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        from gui.base import style

        self.widget = pg.PlotWidget()
        self.widget.resize(*WINDOW_SIZE)
        plot = self.widget.getPlotItem()
        for label, colour in enumerate(style.CLASS_COLOURS):
            xs = x[y == label]
            plot.addItem(pg.ScatterPlotItem(x=xs, y=np.zeros(xs.size), size=9, brush=style.brush(colour), pen=None))
        low, high = (float(x.min()), float(x.max())) if x.size else (-1.0, 1.0)
        self._grid = np.linspace(low - 0.5, high + 0.5, 400)
        self.line = plot.plot(self._grid, self._sigmoid(0.0), pen=style.pen(style.SIGMOID_COLOUR, 3))
        plot.setYRange(-0.25, 1.25, padding=0)
        self.paints = PaintCounter(self.widget.viewport())
        self._phase = 0.0
        self._timer = QtCore.QTimer()
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._redraw)

    def _sigmoid(self, shift: float) -> np.ndarray:
        return 1 / (1 + np.exp(-(2.0 * self._grid + shift)))

    def _redraw(self) -> None:
        self._phase += 0.01
        self.line.setData(self._grid, self._sigmoid(np.sin(self._phase)))

    def show(self) -> None:
        self.widget.show()

    def play(self) -> None:
        self._timer.start()

    def pause(self) -> None:
        self._timer.stop()

    def close(self) -> None:
        self._timer.stop()
        self.widget.close()
        self.widget.deleteLater()


# ---------------------------------------------------------------- the real window


def open_window(settings: Settings) -> MainWindow:
    """Neuron Lab's window at the benchmark size, shown; its main plot's paints are counted in `window.paints`."""
    from gui.window.main_window import MainWindow

    window = MainWindow(settings)
    window.resize(*WINDOW_SIZE)
    window.paints = PaintCounter(window.canvas.main_plot.viewport())  # type: ignore[attr-defined]
    window.show()
    return window


def close_window(window: MainWindow) -> None:
    """Close the window (which stops its threads) and let Qt delete it."""
    window.close()
    window.deleteLater()
    spin(0.05)


def warm_kernel() -> None:
    """Compile (or load from numba's cache) the fast loop before any timing, unless plain Python is forced, and
    set the compiler's objects aside from the cycle collector as the app's training thread does after compiling."""
    from gui.runs.process_tuning import set_aside_lasting_objects
    from model.kernel import best_kernel

    best_kernel()
    set_aside_lasting_objects()


# ---------------------------------------------------------------- child processes


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: Path, args: Sequence[str], timeout_s: float = 600) -> dict:
    """Run `script --child ARGS` in a fresh interpreter; it prints one JSON object as its last line."""
    done = subprocess.run([sys.executable, str(script), CHILD_FLAG, *args], capture_output=True, text=True,
                          timeout=timeout_s, env=os.environ.copy(), check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child {script.name} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def child_reply(result: dict) -> None:
    """A child's answer to run_child: one JSON line on stdout."""
    print(json.dumps(result), flush=True)

