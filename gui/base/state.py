"""A run as the window shows it, held in one immutable value: the run's settings and samples, what the data decides
(the exact optimum, η_max), the loss surface, the display options, the newest drawn view and the last update taken
apart. Everything that draws or exports reads it from here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from gui.base.surface_picture import SurfacePicture
from model.anatomy import UpdateStep
from model.data import Dataset
from model.optimum import Optimum
from model.problem import Problem
from model.settings import Settings
from model.trainer import TrainerView

NOT_YET = Optimum(False, reason="The exact optimum is still being computed.")
UNSTUDIED = Problem(NOT_YET, None, None)
"""What the window knows of the data's problem before the analysis thread has answered."""


@dataclass(frozen=True)
class DisplayOptions:
    """How the samples are drawn; a view choice that never changes the run."""

    samples_at_label: bool = False
    histograms: bool = False
    every_point: bool = False
    """Draw every sample as a point even above style.DENSE_ABOVE samples (slow at a million)."""
    true_answer: bool = False
    """Draw the true P(class 1 | x) of the generating Gaussians and its decision points (model.truth)."""


PLAIN = DisplayOptions()
"""Samples at y = 0, no histograms, strips above the density threshold: how a new window starts."""


@dataclass(frozen=True)
class RunState:
    """The run the worker trains and the canvas draws. Replaced whole, never edited in place."""

    settings: Settings
    data: Dataset
    problem: Problem = UNSTUDIED
    """UNSTUDIED until the analysis thread has studied these samples with this loss and λ."""
    display: DisplayOptions = PLAIN
    view: TrainerView | None = None
    picture: SurfacePicture | None = None
    step: UpdateStep | None = None
    """The last single update taken apart, until training moves on another way."""

    @property
    def optimum(self) -> Optimum:
        return self.problem.optimum

    def replace(self, **changes: object) -> RunState:
        return dataclasses.replace(self, **changes)

    def same_problem(self, data: Dataset, loss: str, l2: float) -> bool:
        """True when what was computed for (data, loss, l2) belongs to this run."""
        return data is self.data and (loss, l2) == (self.settings.loss, self.settings.l2)
