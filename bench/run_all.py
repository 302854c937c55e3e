"""Run every benchmark of the "Speed and scale" targets, one after another, each in its own interpreter.

Usage:
    python bench/run_all.py            full runs (a few minutes on 2 cores)
    python bench/run_all.py --quick    short runs (about two minutes), for a first look
    python bench/run_all.py --only window,startup [--quick]

Runs, in order (each also runs alone, with --help and --quick):
    bench_sgd.py          per-sample SGD: ns per update, the tutorial's loop against the kernels
    bench_rules.py        per-sample momentum and Adam: ns per update as ratios to plain gradient descent
    bench_window.py       GUI-thread lateness and main-plot repaints/s while training as fast as possible (200, 10⁶)
    bench_race_window.py  the same with one run and with six runs racing in lockstep (200 samples)
    bench_scrub.py        the history slider: time to show a chosen moment, GUI-thread stalls, timeline memory
    bench_data_change.py  changing a data field at 10³ / 10⁶ samples: edit → first view drawn, GUI-thread stalls
    bench_startup.py      start → first painted frame; window built → first view at 10⁶ samples
    bench_memory.py       peak memory at 10⁶ samples, 100 epochs
    bench_figures.py      `train --figures` at 10⁵ samples: time and file sizes
    bench_svg_size.py     `train --figures` at 10³ to 10⁵ samples per class: total SVG bytes and time
    bench_animation.py    animated export of a 120-epoch run at 800 × 500: GIF (and MP4) time and size

Each prints a line naming the machine and a table: measured, reference, ratio, target and whether it is met.
Figures are medians over repeats, measured offscreen (QT_QPA_PLATFORM=offscreen unless set). Exits with 1 if any
benchmark failed to run (a target not met is a result, not a failure).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("sgd", "rules", "window", "race_window", "scrub", "data_change", "startup", "memory", "figures",
           "svg_size", "animation")


def command(name: str, quick: bool) -> list[str]:
    """The command line that runs one benchmark, short if asked."""
    script = HERE / f"bench_{name}.py"
    line = [sys.executable, str(script)]
    return [*line, "--quick"] if quick else line


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true", help="short runs of every benchmark")
    options.add_argument("--only", default=",".join(SCRIPTS), help=f"comma-separated subset of {', '.join(SCRIPTS)}")
    args = options.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SCRIPTS))
    if unknown:
        options.error(f"unknown benchmark(s): {', '.join(unknown)}")
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    machine = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); import harness; "
               "print(harness.machine_line())"]
    subprocess.run(machine, env=env, check=False)
    failed = []
    for name in chosen:
        line = command(name, args.quick)
        print(f"\n### {' '.join(Path(part).name if part.endswith('.py') else part for part in line[1:])}",
              flush=True)
        started = time.perf_counter()
        code = subprocess.run(line, env=env, check=False).returncode
        print(f"### bench_{name}.py: exit {code}, {time.perf_counter() - started:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
