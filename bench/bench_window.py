"""How the window keeps up while the worker trains: redraws per second and epochs per second, offscreen.

Run: python bench/bench_window.py [--seconds S]
Plays the default run ('two bumps', 200 samples, SGD) as fast as possible and at 10 epochs/s, once with the plain
Python kernel and once with numba, in this one process, and prints the figures side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6 import QtCore, QtWidgets

from gui.main_window import MainWindow
from gui.style import configure_pyqtgraph
from model.kernel import DISABLE_COMPILED_ENV, compiled_kernel
from model.settings import Settings


def measure(app: QtWidgets.QApplication, settings: Settings, seconds: float) -> tuple[float, float]:
    """(redraws per second, epochs per second) while playing for `seconds`."""
    window = MainWindow(settings)
    window.show()
    drawn: list[tuple[float, float]] = []
    window.viewDrawn.connect(
        lambda view: drawn.append((time.perf_counter(), view.epoch + view.position / view.n_samples)))
    QtCore.QTimer.singleShot(300, window.play_action.trigger)
    QtCore.QTimer.singleShot(round((0.3 + seconds) * 1000), app.quit)
    app.exec()
    window.close()
    playing = [d for d in drawn if d[1] > 0]
    span = playing[-1][0] - playing[0][0]
    return (len(playing) - 1) / span, (playing[-1][1] - playing[0][1]) / span


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="how long to play each case (default 4)")
    args = parser.parse_args()
    app = QtWidgets.QApplication([])
    configure_pyqtgraph()
    kernels = ["python"] + (["numba"] if compiled_kernel() else [])
    print(f"{'kernel':8s} {'speed':>20s} {'redraws/s':>10s} {'epochs/s':>10s}")
    for kernel in kernels:
        os.environ[DISABLE_COMPILED_ENV] = "1" if kernel == "python" else "0"
        for speed, label in ((0.0, "as fast as possible"), (10.0, "10 epochs/s")):
            redraws, epochs = measure(app, Settings(epochs=1_000_000, speed=speed), args.seconds)
            print(f"{kernel:8s} {label:>20s} {redraws:10.1f} {epochs:10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
