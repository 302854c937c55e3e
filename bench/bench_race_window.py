"""GUI-thread lateness and main-plot repaints per second while one run, then six runs, race as fast as possible at
200 samples: six runs must keep the one-run figures (p99 lateness < 20 ms, ≥ 50 repaints/s).

Run: python bench/bench_race_window.py [--quick] [--seconds S] [--repeats R] [--samples N]

Each case opens the real window at 1360×860 on the default run (speed 0 = as fast as possible, 1,000,000 epochs),
waits for its first view, the exact optimum and the loss surface, and for the six-run case branches five runs from
it (η ×2 and ÷2, full batch, mini-batch of 8, λ = 0.1) and waits for each to draw. Play sessions of S seconds then
alternate with the bare pyqtgraph window of bench_window.py as the reference. During each session a precise 5 ms
QTimer on the GUI thread records how late every tick comes, and the main plot's paint events are counted. Figures
are medians over the repeats; the lockstep spread is how many epochs apart the runs' own trainers stood when each
session ended.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_window import TARGETS, Session, controls, play_session, ready, settings_for
from harness import (
    BareWindow,
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

from model.data import generate

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

BRANCHES = ({"lr": 0.02}, {"lr": 0.005}, {"optimizer": "batch"}, {"optimizer": "minibatch", "batch_size": 8},
            {"l2": 0.1})
"""Five branches of the default run (η = 0.01): with it, six runs that differ in rate, batching and penalty."""


def branched(window: MainWindow, count: int) -> bool:
    """Branch count runs from the first, each drawn before the next is asked for; False if one never came."""
    base = window.run
    for change in BRANCHES[:count]:
        held = len(window.runs.runs)
        base.fork(change)
        if not spin(30, lambda held=held: len(window.runs.runs) == held + 1 and ready_run(window.runs.runs[-1])):
            return False
    window.runs.select(base)
    return True


def ready_run(run: object) -> bool:
    """The run is drawn and its analysis (optimum, loss surface) is done, so none is computed while measuring."""
    return run.state is not None and run.state.view is not None and run.state.picture is not None


def spread(window: MainWindow) -> int:
    """How many epochs apart the runs' own trainers stand now."""
    epochs = [run.worker_thread.worker.trainer.epoch for run in window.runs.runs]
    return max(epochs) - min(epochs)


def measure(samples: int, runs: int, seconds: float, repeats: int, bare: BareWindow, probe: LatenessProbe) \
        -> list[Row]:
    window = open_window(settings_for(samples))
    if not spin(60, lambda: ready(window)) or not branched(window, runs - 1):
        print(f"  ({runs} runs: the window was not ready within a minute; measuring anyway)")
    spin(0.3)
    play, pause, epoch = controls(window)
    bare_sessions: list[Session] = []
    sessions: list[Session] = []
    spreads: list[int] = []
    for _ in range(repeats):
        bare_sessions.append(play_session(bare.play, bare.pause, bare.paints, probe, seconds))
        sessions.append(play_session(play, pause, window.paints, probe, seconds, epoch))
        spreads.append(spread(window))
        spin(0.3)
    close_window(window)
    late_bound, paint_bound = TARGETS[200] if samples == 200 else (None, None)
    ref = {name: median([getattr(s, name) for s in bare_sessions]) for name in ("p50", "p99", "paints_per_s")}
    got = {name: median([getattr(s, name) for s in sessions]) for name in Session.__dataclass_fields__}
    label = f"{runs} run{'s' if runs > 1 else ''}, {samples:,} samples"
    return [
        Row(f"lateness p50, {label}", got["p50"], ref["p50"], "ms"),
        Row(f"lateness p99, {label}", got["p99"], ref["p99"], "ms", late_bound and Target("<", late_bound)),
        Row(f"main-plot repaints/s, {label}", got["paints_per_s"], ref["paints_per_s"], "/s",
            paint_bound and Target(">=", paint_bound)),
        Row(f"epochs trained/s by each run, {label}", got["epochs_per_s"], None, "/s"),
        Row(f"lockstep spread at the end, {label}", float(max(spreads)), None, "epochs"),
    ]


def main() -> int:
    options = parser(__doc__, "2 s sessions, 2 repeats (default: 5 s, 3 repeats)")
    options.add_argument("--seconds", type=float, default=None, help="length of each measured session")
    options.add_argument("--samples", type=int, default=200, help="samples per run")
    args = options.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    repeats = args.repeats or (2 if args.quick else 3)
    application()
    warm_kernel()
    print(machine_line())
    data = generate(settings_for(args.samples))
    probe = LatenessProbe()
    bare = BareWindow(data.x, data.y)
    bare.show()
    spin(30, lambda: bool(bare.paints.times))
    rows = [row for runs in (1, 1 + len(BRANCHES)) for row in measure(args.samples, runs, seconds, repeats, bare,
                                                                         probe)]
    bare.close()
    print_table(f"Racing runs in the window ({seconds:g} s sessions, median of {repeats})", rows,
                "reference: bare PlotWidget, same samples, a line redrawn from a 0 ms timer; lateness of a 5 ms "
                "QTimer on the GUI thread; repaints = paint events of the main plot's viewport")
    return 0


if __name__ == "__main__":
    sys.exit(main())
