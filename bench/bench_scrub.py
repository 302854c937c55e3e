"""Going back in a run: how soon the views show a chosen moment, how long the GUI thread stalls meanwhile, and what
the run's timeline keeps in memory.

Run: python bench/bench_scrub.py [--quick] [--repeats R] [--epochs E] [--samples N]

- epochs: the real window, once its first view, optimum and loss surface are in (a short run would otherwise end
  while the window still starts up), trains E epochs (10⁵; --quick 2,000) of 200 samples as fast as possible to the
  end; then the history slider is set to R random epochs one after another (each when the last has been drawn, as
  a learner moving it does), timing each from the move to the view of that epoch drawn: at once as the run ends
  (while the window computes any loss surface the finished run's path asks for), and again once that is done;
  then a drag: the slider moves every 5 ms across the whole run, and the GUI thread's lateness is probed meanwhile
  (a 5 ms timer);
- inside an epoch: the window trains 3 epochs of N samples (10⁶; --quick 10⁵), then shows R random moments inside
  the epochs (per-sample SGD, so any sample), timing each from the request to the view drawn;
- memory: a timeline told of every epoch's start of a run of 200 samples (the most keyframes it can be offered), at
  10³ to 10⁶ epochs (--quick to 10⁴): how many keyframes it keeps and their bytes (the objects each holds, shared
  settings counted once). The trainer's own history (48 bytes an epoch) is the run's, not the timeline's.
"""

from __future__ import annotations

import dataclasses
import random
import sys
import time
from pathlib import Path

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
    percentile,
    print_table,
    spin,
    warm_kernel,
)

from model.data import generate
from model.settings import Settings
from model.timeline import Moment, Timeline
from model.trainer import Trainer

TIMEOUT_S = 600
DRAG_STEP_MS = 5


def _trained_window(samples: int, epochs: int):
    window = open_window(Settings(n0=samples // 2, n1=samples - samples // 2, epochs=epochs, speed=0.0))
    spin(TIMEOUT_S, lambda: window.state is not None and window.state.picture is not None
         and not window.run.analysis.description())
    window.run_to_end_action.trigger()
    spin(TIMEOUT_S, lambda: window.state.view.epoch >= epochs and not window.playing)
    return window


def _time_moments(window, moments: list[Moment], ask) -> list[float]:
    """Milliseconds from asking for each moment to the view of it drawn."""
    drawn: dict[Moment, float] = {}
    window.viewDrawn.connect(lambda view: drawn.setdefault(Moment(view.epoch, view.position), time.perf_counter()))
    latencies = []
    for moment in moments:
        drawn.pop(moment, None)
        started = time.perf_counter()
        ask(moment)
        spin(TIMEOUT_S, lambda m=moment: m in drawn)
        latencies.append((drawn[moment] - started) * 1000)
    return latencies


def epochs_case(epochs: int, repeats: int) -> list[Row]:
    window = _trained_window(200, epochs)
    slider = window.history.slider

    def chosen() -> list[Moment]:
        return [Moment(random.randrange(epochs)) for _ in range(repeats)]

    at_once = _time_moments(window, chosen(), lambda moment: slider.setValue(moment.epoch))
    spin(TIMEOUT_S, lambda: not window.run.analysis.description())
    latencies = _time_moments(window, chosen(), lambda moment: slider.setValue(moment.epoch))
    probe = LatenessProbe()
    probe.start()
    for value in range(epochs, -1, -max(1, epochs // 400)):
        slider.setValue(value)
        spin(DRAG_STEP_MS / 1000)
    spin(0.2, lambda: window.run.settled)
    stalls = probe.stop()
    close_window(window)
    return [Row(f"show an epoch as the run ends, p50 ({epochs:,} epochs × 200)", median(at_once), unit="ms"),
            Row(f"show an epoch as the run ends, p99 ({epochs:,} epochs × 200)", percentile(at_once, 99), unit="ms"),
            Row(f"show an epoch, p50 ({epochs:,} epochs × 200)", median(latencies), unit="ms"),
            Row(f"show an epoch, p99 ({epochs:,} epochs × 200)", percentile(latencies, 99), unit="ms",
                target=Target("<=", 30)),
            Row("GUI thread's longest stall while dragging", max(stalls, default=0.0), unit="ms",
                target=Target("<=", 50))]


def inside_case(samples: int, repeats: int) -> list[Row]:
    window = _trained_window(samples, 3)
    chosen = [Moment(random.randrange(3), random.randrange(1, samples)) for _ in range(repeats)]
    latencies = _time_moments(window, chosen, window.run.seek)
    close_window(window)
    return [Row(f"show a moment inside an epoch, p50 ({samples:,} samples)", median(latencies), unit="ms"),
            Row(f"show a moment inside an epoch, p99 ({samples:,} samples)", percentile(latencies, 99), unit="ms",
                target=Target("<=", 200))]


def memory_rows(largest: int) -> list[Row]:
    settings = Settings(n0=100, n1=100, epochs=largest)
    trainer = Trainer(settings, generate(settings))
    timeline = Timeline(trainer)
    rows = []
    chunk = max(1, largest // 100_000)
    mark = 1000
    while trainer.epoch < largest:
        trainer.run_epochs(chunk)
        timeline.observe()
        if trainer.epoch >= mark:
            rows.append(Row(f"timeline at {trainer.epoch:,} epochs ({timeline.keyframes} keyframes)",
                            _bytes(timeline._keyframes, set()), unit="B"))
            mark *= 10
    return rows


def _bytes(value: object, seen: set[int]) -> int:
    """What value holds, object by object, each counted once."""
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if dataclasses.is_dataclass(value):
        return size + sum(_bytes(getattr(value, field.name), seen) for field in dataclasses.fields(value))
    if isinstance(value, dict):
        return size + sum(_bytes(key, seen) + _bytes(item, seen) for key, item in value.items())
    if isinstance(value, list | tuple):
        return size + sum(_bytes(item, seen) for item in value)
    return size


def main() -> None:
    arguments = parser(__doc__, "2,000 epochs, 10⁵ samples, memory to 10⁴ epochs")
    arguments.add_argument("--epochs", type=int, default=None)
    arguments.add_argument("--samples", type=int, default=None)
    options = arguments.parse_args()
    repeats = options.repeats or (20 if options.quick else 200)
    epochs = options.epochs or (2000 if options.quick else 100_000)
    samples = options.samples or (100_000 if options.quick else 1_000_000)
    random.seed(0)
    application()
    warm_kernel()
    print(machine_line())
    rows = epochs_case(epochs, repeats) + inside_case(samples, max(5, repeats // 10))
    rows += memory_rows(10_000 if options.quick else 1_000_000)
    print_table("Going back in a run", rows)


if __name__ == "__main__":
    main()
