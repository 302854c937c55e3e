"""Test set-up: Qt draws offscreen so the suite runs without a display."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qtbot, monkeypatch):
    """A small Neuron Lab window on the plain-Python kernel, closed after the test."""
    from gui_helpers import open_window

    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    made = open_window(qtbot)
    yield made
    made.close()
