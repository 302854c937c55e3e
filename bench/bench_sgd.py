"""Per-sample SGD speed, end to end, in one process: the tutorial's loop, the engine as it was before whole epochs
went to the kernel in one call, and the engine now (Trainer.run_epochs), on the same data from the same start.

Run: python bench/bench_sgd.py [--quick] [--sizes 10000 1000000] [--repeats 5] [--updates 10000000]
The engines are timed end to end: the shuffle, the updates, each epoch's loss and accuracy, the history. The
tutorial loop (which also records each sample's error, as the tutorial does) is slow, so it runs at most
--tutorial-updates updates, from the start of the first epoch; every figure is per update, so the ratios compare
like with like. Before timing, the three must agree: the tutorial loop and the engine on w and b (rel 1e-9) over
the tutorial's updates, the engine before and after the change bit for bit over whole epochs.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pre_change_engine import PreChangeEngine
from model.data import Dataset, generate
from model.kernel import Kernel, compiled_kernel
from model.settings import MAX_EPOCHS, Settings
from model.trainer import Trainer

ETA = 0.001
W0, B0 = 0.004, -0.007


def tutorial_loop(x: np.ndarray, y: np.ndarray, orders: list[np.ndarray], w0: float, b0: float) -> tuple[float, float]:
    """The tutorial's training loop as written: numpy scalars, np.exp and its two derivative functions."""
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def derivative_cross_entropy(y_hat, target):
        return -1 / y_hat if target == 1 else 1 / (1 - y_hat)

    def derivative_sigmoid(s):
        return s * (1 - s)

    def cross_entropy(y_hat, target):
        return -np.log(y_hat) if target == 1 else -np.log(1 - y_hat)

    w, b = np.array([w0]), np.array([b0])
    errors = []
    for order in orders:
        epoch_errors = []
        for i in order:
            y_hat = sigmoid(w * x[i] + b)
            epoch_errors.append(cross_entropy(y_hat, y[i]))
            d_w = derivative_cross_entropy(y_hat, y[i]) * derivative_sigmoid(y_hat) * x[i]
            d_b = derivative_cross_entropy(y_hat, y[i]) * derivative_sigmoid(y_hat)
            w = w - ETA * d_w
            b = b - ETA * d_b
        errors.append(np.mean(epoch_errors))
    return float(w[0]), float(b[0])


@dataclass(frozen=True)
class Row:
    samples: int
    name: str
    epochs: str
    seconds_per_update: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds_per_update)


def settings_for(samples: int) -> Settings:
    """The 'far apart' preset's two classes, `samples` in all, trained by per-sample SGD from (W0, B0)."""
    return Settings(mu0=0.0, sigma0=1.0, n0=samples // 2, mu1=5.0, sigma1=0.5, n1=samples - samples // 2, seed=0,
                    init_w=W0, init_b=B0, lr=ETA, epochs=MAX_EPOCHS, every=MAX_EPOCHS).validated()


def engine_orders(settings: Settings, samples: int, epochs: int) -> list[np.ndarray]:
    """The orders the engines draw: their generator, after the two draws for the initial w and b."""
    rng = np.random.default_rng((settings.seed, 1))
    rng.uniform(size=2)
    return [rng.permutation(samples) for _ in range(epochs)]


def tutorial_prefix(orders: list[np.ndarray], updates: int) -> list[np.ndarray]:
    """The first `updates` samples of the engines' orders, as epochs for the tutorial loop."""
    prefix, left = [], updates
    for order in orders:
        if left <= 0:
            break
        prefix.append(order[:left])
        left -= len(prefix[-1])
    return prefix


def check_agreement(settings: Settings, data: Dataset, kernel: Kernel, tutorial_updates: int, epochs: int) -> None:
    """The tutorial loop and the engine agree on w and b; the engine before and after the change bit for bit."""
    orders = engine_orders(settings, len(data), math.ceil(tutorial_updates / len(data)))
    expected = tutorial_loop(data.x, data.y, tutorial_prefix(orders, tutorial_updates), W0, B0)
    engine = Trainer(settings, data, kernel)
    engine.step_samples(tutorial_updates)
    if not all(math.isclose(a, e, rel_tol=1e-9) for a, e in zip((engine.w, engine.b), expected, strict=True)):
        raise SystemExit(f"MISMATCH: the engine gave w, b = {engine.w!r}, {engine.b!r}, the tutorial loop {expected}")
    before, now = PreChangeEngine(settings, data), Trainer(settings, data, kernel)
    before.run_epochs(epochs)
    now.run_epochs(epochs)
    history_before, history_now = before.history.view(), now.view().history
    same = (before.w, before.b, before.updates, before.rng_state) == (now.w, now.b, now.updates,
                                                                       now.state().rng_state)
    if not (same and np.array_equal(history_before.w, history_now.w)
            and np.array_equal(history_before.b, history_now.b)):
        raise SystemExit(f"MISMATCH: before the change w, b = {before.w!r}, {before.b!r}; now {now.w!r}, {now.b!r}")


