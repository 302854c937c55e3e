"""Per-sample speed of each update rule (plain, momentum, Adam), end to end through Trainer.run_epochs, side by side
in one process, as ratios to plain gradient descent.

Run: python bench/bench_rules.py [--quick] [--sizes 10000 1000000] [--repeats 7] [--updates 10000000]
Each repeat times the three rules one after the other on the same data from the same start (so a busy moment of
the machine falls on all three alike); a rule's ratio in a repeat is its time over plain's in that repeat, and the
table gives the median and range of those ratios over the repeats. The target: momentum and Adam at most 1.5× plain.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_sgd import machine, settings_for, timed
from model.data import generate
from model.kernel import compiled_kernel
from model.trainer import Trainer

RULES = ("plain", "momentum", "adam")
TARGET = 1.5


def measure_size(samples: int, repeats: int, budget: int) -> dict[str, list[float]]:
    """Seconds per update of each rule, a list of one per repeat, the rules interleaved within each repeat."""
    kernel = compiled_kernel()
    base = settings_for(samples)
    data = generate(base)
    epochs = max(2, budget // samples)
    found: dict[str, list[float]] = {rule: [] for rule in RULES}
    for _ in range(repeats):
        for rule in RULES:
            settings = base.replace(rule=rule).validated()
            found[rule] += timed(1, epochs * samples, lambda settings=settings: Trainer(settings, data, kernel),
                                 lambda engine, epochs=epochs: engine.run_epochs(epochs))
    return found


def print_table(samples: int, found: dict[str, list[float]]) -> None:
    plain = found["plain"]
    for rule in RULES:
        seconds = found[rule]
        ratios = [mine / theirs for mine, theirs in zip(seconds, plain, strict=True)]
        ns = [value * 1e9 for value in seconds]
        print(f"{samples:>10,}  {rule:9} {statistics.median(ns):>10,.1f} {f'{min(ns):,.1f}–{max(ns):,.1f}':>17} "
              f"{statistics.median(ratios):>8.2f}× {f'{min(ratios):.2f}–{max(ratios):.2f}':>12}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a first look in seconds: 3 repeats of 1,000,000 updates")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="sample counts")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per rule (default 7)")
    parser.add_argument("--updates", type=int, default=None,
                        help="updates per timed run, in whole epochs (default 10,000,000)")
    args = parser.parse_args()
    defaults = {"repeats": 3, "updates": 1_000_000} if args.quick else {"repeats": 7, "updates": 10_000_000}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if compiled_kernel() is None:
        print("numba is not installed (the 'fast' extra): this benchmark times the compiled engine")
        return 1
    print(machine())
    print("data: 'far apart' preset's classes; per-sample updates, BCE, shuffled; the rules' default parameters")
    print(f"{'samples':>10}  {'rule':9} {'ns/update':>10} {'min–max':>17} {'× plain':>9} {'range':>12}")
    for samples in args.sizes:
        print_table(samples, measure_size(samples, args.repeats, args.updates))
    print(f"medians of {args.repeats} repeats, the rules interleaved in each; target: momentum and Adam at most "
          f"{TARGET}× plain")
    return 0


if __name__ == "__main__":
    sys.exit(main())
