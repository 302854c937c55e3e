"""Test set-up: Qt draws offscreen so the suite runs without a display."""

import gc
import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Remembered folders and window layout go to a throw-away place, never the tester's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="neuron-lab-test-config-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives Qt (it uses qtbot, or lives in a test_gui_ module) as `gui`, so
    `pytest -m "not gui"` runs the engine's tests alone as a fast inner loop."""
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()) or item.path.name.startswith("test_gui_"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True, scope="session")
def collect_garbage_between_tests_only():
    """The suite opens dozens of windows, each with a training thread. Python's cycle collector, left to run at
    any moment, could tear down an earlier window's Qt objects on the GUI thread while the next window's worker
    runs, which PySide does not always survive. Collect only between tests, when no worker is running.

    What is loaded by then (the test modules and the libraries they import) lives as long as the suite and is set
    aside (gc.freeze), as the app sets its own aside: each collection then walks only what the tests made."""
    gc.disable()
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
    gc.enable()


@pytest.fixture(autouse=True)
def fresh_window_test(request: pytest.FixtureRequest):
    """Each window test starts as a first launch, with the application made (Qt aborts the process on a pixmap
    made before it, and on several processes a test may be the first of its process to draw): no layout
    remembered from the test before it, which would make a test's outcome depend on the order the tests run in.
    Windows' cycles are collected between tests. Engine tests leave none that matter, and a full collection over
    the loaded libraries costs a tenth of a second: most of their time, were it done after each of them."""
    gui = request.node.get_closest_marker("gui") is not None
    if gui:
        request.getfixturevalue("qapp")
        from gui.window.file_actions import app_settings

        app_settings().clear()
    yield
    if gui:
        gc.collect()


@pytest.fixture
def window(qtbot, monkeypatch):
    """A small Neuron Lab window on the plain-Python kernel, closed after the test."""
    from gui_helpers import open_window

    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    made = open_window(qtbot)
    yield made
    made.close()
