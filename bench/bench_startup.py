"""Start-up against a bare pyqtgraph window: process start to the first painted frame (default settings), and at
10⁶ samples, window built to first view drawn.

Run: python bench/bench_startup.py [--quick] [--repeats R]

Start to first frame: fresh interpreters, launched alternately by this process. One does what `python main.py`
does (QApplication, icon, theme, GUI-thread garbage collector, MainWindow at 1360×860, show); the other opens a bare
PlotWidget at the same size with the same 200 samples and a line. Each reports when its plot first painted, counted
from just before this process launched it (both read CLOCK_MONOTONIC); the app also reports its first view drawn.

First view at 10⁶ samples, in this process: MainWindow(n0 = n1 = 500,000) is built and shown, and timed from then
to its first view drawn and painted (the worker draws the samples). The reference draws the same samples with
generate() into a bare window and times that to its first paint. The two alternate; figures are medians.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    CHILD_FLAG,
    WINDOW_SIZE,
    BareWindow,
    PaintCounter,
    Row,
    Target,
    application,
    child_reply,
    close_window,
    machine_line,
    median,
    open_window,
    parser,
    print_table,
    quiet_qt,
    run_child,
    spin,
    warm_kernel,
)
from PySide6 import QtWidgets

from model.data import generate
from model.settings import Settings

MILLION = 1_000_000


def monotonic_of(perf: float) -> float:
    """A perf_counter reading on the system-wide monotonic clock the parent used."""
    return perf + time.monotonic() - time.perf_counter()


def child_app(launched: float) -> dict:
    """The start-up of `python main.py` (gui.app.build_app, then show), at the benchmark size."""
    from gui.app import build_app

    quiet_qt()
    _, window, collector = build_app([sys.argv[0]])
    window.resize(*WINDOW_SIZE)
    paints = PaintCounter(window.canvas.main_plot.viewport())
    drawn: list[float] = []
    window.viewDrawn.connect(lambda view: drawn.append(time.perf_counter()))
    window.show()
    spin(30, lambda: bool(paints.times) and bool(drawn) and paints.first_after(drawn[0]) is not None)
    collector.timer.stop()
    window.close()
    first_view = paints.first_after(drawn[0]) if drawn else None
    return {"paint": monotonic_of(paints.times[0]) - launched,
            "view": None if first_view is None else monotonic_of(first_view) - launched}


def child_bare(launched: float) -> dict:
    """A bare PlotWidget window with the default 200 samples and a line, in a QApplication themed like the app."""
    from gui.style import configure_pyqtgraph

    quiet_qt()
    app = QtWidgets.QApplication([sys.argv[0]])
    configure_pyqtgraph()
    data = generate(Settings())
    bare = BareWindow(data.x, data.y)
    bare.show()
    spin(30, lambda: bool(bare.paints.times))
    bare.close()
    app.processEvents()
    return {"paint": monotonic_of(bare.paints.times[0]) - launched}


def cold_starts(repeats: int) -> list[Row]:
    """Alternate cold starts of the bare window and the app; rows of medians."""
    script = Path(__file__).resolve()
    app_paint, app_view, bare_paint = [], [], []
    for _ in range(repeats):
        bare_paint.append(run_child(script, ["bare", repr(time.monotonic())])["paint"])
        result = run_child(script, ["app", repr(time.monotonic())])
        app_paint.append(result["paint"])
        if result["view"] is not None:
            app_view.append(result["view"])
    reference = median(bare_paint) * 1000
    return [Row("start → first painted frame, 200 samples", median(app_paint) * 1000, reference, "ms",
                Target("<=", 1.2, relative=True)),
            Row("start → first view drawn, 200 samples", median(app_view) * 1000, reference, "ms")]


def first_view_million(repeats: int) -> list[Row]:
    """Alternate the bare window and the app on 10⁶ samples in this process; rows of medians."""
    settings = Settings(n0=MILLION // 2, n1=MILLION // 2)
    built, real, bare = [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        data = generate(settings)
        window = BareWindow(data.x, data.y)
        window.show()
        spin(60, lambda window=window: bool(window.paints.times))
        bare.append(window.paints.times[0] - started)
        window.close()
        del data
        spin(0.2)

        started = time.perf_counter()
        window = open_window(settings)
        shown = time.perf_counter()
        drawn: list[float] = []
        window.viewDrawn.connect(lambda view, drawn=drawn: drawn.append(time.perf_counter()))
        spin(60, lambda window=window, drawn=drawn: bool(drawn) and window.paints.first_after(drawn[0]) is not None)
        built.append(shown - started)
        real.append(window.paints.first_after(drawn[0]) - shown)
        close_window(window)
        spin(0.2)
    return [Row("window built → first view drawn, 10⁶ samples", median(real) * 1000, median(bare) * 1000, "ms",
                Target("<=", 1500)),
            Row("building the window (constructor + show), 10⁶", median(built) * 1000, None, "ms")]


def main() -> int:
    if sys.argv[1:2] == [CHILD_FLAG]:
        kind, launched = sys.argv[2], float(sys.argv[3])
        child_reply(child_app(launched) if kind == "app" else child_bare(launched))
        return 0
    options = parser(__doc__, "3 cold starts each and 2 first views at 10⁶ (default: 7 and 3)")
    args = options.parse_args()
    application()
    warm_kernel()
    print(machine_line())
    rows = cold_starts(args.repeats or (3 if args.quick else 7))
    rows += first_view_million(args.repeats or (2 if args.quick else 3))
    print_table("Start-up", rows, "reference: a bare PlotWidget window with the same samples and a line (cold start: "
                "a fresh interpreter each; 10⁶: generate() + bare window to its first paint, same process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
