"""Going back in a run from the window: the history slider and Left / Shift+Left rewind every view, and Play trains
on from the moment shown, giving the run that never went back."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import bring_to_front, wait_for_view
from PySide6 import QtCore, QtTest, QtWidgets

from gui.base.accessibility import controls
from gui.base.style import number
from model.timeline import Moment
from model.trainer import Trainer

pytestmark = pytest.mark.gui
SHIFT = QtCore.Qt.KeyboardModifier.ShiftModifier


def _finished(qtbot, window):
    window.run_to_end_action.trigger()
    return wait_for_view(qtbot, window, lambda v: v.status == "finished")


def _trainer_at(window, epochs: int, updates: int = 0) -> Trainer:
    """The run's own trainer, trained by hand to a moment: what the views must show there."""
    state = window.run.state
    trainer = Trainer(state.settings, state.data)
    for _ in range(epochs):
        trainer.step_epoch()
    for _ in range(updates):
        trainer.step_batch()
    return trainer


def _drag(qtbot, slider: QtWidgets.QSlider, value: int) -> None:
    """Drag the slider's handle with the mouse to where `value` sits."""
    option = QtWidgets.QStyleOptionSlider()
    slider.initStyleOption(option)
    style, control = slider.style(), QtWidgets.QStyle.ComplexControl.CC_Slider
    handle = style.subControlRect(control, option, QtWidgets.QStyle.SubControl.SC_SliderHandle, slider)
    groove = style.subControlRect(control, option, QtWidgets.QStyle.SubControl.SC_SliderGroove, slider)
    span = groove.width() - handle.width()
    x = groove.x() + handle.width() // 2 + QtWidgets.QStyle.sliderPositionFromValue(
        slider.minimum(), slider.maximum(), value, span)
    button = QtCore.Qt.MouseButton.LeftButton
    qtbot.mousePress(slider, button, pos=handle.center())
    for step in range(1, 6):
        QtTest.QTest.mouseMove(slider, QtCore.QPoint(handle.center().x() + (x - handle.center().x()) * step // 5,
                                                     handle.center().y()))
    qtbot.mouseRelease(slider, button, pos=QtCore.QPoint(x, handle.center().y()))


def test_the_slider_rewinds_the_status_bar_loss_curve_and_snapshots(qtbot, window):
    final = _finished(qtbot, window)
    slider = window.history.slider
    assert slider.accessibleName() == "History"
    assert (slider.maximum(), slider.value()) == (12, 12)
    _drag(qtbot, slider, 5)
    assert slider.value() == 5
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 5)
    assert (view.w, view.b, view.loss) == (final.history.w[5], final.history.b[5], final.history.loss[5])
    assert window.status_fields["w"].text() == f"w = {number(final.history.w[5], sign=True)}"
    assert window.status_fields["loss"].text() == f"loss = {number(final.history.loss[5])}"
    assert window.epoch_label.text().strip() == "Epoch 5 / 12"
    epochs, losses = window.canvas.side.loss.curve.getData()
    assert list(epochs) == list(range(6))
    np.testing.assert_array_equal(losses, final.history.loss[:6])
    bring_to_front(qtbot, window, "snapshotPane")
    titles = [cell.plot.titleLabel.text for cell in window.canvas.side.snapshots.cells]
    assert len(titles) == 2 and "Epoch 0<br>" in titles[0] and "Epoch 4<br>" in titles[1]
    assert window.history.readout.text() == "epoch 5 of epoch 12"
    assert slider.maximum() == 12


def test_left_and_shift_left_step_back_one_epoch_and_one_update(qtbot, window):
    """Shift+Left shows the update that led to the moment taken apart, as Shift+Right showed it; Left clears it."""
    _finished(qtbot, window)
    window.history.slider.setValue(4)
    wait_for_view(qtbot, window, lambda v: v.epoch == 4)
    window.canvas.main_plot.setFocus()
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left)
    wait_for_view(qtbot, window, lambda v: v.epoch == 3 and v.position == 0)
    qtbot.waitUntil(lambda: window.history.slider.value() == 3)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left, SHIFT)
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 2 and v.position == 59)
    reference = _trainer_at(window, 2, 59)
    assert (view.w, view.b, view.updates) == (reference.w, reference.b, reference.updates)
    assert window.status_fields["b"].text() == f"b = {number(reference.b, sign=True)}"
    qtbot.waitUntil(lambda: window.run.state.step is not None)
    card = window.run.state.step
    assert (card.update.new_w, card.update.new_b) == (reference.w, reference.b)
    assert list(card.indices) == [int(reference.order[58])]
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left, SHIFT)
    wait_for_view(qtbot, window, lambda v: v.epoch == 2 and v.position == 58)
    assert len(window.canvas.side.loss.curve.getData()[0]) == 3
    assert window.history.readout.text() == "epoch 2 + 58 samples of epoch 12"
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left)
    wait_for_view(qtbot, window, lambda v: v.epoch == 2 and v.position == 0)
    assert window.run.state.step is None


