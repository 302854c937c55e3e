"""The parameter view, playing by hand and one update taken apart, driven as a learner would."""

from __future__ import annotations

import math
import re
import threading

import numpy as np
import pyqtgraph as pg
import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtCore, QtGui

from gui.views.parameter_view import thinned_path
from gui.widgets.panels import LR_SLIDER_STEPS_PER_DECADE
from model.anatomy import adam_corrected, card
from model.diagnosis import Verdict, diagnose
from model.landscape import loss_surface
from model.neuron import gradient, objective, sigmoid
from resources import resource_path


def _surface_ready(qtbot, window):
    qtbot.waitUntil(lambda: window.state is not None and window.state.picture is not None, timeout=10000)
    return window.state.picture


def _click_parameters(qtbot, window, w: float, b: float) -> QtCore.QPointF:
    """Click the parameter view where (w, b) is drawn; returns the point actually clicked in data coordinates."""
    view_box = window.canvas.side.parameters.plot.vb
    scene_point = view_box.mapViewToScene(QtCore.QPointF(w, b))
    widget_point = window.canvas.side.param_widget.mapFromScene(scene_point)
    qtbot.mouseClick(window.canvas.side.param_widget.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=widget_point)
    return view_box.mapSceneToView(window.canvas.side.param_widget.mapToScene(widget_point))


def test_the_surface_equals_the_engine_loss_at_its_grid_points(qtbot, window):
    picture = _surface_ready(qtbot, window)
    surface = picture.surface
    for row, column in ((0, 0), (57, 120), (199, 199), (100, 3)):
        expected = objective(surface.w[column], surface.b[row], window.state.data, "bce", 0.0)
        assert surface.loss[row, column] == pytest.approx(expected, rel=1e-12)
    image = window.canvas.side.parameters.image.image
    assert image.shape == surface.loss.shape


def test_clicking_the_parameter_view_starts_training_exactly_there(qtbot, window):
    _surface_ready(qtbot, window)
    picked = []
    window.canvas.startPicked.connect(lambda w, b: picked.append((w, b)))
    (w_low, w_high), (b_low, b_high) = window.canvas.side.parameters.plot.vb.viewRange()
    clicked = _click_parameters(qtbot, window, w_low + 0.7 * (w_high - w_low), b_low + 0.3 * (b_high - b_low))
    assert picked and picked[0] == pytest.approx((clicked.x(), clicked.y()))
    w, b = picked[0]
    view = wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (w, b))
    assert view.epoch == 0
    assert window.panel.settings().init_w == w and window.panel.settings().init_b == b
    assert float(window.panel.fields["init_w"].text()) == w
    assert not window.panel.random_starts["init_w"].isChecked()
    marker_w, marker_b = window.canvas.side.parameters.current.getData()
    assert (marker_w[0], marker_b[0]) == (w, b)


def test_the_hand_sliders_move_every_curve(qtbot, window):
    _surface_ready(qtbot, window)
    slider = window.hand.sliders["w"]
    slider.setValue(800)
    w = window.hand.spins["w"].value()
    b = window.hand.spins["b"].value()
    view = wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (w, b))
    x, z = window.canvas.neuron.z_line.getData()
    np.testing.assert_allclose(z, w * x + b)
    x, y_hat = window.canvas.neuron.sigmoid.getData()
    np.testing.assert_allclose(y_hat, sigmoid(w * x + b))
    assert window.canvas.neuron.boundary.value() == pytest.approx(-b / w)
    assert view.loss == pytest.approx(objective(w, b, window.state.data, "bce", 0.0))
    assert window.status_fields["w"].text() == f"w = {w:+.4f}"
    assert window.canvas.side.parameters.current.getData()[0][0] == w
    qtbot.mouseClick(window.hand.train_button, QtCore.Qt.MouseButton.LeftButton)
    view = wait_for_view(qtbot, window, lambda v: v.status == "finished")
    assert view.history.w[0] == w and view.history.b[0] == b


