"""Peak memory of six runs racing to 10⁶ epochs at 200 samples in the window: it must stay under 1 GB.

Run: python bench/bench_race_memory.py [--quick] [--repeats R] [--epochs E]

Each case runs in a fresh interpreter (peak resident memory, getrusage ru_maxrss, only ever grows), alternately:
- race: the real window at 1360×860 on the default run of 200 samples and E epochs (default 10⁶; --quick 10⁵),
  branched five times at epoch 0 as bench_race_window does (η ×2 and ÷2, full batch, mini-batch of 8, λ = 0.1);
  Play trains the six runs in lockstep as fast as possible to the end, the window drawing all along; then its
  peak;
- baseline: the interpreter with numpy, PySide6, pyqtgraph and a QApplication, no window (the floor under it).
Figures are medians over the repeats.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import child_baseline, settings_for
from bench_race_window import BRANCHES, branched, ready_run
from harness import (
    CHILD_FLAG,
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

SAMPLES = 200
LIMIT_MB = 1024
TIMEOUT_S = 1500


def child_race(epochs: int) -> dict:
    """Six runs race to `epochs` in the window; its peak memory and how long that took."""
    application()
    warm_kernel()
    window = open_window(settings_for(SAMPLES, epochs))
    spin(60, lambda: ready_run(window.run))
    branched(window, len(BRANCHES))
    started = time.perf_counter()
    window.play_action.trigger()
    finished = spin(TIMEOUT_S, lambda: not window.playing and all(
        run.state.view.epoch >= epochs for run in window.runs.runs))
    seconds = time.perf_counter() - started
    spin(0.5)
    peak = peak_rss_mb()
    window.close()
    return {"peak_mb": peak, "seconds": seconds, "finished": finished, "runs": len(window.runs.runs)}


def main() -> int:
    if sys.argv[1:2] == [CHILD_FLAG]:
        kind, epochs = sys.argv[2], int(sys.argv[3])
        child_reply(child_race(epochs) if kind == "race" else child_baseline(SAMPLES, epochs))
        return 0
    options = parser(__doc__, "10⁵ epochs, one run of each case (default: 10⁶ epochs, 3 runs)")
    options.add_argument("--epochs", type=int, default=None, help="epochs each run trains")
    args = options.parse_args()
    epochs = args.epochs or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (1 if args.quick else 3)
    print(machine_line())
    script = Path(__file__).resolve()
    found: dict[str, list[dict]] = {"race": [], "baseline": []}
    for _ in range(repeats):
        for kind in found:
            found[kind].append(run_child(script, [kind, str(epochs)], TIMEOUT_S + 120))
    race = found["race"]
    unfinished = sum(not result["finished"] or result["runs"] != 1 + len(BRANCHES) for result in race)
    peak = median([result["peak_mb"] for result in race])
    floor = median([result["peak_mb"] for result in found["baseline"]])
    rows = [
        Row(f"peak RSS, window, 6 runs × {epochs:,} epochs, {SAMPLES} samples", peak, None, "MB",
            Target("<=", LIMIT_MB)),
        Row("peak RSS, baseline (Qt + pyqtgraph, no window)", floor, None, "MB"),
        Row("peak RSS above baseline", peak - floor, None, "MB"),
        Row("time for the six runs to reach the end", median([result["seconds"] for result in race]), None, "s"),
    ]
    print_table(f"Memory of six racing runs (median of {repeats})", rows,
                "each case in its own fresh interpreter" + (f"; {unfinished} race(s) did not finish with six runs"
                                                            if unfinished else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
