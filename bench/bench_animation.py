"""Animated export of a 120-epoch run of the default settings at 800 × 500: the GIF `train --animation` writes (one
frame per snapshot: 7 frames) and a GIF of every epoch (121 frames, epochs 0 to 120), with the MP4 of every epoch
when PyAV is installed.

Run: python bench/bench_animation.py [--quick] [--repeats R]

Each repeat times what an export adds to a trained run, as `train --animation` does it: the loss surface framing
the path, then every frame drawn offscreen and encoded, then the file put in place. The table gives the median over
the repeats (default 5) with the fastest and slowest, and each file's size (it does not change between repeats).
Files are deleted afterwards.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, Target, application, machine_line, median, parser, print_table

from gui.export.animation import AnimatedRun, animation_content
from gui.export.animation_export import AnimationChoice, export_animation
from gui.export.animation_file import video_available
from model.data import Dataset, generate
from model.problem import Problem, study
from model.settings import Settings
from model.trainer import Trainer, TrainerView

CASES = (("GIF, 7 frames (one per snapshot)", "gif", None, 3.0, 1.0),
         ("GIF, 121 frames (every epoch)", "gif", 1, 10.0, None),
         ("MP4, 121 frames (every epoch)", "mp4", 1, None, None))
"""(case, format, every, seconds target, megabytes target)."""
MB = 1024 * 1024


def trained() -> tuple[Settings, Dataset, TrainerView, Problem]:
    settings = Settings()
    data = generate(settings)
    trainer = Trainer(settings, data)
    trainer.run_to_end()
    return settings, data, trainer.view(), study(data, settings.loss, settings.l2)


def export_once(run: tuple[Settings, Dataset, TrainerView, Problem], fmt: str, every: int | None,
                folder: Path) -> tuple[float, int]:
    """Seconds for one export and the bytes written."""
    settings, data, view, problem = run
    started = time.perf_counter()
    content = animation_content(data, settings.loss, settings.l2, [AnimatedRun(view)], problem)
    path = export_animation(content, AnimationChoice(every=every), folder / f"training.{fmt}")
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()
    return seconds, size


def main() -> int:
    args = parser(__doc__, "one export of each (default: 5)").parse_args()
    repeats = args.repeats or (1 if args.quick else 5)
    application()
    print(machine_line())
    run = trained()
    rows = []
    with tempfile.TemporaryDirectory(prefix="neuron-lab-bench-") as folder:
        for case, fmt, every, seconds_target, mb_target in CASES:
            if fmt == "mp4" and not video_available():
                continue
            measured = [export_once(run, fmt, every, Path(folder)) for _ in range(repeats)]
            times = [seconds for seconds, _ in measured]
            size = measured[-1][1]
            rows.append(Row(f"{case}: time (range {min(times):.2f}–{max(times):.2f} s)", median(times), None, "s",
                            None if seconds_target is None else Target("<", seconds_target)))
            rows.append(Row(f"{case}: size ({size:,} bytes)", size / MB, None, "MB",
                            None if mb_target is None else Target("<", mb_target)))
    print_table(f"Animated export of a 120-epoch run at 800 × 500 (median of {repeats})", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
