"""Export and sessions from the window: figures, data files, save and reopen, refusal of bad files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtCore, QtGui, QtWidgets

from gui.base.style import LOSS_COLOUR, SIGMOID_COLOUR
from gui.export.export_dialog import ExportChoice, ExportDialog
from gui.export.figures import Figure, FigureContent
from gui.window.file_actions import EXPORT_FOLDER_KEY, app_settings
from model.csv_io import load_csv
from model.data import generate
from model.trainer import Trainer

SVG = "{http://www.w3.org/2000/svg}"


def _trained(qtbot, window, epochs: int = 8):
    for epoch in range(1, epochs + 1):
        window.step_epoch_action.trigger()
        wait_for_view(qtbot, window, lambda v, e=epoch: v.epoch == e)
    return window.canvas.last_view


@pytest.mark.parametrize("kind", ["main", "parameters", "loss", "snapshots", "canvas"])
@pytest.mark.parametrize("scale", [1, 3])
def test_png_export_decodes_to_the_requested_size(qtbot, window, tmp_path, kind, scale):
    _trained(qtbot, window)
    qtbot.waitUntil(lambda: window.state.picture is not None)
    path = tmp_path / f"{kind}.png"
    assert window.file_actions.export_figure(ExportChoice(kind, "png", scale), str(path))
    image = QtGui.QImage(str(path))
    assert not image.isNull()
    content = FigureContent(window.state.data, "bce", window.canvas.last_view, window.state.problem,
                            picture=window.state.picture)
    figure = Figure(kind, content)
    width, height = figure.size
    figure.close()
    assert (image.width(), image.height()) == (width * scale, height * scale)
    assert f"({width * scale} × {height * scale})" in window.statusBar().currentMessage()


def test_svg_export_is_xml_with_the_curves(qtbot, window, tmp_path):
    _trained(qtbot, window)
    path = tmp_path / "canvas.svg"
    assert window.file_actions.export_figure(ExportChoice("canvas", "svg", 1), str(path))
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    strokes = [element.get("stroke", "").lower() for element in root.iter()]
    assert SIGMOID_COLOUR.lower() in strokes
    assert LOSS_COLOUR.lower() in strokes
    titles = [element.text for element in root.iter(f"{SVG}text")]
    assert any("Epoch 8" in (text or "") for text in titles)


def test_snapshot_grid_is_laid_out_three_to_a_row_with_epoch_titles(qtbot, window):
    view = _trained(qtbot, window)
    figure = Figure("snapshots", FigureContent(window.state.data, "bce", view, window.state.problem))
    cells = [item for item in figure.widget.ci.items if hasattr(item, "titleLabel")]
    assert len(cells) == 3
    assert [c.titleLabel.text.count("Epoch") for c in cells] == [1, 1, 1]
    tops = {round(c.sceneBoundingRect().top()) for c in cells}
    assert len(tops) == 1
    figure.close()


def test_export_to_an_unknown_suffix_or_missing_folder_says_why(qtbot, window, tmp_path):
    assert not window.file_actions.export_figure(ExportChoice("main", "png", 1), str(tmp_path / "figure.bmp"))
    assert ".png or .svg" in window.statusBar().currentMessage()
    assert not window.file_actions.export_figure(ExportChoice("main", "png", 1), str(tmp_path / "no" / "x.png"))
    assert list(tmp_path.iterdir()) == []


def test_failed_export_keeps_the_previous_file(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "main.png"
    assert window.file_actions.export_figure(ExportChoice("main", "png", 1), str(path))
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("model.files.os.fsync", fail)
    assert not window.file_actions.export_figure(ExportChoice("main", "png", 2), str(path))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.png"]


def test_samples_csv_round_trip_is_exact(qtbot, window, tmp_path):
    path = tmp_path / "samples.csv"
    window.file_actions.export_samples(str(path))
    loaded = load_csv(path)
    assert np.array_equal(loaded.x, window.state.data.x) and np.array_equal(loaded.y, window.state.data.y)


def test_history_csv_has_one_row_per_epoch_with_the_boundary(qtbot, window, tmp_path):
    view = _trained(qtbot, window, epochs=3)
    path = tmp_path / "history.csv"
    window.file_actions.export_history(str(path))
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,w,b,loss,accuracy,boundary"
    assert len(lines) == 5
    epoch, w, b, loss, accuracy, boundary = lines[-1].split(",")
    assert (int(epoch), float(w), float(b), float(loss)) == (3, view.w, view.b, view.loss)
    assert float(accuracy) == view.accuracy
    assert float(boundary) == pytest.approx(-view.b / view.w)


def test_export_dialog_remembers_the_folder(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "figures" / "neuron.svg"
    target.parent.mkdir()
    monkeypatch.setattr(ExportDialog, "exec", lambda self: QtWidgets.QDialog.DialogCode.Accepted)
    monkeypatch.setattr(ExportDialog, "choice", lambda self: ExportChoice("main", "svg", 1))
    asked = []

    def save_name(parent, caption, start, filters):
        asked.append(start)
        return str(target), filters

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_name)
    window.file_actions.export_action.trigger()
    assert target.exists() and target.stat().st_size > 0
    assert app_settings().value(EXPORT_FOLDER_KEY) == str(target.parent)
    window.file_actions.export_action.trigger()
    assert asked[-1].startswith(str(target.parent))


def _save(qtbot, window, path) -> None:
    with qtbot.waitSignal(window.sessionSaved, timeout=5000):
        window.save_session(str(path))


def test_saved_session_reopens_and_continues_like_an_uninterrupted_run(qtbot, window, tmp_path):
    _trained(qtbot, window, epochs=5)
    for position in (1, 2, 3):
        window.step_batch_action.trigger()
        wait_for_view(qtbot, window, lambda v, p=position: v.position == p)
    path = tmp_path / "run.json"
    _save(qtbot, window, path)

    reopened = open_window(qtbot, SMALL.replace(seed=99, n0=10))
    reopened.open_session(str(path))
    view = wait_for_view(qtbot, reopened, lambda v: v.epoch == 5 and v.position == 3)
    assert reopened.panel.settings() == window.state.settings == reopened.state.settings
    assert reopened.canvas.neuron.z_line.getData()[1][0] == window.canvas.neuron.z_line.getData()[1][0]
    assert len(reopened.canvas.side.snapshots.cells) == len(window.canvas.side.snapshots.cells)
    reopened.run_to_end_action.trigger()
    view = wait_for_view(qtbot, reopened, lambda v: v.status == "finished")

    uninterrupted = Trainer(SMALL, generate(SMALL))
    uninterrupted.run_to_end()
    assert (view.w, view.b) == (uninterrupted.w, uninterrupted.b)
    reopened.close()


@pytest.mark.parametrize("content", [
    "",
    "{not json",
    json.dumps({"format": "something else"}),
    json.dumps({"format": "neuron-lab-session", "version": 1, "settings": {"sigma0": -1}}),
])
def test_bad_session_file_is_refused_and_the_open_session_untouched(qtbot, window, tmp_path, content):
    view = _trained(qtbot, window, epochs=2)
    settings, data = window.state.settings, window.state.data
    path = tmp_path / "bad.json"
    path.write_text(content)
    with qtbot.waitSignal(window.errors.reported, timeout=5000):
        window.open_session(str(path))
    wait_for_view(qtbot, window, lambda v: v.epoch == view.epoch)
    assert window.state.settings == settings and window.state.data is data
    assert window.panel.settings() == settings
    box = window.findChild(QtWidgets.QMessageBox, "errorBox")
    assert box is not None and box.text()


def test_truncated_session_is_refused(qtbot, window, tmp_path):
    path = tmp_path / "run.json"
    _save(qtbot, window, path)
    path.write_text(path.read_text()[:500])
    with qtbot.waitSignal(window.errors.reported, timeout=5000) as blocker:
        window.open_session(str(path))
    assert "truncated" in blocker.args[1]


def test_headless_figures_match_the_window_figures(tmp_path):
    from gui.export.figures import headless_figure_writer
    from model.cli import run_train

    code = run_train(["--epochs", "20", "--n0", "40", "--n1", "40", "--out", str(tmp_path), "--figures", "--quiet"],
                     figure_writer=headless_figure_writer)
    assert code == 0
    for kind in ("main", "parameters", "loss", "snapshots", "canvas"):
        assert not QtGui.QImage(str(tmp_path / f"{kind}.png")).isNull()
        assert ElementTree.parse(tmp_path / f"{kind}.svg").getroot().tag == f"{SVG}svg"
    history = (tmp_path / "history.csv").read_text().splitlines()
    assert len(history) == 22


def test_window_layout_is_remembered_between_launches(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    first = open_window(qtbot)
    size = (first.minimumSizeHint().width(), 650)
    first.resize(*size)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == size)
    top = first.canvas.findChild(QtWidgets.QSplitter, "columnSplitter")
    top.setSizes([300, 700])
    chosen = top.sizes()
    first.close()
    second = open_window(qtbot)
    assert (second.width(), second.height()) == size
    assert second.canvas.findChild(QtWidgets.QSplitter, "columnSplitter").sizes() == chosen
    second.close()


def test_unreadable_remembered_choice_falls_back_to_the_default(qtbot, window):
    from gui.window.file_actions import DEFAULT_CHOICE, EXPORT_CHOICE_KEY

    app_settings().setValue(EXPORT_CHOICE_KEY, "pie-chart,gif,nine")
    assert window.file_actions._remembered_choice() == DEFAULT_CHOICE
    app_settings().setValue(EXPORT_CHOICE_KEY, "loss,svg,3")
    assert window.file_actions._remembered_choice() == ExportChoice("loss", "svg", 3)


def test_an_export_does_not_run_the_event_loop_halfway(qtbot, window, tmp_path):
    """Nothing the learner does (a click, a key, a timer's work) is handled in the middle of writing a figure."""
    exporting = [True]
    seen = []
    QtCore.QTimer.singleShot(0, lambda: seen.append(exporting[0]))
    assert window.file_actions.export_figure(ExportChoice("canvas", "png", 1), str(tmp_path / "canvas.png"))
    exporting[0] = False
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [False]