def test_one_update_taken_apart_matches_the_next_state_exactly(qtbot, window):
    _surface_ready(qtbot, window)
    window.step_epoch_action.trigger()
    before = wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    view = wait_for_view(qtbot, window, lambda v: v.position == 1)
    qtbot.waitUntil(lambda: window.state.step is not None)
    update = window.state.step.update
    assert (update.w, update.b) == (before.w, before.b)
    assert (update.new_w, update.new_b) == (view.w, view.b)
    text = window.canvas.side.card.toPlainText()
    assert text.splitlines()[:len(card(update))] == card(update)
    for name, value in (("w", view.w), ("b", view.b)):
        line = next(line for line in text.splitlines() if line.startswith(f"{name} ←"))
        assert float(line.rsplit("= ", 1)[1].replace("−", "-")) == pytest.approx(value, rel=1e-3)
    grad_w, grad_b = gradient(update.w, update.b, update.x, update.y, "bce", 0.0)
    assert (update.grad_w, update.grad_b) == pytest.approx((grad_w, grad_b), rel=1e-12)
    step_w, step_b = window.canvas.side.parameters.step.getData()
    assert (step_w[0], step_b[0]) == (update.w, update.b)
    assert (step_w[1], step_b[1]) == (view.w, view.b)
    assert step_w[1] - step_w[0] == pytest.approx(-SMALL.lr * grad_w, rel=1e-9)
    ring_x, _ = window.canvas.neuron.batch.getData()
    np.testing.assert_array_equal(ring_x, update.x)
    ghost_x, ghost_z = window.canvas.neuron.ghost_z.getData()
    np.testing.assert_allclose(ghost_z, update.w * ghost_x + update.b)
    data = window.state.data
    share_w = (sigmoid(update.w * data.x + update.b) - data.y) * data.x
    stems = [window.canvas.shares.stems[label].getData() for label in (0, 1)]
    heights = np.concatenate([s[1][1::2] for s in stems])
    np.testing.assert_allclose(np.sort(heights), np.sort(share_w))
    assert np.mean(share_w) == pytest.approx(gradient(update.w, update.b, data.x, data.y, "bce", 0.0)[0])
    qtbot.waitUntil(lambda: window.canvas.side.parameters.batch_contours.getData()[0] is not None
                    and len(window.canvas.side.parameters.batch_contours.getData()[0]) > 0)
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is None)
    assert window.canvas.side.card.toPlainText() == ""


def test_the_learning_rate_limit_is_marked_and_explained(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(l2=0.1, optimizer="batch"))
    qtbot.waitUntil(lambda: window.state.problem.lr_limit is not None)
    limit = window.state.problem.lr_limit
    mark = round(math.log10(limit) * LR_SLIDER_STEPS_PER_DECADE)
    slider = window.panel.lr_slider
    assert slider.mark == (mark if slider.minimum() <= mark <= slider.maximum() else None)
    assert f"{limit:.4g}" in window.panel.lr_limit_label.text()
    assert "above" not in window.panel.lr_limit_label.text()
    edit = window.panel.fields["lr"]
    edit.selectAll()
    qtbot.keyClicks(edit, f"{1.5 * limit:.6g}")
    assert "above" in window.panel.lr_limit_label.text()
    window.play_action.trigger()
    assert "η_max" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "η_max" in window.banner.text()
    window.close()


class HeldSurfaces:
    """Surfaces that wait until the test lets them go (or until they are no longer wanted), recording each call's
    thread and its way of telling that it was superseded."""

    def __init__(self, window):
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []
        self.superseded: list = []
        self.stopped: list[bool] = []
        window.landscape.compute_surface = self

    def __call__(self, *args, cancelled, **kwargs):
        self.threads.append(threading.current_thread())
        self.superseded.append(cancelled)
        while not self.release.wait(0.01):
            if cancelled():
                self.stopped.append(True)
                break
        return loss_surface(*args, cancelled=cancelled, **kwargs)


def _set_l2(qtbot, window, text: str) -> None:
    edit = window.panel.fields["l2"]
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)


