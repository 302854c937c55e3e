"""The window's true answer, library equivalent and example data, as a learner sees them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtWidgets

from gui.views.legend import drawn
from model.truth import TrueAnswer


def _legend_names(window) -> list[str]:
    return [label.text for _sample, label in window.canvas.neuron.plot.legend.items]


def test_the_true_answer_switch_draws_bayes_curve_and_its_half_points(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(mu0=0.0, sigma0=1.0, mu1=0.0, sigma1=2.0))
    neuron = window.canvas.neuron
    assert not drawn(neuron.truth) and not drawn(neuron.truth_points)
    assert "true P(1 | x)" not in _legend_names(window)
    window.panel.true_answer.click()
    qtbot.waitUntil(lambda: drawn(neuron.truth))
    x, p = neuron.truth.getData()
    np.testing.assert_allclose(p, TrueAnswer(0.0, 1.0, 30, 0.0, 2.0, 30).probability(x))
    root = math.sqrt(8 * math.log(2) / 3)
    xs, ys = neuron.truth_points.getData()
    assert sorted(xs) == pytest.approx([-root, root]) and list(ys) == [0.5, 0.5]
    assert {"true P(1 | x)", "true ½ point"} <= set(_legend_names(window))
    samples = tmp_path / "samples.csv"
    samples.write_text("x,label\n-1,0\n-2,0\n1,1\n3,1\n")
    window.load_csv(str(samples))
    wait_for_view(qtbot, window, lambda v: v.n_samples == 4)
    assert not window.panel.true_answer.isEnabled()
    assert not drawn(neuron.truth) and not drawn(neuron.truth_points)
    assert "true P(1 | x)" not in _legend_names(window)
    window.close()


def test_the_card_gives_the_optimum_with_the_library_call_and_none_for_squared_error(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(mu0=-0.5, mu1=0.5))
    card = window.canvas.side.card
    qtbot.waitUntil(lambda: "LogisticRegression(C=np.inf" in card.placeholderText(), timeout=10000)
    optimum = window.state.optimum
    assert f"w = {optimum.w:+.4f}" in card.placeholderText()
    assert 'MLPClassifier(hidden_layer_sizes=(), alpha=0.0, solver="lbfgs"' in card.placeholderText()
    assert "The default LogisticRegression() has C = 1" in card.toolTip()
    edit = window.panel.findChild(QtWidgets.QLineEdit, "l2")
    edit.selectAll()
    qtbot.keyClicks(edit, "0.5")
    qtbot.waitUntil(lambda: f"C={1 / (0.5 * 60)!r}," in card.placeholderText(), timeout=10000)
    loss = window.panel.choices["loss"]
    loss.setCurrentIndex(loss.findData("mse"))
    loss.activated.emit(loss.currentIndex())
    qtbot.waitUntil(lambda: "No scikit-learn estimator" in card.placeholderText(), timeout=10000)
    assert "LogisticRegression(C=" not in card.placeholderText()
    window.close()


def test_open_example_trains_on_the_o_ring_data_in_one_click(qtbot, window):
    from model.examples import example

    menu = window.file_actions.example_menu
    assert menu.menuAction() in window.file_menu.actions()
    titles = [action.text() for action in menu.actions()]
    assert titles[0].startswith("Space Shuttle O-rings") and len(titles) == 5
    assert "Licence: " in menu.actions()[0].toolTip()
    menu.actions()[0].trigger()
    view = wait_for_view(qtbot, window, lambda v: v.n_samples == 23)
    assert view.epoch == 0
    assert window.state.settings.data_path == str(example("challenger-orings").path)
    assert window.panel.file_label.text() == "challenger-orings.csv"
    assert not window.panel.true_answer.isEnabled()


def test_standardise_x_trains_on_u_and_shows_w_b_and_the_optimum_in_x_too(qtbot, window):
    from model.examples import example

    window.load_csv(str(example("challenger-orings").path))
    wait_for_view(qtbot, window, lambda v: v.n_samples == 23)
    assert not window.status_fields["units"].isVisible()
    window.panel.switches["standardise"].click()
    qtbot.waitUntil(lambda: window.state.data.scale is not None and window.state.settings.standardise, timeout=10000)
    data = window.state.data
    assert abs(float(np.mean(data.x))) < 1e-12 and float(np.std(data.x)) == pytest.approx(1.0)
    for plot in (window.canvas.neuron.plot, window.canvas.shares.plot):
        assert plot.getAxis("bottom").labelText.startswith("u = (x − 69.57) / 6.902")
    view = wait_for_view(qtbot, window, lambda v: v.n_samples == 23)
    w, b = data.scale.weights_in_data_units(view.w, view.b)
    qtbot.waitUntil(lambda: window.status_fields["units"].text().startswith(f"in x: w = {w:+.4f}  b = {b:+.4f}"))
    assert window.status_fields["units"].isVisible()
    card = window.canvas.side.card
    qtbot.waitUntil(lambda: "(in x: w = -0.2322, b = +15.0429)" in card.placeholderText(), timeout=10000)
