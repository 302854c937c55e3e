"""Animated export: GIF files read back with Pillow (frames, size, one palette, frames that move with training),
`train --animation`, cancelling from the window, and MP4 where PyAV is installed."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import open_window, wait_for_view
from PIL import GifImagePlugin, Image
from PySide6 import QtCore, QtGui, QtWidgets

from gui.base.style import RUN_COLOURS, configure_pyqtgraph
from gui.export.animation import FRAME_SIZE, MAX_FRAMES, AnimatedRun, FrameRenderer, animation_content, frame_epochs
from gui.export.animation_dialog import AnimationDialog
from gui.export.animation_export import AnimationChoice, export_animation
from gui.export.animation_file import VIDEO_HINT, GifFile, Mp4File, frame_pixels, video_available
from model.data import generate
from model.problem import study
from model.settings import Settings
from model.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
RUN = Settings(n0=40, n1=40, epochs=30, every=10, lr=0.5)


@pytest.fixture
def content(qapp):
    configure_pyqtgraph()
    data = generate(RUN)
    trainer = Trainer(RUN, data)
    trainer.run_to_end()
    return animation_content(data, RUN.loss, RUN.l2, [AnimatedRun(trainer.view())], study(data, RUN.loss, RUN.l2))


def gif_frames(path: Path, monkeypatch) -> tuple[list[np.ndarray], set[bytes]]:
    """Every frame as RGB pixels, and the palettes they were decoded with. Pillow keeps a frame's palette indices
    (mode P) unless the frame brings a palette of its own, so a file with one shared palette decodes to P only."""
    strategy = GifImagePlugin.LoadingStrategy.RGB_AFTER_DIFFERENT_PALETTE_ONLY
    monkeypatch.setattr(GifImagePlugin, "LOADING_STRATEGY", strategy)
    frames, palettes = [], set()
    with Image.open(path) as image:
        for index in range(image.n_frames):
            image.seek(index)
            assert image.mode == "P"
            palettes.add(bytes(image.getpalette()))
            frames.append(np.asarray(image.convert("RGB")))
    return frames, palettes


def test_frames_are_one_per_snapshot_or_per_n_epochs_and_end_at_the_last_epoch(content):
    assert frame_epochs(content.runs) == [0, 10, 20, 30]
    assert frame_epochs(content.runs, every=7) == [0, 7, 14, 21, 28, 30]
    assert frame_epochs(content.runs, every=100) == [0, 30]


def test_a_long_run_is_thinned_to_at_most_max_frames_evenly_from_start_to_end(qapp):
    settings = Settings(n0=5, n1=5, epochs=3000, every=3)
    trainer = Trainer(settings, generate(settings))
    trainer.run_to_end()
    runs = [AnimatedRun(trainer.view())]
    every_epoch = frame_epochs(runs, every=1)
    assert len(every_epoch) <= MAX_FRAMES and every_epoch[0] == 0 and every_epoch[-1] == 3000
    assert set(np.diff(every_epoch[:-1])) == {8}  # of 3000 epochs every 8th: 375 frames (every 4th: 750)
    snapshots = frame_epochs(runs)
    assert len(snapshots) <= MAX_FRAMES and set(np.diff(snapshots[:-1])) == {12} and snapshots[-1] == 3000


def test_a_frame_draws_the_run_as_it_stood_at_its_epoch(content):
    history = content.runs[0].view.history
    renderer = FrameRenderer("canvas", content)
    renderer.draw(10)
    epochs, losses = renderer.loss.curve.getData()
    path_w, path_b = renderer.parameters.path.getData()
    assert list(epochs) == list(range(11)) and np.array_equal(losses, history.loss[:11])
    assert np.array_equal(path_w, history.w[:11]) and np.array_equal(path_b, history.b[:11])
    assert "Epoch 10 ·" in renderer.neuron.plot.titleLabel.text
    renderer.close()


def test_gif_decodes_with_one_frame_per_moment_one_palette_and_frames_that_move(content, tmp_path, monkeypatch):
    path = export_animation(content, AnimationChoice("canvas", every=5, fps=10), tmp_path / "run.gif")
    frames, palettes = gif_frames(path, monkeypatch)
    assert len(frames) == 7
    assert all(frame.shape == (FRAME_SIZE[1], FRAME_SIZE[0], 3) for frame in frames)
    assert len(palettes) == 1
    assert all(np.any(before != after) for before, after in itertools.pairwise(frames))
    with Image.open(path) as image:
        assert image.info["duration"] == 100 and image.info["loop"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]


def test_an_export_is_reproducible_and_the_scale_sets_its_pixels(content, tmp_path):
    first = export_animation(content, AnimationChoice("loss", every=10), tmp_path / "a.gif").read_bytes()
    assert export_animation(content, AnimationChoice("loss", every=10), tmp_path / "b.gif").read_bytes() == first
    half = export_animation(content, AnimationChoice("main", scale=0.5), tmp_path / "half.gif")
    with Image.open(half) as image:
        assert image.size == (FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2) and image.n_frames == 4


def test_a_race_draws_every_further_run_in_its_own_colour(content):
    other = Trainer(RUN.replace(lr=0.05), content.data)
    other.run_to_end()
    race = dataclasses.replace(content, runs=(*content.runs, AnimatedRun(other.view(), "#AA00FF")))
    assert frame_epochs(race.runs) == [0, 10, 20, 30]
    for kind in ("main", "parameters", "loss"):
        renderers = [FrameRenderer(kind, shown) for shown in (content, race)]
        alone, raced = (frame_pixels(renderer.render(20)) for renderer in renderers)
        for renderer in renderers:
            renderer.close()
        in_colour = [np.all(pixels == (0xAA, 0x00, 0xFF), axis=-1).sum() for pixels in (alone, raced)]
        assert in_colour[0] == 0 and in_colour[1] > 20, kind


def test_a_run_raced_against_itself_is_drawn_over_its_twin_on_every_view(qapp):
    """The further runs' curves lie where the first run's do, on a log loss axis too: wherever the twin's colour is
    drawn, the run alone had drawn something."""
    settings = RUN.replace(mu0=-4.0, mu1=4.0, sigma0=0.5, sigma1=0.5, lr=5.0)
    data = generate(settings)
    trainer = Trainer(settings, data)
    trainer.run_to_end()
    run = AnimatedRun(trainer.view())
    problem = study(data, settings.loss, settings.l2)
    alone = animation_content(data, settings.loss, settings.l2, [run], problem)
    twins = dataclasses.replace(alone, runs=(run, AnimatedRun(run.view, "#AA00FF")))
    for kind in ("main", "parameters", "loss"):
        renderers = [FrameRenderer(kind, shown) for shown in (alone, twins)]
        assert kind != "loss" or renderers[1].loss.log_axis
        single, raced = (frame_pixels(renderer.render(30)) for renderer in renderers)
        for renderer in renderers:
            renderer.close()
        twin = np.all(raced == (0xAA, 0x00, 0xFF), axis=-1)
        assert twin.sum() > 100, kind
        assert np.any(single[twin] != 255, axis=-1).mean() > 0.95, kind


def test_train_animation_writes_one_frame_per_snapshot(tmp_path, monkeypatch):
    import main

    code = main.main(["train", "--epochs", "25", "--every", "10", "--n0", "30", "--n1", "30", "--out", str(tmp_path),
                      "--animation", "--quiet"])
    assert code == 0
    frames, palettes = gif_frames(tmp_path / "training.gif", monkeypatch)
    assert len(frames) == 4  # epochs 0, 10, 20 and the last, 25
    assert frames[0].shape == (FRAME_SIZE[1], FRAME_SIZE[0], 3) and len(palettes) == 1


def test_train_animation_of_a_race_draws_each_raced_run_in_its_colour(tmp_path, monkeypatch):
    """Headless, --animation once drew the base run alone: the window's export draws the race."""
    import main

    arguments = ["train", "--epochs", "25", "--every", "10", "--n0", "30", "--n1", "30", "--animation", "--quiet"]
    assert main.main([*arguments, "--out", str(tmp_path / "alone")]) == 0
    assert main.main([*arguments, "--out", str(tmp_path / "race"), "--race", "lr=0.5", "--branch-at", "10"]) == 0
    (alone, _), (raced, _) = (gif_frames(tmp_path / name / "training.gif", monkeypatch) for name in ("alone", "race"))
    branch = np.array(QtGui.QColor(RUN_COLOURS[1]).getRgb()[:3])

    def near_branch_colour(frame: np.ndarray) -> int:
        return int((np.abs(frame.astype(int) - branch).sum(axis=-1) < 40).sum())

    assert len(raced) == len(alone) == 4
    assert [near_branch_colour(frame) for frame in alone] == [0, 0, 0, 0]
    assert all(near_branch_colour(frame) > 100 for frame in raced[1:])


