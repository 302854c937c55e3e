"""The one verdict on a run and its sentence, shown alike by the panel, the window, the card and the command line.

Near the optimum one full-batch step multiplies the distance along the steepest direction by 1 − η·λ_max. It
shrinks only while η < η_max = 2/λ_max; at η = η_max exactly it neither shrinks nor grows, so the run can never
settle there: the boundary belongs to "beyond the limit". With momentum μ the limit is 2(1 + μ)/λ_max; Adam has
none (model.lr_limit), so η alone never puts an Adam run beyond a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from model.lr_limit import rule_lr_limit
from model.problem import Problem
from model.settings import Rule
from model.trainer import DIVERGED, TrainerView

OSCILLATION_EPOCHS = 6
"""The last this many epochs' losses must alternate up and down for a run to count as oscillating."""


class Verdict(StrEnum):
    STABLE = "stable"
    BEYOND_LIMIT = "beyond_limit"
    OSCILLATING = "oscillating"
    DIVERGED = "diverged"
    NO_OPTIMUM = "no_optimum"
    NO_LIMIT = "no_limit"
    """Adam: its steps are scaled by the gradient's own size, so no η_max applies."""


@dataclass(frozen=True)
class Diagnosis:
    verdict: Verdict
    text: str

    @property
    def alarming(self) -> bool:
        """A verdict the learner should act on (η too large, or a run that oscillates or ran away)."""
        return self.verdict in (Verdict.BEYOND_LIMIT, Verdict.OSCILLATING, Verdict.DIVERGED)

    def to_dict(self) -> dict[str, str]:
        return {"verdict": self.verdict.value, "text": self.text}


def beyond_limit(lr: float, lr_limit: float | None) -> bool:
    """η at or above η_max: full-batch steps near the optimum no longer shrink."""
    return lr_limit is not None and lr >= lr_limit


def oscillating(losses: np.ndarray) -> bool:
    """The last epochs' losses go up and down in turn."""
    recent = np.asarray(losses)[-OSCILLATION_EPOCHS:]
    if recent.size < OSCILLATION_EPOCHS:
        return False
    steps = np.sign(np.diff(recent))
    return bool(np.all(steps[1:] * steps[:-1] < 0))


ADAM_SENTENCE = ("Adam divides each step by the gradient's running size, so near the optimum its steps stay about η "
                 "long whatever the curvature: no η_max = 2 / curvature bounds it, and η alone cannot put it beyond "
                 "a limit. A smaller η lets it settle closer.")


def limit_sentence(lr: float, lr_limit: float, rule: Rule = Rule.PLAIN, momentum: float = 0.0) -> str:
    """Why η beyond η_max keeps a full-batch run from settling, with the numbers."""
    relation = "above" if lr > lr_limit else "exactly at"
    if rule == Rule.MOMENTUM:
        who, formula = f"full-batch descent with momentum μ = {momentum:g}", "2(1 + μ)"
    else:
        who, formula = "full-batch descent", "2"
    return (f"The learning rate η = {lr:g} is {relation} η_max = {lr_limit:.4g}, the largest step {who} can take "
            f"near the optimum without overshooting it further each time ({formula} / the loss's steepest curvature "
            "there). Lower η below η_max.")


def diagnose(problem: Problem, lr: float, diverged: bool = False, losses: np.ndarray | None = None,
             message: str = "", rule: Rule = Rule.PLAIN, momentum: float = 0.0) -> Diagnosis:
    """The verdict on a run with learning rate lr and this update rule on this problem; diverged and losses (one
    per epoch) describe what training did so far, message is the trainer's own word on a divergence."""
    limit = rule_lr_limit(problem.lr_limit, rule, momentum)
    beyond = beyond_limit(lr, limit)
    reason = limit_sentence(lr, limit, rule, momentum) if beyond else ""
    if diverged:
        return Diagnosis(Verdict.DIVERGED, " ".join(filter(None, (message or "The weights ran away.", reason))))
    if not problem.optimum.exists or problem.lr_limit is None:
        return Diagnosis(Verdict.NO_OPTIMUM, problem.optimum.reason or "The loss has no upward curvature at its "
                                                                       "optimum, so η has no limit to be held to.")
    swinging = losses is not None and oscillating(losses)
    if rule == Rule.ADAM:
        if swinging:
            return Diagnosis(Verdict.OSCILLATING, f"The loss goes up and down from epoch to epoch. {ADAM_SENTENCE}")
        return Diagnosis(Verdict.NO_LIMIT, ADAM_SENTENCE)
    if beyond and swinging:
        return Diagnosis(Verdict.OSCILLATING, f"The loss goes up and down from epoch to epoch. {reason}")
    if beyond:
        return Diagnosis(Verdict.BEYOND_LIMIT, reason + " Per-sample SGD and mini-batches add their own noise on top.")
    steps = "full-batch steps with momentum" if rule == Rule.MOMENTUM else "full-batch steps"
    return Diagnosis(Verdict.STABLE, f"η = {lr:g} is below η_max = {limit:.4g}: {steps} settle near the optimum.")


def diagnose_view(problem: Problem, lr: float, view: TrainerView, rule: Rule = Rule.PLAIN,
                  momentum: float = 0.0) -> Diagnosis:
    """The verdict on a run as one of its views shows it."""
    return diagnose(problem, lr, view.status == DIVERGED, view.history.loss, view.message, rule, momentum)
