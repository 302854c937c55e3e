"""`train --lesson NAME`: a lesson's settings, with the options given still overriding them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from model.cli import run_train
from model.lesson import shipped_lesson

ROOT = Path(__file__).resolve().parent.parent


def test_train_with_a_lessons_settings_writes_its_run(tmp_path):
    """Lesson 6's settings (full batch, λ = 0.1, η = 5, 60 epochs) reach result.json and the history, from the
    command a learner types."""
    done = subprocess.run([sys.executable, "main.py", "train", "--lesson", "06-learning-rate", "--quiet",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    expected = shipped_lesson("06-learning-rate").settings.to_dict()
    assert result["settings"] == {name: expected[name] for name in result["settings"]}
    assert result["data"]["n0"] == expected["n0"] == 100
    assert result["settings"]["optimizer"] == "batch" and result["settings"]["l2"] == 0.1
    assert len((tmp_path / "history.csv").read_text().splitlines()) == 1 + 61


def test_options_override_the_lesson(tmp_path):
    assert run_train(["--lesson", "06-learning-rate", "--lr", "25", "--quiet", "--out", str(tmp_path)]) == 1
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["settings"]["lr"] == 25 and result["final"]["status"] == "diverged"


def test_a_lesson_file_is_read_and_a_bad_one_refused_with_its_line(tmp_path, capsys):
    good = tmp_path / "mine.md"
    good.write_text('+++\ntitle = "Mine"\nepochs = 3\n+++\n## One\nText.\n', encoding="utf-8")
    assert run_train(["--lesson", str(good), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert json.loads((tmp_path / "run" / "result.json").read_text())["settings"]["epochs"] == 3
    capsys.readouterr()
    bad = tmp_path / "bad.md"
    bad.write_text('+++\ntitle = "Bad"\nepochs = 0\n+++\n## One\nText.\n', encoding="utf-8")
    assert run_train(["--lesson", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"python main.py train: error: --lesson {bad}: line 3: epochs: ")
    assert run_train(["--lesson", "nowhere"]) == 2
    assert "There is no lesson 'nowhere'" in capsys.readouterr().err
