"""Regression tests for what broke when the window was pushed hard: each one failed on the earlier code."""

from __future__ import annotations

import dataclasses
import threading
import xml.etree.ElementTree as ElementTree

import numpy as np
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtCore, QtWidgets

from gui.base.style import OPTIMUM_COLOUR
from gui.export.export_dialog import ExportChoice
from gui.export.figures import Figure, FigureContent
from model.data import generate
from model.session import save_session, session_of
from model.trainer import Trainer

SVG = "{http://www.w3.org/2000/svg}"


def _type(qtbot, window, name: str, text: str) -> None:
    edit = window.panel.fields[name]
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_the_exact_optimum_survives_every_redraw_and_reaches_exported_figures(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(l2=0.1, epochs=60))
    qtbot.waitUntil(lambda: window.state.optimum.exists)
    window.play_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    assert window.state.optimum.exists
    path = tmp_path / "main.svg"
    assert window.file_actions.export_figure(ExportChoice("main", "svg", 1), str(path))
    strokes = {element.get("stroke", "").lower() for element in ElementTree.parse(path).getroot().iter()}
    assert OPTIMUM_COLOUR.lower() in strokes
    window.close()


def test_an_exception_on_the_training_thread_reaches_the_learner_and_the_app_stays_usable(qtbot, window,
                                                                                        monkeypatch):
    def broken(self):
        raise RuntimeError("the fast kernel failed to load")

    monkeypatch.setattr(Trainer, "step_epoch", broken)
    with qtbot.waitSignal(window.errors.faulted, timeout=5000) as blocker:
        window.step_epoch_action.trigger()
    assert "the fast kernel failed to load" in blocker.args[1]
    box = window.findChild(QtWidgets.QMessageBox, "errorBox")
    assert box.isVisible() and "Traceback" in box.detailedText()
    assert "the fast kernel failed to load" in box.text()
    qtbot.waitUntil(lambda: not window.busy_bar.isVisible())
    monkeypatch.undo()
    box.close()
    window.step_epoch_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 1)


def test_a_kernel_that_cannot_load_stops_play_with_a_message(qtbot, window, monkeypatch):
    def no_kernel():
        raise ImportError("numba's compiled loop is missing")

    monkeypatch.setattr("model.trainer.best_kernel", no_kernel)
    with qtbot.waitSignal(window.errors.faulted, timeout=5000) as blocker:
        window.play_action.trigger()
    assert "compiled loop is missing" in blocker.args[1]
    qtbot.waitUntil(lambda: not window.playing and not window.busy_bar.isVisible())
    assert not window.busy_label.isVisible()


def test_typing_a_sample_count_restarts_once_and_samples_are_drawn_off_the_gui_thread(qtbot, window,
                                                                                   monkeypatch):
    threads = []
    import gui.runs.worker

    original = gui.runs.worker.dataset_for

    def recording(settings):
        threads.append(threading.get_ident())
        return original(settings)

    monkeypatch.setattr(gui.runs.worker, "dataset_for", recording)
    requests = []
    window.run.configureRequested.connect(lambda *args: requests.append(args))
    _type(qtbot, window, "n0", "100000")
    assert requests == []
    view = wait_for_view(qtbot, window, lambda v: v.n_samples == 100_030)
    assert len(requests) == 1 and view.epoch == 0
    assert threads and threading.main_thread().ident not in threads
    assert window.state.data is window.run.worker_thread.worker.trainer.data


def test_enter_applies_an_edit_at_once(qtbot, window):
    requests = []
    window.run.configureRequested.connect(lambda *args: requests.append(args))
    _type(qtbot, window, "n1", "45")
    qtbot.keyClick(window.panel.fields["n1"], QtCore.Qt.Key.Key_Return)
    assert len(requests) == 1 and requests[0][1].n1 == 45
    wait_for_view(qtbot, window, lambda v: v.n_samples == 75)


def test_extreme_values_are_refused_and_window_and_worker_keep_agreeing(qtbot, window, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("x,label\n1e308,0\n-1e308,1\n-1,0\n1,1\n")
    before = window.state.data
    with qtbot.waitSignal(window.errors.reported, timeout=5000) as blocker:
        window.load_csv(str(huge))
    assert "too large" in blocker.args[1]
    wait_for_view(qtbot, window, lambda v: v.n_samples == len(before))
    assert window.state.data is before is window.run.worker_thread.worker.trainer.data
    _type(qtbot, window, "sigma0", "1e308")
    assert "sigma0" in window.panel.problems()
    assert not window.play_action.isEnabled()


def test_a_save_that_fails_is_reported(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.errors.reported, timeout=5000) as blocker:
        window.save_session(str(tmp_path / "missing folder" / "run.json"))
    assert "could not be saved" in blocker.args[0]


def test_the_divergence_banner_shows_text_from_a_file_as_plain_text(qtbot, window, tmp_path):
    trainer = Trainer(SMALL.replace(lr=10.0, l2=1.0), generate(SMALL))
    trainer.run_to_end()
    session = session_of(trainer)
    markup = "<h1>Big</h1><a href='https://example.invalid'>click</a>"
    session = dataclasses.replace(session, state=dataclasses.replace(session.state, message=markup))
    path = tmp_path / "diverged.json"
    save_session(session, path)
    window.open_session(str(path))
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.textFormat() == QtCore.Qt.TextFormat.PlainText
    assert window.banner.text().startswith(markup), "the η_max sentence follows once the samples are studied"


def test_svg_export_draws_every_sample_as_a_vector_circle(qtbot, window, tmp_path):
    """Each sample lies within a pixel of a circle's centre (samples sharing a pixel share its circle)."""
    path = tmp_path / "main.svg"
    assert window.file_actions.export_figure(ExportChoice("main", "svg", 1), str(path))
    root = ElementTree.parse(path).getroot()
    assert list(root.iter(f"{SVG}image")) == []
    centres = np.array([(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")])
    figure = Figure("main", FigureContent(window.state.data, "bce", window.canvas.last_view, window.state.problem))
    view_box = figure.views["main"].plot.vb
    origin = figure.widget.ci.sceneBoundingRect().topLeft()
    for x in window.state.data.x:
        point = view_box.mapViewToScene(QtCore.QPointF(x, 0.0)) - origin
        assert np.hypot(*(centres - [point.x(), point.y()]).T).min() <= 1.0
    assert len(centres) <= len(window.state.data)
    figure.close()
