"""What the samples, the loss and λ alone decide, whatever training does: the exact optimum (or why there is
none), the learning-rate limit of full-batch descent near it, and, for separable classes, the direction in which
the loss keeps falling. Computed once per data set, off the window's thread, and shared by the views and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from model.data import Dataset
from model.landscape import Ray, descent_ray, surface_window
from model.library_equivalent import LibraryEquivalent, sklearn_equivalent
from model.lr_limit import lr_limit
from model.optimum import Optimum, exact_optimum
from model.trainer import TrainerView

Window = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Problem:
    optimum: Optimum
    lr_limit: float | None
    """η_max = 2/λ_max of the Hessian at the optimum, or None without an optimum."""
    ray: Ray | None
    """Where the loss keeps falling when there is no optimum because the classes are separable."""
    library: LibraryEquivalent | None = None
    """The scikit-learn calls that return the same optimum (None until studied)."""

    def landmarks(self) -> list[tuple[float, float]]:
        """Points a view of the (w, b) plane should always frame: the optimum when there is one."""
        optimum = self.optimum
        return [(optimum.w, optimum.b)] if optimum.exists else []


def study(data: Dataset, loss: str, l2: float) -> Problem:
    optimum = exact_optimum(data, loss, l2)
    ray = descent_ray(data) if not optimum.exists and l2 == 0 else None
    return Problem(optimum, lr_limit(data, loss, l2, optimum), ray, sklearn_equivalent(loss, l2, len(data), data.scale))


def path_window(data: Dataset, view: TrainerView, problem: Problem,
                recent: Iterable[tuple[float, float]] = ()) -> Window:
    """The (w, b) window that frames the whole path of training, where the run stands now and the optimum: what the
    parameter view's Fit shows and what `train --landscape` writes. The history holds one point per epoch, so the
    point reached inside an epoch (where a run that diverged stopped) is added from the view itself; recent adds
    the updates the window drew since the last epoch ended."""
    history = view.history
    points = [*zip(np.asarray(history.w).tolist(), np.asarray(history.b).tolist(), strict=True),
              (view.w, view.b), *problem.landmarks(), *recent]
    return surface_window(data, points)