def test_play_after_going_back_trains_on_to_the_run_that_never_went_back(qtbot, window):
    final = _finished(qtbot, window)
    window.history.slider.setValue(5)
    wait_for_view(qtbot, window, lambda v: v.epoch == 5)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left, SHIFT)
    wait_for_view(qtbot, window, lambda v: v.epoch == 4 and v.position == 59)
    window.play_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "finished")
    assert (view.w, view.b, view.updates) == (final.w, final.b, final.updates)
    for column in ("w", "b", "loss", "accuracy"):
        np.testing.assert_array_equal(getattr(view.history, column), getattr(final.history, column))
    qtbot.waitUntil(lambda: window.history.slider.value() == window.history.slider.maximum() == 12)


def test_a_step_from_an_earlier_moment_gives_up_the_moments_after_it(qtbot, window):
    _finished(qtbot, window)
    window.history.slider.setValue(3)
    wait_for_view(qtbot, window, lambda v: v.epoch == 3)
    window.step_batch_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 3 and v.position == 1)
    reference = _trainer_at(window, 3, 1)
    assert (view.w, view.b) == (reference.w, reference.b)
    qtbot.waitUntil(lambda: window.history.slider.maximum() == 4)
    assert window.history.readout.text() == "epoch 3 + 1 sample of epoch 3 + 1 sample"


def test_every_control_in_the_window_has_a_name_a_screen_reader_reads(qtbot, window):
    window.canvas.side  # noqa: B018 - the panes made after the first frame hold controls too
    names = {widget: widget.accessibleName().strip() for widget in controls(window)}
    assert [f"{type(widget).__name__} {widget.objectName()!r}" for widget, name in names.items() if not name] == []
    assert len(names) > 30
    assert names[window.history.slider] == "History"
    panel = window.panel
    assert names[panel.fields["lr"]] == "learning rate η"
    assert names[panel.random_starts["init_w"]] == "initial w: random ±0.01"


def test_a_fast_drag_asks_the_worker_for_the_first_and_the_newest_moment_only(qtbot, window):
    _finished(qtbot, window)
    asked = []
    window.run.seekRequested.connect(asked.append)
    for value in range(11, 0, -1):
        window.history.slider.setValue(value)
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    assert asked == [Moment(11), Moment(1)]
    assert window.history.slider.value() == 1


def test_going_back_before_a_live_edit_shows_the_settings_then_and_trains_on_with_them(qtbot, window):
    for epoch in (1, 2, 3):
        window.step_epoch_action.trigger()
        wait_for_view(qtbot, window, lambda v, e=epoch: v.epoch == e)
    edit = window.panel.fields["lr"]
    edit.selectAll()
    qtbot.keyClicks(edit, "0.2")
    qtbot.waitUntil(lambda: window.state.settings.lr == 0.2)
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 4)
    window.history.slider.setValue(2)
    wait_for_view(qtbot, window, lambda v: v.epoch == 2)
    qtbot.waitUntil(lambda: edit.text() == "0.05")
    window.history.slider.setValue(4)
    wait_for_view(qtbot, window, lambda v: v.epoch == 4)
    qtbot.waitUntil(lambda: edit.text() == "0.2")
    window.history.slider.setValue(3)
    wait_for_view(qtbot, window, lambda v: v.epoch == 3)
    assert edit.text() == "0.2"
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Left)
    wait_for_view(qtbot, window, lambda v: v.epoch == 2)
    qtbot.waitUntil(lambda: edit.text() == "0.05")
    window.play_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "finished")
    reference = _trainer_at(window, 12)
    assert window.state.settings.lr == 0.05
    assert (view.w, view.b) == (reference.w, reference.b)
    np.testing.assert_array_equal(view.history.w, reference.history.view().w)