def test_the_surface_is_computed_off_the_gui_thread_and_the_window_answers_meanwhile(qtbot, window):
    held = HeldSurfaces(window)
    release, threads = held.release, held.threads
    _set_l2(qtbot, window, "0.2")
    qtbot.waitUntil(lambda: bool(threads), timeout=10000)
    assert window.state.picture is None
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    assert window.busy_bar.isVisible() and "loss surface" in window.busy_label.text()
    release.set()
    qtbot.waitUntil(lambda: window.state.picture is not None, timeout=10000)
    assert all(thread is not threading.main_thread() for thread in threads)


def test_an_update_taken_apart_before_the_surface_arrives_gets_its_batch_contours_with_it(qtbot, window):
    """Once the update's contours were asked for only when it was taken apart, so a learner quick with Shift+Right
    never saw the batch's own loss."""
    held = HeldSurfaces(window)
    _set_l2(qtbot, window, "0.2")
    qtbot.waitUntil(lambda: bool(held.threads), timeout=10000)
    window.step_batch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is not None)
    assert window.state.picture is None
    held.release.set()
    contours = window.canvas.side.parameters.batch_contours
    qtbot.waitUntil(lambda: contours.xData is not None and contours.xData.size > 0, timeout=10000)
    surface = window.state.picture.surface
    w, b = contours.xData[np.isfinite(contours.xData)], contours.yData[np.isfinite(contours.yData)]
    for values, grid in ((w, surface.w), (b, surface.b)):
        assert grid[0] - 1e-9 <= values.min() and values.max() <= grid[-1] + 1e-9, "drawn over the surface shown"


def test_fit_frames_the_start_the_path_and_the_optimum(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(l2=0.05, lr=0.5, epochs=40))
    _surface_ready(qtbot, window)
    window.run_to_end_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "finished")
    window.canvas.side.parameters.plot.setRange(xRange=(50, 60), yRange=(50, 60), padding=0)
    qtbot.mouseClick(window.canvas.side.fit_button, QtCore.Qt.MouseButton.LeftButton)
    (w_low, w_high), (b_low, b_high) = window.canvas.side.parameters.plot.vb.viewRange()
    optimum = window.state.optimum
    for w, b in [(view.history.w[0], view.history.b[0]), (view.w, view.b), (optimum.w, optimum.b)]:
        assert w_low <= w <= w_high and b_low <= b <= b_high
    qtbot.waitUntil(lambda: window.state.picture.surface.w[0] <= w_low + 1e-9, timeout=10000)
    window.close()


def test_the_app_icon_is_packaged_and_loads():
    icon = QtGui.QIcon(str(resource_path("icon.svg")))
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    assert image.width() == 64 and image.pixelColor(32, 5).alpha() == 255


def test_dragging_in_the_parameter_view_moves_the_neuron_live(qtbot, window, monkeypatch):
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    _surface_ready(qtbot, window)
    view_box = window.canvas.side.parameters.plot.vb
    viewport = window.canvas.side.param_widget.viewport()
    (w_low, w_high), (b_low, b_high) = view_box.viewRange()
    points = [QtCore.QPointF(w_low + f * (w_high - w_low), b_low + 0.5 * (b_high - b_low)) for f in (0.3, 0.45, 0.6)]
    widget = window.canvas.side.param_widget
    positions = [QtCore.QPointF(widget.mapFromScene(view_box.mapViewToScene(p))) for p in points]
    picked = []
    window.canvas.startPicked.connect(lambda w, b: picked.append((w, b)))
    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.NoButton
    modifier = QtCore.Qt.KeyboardModifier.NoModifier

    def send(kind, position, button, buttons):
        event = QtGui.QMouseEvent(kind, position, viewport.mapToGlobal(position), button, buttons, modifier)
        QtCore.QCoreApplication.sendEvent(viewport, event)

    send(QtCore.QEvent.Type.MouseButtonPress, positions[0], left, left)
    for position in positions[1:]:
        send(QtCore.QEvent.Type.MouseMove, position, none, left)
    send(QtCore.QEvent.Type.MouseButtonRelease, positions[-1], left, none)
    assert len(picked) == 3
    assert picked[-1][0] > picked[0][0]
    w, b = picked[-1]
    wait_for_view(qtbot, window, lambda v: (v.w, v.b) == (w, b))
    x, z = window.canvas.neuron.z_line.getData()
    np.testing.assert_allclose(z, w * x + b)


