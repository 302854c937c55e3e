"""Size of the SVG figures `main.py train --figures` writes, against the number of samples: 10³, 5·10³ (the most
still drawn as points), 10⁴ and 10⁵ samples per class.

Run: python bench/bench_svg_size.py [--quick] [--repeats R]

Each case runs `python main.py train --n0 N --n1 N --out DIR --figures --quiet` through model.cli.run_train (the
figure writer is main.py's) into a fresh temporary folder. Sizes are exact and the same on every run; times are
medians over the repeats. The target is the bound the README states: all five SVGs together at most 3.5 MB, whatever
the number of samples (points are drawn one circle per pixel they cover; above 10,000 samples, density strips).
Snapshots are taken every epochs/11 epochs, so the grid shows eleven of them, as many as it shows in any long run.
--quick runs 22 epochs instead of 121 (sizes barely change: the grid is as full either way).
Files are deleted afterwards.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import MB, figure_writer
from harness import Row, Target, application, machine_line, median, parser, print_table, warm_kernel

from model.cli import run_train

PER_CLASS = (1_000, 5_000, 10_000, 100_000)
SVG_BOUND_MB = 3.5


def svg_run(per_class: int, epochs: int, folder: Path) -> tuple[int, float]:
    """Total bytes of the SVGs one `train --figures` run writes, and the figure writer's seconds."""
    spent: list[float] = []
    argv = ["--n0", str(per_class), "--n1", str(per_class), "--epochs", str(epochs), "--every", str(-(-epochs // 11)),
            "--out", str(folder), "--figures", "--quiet"]
    if run_train(argv, figure_writer=figure_writer(spent)) != 0:
        raise RuntimeError(f"train {' '.join(argv)} failed")
    return sum(path.stat().st_size for path in folder.glob("*.svg")), spent[0]


def main() -> int:
    options = parser(__doc__, "22 epochs, one run of each (default: 121 epochs, 3 runs)")
    args = options.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    epochs = 22 if args.quick else 121
    application()
    warm_kernel()
    print(machine_line())
    rows = []
    for per_class in PER_CLASS:
        sizes, seconds = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(prefix="neuron-lab-bench-") as base:
                size, spent = svg_run(per_class, epochs, Path(base))
                sizes.append(size)
                seconds.append(spent)
        label = f"{per_class:,} samples per class"
        rows.append(Row(f"{label}: all five SVGs", max(sizes) / MB, SVG_BOUND_MB, "MB", Target("<=", SVG_BOUND_MB)))
        rows.append(Row(f"{label}: figure writer (surface, PNG and SVG)", median(seconds), None, "s"))
    print_table(f"SVG size of train --figures, {epochs} epochs (ref = the {SVG_BOUND_MB:g} MB bound)", rows,
                "sizes are exact; times are medians and, on a busy machine, only a rough guide")
    return 0


if __name__ == "__main__":
    sys.exit(main())
