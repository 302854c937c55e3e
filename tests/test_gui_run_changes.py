"""The window and the training thread agree on the run whatever order changes arrive in: picks that repeat, and
run changes followed at once by a refused file."""

from __future__ import annotations

from gui_helpers import SMALL, wait_for_view
from PySide6 import QtCore

BAD_CSV = "x,label\n1.0,0\n2.0,banana\n"


def _trained(window):
    return window.run.worker_thread.worker.trainer


def _agree(window) -> bool:
    """Panel, window state and training thread show the same settings and the same samples."""
    trainer = _trained(window)
    return (trainer is not None and window.state is not None and window.panel.settings() == trainer.settings
            == window.state.settings and window.state.data is trainer.data)


def test_a_pick_repeated_by_a_drag_release_does_not_stop_later_picks(qtbot, window):
    window.canvas.startPicked.emit(1.0, 0.5)
    window.canvas.startPicked.emit(1.0, 0.5)
    wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (1.0, 0.5))
    qtbot.waitUntil(lambda: _trained(window).settings.init_w == 1.0)
    window.canvas.startPicked.emit(2.0, -1.0)
    view = wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (2.0, -1.0))
    assert view.epoch == 0
    assert (window.panel.settings().init_w, window.panel.settings().init_b) == (2.0, -1.0)
    window.hand.pointChosen.emit(-0.5, 0.25)
    wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (-0.5, 0.25))


def test_pick_pick_play_then_pick_again_restarts_there(qtbot, window):
    window.canvas.startPicked.emit(1.0, 0.5)
    window.canvas.startPicked.emit(1.5, 0.5)
    window.play_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    window.canvas.startPicked.emit(-2.0, 1.0)
    view = wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (-2.0, 1.0))
    assert view.epoch == 0 and _trained(window).settings.init_w == -2.0


def _load_bad_csv(qtbot, window, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    with qtbot.waitSignal(window.errors.reported, timeout=5000):
        window.load_csv(str(bad))


def test_new_samples_then_a_refused_file_keeps_window_and_thread_on_the_same_run(qtbot, window, tmp_path):
    seed = window.state.settings.seed
    window.panel.regenerateRequested.emit()
    _load_bad_csv(qtbot, window, tmp_path)
    qtbot.waitUntil(lambda: _agree(window) and window.state.settings.seed == seed + 1)
    assert window.panel.settings().data_path is None


def test_a_live_edit_then_a_refused_file_shows_the_learning_rate_being_trained(qtbot, window, tmp_path):
    window.panel.lr_slider.setValue(window.panel.lr_slider.value() - 40)
    edited = window.panel.settings().lr
    assert edited != SMALL.lr
    _load_bad_csv(qtbot, window, tmp_path)
    qtbot.waitUntil(lambda: _agree(window))
    assert _trained(window).settings.lr == edited == window.panel.settings().lr


def test_fewer_samples_then_a_refused_file_then_one_update_taken_apart(qtbot, window, tmp_path):
    edit = window.panel.fields["n0"]
    edit.selectAll()
    qtbot.keyClicks(edit, "5")
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)
    _load_bad_csv(qtbot, window, tmp_path)
    qtbot.waitUntil(lambda: _agree(window) and len(window.state.data) == 35)
    window.errors._box.close()
    with qtbot.waitSignal(window.run.worker_thread.worker.updateTaken, timeout=5000):
        window.step_batch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is not None)
    assert len(window.canvas.last_view.history.loss) >= 1