def test_separable_classes_show_the_descent_ray_and_why(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(mu0=-3.0, mu1=3.0, sigma0=0.3, sigma1=0.3))
    qtbot.waitUntil(lambda: window.state.problem.ray is not None)
    ray = window.state.problem.ray
    w, b = window.canvas.side.parameters.ray.getData()
    np.testing.assert_allclose(b, -ray.midpoint * w)
    assert np.all(np.sign(w[1:]) == ray.w_sign)
    assert "do not overlap" in window.canvas.side.card.placeholderText()
    window.close()


def test_panel_and_window_give_one_verdict_at_eta_max_exactly(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(l2=0.1, optimizer="batch"))
    qtbot.waitUntil(lambda: window.state.problem.lr_limit is not None)
    limit = window.state.problem.lr_limit
    edit = window.panel.fields["lr"]
    edit.selectAll()
    qtbot.keyClicks(edit, repr(limit))
    assert window.panel.settings().lr == limit
    expected = diagnose(window.state.problem, limit)
    assert expected.verdict == Verdict.BEYOND_LIMIT
    assert window.panel.lr_limit_label.text() == expected.text
    window.play_action.trigger()
    assert window.statusBar().currentMessage() == expected.text
    qtbot.waitUntil(lambda: window.status_fields["verdict"].text() in ("η ≥ η_max", "oscillating", "diverged"))
    assert window.status_fields["verdict"].toolTip() == window.run.diagnosis().text
    window.close()


def _wheel(widget, position: QtCore.QPointF, notches: int) -> None:
    """Turn the mouse wheel over widget: negative notches zoom out, as a learner's wheel does."""
    viewport = widget.viewport()
    for _ in range(abs(notches)):
        event = QtGui.QWheelEvent(position, viewport.mapToGlobal(position), QtCore.QPoint(0, 0),
                                  QtCore.QPoint(0, 120 if notches > 0 else -120), QtCore.Qt.MouseButton.NoButton,
                                  QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.ScrollPhase.NoScrollPhase, False)
        QtCore.QCoreApplication.sendEvent(viewport, event)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("notches", [-1500, 1500], ids=["out", "in"])
def test_zooming_far_with_the_wheel_keeps_the_view_the_surface_and_the_readout_finite(qtbot, window, notches):
    _surface_ready(qtbot, window)
    failures = []
    window.run.analysis.failed.connect(lambda title, details: failures.append(details))
    widget = window.canvas.side.param_widget
    view_box = window.canvas.side.parameters.plot.vb
    centre = QtCore.QPointF(widget.mapFromScene(view_box.sceneBoundingRect().center()))
    _wheel(widget, centre, notches)
    ranges = view_box.viewRange()
    assert np.all(np.isfinite(ranges)) and all(high > low for low, high in ranges)
    qtbot.waitUntil(lambda: window.state.picture.surface.w[0] <= ranges[0][0], timeout=20000)
    assert np.all(np.isfinite(window.state.picture.surface.loss)) and not failures
    hover = QtCore.QPointF(centre.x() + 7, centre.y() - 5)
    move = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseMove, hover, widget.viewport().mapToGlobal(hover),
                             QtCore.Qt.MouseButton.NoButton, QtCore.Qt.MouseButton.NoButton,
                             QtCore.Qt.KeyboardModifier.NoModifier)
    QtCore.QCoreApplication.sendEvent(widget.viewport(), move)
    qtbot.waitUntil(lambda: window.canvas.side.param_readout.text().startswith("w = "))
    readout = window.canvas.side.param_readout.text()
    w, b = (float(re.search(rf"{name} = (\S+)", readout)[1]) for name in "wb")
    assert math.isfinite(w) and math.isfinite(b) and "loss ≈" in readout


