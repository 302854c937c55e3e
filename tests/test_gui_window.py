"""The window as a learner drives it: play, pause, step, reset, shortcuts, validation, snapshots, closing."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SMALL, bring_to_front, open_window, wait_for_view
from PySide6 import QtCore, QtGui

from model.neuron import sigmoid


def test_window_opens_with_the_untrained_neuron(window):
    view = window.canvas.last_view
    assert window.windowTitle() == "Neuron Lab"
    assert view.epoch == 0 and view.status == "ready"
    assert window.epoch_label.text().strip() == "Epoch 0 / 12"
    assert window.play_action.isEnabled()


def test_play_trains_and_the_curves_show_the_engine_weights(qtbot, window):
    window.play_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "finished")
    x, z = window.canvas.neuron.z_line.getData()
    np.testing.assert_allclose(z, view.w * x + view.b)
    x, y_hat = window.canvas.neuron.sigmoid.getData()
    np.testing.assert_allclose(y_hat, sigmoid(view.w * x + view.b))
    assert window.canvas.neuron.boundary.value() == view.boundary
    epochs, losses = window.canvas.side.loss.curve.getData()
    assert list(epochs) == list(range(13))
    np.testing.assert_allclose(losses, view.history.loss)
    assert window.status_fields["w"].text() == f"w = {view.w:+.4f}"
    assert window.progress.value() == 1000


def test_pause_stops_training(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(epochs=100_000, speed=5.0))
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.playing)
    wait_for_view(qtbot, window, lambda v: v.position > 0 or v.epoch > 0)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    qtbot.wait(100)
    paused = window.canvas.last_view
    qtbot.wait(300)
    assert (window.canvas.last_view.epoch, window.canvas.last_view.position) == (paused.epoch, paused.position)
    assert window.play_action.text() == "Play"
    window.close()


def test_step_epoch_and_step_update_advance_exactly_one(qtbot, window):
    window.step_epoch_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    assert view.position == 0
    window.step_batch_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.position == 1)
    assert view.epoch == 1 and view.updates == 61


def test_keyboard_shortcuts_drive_training(qtbot, window):
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Right)
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    wait_for_view(qtbot, window, lambda v: v.epoch == 1 and v.position == 1)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_R, QtCore.Qt.KeyboardModifier.ControlModifier)
    wait_for_view(qtbot, window, lambda v: v.epoch == 0 and v.position == 0)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Space)
    wait_for_view(qtbot, window, lambda v: v.status == "finished")


def test_reset_returns_to_epoch_zero_and_clears_curves_and_snapshots(qtbot, window):
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    bring_to_front(qtbot, window, "snapshotPane")
    assert len(window.canvas.side.snapshots.cells) == 4
    window.reset_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 0)
    assert len(window.canvas.side.snapshots.cells) == 1
    bring_to_front(qtbot, window, "lossPane")
    assert len(window.canvas.side.loss.curve.getData()[0]) == 1
    assert view.w == window.canvas.last_view.history.w[0]


def test_snapshots_appear_every_n_epochs(qtbot, window):
    bring_to_front(qtbot, window, "snapshotPane")
    for expected_epoch in range(1, 9):
        window.step_epoch_action.trigger()
        wait_for_view(qtbot, window, lambda v, e=expected_epoch: v.epoch == e)
    titles = [cell.plot.titleLabel.text for cell in window.canvas.side.snapshots.cells]
    assert len(titles) == 3
    assert all(f"Epoch {epoch}<br>" in title for epoch, title in zip((0, 4, 8), titles, strict=True))


def test_invalid_input_disables_play_with_the_reason(qtbot, window):
    edit = window.panel.fields["sigma0"]
    edit.selectAll()
    qtbot.keyClicks(edit, "-2")
    assert not window.play_action.isEnabled()
    assert "spread σ₀ must be a finite number greater than 0" in window.play_action.toolTip()
    assert "spread σ₀ must be" in edit.toolTip()
    edit.selectAll()
    qtbot.keyClicks(edit, "abc")
    assert "Enter a number" in window.play_action.toolTip()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.5")
    assert window.play_action.isEnabled()


def test_changing_data_resets_training_and_says_so(qtbot, window):
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    edit = window.panel.fields["n0"]
    edit.selectAll()
    qtbot.keyClicks(edit, "50")
    view = wait_for_view(qtbot, window, lambda v: v.n_samples == 80)
    assert view.epoch == 0
    assert "training restarted" in window.statusBar().currentMessage()


def test_learning_rate_changes_while_playing_without_reset(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(epochs=100_000, speed=20.0))
    window.play_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch >= 1)
    edit = window.panel.fields["lr"]
    edit.selectAll()
    qtbot.keyClicks(edit, "0.2")
    qtbot.waitUntil(lambda: window.state.settings.lr == 0.2)
    before = window.canvas.last_view.epoch
    wait_for_view(qtbot, window, lambda v: v.epoch > before)
    assert window.playing
    window.close()


def test_divergence_stops_with_a_clear_message(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(lr=10.0, l2=1.0))
    window.play_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "diverged")
    assert window.banner.isVisible()
    assert "Lower the learning rate" in window.banner.text()
    assert not window.play_action.isEnabled()
    assert np.isfinite(view.w) and np.isfinite(view.b)
    assert abs(view.w) > 1e5
    assert window.status_fields["w"].text() == f"w = {view.w:+.3e}"
    assert f"loss {view.loss:.3e}" in window.canvas.neuron.plot.titleLabel.text
    window.close()


def test_bad_csv_is_refused_and_current_data_kept(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,label\n1.0,0\n2.0,7\n")
    before = window.state.data
    with qtbot.waitSignal(window.errors.reported, timeout=5000) as blocker:
        window.load_csv(str(bad))
    assert "Line 3" in blocker.args[1]
    wait_for_view(qtbot, window, lambda v: v.n_samples == 60)
    assert window.state.data is before
    assert window.panel.settings().data_path is None
    good = tmp_path / "good.csv"
    good.write_text("x,label\n-1,0\n-2,0\n1,1\n3,1\n")
    window.load_csv(str(good))
    wait_for_view(qtbot, window, lambda v: v.n_samples == 4)
    assert len(window.state.data) == 4 and window.state.settings.data_path == str(good)


def test_closing_mid_training_stops_the_run_instead_of_finishing_it(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(epochs=1_000_000, speed=0.0))
    window.play_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch > 2)
    window.close()
    assert not window.run.worker_thread.thread.isRunning()
    assert window.state.view.epoch < 1_000_000 and window.state.view.status == "training"


def test_display_options_move_samples_to_their_label_and_show_histograms(qtbot, window):
    window.panel.at_label.click()
    for label, scatter in enumerate(window.canvas.neuron.samples):
        xs, ys = scatter.getData()
        assert len(xs) == 30 and set(ys) == {float(label)}
    window.panel.histograms.click()
    histograms = window.canvas.neuron.histograms
    assert all(h.isVisible() for h in histograms)
    heights = [h.getData()[1] for h in histograms]
    tallest = max(float(np.max(h)) for h in heights)
    assert tallest == pytest.approx(0.9)
    data = window.state.data
    counts = [np.histogram(data.of_class(label), bins=h.getData()[0])[0] for label, h in enumerate(histograms)]
    per_sample = 0.9 / max(int(np.max(c)) for c in counts)
    for height, count in zip(heights, counts, strict=True):
        np.testing.assert_allclose(height, count * per_sample)


def test_exact_optimum_is_drawn_on_both_plots(qtbot, window):
    from model.optimum import exact_optimum

    edit = window.panel.fields["l2"]
    edit.selectAll()
    qtbot.keyClicks(edit, "0.1")
    optimum = exact_optimum(window.state.data, "bce", 0.1)
    qtbot.waitUntil(lambda: window.state.optimum.exists)
    x, y_hat = window.canvas.neuron.optimum.getData()
    np.testing.assert_allclose(y_hat, sigmoid(optimum.w * x + optimum.b))
    assert window.canvas.side.loss.optimum.value() == pytest.approx(optimum.loss)
    edit.selectAll()
    qtbot.keyClicks(edit, "0")
    edit = window.panel.fields["mu1"]
    edit.selectAll()
    qtbot.keyClicks(edit, "20")
    qtbot.waitUntil(lambda: not window.state.optimum.exists)
    assert not window.canvas.side.loss.optimum.isVisible()
    assert len(window.canvas.neuron.optimum.getData()[0] or []) == 0


def test_unticking_random_start_gives_a_usable_initial_weight(qtbot, window):
    window.panel.random_starts["init_w"].click()
    assert window.panel.fields["init_w"].text() == "0.0"
    view = wait_for_view(qtbot, window, lambda v: v.w == 0.0)
    assert window.play_action.isEnabled() and view.epoch == 0
    edit = window.panel.fields["init_w"]
    edit.selectAll()
    qtbot.keyClicks(edit, "1.5")
    wait_for_view(qtbot, window, lambda v: v.w == 1.5)


def test_hovering_the_neuron_reads_z_and_y_hat_of_the_run_as_it_stands(qtbot, window):
    window.step_epoch_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    widget = window.canvas.main_plot
    plot = window.canvas.neuron.plot
    point = QtCore.QPointF(widget.mapFromScene(plot.vb.sceneBoundingRect().center()))
    move = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseMove, point, widget.viewport().mapToGlobal(point),
                             QtCore.Qt.MouseButton.NoButton, QtCore.Qt.MouseButton.NoButton,
                             QtCore.Qt.KeyboardModifier.NoModifier)
    QtCore.QCoreApplication.sendEvent(widget.viewport(), move)
    qtbot.waitUntil(lambda: window.canvas.readout.text().startswith("x = "))
    text = window.canvas.readout.text()
    x = float(text.split()[2])
    shown_z = float(text.split("z = w·x + b = ")[1].split()[0])
    assert abs(shown_z - (view.w * x + view.b)) <= 0.0005 * abs(view.w) + 0.01 * abs(shown_z) + 1e-3


def test_the_snapshot_label_reads_well_for_an_interval_of_one(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(every=1))
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    qtbot.waitUntil(lambda: window.canvas.side.snapshot_label.text().startswith("Snapshots every epoch,"))
    window.close()
