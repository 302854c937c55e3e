"""Peak memory at 10⁶ samples and 100 epochs: the real window against a bare pyqtgraph window with the same data.

Run: python bench/bench_memory.py [--quick] [--repeats R] [--samples N] [--epochs E]

Peak resident memory (getrusage ru_maxrss) only ever grows, so every case runs in a fresh interpreter, and this
process launches the cases alternately, repeat by repeat:
- app: the real window at 1360×860 on n0 = n1 = N/2 samples trains E epochs as fast as possible (Play at speed 0)
  to the end, keeps drawing for a moment, and reports its peak;
- bare: the same samples (generate()) in a bare PlotWidget at the same size as two scatter items and a line, the
  line redrawn as fast as possible for one second;
- baseline: the interpreter with numpy, PySide6, pyqtgraph and a QApplication, no window (the floor under both).
Figures are medians over the repeats.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    CHILD_FLAG,
    BareWindow,
    Row,
    Target,
    application,
    child_reply,
    machine_line,
    median,
    open_window,
    parser,
    peak_rss_mb,
    print_table,
    run_child,
    spin,
    warm_kernel,
)

from model.data import generate
from model.settings import Settings

TIMEOUT_S = 300


def settings_for(samples: int, epochs: int) -> Settings:
    """The default run on this many samples and epochs, as fast as possible."""
    return Settings(n0=samples // 2, n1=samples - samples // 2, epochs=epochs, speed=0.0)


def child_app(samples: int, epochs: int) -> dict:
    """The real window trains to the end; its peak memory and how long that took."""
    application()
    warm_kernel()
    window = open_window(settings_for(samples, epochs))
    started = time.perf_counter()
    spin(TIMEOUT_S, lambda: window.state is not None and window.state.view is not None)
    window.play_action.trigger()
    finished = spin(TIMEOUT_S, lambda: window.state.view.epoch >= epochs and not window.playing)
    seconds = time.perf_counter() - started
    spin(0.5)
    peak = peak_rss_mb()
    window.close()
    return {"peak_mb": peak, "seconds": seconds, "finished": finished}


def child_bare(samples: int, epochs: int) -> dict:
    """The bare window with the same samples, redrawn for a second; its peak memory."""
    application()
    data = generate(settings_for(samples, epochs))
    bare = BareWindow(data.x, data.y)
    bare.show()
    spin(60, lambda: bool(bare.paints.times))
    bare.play()
    spin(1.0)
    bare.pause()
    return {"peak_mb": peak_rss_mb()}


def child_baseline(samples: int, epochs: int) -> dict:
    """Interpreter, numpy, Qt, pyqtgraph and a QApplication: the floor under both."""
    application()
    spin(0.2)
    return {"peak_mb": peak_rss_mb()}


CHILDREN = {"app": child_app, "bare": child_bare, "baseline": child_baseline}


def main() -> int:
    if sys.argv[1:2] == [CHILD_FLAG]:
        kind, samples, epochs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        child_reply(CHILDREN[kind](samples, epochs))
        return 0
    options = parser(__doc__, "one run of each case (default: 3)")
    options.add_argument("--samples", type=int, default=1_000_000, help="samples, both classes (default 10⁶)")
    options.add_argument("--epochs", type=int, default=100, help="epochs the app trains (default 100)")
    args = options.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    print(machine_line())
    script = Path(__file__).resolve()
    found: dict[str, list[dict]] = {kind: [] for kind in CHILDREN}
    for _ in range(repeats):
        for kind in CHILDREN:
            found[kind].append(run_child(script, [kind, str(args.samples), str(args.epochs)], TIMEOUT_S + 60))
    peak = {kind: median([result["peak_mb"] for result in results]) for kind, results in found.items()}
    unfinished = sum(not result["finished"] for result in found["app"])
    label = f"{args.samples:,} samples"
    rows = [
        Row(f"peak RSS, window, {label}, {args.epochs} epochs", peak["app"], peak["bare"], "MB",
            Target("<=", 2, relative=True)),
        Row("peak RSS, baseline (Qt + pyqtgraph, no window)", peak["baseline"], None, "MB"),
        Row(f"peak RSS above baseline, window, {label}", peak["app"] - peak["baseline"],
            peak["bare"] - peak["baseline"], "MB"),
        Row(f"time to train {args.epochs} epochs in the window", median([r["seconds"] for r in found["app"]]), None,
            "s"),
    ]
    print_table(f"Peak memory (median of {repeats})", rows,
                "reference: a bare PlotWidget with the same samples as scatter points and a line, redrawn for 1 s; "
                "each case in its own fresh interpreter" + (f"; {unfinished} app run(s) did not finish in time"
                                                            if unfinished else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
