"""`main.py train --figures` at 10⁵ samples against the same `train` without figures, in one process: total time,
the figures' own time, and the size of what they write.

Run: python bench/bench_figures.py [--quick] [--repeats R] [--samples N]

Both commands run through model.cli.run_train exactly as `python main.py train --n0 N/2 --n1 N/2 --out DIR
[--figures] --quiet` does (the figure writer is main.py's), alternately, into fresh temporary folders. The figure
writer is timed as a whole (loss surface and figures), and each figure's layout and PNG and SVG rendering on their
own. The tables give medians over the repeats and the sizes of the last run's files (they do not change); SVG sizes
are also shown against the 5 MB target (the ratio column). Files are deleted afterwards.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, Target, application, machine_line, median, parser, print_table, warm_kernel

import gui.export.figures
from model.cli import run_train

SVG_TARGET_MB = 5.0
MB = 1024 * 1024


def figure_writer(spent: list[float]) -> Callable[..., list[Path]]:
    """main.py's lazy figure writer (it imports gui.export.figures only when figures are asked for), timed into
    `spent`."""
    import main as app_main

    def write(*args: Any, **kwargs: Any) -> list[Path]:
        started = time.perf_counter()
        try:
            return app_main._write_figures(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    return write


def time_figure_steps() -> dict[tuple[str, str], float]:
    """Time each figure's layout (Figure.__init__), PNG and SVG rendering, keyed by (figure, step)."""
    steps: dict[tuple[str, str], float] = {}
    for name, step in (("__init__", "layout"), ("png", "png"), ("svg", "svg")):
        original = getattr(gui.export.figures.Figure, name, None)
        if original is None:
            continue

        def timed(self: gui.export.figures.Figure, *args: Any, original: Callable[..., Any] = original,
                  step: str = step, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                kind = getattr(self, "kind", args[0] if args else "?")
                steps[kind, step] = steps.get((kind, step), 0.0) + time.perf_counter() - started

        setattr(gui.export.figures.Figure, name, timed)
    return steps


def run(samples: int, figures: bool, folder: Path, spent: list[float]) -> float:
    """Seconds for one `train` run (with --figures if asked), its output going to `folder`."""
    argv = ["--n0", str(samples // 2), "--n1", str(samples - samples // 2), "--out", str(folder), "--quiet"]
    argv += ["--figures"] if figures else []
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = run_train(argv, figure_writer=figure_writer(spent))
    if code != 0:
        raise RuntimeError(f"train {' '.join(argv)} exited with {code}")
    return time.perf_counter() - started


def main() -> int:
    options = parser(__doc__, "one run of each (default: 3)")
    options.add_argument("--samples", type=int, default=100_000, help="samples, both classes (default 10⁵)")
    args = options.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    application()
    warm_kernel()
    print(machine_line())
    steps = time_figure_steps()
    plain, with_figures, figure_times = [], [], []
    per_step: dict[tuple[str, str], list[float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="neuron-lab-bench-") as base:
            plain.append(run(args.samples, False, Path(base) / "plain", []))
            steps.clear()
            with_figures.append(run(args.samples, True, Path(base) / "figures", figure_times))
            for key, seconds in steps.items():
                per_step.setdefault(key, []).append(seconds)
            sizes = {path.name: path.stat().st_size for path in (Path(base) / "figures").iterdir()
                     if path.suffix in (".png", ".svg")}
    svg_total = sum(size for name, size in sizes.items() if name.endswith(".svg")) / MB
    svg_largest = max((size for name, size in sizes.items() if name.endswith(".svg")), default=0) / MB
    label = f"{args.samples:,} samples"
    rows = [
        Row(f"train --figures, {label}", median(with_figures), median(plain), "s", Target("<=", 5)),
        Row("  of which the figure writer (surface + figures)", median(figure_times), median(plain), "s"),
        Row("SVG written, all five (ref = the 5 MB target)", svg_total, SVG_TARGET_MB, "MB", Target("<=", 5)),
        Row("largest SVG (ref = the 5 MB target)", svg_largest, SVG_TARGET_MB, "MB", Target("<=", 5)),
        Row("all figure files written (PNG + SVG)", sum(sizes.values()) / MB, None, "MB"),
    ]
    print_table(f"train --figures against train (median of {repeats})", rows,
                "reference: the same `train` without --figures, same process, alternating")
    files = [Row(f"{kind}: {step}", median(times) * 1000, None, "ms") for (kind, step), times in per_step.items()]
    files += [Row(f"{name} size", size / MB, None, "MB") for name, size in sorted(sizes.items())]
    print_table("Each figure: time to lay it out and to render PNG and SVG; each file's size", files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
