"""A lesson played headless: each step's action made on a real trainer, the truth of its question measured there,
and the learner's guesses scored against it. The window plays the same steps on its run and asks this for the truth,
so what a lesson says is what the engine does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from model.data import Dataset
from model.lesson import Action, Lesson, Question, Step
from model.neuron import boundary
from model.problem import Problem, study
from model.settings import DATA_FIELDS, Settings
from model.sources import dataset_for
from model.trainer import Trainer, TrainerView

Truth = Any
"""A number, a word, or a (w, b) pair, as the question's measure gives it."""


@dataclass(frozen=True)
class RaceResult:
    """One run of a race: its name, the loss it reached and the epoch it first came within reach of the optimum."""

    name: str
    loss: float
    status: str
    reached: int | None


@dataclass(frozen=True)
class Outcome:
    """What a step's action did: the run before and after, the problem after and, for a race, every run's result."""

    before: TrainerView
    after: TrainerView
    problem: Problem
    race: tuple[RaceResult, ...] = ()


@dataclass(frozen=True)
class Judgement:
    guess: Truth
    truth: Truth
    right: bool


REACHED = 1e-3
"""A race's run has reached the optimum once its loss is within this (relative) of the optimum's loss."""


class LessonRun:
    """A lesson's run: settings, samples and trainer as each step leaves them."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.settings = lesson.settings
        self.data: Dataset = dataset_for(self.settings)
        self.trainer = Trainer(self.settings, self.data)
        self._problem: Problem | None = None

    @property
    def problem(self) -> Problem:
        """The exact optimum and η_max of the samples, loss and λ as they now stand (computed once for each)."""
        if self._problem is None:
            self._problem = study(self.data, self.settings.loss, self.settings.l2)
        return self._problem

    def perform(self, step: Step) -> Outcome:
        """Make the step's action on the trainer and say what it did."""
        before = self.trainer.view()
        action = step.action
        race: tuple[RaceResult, ...] = ()
        if action.kind == "set":
            self._adopt(self.settings.replace(**action.changes))
        elif action.kind == "reset":
            self.trainer.reset()
        elif action.kind == "update":
            for _ in range(action.count):
                self.trainer.step_batch()
        elif action.kind == "epochs":
            self.trainer.run_epochs(action.count)
        elif action.kind == "end":
            self.trainer.run_to_end()
        elif action.kind == "race":
            race = self.race(action)
        return Outcome(before, self.trainer.view(), self.problem, race)

    def race(self, action: Action) -> tuple[RaceResult, ...]:
        """Train each run of the race from the lesson's settings with its changes, on the same samples."""
        results = []
        target = self.problem.optimum.loss if self.problem.optimum.exists else None
        for name, changes in action.runs:
            trainer = Trainer(self.settings.replace(**changes, epochs=action.count), self.data)
            reached = None
            while trainer.can_train:
                trainer.run_epochs(1)
                loss = trainer.view().loss
                if reached is None and target is not None and loss <= target + REACHED * abs(target):
                    reached = trainer.epoch
            view = trainer.view()
            results.append(RaceResult(name, view.loss, view.status, reached))
        return tuple(results)

    def _adopt(self, settings: Settings) -> None:
        old = self.settings
        self.settings = settings.validated()
        if any(getattr(old, name) != getattr(settings, name) for name in DATA_FIELDS):
            self.data = dataset_for(settings)
        if (old.loss, old.l2) != (settings.loss, settings.l2) or self.data is not self.trainer.data:
            self._problem = None
        self.trainer = Trainer(self.settings, self.data)


def truth(question: Question, outcome: Outcome) -> Truth:
    """What the engine says the answer is, after the step's action."""
    if question.answer:
        return question.answer
    after, optimum = outcome.after, outcome.problem.optimum
    measures = {
        "boundary": lambda: boundary(after.w, after.b),
        "w": lambda: after.w, "b": lambda: after.b, "loss": lambda: after.loss, "accuracy": lambda: after.accuracy,
        "epoch": lambda: after.epoch, "point": lambda: (after.w, after.b),
        "optimum_w": lambda: optimum.w if optimum.exists else None,
        "optimum_b": lambda: optimum.b if optimum.exists else None,
        "optimum_loss": lambda: optimum.loss if optimum.exists else None,
        "lr_limit": lambda: outcome.problem.lr_limit,
        "loss_trend": lambda: "down" if after.loss < outcome.before.loss else "up",
        "w_trend": lambda: "down" if after.w < outcome.before.w else "up",
        "status": lambda: after.status,
        "leader": lambda: leader(outcome.race),
    }
    return measures[question.measure]()


def leader(race: tuple[RaceResult, ...]) -> str:
    """The run that reached the optimum first, or, if none did, the one with the lowest loss at the end."""
    reached = [result for result in race if result.reached is not None]
    if reached:
        return min(reached, key=lambda result: result.reached).name
    finite = [result for result in race if math.isfinite(result.loss)]
    return min(finite, key=lambda result: result.loss).name if finite else race[0].name


def judge(question: Question, guess: Truth, right_answer: Truth) -> Judgement:
    """Score a guess: a choice must match; a number or a click must land within the question's tolerance (a click
    in the parameter view by its distance from the true (w, b))."""
    if right_answer is None:
        return Judgement(guess, None, False)
    if question.kind == "choice":
        return Judgement(guess, right_answer, guess == right_answer)
    if question.measure == "point":
        miss = math.hypot(guess[0] - right_answer[0], guess[1] - right_answer[1])
    else:
        miss = abs(float(guess) - float(right_answer))
    return Judgement(guess, right_answer, math.isfinite(miss) and miss <= question.tolerance)


@dataclass
class Score:
    """A lesson's score: which questions were answered, and whether right. Answering again does not count twice."""

    answers: dict[int, bool] = field(default_factory=dict)

    def record(self, step: int, judgement: Judgement) -> None:
        self.answers.setdefault(step, judgement.right)

    @property
    def right(self) -> int:
        return sum(self.answers.values())

    @property
    def asked(self) -> int:
        return len(self.answers)

    def text(self) -> str:
        return f"Score: {self.right} of {self.asked}"


def play_through(lesson: Lesson) -> list[tuple[Step, Outcome, Truth | None]]:
    """Every step of a lesson made in turn, with its question's truth: what `train --lesson` and the tests rely on."""
    run = LessonRun(lesson)
    played = []
    for step in lesson.steps:
        outcome = run.perform(step)
        played.append((step, outcome, None if step.question is None else truth(step.question, outcome)))
    return played