def test_the_optimum_of_new_data_is_not_kept_waiting_by_a_surface(qtbot, window):
    held = HeldSurfaces(window)
    _set_l2(qtbot, window, "0.2")
    qtbot.waitUntil(lambda: len(held.threads) == 1, timeout=10000)
    _set_l2(qtbot, window, "0.3")
    qtbot.waitUntil(lambda: window.state.settings.l2 == 0.3 and window.state.problem.optimum.exists, timeout=10000)
    optimum = window.state.problem.optimum
    assert window.canvas.side.parameters.optimum.getData()[0].tolist() == [optimum.w]
    assert held.superseded[0]()
    qtbot.waitUntil(lambda: bool(held.stopped), timeout=10000)
    held.release.set()
    qtbot.waitUntil(lambda: window.state.picture is not None, timeout=10000)
    assert window.state.picture.surface.loss[0, 0] == pytest.approx(
        objective(window.state.picture.surface.w[0], window.state.picture.surface.b[0], window.state.data, "bce", 0.3),
        rel=1e-12)


def test_closing_the_window_stops_a_surface_under_way(qtbot, window):
    held = HeldSurfaces(window)
    failures = []
    window.run.analysis.failed.connect(lambda title, details: failures.append(details))
    _set_l2(qtbot, window, "0.2")
    qtbot.waitUntil(lambda: len(held.threads) == 1, timeout=10000)
    window.close()
    assert held.stopped == [True] and not held.threads[0].is_alive() and not failures


@pytest.mark.parametrize("rule", ["momentum", "adam"])
def test_the_rules_arrow_is_drawn_beside_the_gradient(qtbot, monkeypatch, rule):
    """Momentum's velocity v, or Adam's m̂/(√ŝ + ε), from the point before the update, with its legend
    key; the step is −η times it, and the card works the rule's numbers."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(rule=rule))
    _surface_ready(qtbot, window)
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.state.step is not None)
    update = window.state.step.update
    view = window.canvas.side.parameters
    shown, hidden = (view.velocity, view.adapted) if rule == "momentum" else (view.adapted, view.velocity)
    arrow_w, arrow_b = shown.getData()
    if rule == "momentum":
        expected = (0.9 * update.before.v_w + update.grad_w, 0.9 * update.before.v_b + update.grad_b)
    else:
        m_hat_w, m_hat_b, s_hat_w, s_hat_b = adam_corrected(update)
        expected = (m_hat_w / (math.sqrt(s_hat_w) + 1e-8), m_hat_b / (math.sqrt(s_hat_b) + 1e-8))
    assert (arrow_w[0], arrow_b[0]) == (update.w, update.b)
    assert (arrow_w[1] - update.w, arrow_b[1] - update.b) == pytest.approx(expected, rel=1e-9)
    step_w, step_b = view.step.getData()
    assert (step_w[1] - step_w[0], step_b[1] - step_b[0]) == pytest.approx(
        (-SMALL.lr * expected[0], -SMALL.lr * expected[1]), rel=1e-9)
    assert hidden.getData()[0] is None or len(hidden.getData()[0]) == 0
    names = [label.text for _, label in view.plot.legend.items]
    assert ("velocity v" in names) == (rule == "momentum")
    assert ("Adam m̂/√ŝ" in names) == (rule == "adam")
    assert window.canvas.side.card.toPlainText().splitlines()[:-2] == card(update)
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is None)
    assert shown.getData()[0] is None or len(shown.getData()[0]) == 0
    window.close()


def _rule_rows_shown(window) -> set[str]:
    """The rule's rows a learner sees on the settings tab that holds them."""
    panel = window.panel
    panel.tabs.setCurrentWidget(next(page for page in map(panel.tabs.widget, range(panel.tabs.count()))
                                     if page.isAncestorOf(panel.fields["momentum"])))
    return {name for name in ("momentum", "beta1", "beta2", "eps") if panel.fields[name].isVisible()}


