"""Exported figures read as a learner would read them: every recorded epoch on the loss axis, a curve in every pane,
SVG files whose size does not grow with the samples, legends that name exactly the marks drawn."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtCore, QtGui

from gui.base.state import NOT_YET
from gui.base.style import LOSS_COLOUR
from gui.export.export_dialog import ExportChoice
from gui.export.figures import Figure, FigureContent, headless_content, headless_figure_writer
from gui.views.parameter_view import STEP_KEY, ParameterView
from gui.views.plots import legend_below, loss_axis
from gui.views.sample_points import pixel_centres
from model.cli import EXIT_DIVERGED, EXIT_OK, run_train
from model.data import generate
from model.problem import study

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


SEPARABLE = ["--mu0", "-3", "--mu1", "3", "--sigma0", "0.3", "--sigma1", "0.3", "--epochs", "20"]
PATH_MARKS = ["path", "start", "now"]
RAY = "loss keeps falling this way"
UPDATE_MARKS = ["gradient ∇", STEP_KEY]


def legend_names(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def drawn_marks(view) -> set[str]:
    """The names of the parameter view's marks that hold data, read off the items themselves."""
    marks = {"path": view.path, "start": view.start, "now": view.current, "optimum": view.optimum, RAY: view.ray,
             "gradient ∇": view.gradient, "velocity v": view.velocity,
             "Adam m̂/√ŝ": view.adapted, STEP_KEY: view.step, "batch's own loss": view.batch_contours}
    return {name for name, item in marks.items() if item.isVisible() and points(item) > 0}


def points(item) -> int:
    if isinstance(item, pg.ScatterPlotItem):
        return len(item.data)
    x, _ = item.getData()
    return 0 if x is None else len(x)


@pytest.mark.parametrize(("arguments", "expected"), [
    (SEPARABLE, [*PATH_MARKS, RAY]),
    (["--epochs", "20", "--n0", "40", "--n1", "40"], [*PATH_MARKS, "optimum"]),
])
def test_the_exported_parameter_legend_names_exactly_what_is_drawn(qtbot, tmp_path, arguments, expected):
    figure = Figure("parameters", headless(qtbot, tmp_path, arguments))
    view = figure.views["parameters"]
    assert legend_names(view.plot) == expected
    assert set(expected) == drawn_marks(view)
    figure.close()


def test_the_window_parameter_legend_follows_an_update_taken_apart(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(mu0=-3.0, mu1=3.0, sigma0=0.3, sigma1=0.3))
    parameters = window.canvas.side.parameters
    qtbot.waitUntil(lambda: window.state.problem.ray is not None and window.state.picture is not None)
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)
    assert legend_names(parameters.plot) == [*PATH_MARKS, RAY]
    assert set(legend_names(parameters.plot)) == drawn_marks(parameters)
    qtbot.keyClick(window.canvas.main_plot, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "batch's own loss" in legend_names(parameters.plot))
    assert legend_names(parameters.plot) == [*PATH_MARKS, RAY, *UPDATE_MARKS, "batch's own loss"]
    assert set(legend_names(parameters.plot)) == drawn_marks(parameters)
    path = tmp_path / "parameters.png"
    assert window.file_actions.export_figure(ExportChoice("parameters", "png", 1), str(path))
    content = FigureContent(window.state.data, "bce", window.canvas.last_view, window.state.problem,
                            picture=window.state.picture)
    exported = Figure("parameters", content)
    assert legend_names(exported.views["parameters"].plot) == [*PATH_MARKS, RAY]
    exported.close()
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is None)
    assert legend_names(parameters.plot) == [*PATH_MARKS, RAY]
    window.close()


def test_the_parameter_legend_keeps_the_optimum_while_a_new_one_is_computed(qtbot):
    """As the other views do: an edit makes the optimum unknown for a moment, its entry stays until it is known."""
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    plot = widget.ci.addPlot(row=0, col=0)
    legend_below(widget.ci, plot, row=1)
    view = ParameterView(plot)
    found = study(generate(SMALL.replace(n0=60, n1=60)), "bce", 0.0)
    separable = study(generate(SMALL.replace(mu0=-3.0, mu1=3.0, sigma0=0.3, sigma1=0.3)), "bce", 0.0)
    assert found.optimum.exists and separable.ray is not None
    view.set_optimum(found.optimum, found.ray)
    assert legend_names(plot) == ["optimum"]
    view.set_optimum(NOT_YET, None)
    assert legend_names(plot) == ["optimum"]
    view.show_path(np.array([0.0, 1.0]), np.array([0.0, 0.5]))
    assert legend_names(plot) == [*PATH_MARKS, "optimum"]
    view.set_optimum(separable.optimum, separable.ray)
    assert legend_names(plot) == [*PATH_MARKS, RAY]


SVG_BOUND = 3.5 * 1024 * 1024
"""The README's bound on all five SVGs of `train --figures` together, at any number of samples."""


def svg_bytes(tmp_path, per_class: int, spread: float = 4.0) -> int:
    """Total size of the SVGs a short run writes: twelve snapshot cells, samples spread over the whole x range."""
    out = tmp_path / str(per_class)
    arguments = ["--n0", str(per_class), "--n1", str(per_class), "--sigma0", str(spread), "--sigma1", str(spread),
                 "--epochs", "11", "--every", "1", "--out", str(out), "--figures", "--quiet"]
    assert run_train(arguments, figure_writer=headless_figure_writer) == EXIT_OK
    return sum(path.stat().st_size for path in out.glob("*.svg"))


def test_svg_size_is_bounded_whatever_the_number_of_samples(qtbot, tmp_path):
    sizes = {n: svg_bytes(tmp_path, n) for n in (2_500, 5_000, 10_000)}
    assert max(sizes.values()) < SVG_BOUND
    assert sizes[5_000] < 1.2 * sizes[2_500]
    assert sizes[10_000] < 1.2 * sizes[5_000]


def test_exported_points_are_one_circle_per_pixel_they_cover():
    """Device x = 2·x + 10, y = −3·y + 100: x = 0 and 0.2 share pixel 10, x = 1 is on pixel 12."""
    transform = QtGui.QTransform(2.0, 0.0, 0.0, -3.0, 10.0, 100.0)
    centres = pixel_centres(np.array([0.0, 0.2, 1.0]), np.array([0.0, 0.0, 0.0]), transform)
    assert centres.tolist() == [[10.5, 100.5], [12.5, 100.5]]
