"""A learner who clicks everything: a seeded random sequence of 600 actions must raise no exception anywhere, leave
the window and the training thread agreeing on the run, and leave no thread behind."""

from __future__ import annotations

import random
import threading

import pytest
from gui_helpers import SMALL, open_window, wait_for_view
from PySide6 import QtCore, QtWidgets

from gui.export.export_dialog import ExportChoice
from model.settings import PRESETS

ACTIONS = 600
FIELD_TEXT = {
    "mu0": ["-1.5", "-3", "0", "2.5e1", "-1e3", "1e308", "abc", ""],
    "sigma0": ["1", "0.2", "3", "-2", "0", "1e308", "x"],
    "n0": ["1", "30", "200", "7", "0", "-5", "1.5", "1000000000"],
    "mu1": ["1.5", "4", "-1e-3", "1e303", "nan"],
    "sigma1": ["1", "0.5", "inf", "2e0"],
    "n1": ["30", "2", "150", "abc"],
    "seed": ["0", "7", "123456", "-1", "9" * 30],
    "init_w": ["0", "1.5", "-1e6", "1e7", "1e-3"],
    "init_b": ["0", "-2", "1e6", "nan"],
    "l2": ["0", "0.1", "1", "1e308", "-1"],
    "lr": ["0.01", "0.5", "10", "1000", "0", "1e-9"],
    "batch_size": ["1", "16", "500", "0"],
    "epochs": ["5", "30", "1", "0", "1000001"],
    "every": ["1", "4", "10", "0"],
}

WEIGHTS = {"play": 2, "step_epoch": 1, "step_update": 2, "run_to_end": 1, "reset": 1, "type_field": 3,
           "press_enter": 1, "preset": 1, "combo": 1, "tick": 1, "new_samples": 1, "load_data": 1, "export": 1,
           "save": 1, "open_session": 1, "close_boxes": 1, "reopen": 1}
"""How often a learner does each thing, relative to the others."""


