"""The window fits a 1366 × 768 laptop: every plot on show keeps at least MIN_PLOT_HEIGHT pixels of data area, no
legend covers data or is cut off, no label is cut short and nothing scrolls but a snapshot grid of several rows,
with room to spare for a slim row under the canvas."""

from __future__ import annotations

import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from layout_helpers import LAPTOP, OPENED_ON_LAPTOP, SLIM_ROW, measure, open_at_laptop_size, settle
from PySide6 import QtCore, QtWidgets

MIN_PLOT_HEIGHT = 150
SNAPSHOT_SCROLL = "QScrollArea in snapshotPane"


def _problems(figures, snapshot_rows: int) -> list[str]:
    found = [f"{plot.name}: {plot.height:.0f} px" for plot in figures.plots if plot.height < MIN_PLOT_HEIGHT]
    found += [f"{plot.name}: legend over data or clipped, or labels clipped" for plot in figures.plots
              if plot.legend_over_data or plot.legend_clipped or plot.labels_clipped]
    allowed = {SNAPSHOT_SCROLL} if snapshot_rows > 1 else set()
    found += [f"scrolls: {area}" for area in set(figures.scrolling) - allowed]
    return found if figures.plots else ["no plot shown"]


def _check(qtbot, window, snapshot_rows: int = 1) -> None:
    """Once the window's layouts have settled (pyqtgraph lays scenes out on later turns of the event loop, later
    still on a busy machine), every plot has its room and nothing scrolls that should not."""
    try:
        qtbot.waitUntil(lambda: not _problems(measure(window), snapshot_rows), timeout=5000)
    except Exception:
        figures = measure(window)
        raise AssertionError(f"{_problems(figures, snapshot_rows)}\n{figures}") from None


@pytest.mark.parametrize(("size", "slim_row"), [(LAPTOP, False), (LAPTOP, True), (OPENED_ON_LAPTOP, False)],
                         ids=["1366x768", "1366x768 with a slim row under", "as opened on a 1366x768 screen"])
def test_every_plot_keeps_room_for_its_data_at_1366_by_768(qtbot, monkeypatch, size, slim_row):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_at_laptop_size(qtbot, SMALL.replace(epochs=40, every=5, l2=0.05), size)
    if slim_row:
        row = QtWidgets.QWidget()
        row.setFixedHeight(SLIM_ROW)
        window.canvas.layout().addWidget(row)
    settle(qtbot)
    _check(qtbot, window)
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    window.step_batch_action.trigger()
    legend = window.canvas.side.parameters.plot.legend
    qtbot.waitUntil(lambda: "batch's own loss" in [label.text for _, label in legend.items])
    settle(qtbot)
    _check(qtbot, window)
    tabs = window.canvas.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        settle(qtbot)
        _check(qtbot, window)
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    tabs.setCurrentWidget(window.canvas.findChild(QtWidgets.QWidget, "snapshotPane"))
    settle(qtbot)
    assert window.canvas.side.snapshots.rows == 3
    qtbot.waitUntil(lambda: SNAPSHOT_SCROLL in measure(window).scrolling)
    _check(qtbot, window, window.canvas.side.snapshots.rows)
    window.close()


def test_the_settings_fit_the_dock_at_its_narrowest(qtbot, monkeypatch):
    """Dragged (or restored) to its narrowest, the dock once came out narrower than its settings, which were cut
    off at the right edge."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_at_laptop_size(qtbot)
    dock = window.findChild(QtWidgets.QDockWidget)
    window.resizeDocks([dock], [1], QtCore.Qt.Orientation.Horizontal)
    settle(qtbot)
    _check(qtbot, window)
    window.close()


def test_a_thinned_snapshot_grid_leaves_the_neuron_view_whole(qtbot, monkeypatch):
    """Its longer label ('showing 11 of 41') once widened the tabs' column and cut the neuron view off at the side."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_at_laptop_size(qtbot, SMALL.replace(every=1, epochs=40))
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    qtbot.waitUntil(lambda: "showing" in window.canvas.side.snapshot_label.text())
    window.canvas.tabs.setCurrentWidget(window.canvas.findChild(QtWidgets.QWidget, "snapshotPane"))
    settle(qtbot)
    _check(qtbot, window, window.canvas.side.snapshots.rows)
    window.close()


