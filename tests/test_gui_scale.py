"""Drawing at scale: density strips that show the same counts as the samples, snapshot cells made once and reused."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_helpers import SMALL, bring_to_front, open_window, wait_for_view
from PySide6 import QtCore

import model.data
from gui.base.style import DENSE_ABOVE, STRIP_COLUMNS
from gui.views.plots import thin
from model.neuron import accuracy, objective


def test_many_samples_are_drawn_as_strips_with_the_samples_counts(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(n0=7000, n1=5000))
    assert len(window.state.data) > DENSE_ABOVE
    neuron = window.canvas.neuron
    low, high = neuron._grid[0], neuron._grid[-1]
    for label in (0, 1):
        xs = window.state.data.of_class(label)
        assert neuron.samples[label].getData()[0].size == 0
        assert neuron.strips[label].isVisible()
        counts = neuron.strip_counts[label]
        assert counts.size == STRIP_COLUMNS and counts.sum() == xs.size
        np.testing.assert_array_equal(counts, np.histogram(xs, bins=STRIP_COLUMNS, range=(low, high))[0])
        alpha = neuron.strips[label].image[0, :, 3]
        assert np.array_equal(alpha > 0, counts > 0)
    window.panel.every_point.click()
    for label in (0, 1):
        assert neuron.samples[label].getData()[0].size == window.state.data.of_class(label).size
        assert not neuron.strips[label].isVisible()
    window.close()


def test_snapshot_cells_are_made_once_and_show_the_right_epochs_as_the_thinning_moves(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(every=1, epochs=60))
    grid = window.canvas.side.snapshots
    bring_to_front(qtbot, window, "snapshotPane")
    for epoch in range(1, 31):
        window.step_epoch_action.trigger()
        view = wait_for_view(qtbot, window, lambda v, e=epoch: v.epoch == e)
        chosen = thin(view.snapshots, grid.max_cells)
        titles = [cell.plot.titleLabel.text for cell in grid.cells]
        assert [f"Epoch {record.epoch}<br>" in title for record, title in zip(chosen, titles, strict=True)] == \
            [True] * len(chosen)
    assert grid.made == grid.max_cells
    window.reset_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 0 and len(grid.cells) == 1)
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    assert grid.made == grid.max_cells
    window.close()


def test_cells_made_ahead_are_only_those_the_run_will_show(qtbot, monkeypatch):
    """Twelve cells were made ahead for every run, 50 ms of the window's thread each, though a run of 12 epochs
    with a snapshot every 4 shows four."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    settings = SMALL.replace(epochs=12, every=4)
    window = open_window(qtbot, settings)
    grid = window.canvas.side.snapshots
    while grid.prebuild():
        pass
    assert settings.planned_snapshots == 4 and grid.made == 4
    bring_to_front(qtbot, window, "snapshotPane")
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    qtbot.waitUntil(lambda: len(grid.cells) == 4)
    assert grid.made == 4
    window.close()


def _panes_show(window, view) -> bool:
    """The loss curve and the parameter view's current point show this view."""
    canvas = window.canvas
    epochs, _ = canvas.side.loss.curve.getOriginalDataset()
    current_w, current_b = canvas.side.parameters.current.getData()
    return (epochs is not None and epochs[-1] == view.history.epoch[-1]
            and (current_w[-1], current_b[-1]) == (view.w, view.b))


def _snapshots_show(window, view) -> bool:
    titles = [cell.plot.titleLabel.text for cell in window.canvas.side.snapshots.cells]
    chosen = thin(view.snapshots, window.canvas.side.snapshots.max_cells)
    return len(titles) == len(chosen) and all(
        f"Epoch {record.epoch}<br>" in title for record, title in zip(chosen, titles, strict=True))


