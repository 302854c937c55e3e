"""Lessons in the window: opened from the Lessons menu, answered by option, number and click, scored; the full
window restores every pane and control; the first launch offers lesson 1, once."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import wait_for_view
from PySide6 import QtCore

from gui.window.lesson_control import offer_first_lesson
from model.neuron import boundary
from model.truth import TrueAnswer


@pytest.fixture
def lessons(window):
    return window.lessons


def _open_from_menu(qtbot, window, name: str) -> None:
    menu = window.lessons.menu
    menu.aboutToShow.emit()
    action = next(made for made in menu.actions() if made.objectName() == name)
    action.trigger()
    qtbot.waitUntil(lambda: window.lessons.dock.isVisible())


def test_a_lesson_shows_its_panes_locks_its_controls_and_full_window_restores_them(qtbot, window, lessons):
    heights = window.canvas.splitter.sizes()
    _open_from_menu(qtbot, window, "01-sigmoid")
    assert window.canvas.shown_panes() == ("neuron",)
    assert lessons.pane.title.text() == "The sigmoid by hand"
    assert lessons.pane.progress.text() == "Step 1 of 6"
    assert not window.panel.choices["loss"].isEnabled()
    assert window.panel.settings().init_w == 1.0 and window.panel.settings().init_b == 0.0
    qtbot.mouseClick(lessons.pane.full, QtCore.Qt.MouseButton.LeftButton)
    assert window.canvas.shown_panes() == ("neuron", "parameters", "loss", "snapshots")
    assert window.canvas.splitter.sizes() == heights
    assert window.panel.choices["loss"].isEnabled()
    assert window.panel.choices["loss"].toolTip() != "Locked by the lesson. Press Full window to unlock."


def test_the_settings_are_in_front_at_first_launch_and_after_a_lesson_is_left(qtbot, window, lessons):
    """Hiding the lesson's tab once gave the front to the run list, so a first launch opened on a table of one run
    instead of the settings."""
    def in_front(dock) -> bool:
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(window.parameters_dock))
    assert not in_front(window.runs_dock)
    _open_from_menu(qtbot, window, "01-sigmoid")
    qtbot.waitUntil(lambda: in_front(lessons.dock))
    qtbot.mouseClick(lessons.pane.close_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: in_front(window.parameters_dock) and not lessons.dock.isVisible())
    assert not in_front(window.runs_dock)


def test_a_click_in_the_data_view_is_scored_right_and_the_run_follows_the_step(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "01-sigmoid")
    qtbot.mouseClick(lessons.pane.next, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.waiting_for_click == "neuron"
    window.canvas.dataClicked.emit(-1.9)
    assert window.canvas.marked_guess == -1.9
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.verdict.text().startswith("Right! Your guess: -1.9. The truth: -2.")
    assert lessons.pane.score.text() == "Score: 1 of 1"
    view = wait_for_view(qtbot, window, lambda v: v.b == 2.0)
    assert boundary(view.w, view.b) == -2.0


def test_a_wrong_number_is_scored_wrong_with_the_truth_beside_it(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "01-sigmoid")
    lessons.go(2)
    lessons.pane.number.setText("0.5")
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.verdict.text().startswith("Not quite. Your guess: 0.5. The truth: -0.5.")
    assert lessons.pane.score.text() == "Score: 0 of 1"
    assert lessons.pane.choices.buttons() == []
    lessons.go(4)
    option = next(button for button in lessons.pane.choices.buttons() if button.text() == "class 0")
    option.setChecked(True)
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.score.text() == "Score: 1 of 2"


def test_reveal_without_a_guess_asks_for_one(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "02-sgd-snapshots")
    assert window.canvas.shown_panes() == ("neuron", "loss", "snapshots")
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.verdict.text() == "Type a number first."
    assert lessons.score.asked == 0


def test_a_malformed_lesson_file_is_refused_with_its_line(qtbot, window, lessons, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(window.errors, "show", lambda title, message, details="": shown.append(message))
    bad = tmp_path / "bad.md"
    bad.write_text('+++\ntitle = "Bad"\nlr = -1.0\n+++\n## One\nText.\n', encoding="utf-8")
    lessons.open_file(str(bad))
    assert shown and shown[0].startswith("line 3: lr: ")
    assert lessons.lesson is None and not lessons.dock.isVisible()


def test_the_first_launch_offers_lesson_one_once(qtbot, window, tmp_path):
    store = QtCore.QSettings(str(tmp_path / "offer.ini"), QtCore.QSettings.Format.IniFormat)
    assert offer_first_lesson(window, store)
    assert window.lessons.dock.isVisible() and window.lessons.pane.start.isVisible()
    qtbot.mouseClick(window.lessons.pane.start, QtCore.Qt.MouseButton.LeftButton)
    assert window.lessons.lesson.name == "01-sigmoid"
    assert not offer_first_lesson(window, store)


def test_a_race_is_run_and_its_leader_scored(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "07-batching-race")
    lessons.go(1)
    option = next(button for button in lessons.pane.choices.buttons() if button.text() == "full batch")
    option.setChecked(True)
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    verdict = lessons.pane.verdict.text()
    assert verdict.startswith("Not quite. Your guess: full batch. The truth: SGD.")
    assert "SGD: reached the optimum at epoch 6;" in verdict
    assert "full batch: did not reach the optimum;" in verdict


def test_opening_a_lesson_while_training_plays_stops_it_and_starts_afresh(qtbot, window, lessons):
    lessons.open_shipped("02-sgd-snapshots")
    wait_for_view(qtbot, window, lambda v: v.n_samples == 1000)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.playing)
    lessons.open_shipped("03-exact-optimum")
    qtbot.waitUntil(lambda: not window.playing)
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 0 and v.w == 0.0 and v.n_samples == 200)
    assert view.total_epochs == 120


def test_a_click_in_the_parameter_view_is_a_guess_marked_there_not_a_new_start(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "03-exact-optimum")
    for _ in range(3):
        qtbot.mouseClick(lessons.pane.next, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.waiting_for_click == "parameters"
    window.canvas.startPicked.emit(2.8, 0.1)
    assert window.panel.settings().init_w == 0.0
    assert window.canvas.marked_guess == (2.8, 0.1)
    qtbot.mouseClick(lessons.pane.reveal, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.verdict.text().startswith("Right! Your guess: w = 2.8, b = 0.1. "
                                                  "The truth: w = 2.87, b = -0.0483.")
    qtbot.mouseClick(lessons.pane.back, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.progress.text() == "Step 3 of 5"
    qtbot.mouseClick(lessons.pane.next, QtCore.Qt.MouseButton.LeftButton)
    assert lessons.pane.verdict.text().startswith("Right!") and not lessons.pane.reveal.isVisible()


def test_lesson_four_draws_each_samples_gradient_factor_for_the_loss_trained(qtbot, window, lessons):
    """From w = −3, b = 0 with squared error, a class-1 sample at x sits at t = −3x, on the squared-error curve
    2(1 − σ(t))·σ(t)(1 − σ(t))."""
    _open_from_menu(qtbot, window, "04-cross-entropy")
    assert lessons.pane.factor_widget.isVisible()
    view = wait_for_view(qtbot, window, lambda v: v.w == -3.0 and v.n_samples == 200)
    qtbot.waitUntil(lambda: len(lessons.pane.factor.samples.data) == 200)
    t, height = lessons.pane.factor.samples.getData()
    data = window.run.state.data
    first = int(np.flatnonzero(data.y == 1)[0])
    expected_t = float(np.clip(view.w * data.x[first] + view.b, -8, 8))
    sig = 1 / (1 + np.exp(-expected_t))
    assert t[first] == pytest.approx(expected_t)
    assert height[first] == pytest.approx(2 * (1 - sig) * sig * (1 - sig))
    lessons.leave()
    assert not lessons.pane.factor_widget.isVisible()


def test_lesson_eight_shows_the_true_answer_with_its_two_boundaries(qtbot, window, lessons):
    _open_from_menu(qtbot, window, "08-unequal-spreads")
    assert window.panel.true_answer.isChecked()
    truth = window.canvas.neuron.truth_points
    qtbot.waitUntil(lambda: len(truth.getData()[0]) == 2)
    state = window.run.state
    assert list(truth.getData()[0]) == pytest.approx(TrueAnswer.of(state.settings).boundaries())


def test_a_lesson_opened_beside_a_race_shows_its_run_alone(qtbot, window, lessons):
    other = window.runs.make(window.state.settings.replace(lr=0.5))
    qtbot.waitUntil(lambda: id(other) in window.canvas.others.views)
    _open_from_menu(qtbot, window, "03-exact-optimum")
    assert other.hidden and other in window.runs.runs
    assert id(other) not in window.canvas.others.views
    assert window.run.name == "lesson"