def test_train_animation_without_qt_says_so_in_one_line_before_training_or_writing(tmp_path):
    out = tmp_path / "run"
    script = ("import sys; sys.modules['PySide6'] = None; import main; "
              f"sys.exit(main.main(['train', '--epochs', '5', '--out', {str(out)!r}, '--animation', '--quiet']))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--animation needs Qt" in done.stderr
    assert done.stdout == "" and not out.exists()


def _export_from_window(qtbot, tmp_path, monkeypatch, kind: str, epochs: int, trained: int):
    """A window planned for `epochs` that trained `trained` (all, or one), starting an export of one frame per
    epoch to tmp_path/run.gif."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, RUN.replace(epochs=epochs, speed=0.0))
    (window.run_to_end_action if trained == epochs else window.step_epoch_action).trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == trained)
    return window, window.file_actions.export_animation(AnimationChoice(kind, every=1), str(tmp_path / "run.gif"))


def _exporting(qtbot, tmp_path, monkeypatch):
    """A window that trained 60 epochs, two frames into an export of one frame per epoch."""
    window, job = _export_from_window(qtbot, tmp_path, monkeypatch, "canvas", 60, 60)
    qtbot.waitUntil(lambda: job.progress.value() >= 2)
    return window, job


def test_cancel_on_the_progress_dialog_leaves_no_file(qtbot, tmp_path, monkeypatch):
    window, job = _exporting(qtbot, tmp_path, monkeypatch)
    cancel = job.progress.findChild(QtWidgets.QPushButton)
    with qtbot.waitSignal(job.stopped) as stopped:
        qtbot.mouseClick(cancel, QtCore.Qt.MouseButton.LeftButton)
    assert stopped.args == [""]
    assert list(tmp_path.iterdir()) == []
    assert "nothing was written" in window.statusBar().currentMessage()
    window.close()


def test_closing_the_window_mid_export_leaves_no_file(qtbot, tmp_path, monkeypatch):
    window, job = _exporting(qtbot, tmp_path, monkeypatch)
    with qtbot.waitSignal(job.stopped):
        window.close()
    assert list(tmp_path.iterdir()) == []


def test_cancel_while_the_file_is_encoded_leaves_no_file(qtbot, window, tmp_path, monkeypatch):
    """The GIF is encoded on a thread of its own once every frame is drawn; a Cancel then waits for it to end and
    throws its work away."""
    release = threading.Event()
    encode = GifFile.write

    def slow_write(self):
        release.wait(10)
        encode(self)

    monkeypatch.setattr(GifFile, "write", slow_write)
    job = window.file_actions.export_animation(AnimationChoice("loss"), str(tmp_path / "run.gif"))
    qtbot.waitUntil(lambda: job.progress.labelText() == "Writing the file…")
    with qtbot.waitSignal(job.stopped) as stopped:
        job.progress.findChild(QtWidgets.QPushButton).click()
        release.set()
    assert stopped.args == [""] and list(tmp_path.iterdir()) == []


def test_the_window_exports_while_it_keeps_training(qtbot, tmp_path, monkeypatch):
    window, job = _export_from_window(qtbot, tmp_path, monkeypatch, "main", 4000, 1)
    drawn = []
    window.canvas.main_plot.scene().changed.connect(lambda *_: drawn.append(window.canvas.last_view.epoch))
    said = []
    job.done.connect(lambda path: said.append(window.statusBar().currentMessage()))
    window.play_action.trigger()
    with qtbot.waitSignal(job.done, timeout=20000) as done:
        pass
    assert done.args == [tmp_path / "run.gif"]
    assert len(set(drawn)) > 1
    with Image.open(tmp_path / "run.gif") as image:
        assert image.n_frames == 2  # the export drew the run as it stood when asked: epochs 0 and 1
    assert said == ["Saved run.gif (2 frames, 800 × 500)."]
    window.close()


def test_without_pyav_mp4_is_offered_disabled_with_how_to_get_it(qtbot, monkeypatch):
    monkeypatch.setattr("gui.export.animation_dialog.video_available", lambda: False)
    dialog = AnimationDialog(AnimationChoice(), "mp4")
    qtbot.addWidget(dialog)
    mp4 = dialog.fmt.model().item(dialog.fmt.findData("mp4"))
    assert not mp4.isEnabled() and mp4.toolTip() == VIDEO_HINT and "pip install" in VIDEO_HINT
    assert dialog.choice()[1] == "gif"
    dialog.frames.setCurrentIndex(1)
    dialog.every.setValue(3)
    assert dialog.choice()[0].every == 3


@pytest.mark.skipif(not video_available(), reason="PyAV (the video extra) is not installed")
def test_mp4_decodes_with_one_frame_per_moment(content, tmp_path):
    import av

    path = export_animation(content, AnimationChoice("canvas", every=10, fps=5, scale=0.5), tmp_path / "run.mp4")
    with av.open(str(path)) as video:
        frames = [frame.to_ndarray(format="rgb24") for frame in video.decode(video=0)]
    assert len(frames) == 4
    assert frames[0].shape == (FRAME_SIZE[1] // 2, FRAME_SIZE[0] // 2, 3)
    assert np.abs(frames[0].astype(int) - frames[-1]).max() > 100


@pytest.mark.skipif(not video_available(), reason="PyAV (the video extra) is not installed")
def test_mp4_rounds_odd_sides_up_to_even(qapp, tmp_path):
    import av

    image = QtGui.QImage(101, 51, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("black"))
    video_file = Mp4File(tmp_path / "odd.mp4", 5, (101, 51))
    video_file.add(image)
    video_file.write()
    video_file.commit()
    with av.open(str(tmp_path / "odd.mp4")) as video:
        frame = next(video.decode(video=0)).to_ndarray(format="rgb24")
    assert frame.shape == (52, 102, 3)
    assert frame[:40, :90].max() < 40 and frame[-1, :90].min() > 200


def test_the_window_exports_a_race_with_each_run_in_its_colour(qtbot, tmp_path, monkeypatch):
    """A branch with another η races its parent: the animation holds both, the selected run first."""
    window, _ = _export_from_window(qtbot, tmp_path, monkeypatch, "loss", 6, 6)
    parent = window.run
    window.runs.make(window.state.settings.replace(lr=0.5))
    branch = window.runs.runs[-1]
    qtbot.waitUntil(lambda: branch.state is not None and branch.state.view is not None)
    window.runs.select(parent)
    runs = window.raced_runs()
    assert [run.view for run in runs] == [parent.state.view, branch.state.view]
    assert [run.colour for run in runs] == [RUN_COLOURS[parent.colour], RUN_COLOURS[branch.colour]]
    window.close()