class Learner:
    """Drives one window the way a person would, through its widgets and menu actions."""

    def __init__(self, qtbot, tmp_path, rng: random.Random):
        self.qtbot = qtbot
        self.tmp = tmp_path
        self.rng = rng
        self.faults: list[str] = []
        self.refusals: list[str] = []
        self.done: list[str] = []
        self.window = None
        self.good_csv = tmp_path / "good.csv"
        self.good_csv.write_text("x,label\n-1,0\n-2,0\n-0.5,0\n1,1\n3,1\n0.2,1\n")
        self.bad_csv = tmp_path / "bad.csv"
        self.bad_csv.write_text("x,label\n1,0\n2,banana\n")
        self.huge_csv = tmp_path / "huge.csv"
        self.huge_csv.write_text("x,label\n1e308,0\n-1e308,1\n")
        self.session = tmp_path / "run.json"
        self.bad_session = tmp_path / "bad.json"
        self.bad_session.write_text('{"format": "neuron-lab-session", "version": 1, "settings": {"epoch": 1e999}}')
        self.open()

    def open(self) -> None:
        self.window = open_window(self.qtbot, SMALL.replace(epochs=40))
        self.window.errors.faulted.connect(lambda title, details: self.faults.append(details))
        self.window.errors.reported.connect(lambda title, message: self.refusals.append(message))

    def act(self) -> None:
        name = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        getattr(self, name)()
        self.done.append(name)
        QtWidgets.QApplication.processEvents()

    def play(self) -> None:
        self.qtbot.keyClick(self.window.canvas.main_plot, QtCore.Qt.Key.Key_Space)

    def step_epoch(self) -> None:
        self.window.step_epoch_action.trigger()

    def step_update(self) -> None:
        self.qtbot.keyClick(self.window.canvas.main_plot, QtCore.Qt.Key.Key_Right,
                            QtCore.Qt.KeyboardModifier.ShiftModifier)

    def run_to_end(self) -> None:
        self.window.run_to_end_action.trigger()

    def reset(self) -> None:
        self.window.reset_action.trigger()

    def type_field(self) -> None:
        name = self.rng.choice(sorted(FIELD_TEXT))
        edit = self.window.panel.fields[name]
        if not edit.isEnabled():
            return
        edit.selectAll()
        self.qtbot.keyClicks(edit, self.rng.choice(FIELD_TEXT[name]))

    def press_enter(self) -> None:
        edit = self.window.panel.fields[self.rng.choice(sorted(FIELD_TEXT))]
        self.qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)

    def preset(self) -> None:
        combo = self.window.panel.preset
        index = self.rng.randrange(len(PRESETS))
        combo.setCurrentIndex(index)
        combo.activated.emit(index)

    def combo(self) -> None:
        panel = self.window.panel
        combo = self.rng.choice(list(panel.choices.values()))
        index = self.rng.randrange(combo.count())
        combo.setCurrentIndex(index)
        combo.activated.emit(index)

    def tick(self) -> None:
        panel = self.window.panel
        switches = [*panel.switches.values(), panel.at_label, panel.histograms, *panel.random_starts.values()]
        self.rng.choice(switches).click()

    def new_samples(self) -> None:
        self.window.panel.findChild(QtWidgets.QPushButton, "regenerate").click()

    def load_data(self) -> None:
        self.window.load_csv(str(self.rng.choice([self.good_csv, self.bad_csv, self.huge_csv])))

    def export(self) -> None:
        actions = self.window.file_actions
        kind = self.rng.choice(["main", "loss", "snapshots", "canvas", "history", "samples"])
        if kind == "history":
            actions.export_history(str(self.tmp / "history.csv"))
        elif kind == "samples":
            actions.export_samples(str(self.tmp / "samples.csv"))
        else:
            fmt = self.rng.choice(["png", "svg"])
            actions.export_figure(ExportChoice(kind, fmt, 1), str(self.tmp / f"{kind}.{fmt}"))

    def save(self) -> None:
        self.window.save_session(str(self.session))

    def open_session(self) -> None:
        good = self.session.exists() and self.rng.random() < 0.7
        self.window.open_session(str(self.session if good else self.bad_session))

    def close_boxes(self) -> None:
        for box in self.window.findChildren(QtWidgets.QMessageBox):
            box.close()

    def reopen(self) -> None:
        if self.rng.random() < 0.3:
            self.window.close()
            self.open()

    def settle(self) -> None:
        """Fix every field, stop, and wait until the window shows a view of the worker's latest request."""
        window = self.window
        if window.playing:
            window.play_action.trigger()
            self.qtbot.waitUntil(lambda: not window.playing, timeout=10000)
        for name, edit in window.panel.fields.items():
            if name in window.panel.problems():
                edit.setText(FIELD_TEXT[name][0])
                edit.textEdited.emit(edit.text())
        window.reset_action.trigger()
        self.qtbot.waitUntil(lambda: window.state is not None and window.state.view is not None
                             and window.state.view.epoch == 0 and window.run.settled, timeout=10000)


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_six_hundred_random_actions_leave_no_error_and_agreeing_threads(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    baseline = threading.active_count()
    learner = Learner(qtbot, tmp_path, random.Random(20261126))
    for _ in range(ACTIONS):
        learner.act()
    learner.settle()
    window = learner.window
    trainer = window.run.worker_thread.worker.trainer
    assert learner.faults == []
    assert len(learner.done) == ACTIONS and set(learner.done) == set(WEIGHTS)
    assert learner.refusals, "the bad files given should have been refused with a message"
    assert window.state.data is trainer.data
    assert window.state.settings == trainer.settings == window.panel.settings()
    view = wait_for_view(qtbot, window, lambda v: v.epoch == 0)
    assert view.n_samples == len(trainer.data)
    window.close()
    assert not window.run.worker_thread.thread.isRunning()
    assert threading.active_count() == baseline