def test_a_run_that_ran_away_keeps_every_plot_its_room_and_says_why_its_loss_is_empty(qtbot, monkeypatch):
    """The banner sits over the neuron's column, which has room to give; across the whole canvas it took the loss
    curve under 150 px. The loss pane says why it is empty rather than inviting a Play that is disabled."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_at_laptop_size(qtbot, SMALL.replace(lr=10.0, l2=1.0))
    window.play_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "diverged" and v.epoch == 0)
    qtbot.waitUntil(window.banner.isVisible)
    settle(qtbot)
    _check(qtbot, window)
    hint = window.canvas.side.loss_hint
    assert hint.shown and "diverged" in hint.text and "Play" not in hint.text
    window.close()


def test_empty_panes_say_what_to_do_until_there_is_something_to_show(qtbot):
    window = open_at_laptop_size(qtbot, SMALL, LAPTOP)
    settle(qtbot)
    canvas = window.canvas
    side = canvas.side
    shares_hint, loss_hint = canvas.shares.hint, side.loss_hint
    tabs, loss_pane, card_pane = canvas.tabs, side.loss_plot.parentWidget(), side.card.parentWidget()
    assert shares_hint.shown and shares_hint.text.startswith("Shift+Right takes one update apart here")
    qtbot.waitUntil(lambda: loss_hint.shown)
    assert loss_hint.text.startswith("Play or Space trains; the loss")
    for hint, plot in ((shares_hint, canvas.shares.plot), (loss_hint, side.loss.plot)):
        assert plot.vb.sceneBoundingRect().contains(hint.backing.sceneBoundingRect())
    assert side.card.toPlainText() == "" and "after Shift+Right" in side.card.placeholderText()
    assert tabs.currentWidget() is loss_pane

    qtbot.keyClick(canvas.main_plot, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not shares_hint.shown)
    assert tabs.currentWidget() is card_pane and side.card.toPlainText().startswith("x = ")
    assert loss_hint.shown, "no epoch is trained yet"

    qtbot.keyClick(canvas.main_plot, QtCore.Qt.Key.Key_Space)
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    qtbot.waitUntil(lambda: not loss_hint.shown and shares_hint.shown)
    assert tabs.currentWidget() is loss_pane and side.card.toPlainText() == ""


def test_the_status_bar_numbers_change_every_frame_without_laying_the_window_out_again(qtbot):
    """While training plays, the numbers in the status bar, the toolbar's epoch and the history's read-out change
    with every frame, uncut, and the window is laid out again only when one of them needs more room (a digit more),
    not for every frame: relaid out every frame, it cost the window's thread 8 % with six runs racing. A text that
    needs more room gets it."""
    window = open_window(qtbot, SMALL.replace(epochs=1_000_000, every=100_000))
    labels = [*window.status_fields.values(), window.epoch_label, window.history.readout]
    layouts, frames = [], []

    class LayoutRequests(QtCore.QObject):
        def eventFilter(self, watched, event):
            if event.type() == QtCore.QEvent.Type.LayoutRequest:
                layouts.append(watched)
            return False

    counter = LayoutRequests()
    window.installEventFilter(counter)
    window.viewDrawn.connect(frames.append)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: len(frames) > 5)
    layouts.clear()
    frames.clear()
    qtbot.waitUntil(lambda: len(frames) >= 60, timeout=20000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    assert len({frame.epoch for frame in frames}) >= 60 and len(layouts) <= 10
    assert all(label.sizeHint().width() <= label.width() for label in labels)
    field = window.status_fields["loss"]
    narrow = field.width()
    field.setText("loss = a text much wider than any number the field has shown")
    assert field.width() >= field.sizeHint().width() > narrow
    window.close()
