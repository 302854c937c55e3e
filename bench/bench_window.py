"""GUI-thread lateness and main-plot repaints per second while training runs as fast as possible, against a bare
pyqtgraph window redrawn from a 0 ms timer, in one process.

Run: python bench/bench_window.py [--quick] [--seconds S] [--repeats R] [--sizes 200,1000000]

Each case opens the real window at 1360×860 (speed 0 = as fast as possible, 1,000,000 epochs), waits for its first
view and for the exact optimum and loss surface to arrive, then alternates play sessions of S seconds: the bare
window (a PlotWidget with the same samples and a sigmoid redrawn as fast as the event loop allows), then the real
window (reset to epoch 0, then Play). During each session a precise 5 ms QTimer on the GUI thread records how late
every tick comes, and an event filter counts the real paint events of the main plot's viewport. Figures are
medians over the repeats of each session's p50 / p99 / max lateness and paints per second. At 200 samples the
plain-Python kernel is measured too (at 10⁶ it is too slow to be worth the wait).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    BareWindow,
    LatenessProbe,
    PaintCounter,
    Row,
    Target,
    application,
    close_window,
    machine_line,
    median,
    open_window,
    parser,
    percentile,
    print_table,
    spin,
    warm_kernel,
)

from model.data import generate
from model.kernel import DISABLE_COMPILED_ENV
from model.settings import Settings

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

WARM_UP_S = 0.3
TARGETS = {200: (20.0, 50.0), 1_000_000: (50.0, 20.0)}
"""Per sample count: (p99 lateness bound in ms, least repaints per second)."""


@dataclass(frozen=True)
class Session:
    """One play session's figures: lateness percentiles (ms), paints and epochs per second."""

    p50: float
    p99: float
    worst: float
    paints_per_s: float
    epochs_per_s: float = float("nan")


def settings_for(samples: int) -> Settings:
    """The default run on this many samples, as fast as possible, with epochs enough never to finish."""
    return Settings(n0=samples // 2, n1=samples - samples // 2, speed=0.0, epochs=1_000_000)


def play_session(play: Callable[[], None], pause: Callable[[], None], paints: PaintCounter, probe: LatenessProbe,
                 seconds: float, epoch: Callable[[], float] | None = None) -> Session:
    """Play for WARM_UP_S + seconds; measure over the last `seconds`."""
    probe.start()
    play()
    spin(WARM_UP_S)
    start, first_epoch = time.perf_counter(), epoch() if epoch else 0
    spin(seconds)
    stop, last_epoch = time.perf_counter(), epoch() if epoch else 0
    pause()
    probe.stop()
    late = probe.since(start)
    span = stop - start
    return Session(percentile(late, 50), percentile(late, 99), max(late, default=float("nan")),
                   paints.count_between(start, stop) / span,
                   (last_epoch - first_epoch) / span if epoch else float("nan"))


def ready(window: MainWindow) -> bool:
    """The first view is drawn and the analysis thread has delivered the optimum and the loss surface."""
    state = window.state
    return state is not None and state.view is not None and state.picture is not None


def controls(window: MainWindow) -> tuple[Callable[[], None], Callable[[], None], Callable[[], float]]:
    """Play from epoch 0 (Reset, then Play), pause, and the selected run's epoch, for play_session."""

    def play() -> None:
        window.reset_action.trigger()
        window.play_action.trigger()

    def pause() -> None:
        if window.playing:
            window.play_action.trigger()

    def epoch() -> float:
        view = window.state.view
        return view.epoch + view.position / view.n_samples

    return play, pause, epoch


def measure_size(samples: int, kernels: list[str], seconds: float, repeats: int) -> list[Row]:
    """Alternate bare and real play sessions for each kernel; rows of medians."""
    data = generate(settings_for(samples))
    probe = LatenessProbe()
    bare = BareWindow(data.x, data.y)
    bare.show()
    spin(30, lambda: bool(bare.paints.times))
    bare_sessions: list[Session] = []
    real: dict[str, list[Session]] = {}
    for kernel in kernels:
        os.environ[DISABLE_COMPILED_ENV] = "1" if kernel == "python" else "0"
        window = open_window(settings_for(samples))
        if not spin(60, lambda window=window: ready(window)):
            print(f"  ({samples:,} samples, {kernel}: the loss surface did not arrive within 60 s; measuring anyway)")
        spin(0.3)
        play, pause, epoch = controls(window)
        for _ in range(repeats):
            bare_sessions.append(play_session(bare.play, bare.pause, bare.paints, probe, seconds))
            real.setdefault(kernel, []).append(play_session(play, pause, window.paints, probe, seconds, epoch))
        close_window(window)
    os.environ.pop(DISABLE_COMPILED_ENV, None)
    bare.close()

    late_bound, paint_bound = TARGETS.get(samples, (None, None))
    ref = {name: median([getattr(s, name) for s in bare_sessions]) for name in ("p50", "p99", "worst", "paints_per_s")}
    rows = []
    for kernel, sessions in real.items():
        got = {name: median([getattr(s, name) for s in sessions]) for name in Session.__dataclass_fields__}
        label = f"{samples:,} samples, {kernel}"
        rows += [
            Row(f"lateness p50, {label}", got["p50"], ref["p50"], "ms"),
            Row(f"lateness p99, {label}", got["p99"], ref["p99"], "ms", late_bound and Target("<", late_bound)),
            Row(f"lateness max, {label}", got["worst"], ref["worst"], "ms"),
            Row(f"main-plot repaints/s, {label}", got["paints_per_s"], ref["paints_per_s"], "/s",
                paint_bound and Target(">=", paint_bound)),
            Row(f"epochs trained/s, {label}", got["epochs_per_s"], None, "/s"),
        ]
    return rows


def main() -> int:
    options = parser(__doc__, "2 s sessions, 2 repeats (default: 5 s, 3 repeats)")
    options.add_argument("--seconds", type=float, default=None, help="length of each measured session")
    options.add_argument("--sizes", default="200,1000000", help="sample counts, comma-separated")
    args = options.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    repeats = args.repeats or (2 if args.quick else 3)
    application()
    warm_kernel()
    print(machine_line())
    rows: list[Row] = []
    for samples in (int(size) for size in args.sizes.split(",")):
        kernels = ["numba", "python"] if samples <= 10_000 else ["numba"]
        rows += measure_size(samples, kernels, seconds, repeats)
    print_table(f"Window while training as fast as possible ({seconds:g} s sessions, median of {repeats})", rows,
                "reference: bare PlotWidget, same samples, a line redrawn from a 0 ms timer; lateness of a 5 ms "
                "QTimer on the GUI thread; repaints = paint events of the main plot's viewport")
    return 0


if __name__ == "__main__":
    sys.exit(main())