def timed(repeats: int, updates: int, start: Callable[[], Any], run: Callable[[Any], object]) -> list[float]:
    """Seconds per update of run(start()), once per repeat; start() is not timed."""
    seconds = []
    for _ in range(repeats):
        started = start()
        began = time.perf_counter()
        run(started)
        seconds.append((time.perf_counter() - began) / updates)
    return seconds


def measure_size(samples: int, kernel: Kernel, repeats: int, budget: int, tutorial_budget: int) -> list[Row]:
    settings = settings_for(samples)
    data = generate(settings)
    epochs = max(2, budget // samples)
    tutorial_updates = min(tutorial_budget, 2 * samples)
    check_agreement(settings, data, kernel, tutorial_updates, min(epochs, 3))
    orders = tutorial_prefix(engine_orders(settings, samples, 2), tutorial_updates)
    tutorial = timed(repeats, tutorial_updates, lambda: orders,
                     lambda prefix: tutorial_loop(data.x, data.y, prefix, W0, B0))
    before = timed(repeats, epochs * samples, lambda: PreChangeEngine(settings, data),
                   lambda engine: engine.run_epochs(epochs))
    now = timed(repeats, epochs * samples, lambda: Trainer(settings, data, kernel),
                lambda engine: engine.run_epochs(epochs))
    shown = f"{tutorial_updates / samples:g}" if tutorial_updates % samples == 0 else f"{tutorial_updates:,} updates"
    return [
        Row(samples, "tutorial loop (numpy scalars)", shown, tutorial),
        Row(samples, "pre-change engine (epoch by epoch)", str(epochs), before),
        Row(samples, "engine now: Trainer.run_epochs", str(epochs), now),
    ]


def machine() -> str:
    import numba

    return (f"machine: {platform.platform()}, {_processor()}, {os.cpu_count()} CPUs; Python "
            f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")


def _processor() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown processor"


def print_table(rows: list[Row], repeats: int) -> None:
    print(f"{'samples':>10}  {'loop':36} {'epochs':>16} {'ns/update':>11} {'min–max':>17} {'× tutorial':>11}")
    tutorial = 1.0
    for row in rows:
        if row.name.startswith("tutorial"):
            tutorial = row.median
        low, high = min(row.seconds_per_update) * 1e9, max(row.seconds_per_update) * 1e9
        print(f"{row.samples:>10,}  {row.name:36} {row.epochs:>16} {row.median * 1e9:>11,.1f} "
              f"{f'{low:,.1f}–{high:,.1f}':>17} {tutorial / row.median:>10,.1f}×")
    print(f"medians of {repeats} repeats; the engines start fresh each repeat, so a repeat includes its first "
          "shuffle and its last measurement")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a first look in seconds: 3 repeats of 2,000,000 updates and 5,000 tutorial updates")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="sample counts")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per loop (default 5)")
    parser.add_argument("--updates", type=int, default=None,
                        help="updates per timed engine run, in whole epochs (default 10,000,000)")
    parser.add_argument("--tutorial-updates", type=int, default=None,
                        help="updates per timed tutorial run, at most two epochs (default 20,000)")
    args = parser.parse_args()
    quick = {"repeats": 3, "updates": 2_000_000, "tutorial_updates": 5_000}
    full = {"repeats": 5, "updates": 10_000_000, "tutorial_updates": 20_000}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)

    kernel = compiled_kernel()
    if kernel is None:
        print("numba is not installed (the 'fast' extra): this benchmark compares compiled engines")
        return 1
    print(machine())
    print(f"data: 'far apart' preset's classes N(0, 1) and N(5, 0.5); per-sample SGD, BCE, η = {ETA}, shuffled")
    rows = [row for samples in args.sizes
            for row in measure_size(samples, kernel, args.repeats, args.updates, args.tutorial_updates)]
    print("agreement: tutorial loop = engine (w, b, rel 1e-9); engine before = after the change (w, b, history, "
          "generator: bit for bit)")
    print_table(rows, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
