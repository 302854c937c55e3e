"""Without a usable display the window says in one line what is missing, instead of Qt aborting the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.window.display_check import X11_LIBRARIES, can_load, display_problem, x_server_answers

ROOT = Path(__file__).resolve().parent.parent


def _everything_loads(soname: str) -> bool:
    return True


def _server_answers(display: str) -> bool:
    return True


def _open_window_with(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{name: value for name, value in env_changes.items() if value is not None}}
    for name in (name for name, value in env_changes.items() if value is None):
        env.pop(name, None)
    return subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("display", [None, ":4321"], ids=["no display", "a display nobody serves"])
def test_main_py_without_a_usable_display_says_so_in_one_line(display):
    done = _open_window_with({"DISPLAY": display, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None})
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("python main.py: error: cannot open the window: ")
    assert done.stderr.count("\n") == 1 and "qt.qpa" not in done.stderr and done.stdout == ""


def test_no_display_names_both_variables():
    problem = display_problem({"HOME": "/tmp"}, "linux", _everything_loads, _server_answers)
    assert problem is not None and "DISPLAY" in problem and "WAYLAND_DISPLAY" in problem


def test_missing_x11_libraries_are_named_by_the_package_to_install():
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4"}
    asked = []

    def finder(soname: str) -> bool:
        asked.append(soname)
        return soname not in absent

    problem = display_problem({"DISPLAY": ":0"}, "linux", finder, _server_answers)
    assert set(asked) == set(X11_LIBRARIES)
    assert problem is not None and problem.endswith("sudo apt install libxcb-cursor0 libxcb-icccm4")


def test_a_display_that_does_not_answer_is_named():
    problem = display_problem({"DISPLAY": ":7"}, "linux", _everything_loads, lambda display: False)
    assert problem is not None and "DISPLAY=:7 does not answer" in problem


def test_a_working_x11_desktop_opens():
    assert display_problem({"DISPLAY": ":0"}, "linux", _everything_loads, _server_answers) is None


@pytest.mark.parametrize("env, platform", [
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
    ({}, "darwin"),
    ({}, "win32"),
])
def test_platforms_qt_chooses_otherwise_are_left_to_it(env, platform):
    def refuse(_: str) -> bool:
        raise AssertionError("nothing is looked up")

    assert display_problem(env, platform, refuse, refuse) is None


def test_the_loader_finds_what_is_there_and_only_that():
    assert can_load("libc.so.6")
    assert not can_load("libneuron-lab-no-such-library.so.0")


@pytest.mark.skipif(not can_load("libxcb.so.1"), reason="needs libxcb")
def test_a_display_nobody_serves_does_not_answer():
    assert not x_server_answers(":4321")
