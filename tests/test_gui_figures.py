"""Exported figures read as a learner would read them: every recorded epoch on the loss axis, a curve in every pane,
SVG files whose size does not grow with the samples, legends that name exactly the marks drawn."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtGui

from gui.figures import Figure, FigureContent, headless_content
from gui.style import LOSS_COLOUR
from gui.views import loss_axis
from model.cli import EXIT_DIVERGED, EXIT_OK, run_train

DIVERGING = ["--l2", "10", "--lr", "1", "--optimizer", "batch"]
"""Full-batch steps with 1 − η·λ = −9: w flips sign and grows ninefold every epoch, the loss to 1.6e23 in 13."""


def headless(qtbot, tmp_path, arguments: list[str], code: int = EXIT_OK) -> FigureContent:
    """What `main.py train … --figures` draws, kept instead of written."""
    kept = []

    def keep(out_dir, settings, data, view, problem):
        kept.append(headless_content(settings, data, view, problem))
        return []

    assert run_train([*arguments, "--out", str(tmp_path), "--figures", "--quiet"], figure_writer=keep) == code
    return kept[0]


def pixels_of(figure: Figure, colour: str, rect) -> int:
    """How many pixels of the 1× PNG inside rect (scene coordinates) are within a few levels of colour."""
    image = QtGui.QImage.fromData(figure.png(1.0)).convertToFormat(QtGui.QImage.Format.Format_RGB888)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    rgb = rgb[:, :3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)
    origin = figure.widget.ci.sceneBoundingRect().topLeft()
    left, top = round(rect.left() - origin.x()), round(rect.top() - origin.y())
    part = rgb[top:top + round(rect.height()), left:left + round(rect.width())]
    wanted = QtGui.QColor(colour)
    distance = np.abs(part - [wanted.red(), wanted.green(), wanted.blue()]).sum(axis=2)
    return int((distance < 40).sum())


def assert_every_epoch_shown(view, history) -> None:
    """The curve holds every recorded epoch and each lies inside the y range shown (log₁₀ on a log axis)."""
    low, high = view.plot.viewRange()[1]
    shown = np.log10(history.loss) if view.plot.getAxis("left").logMode else history.loss
    assert low <= shown.min() and shown.max() <= high
    epochs, _ = view.curve.curve.getData()
    assert epochs.tolist() == history.epoch.tolist()


@pytest.mark.parametrize(("losses", "expected"), [
    ([0.5, 0.1, 500.0], (True, np.log10(0.1), np.log10(500.0))),
    ([0.5, 0.1, 99.9], (False, 0.1, 99.9)),
    ([0.7, 0.0, 1e30], (False, 0.0, 1e30)),
    ([0.7], (False, 0.2, 1.2)),
])
def test_the_loss_axis_turns_logarithmic_at_three_decades(losses, expected):
    log_axis, low, high = loss_axis(np.array(losses))
    assert log_axis == expected[0]
    assert (low, high) == pytest.approx(expected[1:])


@pytest.mark.parametrize("kind", ["loss", "canvas"])
def test_a_runaway_loss_is_drawn_whole_on_a_log_axis(qtbot, tmp_path, kind):
    content = headless(qtbot, tmp_path, DIVERGING, EXIT_DIVERGED)
    history = content.view.history
    assert history.loss.max() > 1e23
    figure = Figure(kind, content)
    view = figure.views["loss"]
    plot = view.plot
    assert pixels_of(figure, LOSS_COLOUR, plot.vb.sceneBoundingRect()) > 200
    assert_every_epoch_shown(view, history)
    assert plot.getAxis("left").logMode
    assert "log scale" in plot.getAxis("left").labelText
    figure.close()


def test_a_calm_loss_keeps_its_linear_axis(qtbot, tmp_path):
    content = headless(qtbot, tmp_path, ["--epochs", "30", "--n0", "40", "--n1", "40"])
    figure = Figure("loss", content)
    view = figure.views["loss"]
    assert not view.plot.getAxis("left").logMode
    assert "log scale" not in view.plot.getAxis("left").labelText
    assert_every_epoch_shown(view, content.view.history)
    figure.close()


def test_the_window_draws_a_runaway_loss_whole_on_a_log_axis(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(optimizer="batch", lr=1.0, l2=10.0, epochs=40))
    window.play_action.trigger()
    view = wait_for_view(qtbot, window, lambda v: v.status == "diverged")
    loss = window.canvas.side.loss
    qtbot.waitUntil(lambda: len(loss.curve.curve.getData()[0]) == len(view.history))
    assert view.history.loss.max() > 1e12
    assert loss.plot.getAxis("left").logMode
    assert_every_epoch_shown(loss, view.history)
    window.close()
