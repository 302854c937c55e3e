"""Start-up against a bare pyqtgraph window: process start to the first painted frame (default settings), and at
10⁶ samples, window built to first view drawn.

Run: python bench/bench_startup.py [--quick] [--repeats R]

Start to first frame: fresh interpreters, launched alternately by this process. One does what `python main.py`
does (QApplication, icon, theme, GUI-thread garbage collector, MainWindow at 1360×860, show); the other opens a bare
PlotWidget at the same size with the same 200 samples and a line. Each reports when its plot first painted, counted
from just before this process launched it (both read CLOCK_MONOTONIC). The app also reports when the neuron view
first painted a view (its samples and line, what the bare window's first frame shows) and when the panes it makes
after its first frame (parameter view, loss curve, snapshots) first painted. Before the cold starts the project's
modules are compiled to bytecode, as an installed copy has them (pip compiles at install time; a source checkout
writes them on its first start unless PYTHONDONTWRITEBYTECODE is set): compiling 40 modules on every start would
otherwise add about 60 ms that no user pays twice.

First view at 10⁶ samples, in this process: MainWindow(n0 = n1 = 500,000) is built and shown, and timed from then
to its first view drawn and painted (the worker draws the samples). The reference draws the same samples with
generate() into a bare window and times that to its first paint. The two alternate; figures are medians.
"""

from __future__ import annotations

import compileall
import gc
import sys
import time

if sys.argv[1:3] == ["--child", "app"]:
    gc.disable()  # as main.py does before it imports the window's libraries
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
    """The start-up of `python main.py` (gui.window.app.build_app, then show), at the benchmark size."""
    from gui.window.app import build_app, close_for_good

    quiet_qt()
    _, window, collector = build_app([sys.argv[0]])
    window.resize(*WINDOW_SIZE)
    canvas = window.canvas
    paints = PaintCounter(canvas.main_plot.viewport())
    drawn: list[float] = []
    window.viewDrawn.connect(lambda view: drawn.append(time.perf_counter()))
    side_paints: list[PaintCounter] = []
    canvas.panesMade.connect(lambda: side_paints.append(PaintCounter(canvas.side.param_widget.viewport())))
    window.show()
    spin(30, lambda: bool(drawn) and paints.first_after(drawn[0]) is not None
         and bool(side_paints) and bool(side_paints[0].times))
    first_view = paints.first_after(drawn[0]) if drawn else None
    panes = side_paints[0].times[0] if side_paints and side_paints[0].times else None
    reply = {"paint": monotonic_of(paints.times[0]) - launched,
             "view": None if first_view is None else monotonic_of(first_view) - launched,
             "panes": None if panes is None else monotonic_of(panes) - launched}
    collector.timer.stop()
    window.close()
    close_for_good(window)
    return reply


def child_bare(launched: float) -> dict:
    """A bare PlotWidget window with the default 200 samples and a line, in a QApplication themed like the app."""
    from gui.base.style import configure_pyqtgraph

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
    compile_project()
    app_paint, app_view, app_panes, bare_paint = [], [], [], []
    for _ in range(repeats):
        bare_paint.append(run_child(script, ["bare", repr(time.monotonic())])["paint"])
        result = run_child(script, ["app", repr(time.monotonic())])
        app_paint.append(result["paint"])
        app_view += [result["view"]] if result["view"] is not None else []
        app_panes += [result["panes"]] if result["panes"] is not None else []
    reference = median(bare_paint) * 1000
    return [Row("start → first painted frame, 200 samples", median(app_paint) * 1000, reference, "ms",
                Target("<=", 1.2, relative=True)),
            Row("start → first view painted (samples and line)", median(app_view) * 1000, reference, "ms"),
            Row("start → every pane painted", median(app_panes) * 1000, reference, "ms")]


def compile_project() -> None:
    """Bytecode for the project's packages, as an installed copy has it."""
    root = Path(__file__).resolve().parent.parent
    for package in ("gui", "model", "resources", "bench"):
        compileall.compile_dir(root / package, quiet=1)


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
    options = parser(__doc__, "5 cold starts each and 2 first views at 10⁶ (default: 11 and 3)")
    args = options.parse_args()
    application()
    warm_kernel()
    print(machine_line())
    rows = cold_starts(args.repeats or (5 if args.quick else 11))
    rows += first_view_million(args.repeats or (2 if args.quick else 3))
    print_table("Start-up", rows, "reference: a bare PlotWidget window with the same samples and a line (cold start: "
                "a fresh interpreter each; 10⁶: generate() + bare window to its first paint, same process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
