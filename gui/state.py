"""What the window shows, held in one immutable value: the run's settings and samples, the exact optimum, the
display options and the newest drawn view. Everything that draws or exports reads it from here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from model.data import Dataset
from model.optimum import Optimum
from model.settings import Settings
from model.trainer import TrainerView

NOT_YET = Optimum(False, reason="The exact optimum is still being computed.")


@dataclass(frozen=True)
class DisplayOptions:
    """How the samples are drawn; a view choice that never changes the run."""

    samples_at_label: bool = False
    histograms: bool = False


@dataclass(frozen=True)
class WindowState:
    """The run the worker trains and the canvas draws. Replaced whole, never edited in place."""

    settings: Settings
    data: Dataset
    optimum: Optimum = NOT_YET
    display: DisplayOptions = DisplayOptions()
    view: TrainerView | None = None

    def replace(self, **changes: object) -> WindowState:
        return dataclasses.replace(self, **changes)

    def optimum_matches(self, data: Dataset, loss: str, l2: float) -> bool:
        """True when an optimum computed for (data, loss, l2) belongs to this run."""
        return data is self.data and (loss, l2) == (self.settings.loss, self.settings.l2)