def test_panes_drawn_in_turn_while_playing_all_show_the_last_view_once_paused(qtbot):
    """While training plays, each frame redraws the neuron view and one other pane in turn; pausing brings every
    pane to the view last drawn."""
    window = open_window(qtbot, SMALL.replace(epochs=1_000_000, every=1))
    lagging = []
    window.viewDrawn.connect(lambda view: lagging.append(not _panes_show(window, view)))
    window.play_action.trigger()
    qtbot.waitUntil(lambda: sum(lagging) >= 3, timeout=10000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    qtbot.waitUntil(lambda: _panes_show(window, window.canvas.last_view))
    assert not _snapshots_show(window, window.canvas.last_view), "behind the loss curve's tab, not drawn"
    bring_to_front(qtbot, window, "snapshotPane")
    qtbot.waitUntil(lambda: _snapshots_show(window, window.canvas.last_view))
    assert window.canvas.last_view.epoch > 3
    assert window.status_fields["rate"].text() == "0 updates/s"
    window.close()


def test_views_of_a_run_played_in_slices_of_an_epoch_show_the_loss_of_their_weights(qtbot, monkeypatch):
    """Epochs longer than a frame are trained in slices measured only when a view is sent: every view drawn still
    shows the loss and accuracy of its own w and b (the plain-Python kernel makes 120,000 samples a long epoch)."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(n0=60_000, n1=60_000, epochs=1000))
    data = window.state.data
    views = []
    window.viewDrawn.connect(views.append)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: sum(view.position > 0 for view in views) >= 3, timeout=30000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    inside = [view for view in views if view.position > 0]
    assert len({view.position for view in inside}) >= 3
    for view in inside:
        assert view.loss == pytest.approx(objective(view.w, view.b, data, "bce", 0.0), rel=1e-12)
        assert view.accuracy == accuracy(view.w, view.b, data)
    window.close()


def test_new_samples_are_counted_for_drawing_on_the_training_thread(qtbot, monkeypatch):
    """A million samples take tens of milliseconds to split and count: the training thread does it before the
    window draws them, for the main view and every snapshot cell alike."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    counted_on = []
    count = model.data.count_bins

    def recording(*args):
        counted_on.append(threading.get_ident() == threading.main_thread().ident)
        return count(*args)

    monkeypatch.setattr(model.data, "count_bins", recording)
    window = open_window(qtbot, SMALL.replace(n0=9000, n1=6000, every=1))
    bring_to_front(qtbot, window, "snapshotPane")
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda view: view.epoch == 1 and len(window.canvas.side.snapshots.cells) == 2)
    edit = window.panel.fields["n0"]
    edit.selectAll()
    qtbot.keyClicks(edit, "8000")
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.state.data) == 14000 and window.canvas.neuron.data is window.state.data)
    assert counted_on and not any(counted_on)
    assert window.canvas.neuron.strip_counts[0].sum() == 8000
    window.close()


def test_three_snapshot_cells_fit_across_the_pane_and_stay_put_as_more_appear(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(every=1))
    window.resize(1360, 860)
    bring_to_front(qtbot, window, "snapshotPane")
    grid, shown = window.canvas.side.snapshots, window.canvas.side.snapshot_viewport
    qtbot.waitUntil(lambda: shown.width() > 500)
    for epoch in range(1, 4):
        window.step_epoch_action.trigger()
        wait_for_view(qtbot, window, lambda view, e=epoch: view.epoch == e and len(grid.cells) == e + 1)
    qtbot.waitUntil(lambda: grid.cells[3].plot.isVisible() and _columns_fit(grid, shown))
    first_row = [cell.plot.sceneBoundingRect() for cell in grid.cells[:3]]
    assert all(rect.width() <= shown.width() / 3 for rect in first_row)
    assert first_row[2].right() <= shown.width()
    assert grid.cells[3].plot.sceneBoundingRect().top() >= first_row[0].bottom()
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda view: view.epoch == 4 and len(grid.cells) == 5)
    qtbot.waitUntil(lambda: _columns_fit(grid, shown))
    assert [cell.plot.sceneBoundingRect() for cell in grid.cells[:3]] == first_row
    window.close()


def _columns_fit(grid, shown) -> bool:
    """The scroll bar is shown exactly when the rows need it, and the first row's cells are as wide as three
    columns fitted to the width the pane then shows: the layout has settled (the scroll bar a second row brings
    narrows that width, a turn of the event loop or more after the row appears)."""
    grid_height = shown.parentWidget().widget().minimumHeight()
    if shown.parentWidget().verticalScrollBar().isVisible() != (grid_height > shown.height()):
        return False
    layout = grid.layout.layout
    left, _, right, _ = layout.getContentsMargins()
    column = (shown.width() - left - right - layout.horizontalSpacing() * (grid.columns - 1)) / grid.columns
    return all(abs(cell.plot.sceneBoundingRect().width() - column) < 1 for cell in grid.cells[:3])
