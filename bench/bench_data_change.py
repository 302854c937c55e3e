"""Changing a data field: from typing a new class-0 sample count and pressing Enter to the first view of the new
run drawn, against the bare cost of drawing those samples (model.data.generate), in one process.

Run: python bench/bench_data_change.py [--quick] [--repeats R] [--sizes 1000,1000000]

For each size the real window (1360×860, paused) opens on n0 = n1 = N/2 samples and waits until its first view and
loss surface are in. Each repeat then types a new n0 into the Data panel (N/2 + 1, then back to N/2, …) with real
key presses and presses Enter, and times until the window has drawn a view of a run with the new sample count and
the main plot has painted after it, then on until the exact optimum and the loss surface of the new samples are in.
A 5 ms QTimer on the GUI thread meanwhile records the longest time the GUI thread was blocked, over all of it: work
done off the GUI thread leaves that near zero. The reference is generate() for the same
settings, timed on its own in this process. Figures are medians over the repeats.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    LatenessProbe,
    Row,
    Target,
    application,
    close_window,
    machine_line,
    median,
    open_window,
    parser,
    print_table,
    spin,
    warm_kernel,
)
from PySide6 import QtCore
from PySide6.QtTest import QTest

from model.data import generate
from model.settings import Settings

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow
    from model.trainer import TrainerView

TARGETS_MS = {1_000: 50.0, 1_000_000: 1000.0}
STALL_TARGET_MS = 50.0
"""'Off the GUI thread', read as: the GUI thread is never blocked for more than 50 ms during the change."""


def type_count(window: MainWindow, value: int) -> None:
    """Select the n0 field's text, type the new count key by key and press Enter, as a learner would."""
    edit = window.panel._edits["n0"]
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, str(value))
    QTest.keyClick(edit, QtCore.Qt.Key.Key_Return)


def settled(window: MainWindow, samples: int) -> bool:
    """The window shows a run with this many samples, with its exact optimum and loss surface."""
    state = window.state
    return state is not None and len(state.data) == samples and state.picture is not None


def change_once(window: MainWindow, probe: LatenessProbe, n0: int, n1: int,
                timeout_s: float) -> tuple[float, float, float]:
    """Seconds from the first key press to the new run's first view painted and to its loss surface in, and the
    longest GUI-thread stall (ms) over all of that."""
    drawn: list[float] = []

    def on_drawn(view: TrainerView) -> None:
        if view.n_samples == n0 + n1 and not drawn:
            drawn.append(time.perf_counter())

    window.viewDrawn.connect(on_drawn)
    probe.start()
    start = time.perf_counter()
    type_count(window, n0)
    spin(timeout_s, lambda: bool(drawn) and window.paints.first_after(drawn[0]) is not None, poll_ms=1)
    window.viewDrawn.disconnect(on_drawn)
    if not drawn:
        probe.stop()
        raise RuntimeError(f"no view of the new run ({n0 + n1:,} samples) within {timeout_s:g} s")
    painted = window.paints.first_after(drawn[0]) or drawn[0]
    spin(timeout_s, lambda: settled(window, n0 + n1))
    analysed = time.perf_counter()
    probe.stop()
    return painted - start, analysed - start, max(probe.since(start), default=0.0)


def measure_size(samples: int, repeats: int) -> list[Row]:
    """Repeated changes on one window of this many samples, each with its reference; rows of medians."""
    half = samples // 2
    window = open_window(Settings(n0=half, n1=samples - half))
    spin(120, lambda: settled(window, samples) and window.state.view is not None)
    spin(0.3)
    probe = LatenessProbe()
    changes, analysed, stalls, references = [], [], [], []
    for index in range(repeats):
        n0 = half + 1 if index % 2 == 0 else half
        started = time.perf_counter()
        generate(Settings(n0=n0, n1=samples - half))
        references.append(time.perf_counter() - started)
        seconds, whole, stall = change_once(window, probe, n0, samples - half, timeout_s=120)
        changes.append(seconds)
        analysed.append(whole)
        stalls.append(stall)
        spin(0.3)
    close_window(window)
    label = f"{samples:,} samples"
    return [
        Row(f"edit → first view drawn, {label}", median(changes) * 1000, median(references) * 1000, "ms",
            Target("<=", TARGETS_MS[samples]) if samples in TARGETS_MS else None),
        Row(f"edit → optimum and loss surface in, {label}", median(analysed) * 1000, median(references) * 1000, "ms"),
        Row(f"longest GUI-thread stall until then, {label}", median(stalls), None, "ms", Target("<", STALL_TARGET_MS)),
    ]


def main() -> int:
    options = parser(__doc__, "5 repeats at 10³ and 2 at 10⁶ (default: 11 and 3)")
    options.add_argument("--sizes", default="1000,1000000", help="sample counts, comma-separated")
    args = options.parse_args()
    application()
    warm_kernel()
    print(machine_line())
    rows: list[Row] = []
    for samples in (int(size) for size in args.sizes.split(",")):
        repeats = args.repeats or ((5 if samples < 100_000 else 2) if args.quick else (11 if samples < 100_000 else 3))
        rows += measure_size(samples, repeats)
    print_table("Changing a data field (n0) and pressing Enter, window paused", rows,
                "reference: model.data.generate for the new settings, same process; stall = longest lateness of a "
                "5 ms GUI-thread QTimer from the first key press until the loss surface is in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