def test_choosing_a_rule_shows_its_parameters_and_its_eta_max(qtbot, monkeypatch):
    """Plain descent shows no rule parameters; momentum shows μ and η_max = 2(1 + μ)/λ_max; Adam shows β₁, β₂ and ε
    and takes the η_max mark away, saying why."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(l2=0.1, optimizer="batch"))
    assert _rule_rows_shown(window) == set()
    qtbot.waitUntil(lambda: window.state.problem.lr_limit is not None)
    limit = window.state.problem.lr_limit
    slider = window.panel.lr_slider
    rule = window.panel.choices["rule"]
    qtbot.keyClick(rule, QtCore.Qt.Key.Key_Down)
    assert window.panel.settings().rule == "momentum"
    assert _rule_rows_shown(window) == {"momentum"}
    mark = round(math.log10(1.9 * limit) * LR_SLIDER_STEPS_PER_DECADE)
    assert slider.mark == (mark if slider.minimum() <= mark <= slider.maximum() else None)
    assert f"{1.9 * limit:.4g}" in window.panel.lr_limit_label.text()
    qtbot.keyClick(rule, QtCore.Qt.Key.Key_Down)
    assert window.panel.settings().rule == "adam"
    assert _rule_rows_shown(window) == {"beta1", "beta2", "eps"}
    assert slider.mark is None
    assert "no η_max" in window.panel.lr_limit_label.text()
    window.close()


def test_a_path_drawn_a_point_per_half_pixel_strays_from_no_epoch_by_half_a_pixel():
    """A settled path (w and b approach their end geometrically over 40,000 epochs, thinned to 1,500) keeps the
    first point of each run of points in one half-pixel cell, and the newest: every point left out lies within
    half a pixel, in w and in b, of the point drawn before it, and a seventh as many points are stroked."""
    epochs = np.arange(40_000.0)
    w, b = 3.0 * (1 - np.exp(-epochs / 2000)), -0.5 * (1 - np.exp(-epochs / 800))
    pixel = (6 / 445, 2 / 358)
    every_w, every_b = thinned_path(w, b)
    drawn_w, drawn_b = thinned_path(w, b, pixel=pixel)
    assert 1400 < every_w.size <= 1500 and drawn_w.size < every_w.size / 7
    assert (drawn_w[[0, -1]] == every_w[[0, -1]]).all() and (drawn_b[[0, -1]] == every_b[[0, -1]]).all()
    last = -1
    for point_w, point_b in zip(every_w, every_b, strict=True):
        if last + 1 < drawn_w.size and (drawn_w[last + 1], drawn_b[last + 1]) == (point_w, point_b):
            last += 1
        assert abs(point_w - drawn_w[last]) < pixel[0] / 2 and abs(point_b - drawn_b[last]) < pixel[1] / 2
    assert last == drawn_w.size - 1


def test_zooming_in_on_a_settled_path_draws_it_again_at_the_new_scale(qtbot):
    """The path is drawn through a point per half pixel, so zooming in on where it settled brings back the points
    the coarser scale left out."""
    window = open_window(qtbot, SMALL.replace(epochs=1500, every=500, lr=0.5))
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda view: view.status == "finished")
    parameters = window.canvas.side.parameters
    history = window.canvas.last_view.history
    qtbot.mouseClick(window.canvas.side.fit_button, QtCore.Qt.MouseButton.LeftButton)

    def framed() -> bool:
        (low_w, high_w), (low_b, high_b) = parameters.plot.vb.viewRange()
        return low_w < history.w[-1] < high_w and low_b < history.b[-1] < high_b

    qtbot.waitUntil(framed)
    before = parameters.path.getData()[0].size
    assert before < history.w.size
    widget = window.canvas.side.param_widget
    end = QtCore.QPointF(widget.mapFromScene(parameters.plot.vb.mapViewToScene(
        QtCore.QPointF(history.w[-1], history.b[-1]))))
    coarse = parameters.pixel_size()
    _wheel(widget, end, 12)
    qtbot.waitUntil(lambda: parameters.pixel_size()[0] < coarse[0] / 3)
    qtbot.waitUntil(lambda: parameters.path.getData()[0].size == thinned_path(
        history.w, history.b, pixel=parameters.pixel_size())[0].size > before)
    window.close()
