"""A setting declared in one place appears in the panel, the command line, validation, change classification and
the session's keys, without touching any of them."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

import pytest
from PySide6 import QtWidgets

from gui.widgets.panels import SettingsPanel
from model.cli_options import add_setting_options, given_settings
from model.declaration import Apply, setting
from model.settings import Settings, classify_change


@dataclass(frozen=True)
class WithMomentum(Settings):
    momentum: float = setting(0.9, label="momentum μ", group="Training", apply=Apply.LIVE, low=0.0, high=1.0,
                              help="How much of the last step each update keeps.")


def test_a_new_setting_is_validated_with_words_from_its_declaration():
    assert WithMomentum().problems() == {}
    assert WithMomentum(momentum=1.5).problems() == {
        "momentum": "Momentum μ must be a finite number from 0 to 1."}


def test_a_new_setting_gets_a_command_line_option_with_its_help():
    parser = argparse.ArgumentParser(prog="train")
    add_setting_options(parser, WithMomentum)
    assert "momentum μ: How much of the last step each update keeps. (default 0.9)" in " ".join(
        parser.format_help().split())
    given = given_settings(parser.parse_args(["--momentum", "0.5", "--lr", "0.2"]), WithMomentum)
    assert given == {"momentum": 0.5, "lr": 0.2}
    assert WithMomentum().replace(**given).validated().momentum == 0.5


def test_a_new_setting_round_trips_through_a_session_s_settings_and_applies_as_declared():
    changed = WithMomentum(momentum=0.25, lr=0.5)
    raw = json.loads(json.dumps(changed.to_dict()))
    assert raw["momentum"] == 0.25
    assert WithMomentum.from_dict(raw) == changed
    change = classify_change(WithMomentum(), WithMomentum(momentum=0.5))
    assert change.changed == {"momentum"} and change.live and not change.restart


def test_a_new_setting_has_its_row_in_the_panel_checked_as_it_is_typed(qtbot):
    panel = SettingsPanel(WithMomentum())
    qtbot.addWidget(panel)
    edit = panel.fields["momentum"]
    assert edit.text() == "0.9" and edit.toolTip() == "How much of the last step each update keeps."
    training = next(box for box in panel.findChildren(QtWidgets.QGroupBox) if box.title() == "Training")
    assert edit in training.findChildren(type(edit))
    edits = []
    panel.settingsEdited.connect(lambda candidate, problems: edits.append((candidate, problems)))
    edit.selectAll()
    qtbot.keyClicks(edit, "2")
    assert edits[-1][1] == {"momentum": "Momentum μ must be a finite number from 0 to 1."}
    edit.selectAll()
    qtbot.keyClicks(edit, "0.5")
    candidate, problems = edits[-1]
    assert problems == {} and candidate.momentum == pytest.approx(0.5)
