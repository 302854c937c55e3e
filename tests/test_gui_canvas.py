"""The canvas paints the neuron view first and makes its other panes right after; panes made late show exactly
what panes made at once show."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from gui_helpers import SMALL, open_window
from PySide6 import QtCore

from gui.base.state import NOT_YET, PLAIN, UNSTUDIED, RunState
from gui.base.style import VERDICT_WORDS, configure_pyqtgraph
from gui.views.canvas import Canvas
from gui.views.plots import LossView, NeuronView, legend_below
from gui.window.main_window import MainWindow
from model.anatomy import card, take_one_update
from model.data import generate
from model.diagnosis import Verdict, diagnose_view
from model.problem import study
from model.settings import Settings
from model.trainer import Trainer

FRAME = ((-2.5, 3.5), (-1.5, 2.0))
OVERLAPPING = SMALL.replace(n0=60, n1=60)
"""Unlike SMALL's separable classes, these have an optimum to mark."""


class FirstPaint(QtCore.QObject):
    """Counts the canvas's plot widgets when its neuron view first paints."""

    def __init__(self, canvas: Canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.plots_then: int | None = None
        canvas.main_plot.viewport().installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Paint and self.plots_then is None:
            self.plots_then = len(self.canvas.findChildren(pg.GraphicsLayoutWidget))
        return False


def test_the_window_paints_its_neuron_view_first_and_makes_the_other_panes_unasked(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    configure_pyqtgraph()
    window = MainWindow(SMALL)
    qtbot.addWidget(window)
    first = FirstPaint(window.canvas)
    with qtbot.waitSignal(window.canvas.panesMade, timeout=10000):
        window.show()
    assert first.plots_then == 1
    assert len(window.canvas.findChildren(pg.GraphicsLayoutWidget)) == 4
    side = window.canvas.side
    qtbot.waitUntil(lambda: side.loss.curve.getData()[0] is not None)
    view = window.canvas.last_view
    assert side.parameters.current.getData()[0][0] == view.w
    assert side.parameters.current.getData()[1][0] == view.b
    qtbot.waitUntil(lambda: side.param_widget.isVisible() and side.loss_plot.isVisible())
    assert side.snapshots.cells == [], "the snapshots' tab is behind the loss curve's: drawn when it is shown"
    window.canvas.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: side.snapshot_widget.isVisible() and len(side.snapshots.cells) == 1)
    window.close()


def _run(settings: Settings):
    data = generate(settings)
    trainer = Trainer(settings, data)
    trainer.step_epoch()
    trainer.step_epoch()
    step = take_one_update(trainer)
    return data, study(data, settings.loss, settings.l2), step, trainer.view()


def _feed(canvas: Canvas, run) -> None:
    data, problem, step, view = run
    state = RunState(SMALL, data, problem, PLAIN, view, None, step)
    canvas.read_state_from(lambda: state)
    canvas.show_data(state)
    canvas.set_problem(problem)
    canvas.show_view(view)
    canvas.show_update(step)
    canvas.frame_parameters(FRAME)


def _seen(canvas: Canvas) -> dict:
    """What each pane shows, once a learner has brought every tab to the front in turn."""
    side = canvas.side
    for index in range(canvas.tabs.count()):
        canvas.tabs.setCurrentIndex(index)
    parameters = side.parameters
    return {"loss": [np.asarray(values).tolist() for values in side.loss.curve.getData()],
            "loss optimum": side.loss.optimum.value(),
            "path": [np.asarray(values).tolist() for values in parameters.path.getData()],
            "now": [np.asarray(values).tolist() for values in parameters.current.getData()],
            "optimum": [np.asarray(values).tolist() for values in parameters.optimum.getData()],
            "ray": [np.asarray(values).tolist() for values in parameters.ray.getData()],
            "hint": side.card.placeholderText(),
            "step": [np.asarray(values).tolist() for values in parameters.step.getData()],
            "card": side.card.toPlainText(),
            "cells": [cell.plot.titleLabel.text for cell in side.snapshots.cells],
            "label": side.snapshot_label.text(),
            "range": parameters.plot.vb.viewRange()}


@pytest.mark.parametrize("settings", [OVERLAPPING, SMALL], ids=["optimum", "separable"])
def test_panes_made_after_the_run_began_show_what_panes_made_first_show(qtbot, settings):
    run = _run(settings)
    _, problem, step, view = run
    early, late = Canvas(), Canvas()
    for canvas in (early, late):
        qtbot.addWidget(canvas)
        canvas.resize(1200, 800)
    assert early.side is not None
    _feed(early, run)
    _feed(late, run)
    assert len(late.findChildren(pg.GraphicsLayoutWidget)) == 1
    seen = _seen(late)
    assert seen == _seen(early)
    assert seen["now"] == [[view.w], [view.b]]
    if problem.optimum.exists:
        assert seen["optimum"] == [[problem.optimum.w], [problem.optimum.b]]
        assert seen["loss optimum"] == problem.optimum.loss
    else:
        assert seen["optimum"] == [[], []] and len(seen["ray"][0]) > 0
        assert problem.ray.reason in seen["hint"]
    assert seen["loss"][1] == pytest.approx(view.history.loss.tolist())
    assert seen["card"] == "\n".join(card(step.update))
    assert seen["step"] == [[step.update.w, step.update.new_w], [step.update.b, step.update.new_b]]
    assert len(seen["cells"]) == len(view.snapshots)
    assert seen["range"] == [list(FRAME[0]), list(FRAME[1])]


def test_the_first_surface_is_asked_for_once_the_parameter_view_is_made(qtbot, monkeypatch):
    """Computed while the window builds its panes, the surface slowed both: it waits for the pane instead."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    configure_pyqtgraph()
    window = MainWindow(OVERLAPPING)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.state is not None and window.state.view is not None
                    and window.state.problem is not UNSTUDIED, timeout=10000)
    assert not window.canvas.panes_made
    assert window.run.analysis.description() == "" and window.state.picture is None
    with qtbot.waitSignal(window.canvas.panesMade):
        window.canvas.side.parameters.plot.getViewBox()
    qtbot.waitUntil(lambda: window.state.picture is not None, timeout=10000)
    optimum = window.state.problem.optimum
    surface = window.state.picture.surface
    assert surface.w[0] < optimum.w < surface.w[-1] and surface.b[0] < optimum.b < surface.b[-1]
    assert window.canvas.side.parameters.image.image is not None


def _legend_names(plot: pg.PlotItem) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def test_legends_keep_the_optimum_while_a_new_one_is_computed(qtbot):
    """An edit makes the optimum unknown for a moment: its marks go, its legend entries stay (taking them out and
    back laid the plots out twice per edit); a studied problem without an optimum takes them out."""
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    neuron_plot = widget.ci.addPlot(row=0, col=0)
    legend_below(widget.ci, neuron_plot, row=1)
    neuron = NeuronView(neuron_plot)
    loss_plot = widget.ci.addPlot(row=2, col=0)
    legend_below(widget.ci, loss_plot, row=3)
    loss = LossView(loss_plot)
    data = generate(OVERLAPPING)
    neuron.set_data(data)
    found = study(data, "bce", 0.0).optimum
    separable = study(generate(SMALL), "bce", 0.0).optimum
    assert found.exists and not separable.exists
    for view in (neuron, loss):
        view.set_optimum(found)
    assert "ŷ at the optimum" in _legend_names(neuron_plot) and "exact optimum" in _legend_names(loss_plot)
    for view in (neuron, loss):
        view.set_optimum(NOT_YET)
    assert "ŷ at the optimum" in _legend_names(neuron_plot) and "exact optimum" in _legend_names(loss_plot)
    assert neuron.optimum.getData()[0] is None or len(neuron.optimum.getData()[0]) == 0
    assert not loss.optimum.isVisible()
    for view in (neuron, loss):
        view.set_optimum(separable)
    assert "ŷ at the optimum" not in _legend_names(neuron_plot)
    assert "exact optimum" not in _legend_names(loss_plot)


def test_a_legend_takes_more_rows_rather_than_widen_its_plot_past_the_window(qtbot):
    """Three more entries (an update taken apart) in three columns once needed more width than the parameter view
    had, and pushed the plot and its colour bar off the view's right edge."""
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    plot = widget.ci.addPlot(row=0, col=0)
    legend = legend_below(widget.ci, plot, row=1, columns=3)
    names = ["training path", "where it started", "now", "the exact optimum", "gradient", "step taken by the rule"]
    for name in names:
        legend.addItem(plot.plot([0, 1], [0, 1]), name)
    widget.resize(900, 300)
    widget.show()
    qtbot.waitUntil(lambda: legend.columnCount == 3 and widget.ci.geometry().width() == 900)
    wide_height = legend.geometry().height()

    widget.resize(260, 300)

    def within_the_view() -> bool:
        seen = widget.mapToScene(widget.viewport().rect()).boundingRect()
        return all(seen.contains(item.sceneBoundingRect()) for item in (plot, legend))

    qtbot.waitUntil(lambda: legend.columnCount < 3 and legend.geometry().height() > wide_height and within_the_view())
    assert [label.text for _, label in legend.items] == names
    widget.resize(900, 300)
    qtbot.waitUntil(lambda: legend.columnCount == 3 and legend.geometry().height() == wide_height)


def test_a_snapshot_of_the_same_epoch_from_another_start_is_redrawn(qtbot):
    """A new start (a lesson's step, the hand controls, new samples) makes a new epoch-0 snapshot: the grid draws
    it, not the previous run's, though both are of epoch 0."""
    from gui.views.plots import SnapshotGrid
    from model.history import EpochRecord

    configure_pyqtgraph()
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    grid = SnapshotGrid(widget.ci)
    grid.set_data(generate(SMALL))
    grid.show([EpochRecord(0, 1.0, 0.0, 0.2876, 0.9, 0.0)])
    grid.show([EpochRecord(0, 0.01, 0.0, 0.6835, 0.7, 0.0)])
    assert "0.6835" in grid.cells[0].plot.titleLabel.text
    assert grid.cells[0].z_line.getData()[1][-1] == pytest.approx(0.01 * grid.cells[0].z_line.getData()[0][-1])


def _entries(plot: pg.PlotItem) -> set[str]:
    return set(_legend_names(plot))


UPDATE_KEYS = {"z before update", "ŷ before update", "update's samples"}
SHARES_KEYS = {"pull on w (ŷ − y)·x", "pull on b ŷ − y", "this update"}


def test_an_update_taken_apart_is_keyed_exactly_while_it_is_drawn(qtbot, window):
    """The ghost curves and the rings on the batch have legend entries while they are drawn and none after; the
    shares view keys nothing while it shows only its hint."""
    neuron, shares = window.canvas.neuron, window.canvas.shares
    assert not UPDATE_KEYS & _entries(neuron.plot)
    assert _entries(shares.plot) == set() and shares.hint.shown
    window.step_batch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is not None)
    assert len(neuron.ghost_z.getData()[0]) > 0 and len(neuron.ghost_sigmoid.getData()[0]) > 0
    assert len(neuron.batch.data) == 1
    assert _entries(neuron.plot) >= UPDATE_KEYS
    assert _entries(shares.plot) == SHARES_KEYS and not shares.hint.shown
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is None)
    assert neuron.ghost_z.getData()[0] is None or len(neuron.ghost_z.getData()[0]) == 0
    assert len(neuron.batch.data) == 0
    assert not UPDATE_KEYS & _entries(neuron.plot)
    assert _entries(shares.plot) == set() and shares.hint.shown


@pytest.mark.parametrize(("lr", "verdict"), [(0.05, Verdict.STABLE), (60.0, Verdict.BEYOND_LIMIT)])
def test_the_worked_update_ends_with_the_runs_verdict(qtbot, monkeypatch, lr, verdict):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, OVERLAPPING.replace(l2=0.1, optimizer="batch", batch_size=8, lr=lr))
    qtbot.waitUntil(lambda: window.state.problem.lr_limit is not None, timeout=10000)
    window.step_batch_action.trigger()
    qtbot.waitUntil(lambda: window.state.step is not None and window.run.settled)
    state = window.state
    expected = diagnose_view(state.problem, state.settings.lr, state.view)
    assert expected.verdict == verdict
    line = f"Verdict: {VERDICT_WORDS[verdict]}. {expected.text}"
    card_box = window.canvas.side.card
    qtbot.waitUntil(lambda: card_box.toPlainText().splitlines()[-1] == line)
    assert card_box.toPlainText().splitlines()[:-2] == card(state.step.update)
    assert window.status_fields["verdict"].text() == VERDICT_WORDS[verdict]
    window.close()
