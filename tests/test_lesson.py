"""Lessons: the format read with its line numbers, every shipped lesson played headless, predictions scored."""

from __future__ import annotations

import math

import pytest

from model.lesson import LessonError, lesson_names, load_lesson, parse_lesson, shipped_lesson
from model.lesson_run import LessonRun, Score, judge, play_through, truth
from model.neuron import boundary
from model.settings import Settings
from model.sources import dataset_for
from model.trainer import Trainer

GOOD = """+++
title = "A small lesson"
panes = ["neuron", "loss"]
locked = ["loss"]
init_w = 1.0
init_b = 0.0
lr = 0.5
+++

## The bias moves the boundary

Raise b to 3.

```step
action = "set"
set = { init_b = 3.0 }
[question]
kind = "click"
view = "neuron"
text = "Where will x* be?"
measure = "boundary"
tolerance = 0.25
```

## One update

```step
action = "update"
[question]
kind = "number"
text = "Where will x* be after one update?"
measure = "boundary"
tolerance = 0.05
```

Watch the boundary move.

## Ten epochs

Ten passes over the samples.

```step
action = "epochs"
count = 10
[question]
kind = "choice"
text = "Will the loss go up or down?"
options = ["up", "down"]
measure = "loss_trend"
```
"""


def test_a_lesson_reads_its_settings_panes_locks_and_steps():
    lesson = parse_lesson(GOOD, "small")
    assert lesson.title == "A small lesson"
    assert lesson.settings == Settings(init_w=1.0, init_b=0.0, lr=0.5)
    assert lesson.panes == ("neuron", "loss")
    assert lesson.locked == ("loss",)
    assert [step.title for step in lesson.steps] == ["The bias moves the boundary", "One update", "Ten epochs"]
    assert [step.line for step in lesson.steps] == [10, 25, 38]
    assert lesson.steps[1].text == "Watch the boundary move."
    assert lesson.steps[2].action.count == 10


def test_the_truth_is_what_a_trainer_does():
    """x* after one update is −b/w of a trainer stepped by hand from the same settings."""
    lesson = parse_lesson(GOOD, "small")
    played = play_through(lesson)
    assert played[0][2] == pytest.approx(-3.0)
    by_hand = Trainer(Settings(init_w=1.0, init_b=3.0, lr=0.5), dataset_for(Settings()))
    by_hand.step_batch()
    assert played[1][2] == pytest.approx(boundary(by_hand.w, by_hand.b))
    by_hand.run_epochs(10)
    assert played[2][2] == ("down" if by_hand.view().loss < played[2][1].before.loss else "up")


def test_a_prediction_is_scored_right_and_wrong():
    lesson = parse_lesson(GOOD, "small")
    run = LessonRun(lesson)
    score = Score()
    first = lesson.steps[0]
    answer = truth(first.question, run.perform(first))
    score.record(0, judge(first.question, -2.9, answer))
    second = lesson.steps[1]
    answer = truth(second.question, run.perform(second))
    wrong = judge(second.question, answer + 0.06, answer)
    assert not wrong.right and wrong.truth == answer
    score.record(1, wrong)
    score.record(1, judge(second.question, answer, answer))
    assert (score.right, score.asked) == (1, 2)
    assert score.text() == "Score: 1 of 2"
    third = lesson.steps[2]
    assert judge(third.question, "down", "down").right
    assert not judge(third.question, "up", "down").right


def test_a_click_in_the_parameter_view_is_scored_by_its_distance():
    lesson = parse_lesson(GOOD.replace('view = "neuron"', 'view = "parameters"')
                          .replace('measure = "boundary"\ntolerance = 0.25', 'measure = "point"\ntolerance = 0.5'),
                          "small")
    question = lesson.steps[0].question
    assert judge(question, (1.3, 3.3), (1.0, 3.0)).right
    assert not judge(question, (1.4, 3.4), (1.0, 3.0)).right


BROKEN = [
    ("title = \"x\"\n", 1, "starts with a line '+++'"),
    ("+++\ntitle = \"x\"\n", 1, "never closed"),
    ("+++\ntitle = \"x\"\nlr = \n+++\n## A\ntext\n", 3, "not valid TOML"),
    ("+++\ntitle = \"x\"\n\nlearning = 0.1\n+++\n## A\ntext\n", 4, "'learning' is not a setting"),
    ("+++\ntitle = \"x\"\nlr = -1.0\n+++\n## A\ntext\n", 3, "lr: Learning rate η must be"),
    ("+++\ntitle = \"x\"\npanes = [\"neuron\", \"map\"]\n+++\n## A\ntext\n", 3, "'map' is not known"),
    ("+++\ntitle = \"x\"\n+++\nhello\n## A\ntext\n", 4, "Text before the first step"),
    ("+++\ntitle = \"x\"\n+++\n## A\ntext\n```step\naction = \"jump\"\n```\n", 7, "action 'jump' is not known"),
    ("+++\ntitle = \"x\"\n+++\n## A\ntext\n```step\naction = \"set\"\nset = { lr = 0 }\n```\n", 8,
     "lr: Learning rate η must be"),
    ("+++\ntitle = \"x\"\n+++\n## A\ntext\n```step\naction = \"update\"\n", 6, "never closed"),
    ("+++\ntitle = \"x\"\n+++\n## A\ntext\n```step\n[question]\nkind = \"number\"\ntext = \"?\"\n"
     "measure = \"loss\"\n```\n", 7, "tolerance"),
    ("+++\ntitle = \"x\"\n+++\n## A\ntext\n```step\n[question]\nkind = \"choice\"\ntext = \"?\"\n"
     "options = [\"a\", \"b\"]\nanswer = \"c\"\n```\n", 7, "not one of the options"),
    ("+++\ntitle = \"x\"\n+++\n## A\n\n## B\ntext\n", 4, "has no text"),
    ("+++\ntitle = \"x\"\n+++\n", 3, "at least one step"),
]


@pytest.mark.parametrize(("text", "line", "problem"), BROKEN)
def test_a_malformed_lesson_is_refused_with_its_line(text, line, problem):
    with pytest.raises(LessonError) as refused:
        parse_lesson(text, "broken")
    assert refused.value.line == line
    assert problem in refused.value.problem
    assert str(refused.value).startswith(f"line {line}: ")


def test_a_lesson_file_is_read_and_a_missing_one_refused(tmp_path):
    path = tmp_path / "mine.md"
    path.write_text(GOOD, encoding="utf-8")
    assert load_lesson(path).name == "mine"
    with pytest.raises(LessonError, match="Cannot open"):
        load_lesson(tmp_path / "absent.md")
    with pytest.raises(LessonError, match="There is no lesson"):
        shipped_lesson("absent")


def test_there_are_ten_shipped_lessons():
    assert len(lesson_names()) == 10


@pytest.mark.parametrize("name", lesson_names())
def test_every_shipped_lesson_loads_validates_and_runs_its_steps(name):
    lesson = shipped_lesson(name)
    assert lesson.steps and lesson.title
    for step, outcome, answer in play_through(lesson):
        assert math.isfinite(outcome.after.loss) or outcome.after.status == "diverged"
        if step.question is not None:
            assert answer is not None, f"{name}: step '{step.title}' has no truth"
            assert judge(step.question, answer, answer).right
