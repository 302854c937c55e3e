"""Test set-up: Qt draws offscreen so the suite runs without a display."""

import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Remembered folders and window layout go to a throw-away place, never the tester's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="neuron-lab-test-config-")


@pytest.fixture
def window(qtbot, monkeypatch):
    """A small Neuron Lab window on the plain-Python kernel, closed after the test."""
    from gui_helpers import open_window

    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    made = open_window(qtbot)
    yield made
    made.close()
