"""How the app is installed and named: usage lines name the command the user ran, the package ships only what the
app loads, the licence is declared as packaging tools expect it, and example runs stay out of version control."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from model.examples import NAMES as EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _console_script(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Call the installed command's entry point as its launcher does: sys.argv set, no arguments."""
    module_name, function_name = PYPROJECT["project"]["scripts"]["neuron-lab"].split(":")
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/neuron-lab", *args])
    entry_point = getattr(importlib.import_module(module_name), function_name)
    try:
        return entry_point()
    except SystemExit as done:
        return done.code


def test_the_script_names_itself_python_main_py():
    assert _run_script("--help").stdout.startswith("usage: python main.py ")
    assert _run_script("train", "--help").stdout.startswith("usage: python main.py train ")
    assert _run_script("train", "--n0", "-4").stderr.startswith("python main.py train: error:")


def test_the_installed_command_names_itself_neuron_lab(monkeypatch, capsys):
    assert _console_script(monkeypatch, "--help") == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0].startswith("usage: neuron-lab ") and "neuron-lab train --help" in shown[1]
    assert _console_script(monkeypatch, "train", "--help") == 0
    assert capsys.readouterr().out.startswith("usage: neuron-lab train ")
    assert _console_script(monkeypatch, "train", "--n0", "-4") == 2
    assert capsys.readouterr().err.startswith("neuron-lab train: error:")
    assert _console_script(monkeypatch, "fly") == 2
    assert capsys.readouterr().err.startswith("neuron-lab: error: unknown command 'fly'")


def test_the_package_ships_only_what_the_app_loads_from_resources():
    """The wheel's resources are the icon, the example data files and the lessons: the README's screenshot and the
    script that remakes it stay in the checkout (setuptools packages every module of a listed package, and the
    package-data files that match)."""
    assert PYPROJECT["tool"]["setuptools"]["include-package-data"] is False
    shipped = {path.relative_to(ROOT / "resources").as_posix()
               for pattern in PYPROJECT["tool"]["setuptools"]["package-data"]["resources"]
               for path in (ROOT / "resources").glob(pattern)}
    modules = {path.name for path in (ROOT / "resources").glob("*.py")}
    lessons = {f"lessons/{path.name}" for path in (ROOT / "resources" / "lessons").glob("*.md")}
    assert lessons and shipped == {"icon.svg", *(f"examples/{name}.csv" for name in EXAMPLES), *lessons}
    assert modules == {"__init__.py"}
    assert (ROOT / "resources" / "screenshot.png").is_file()


def test_the_licence_is_an_spdx_expression_with_its_file():
    """The table form `license = {text = ...}` is deprecated by setuptools; the SPDX string needs setuptools 77."""
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    licence_files = [path for pattern in project["license-files"] for path in ROOT.glob(pattern)]
    assert licence_files and "MIT License" in licence_files[0].read_text(encoding="utf-8")
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_the_readme_examples_write_where_git_does_not_look(tmp_path):
    """Following the README's `--out run1` must not leave untracked files in the checkout."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    commands = re.findall(r"^```\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), re.M | re.S)
    outs = {out for block in commands for out in re.findall(r"--out (\S+)", block)}
    assert outs
    for out in outs:
        checked = subprocess.run(["git", "check-ignore", "-q", f"{out}/history.csv"], cwd=ROOT, timeout=60)
        assert checked.returncode == 0, f"{out}/ is not ignored"
