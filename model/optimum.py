"""The exact minimiser of the mean cross-entropy (plus optional L2), to hold gradient descent against.

Newton's method on (w, b) with a backtracking line search: the objective is convex, so it converges from (0, 0).
Without L2 the optimum does not exist when the classes are separable: the loss keeps falling as w grows forever.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.data import Dataset
from model.neuron import gradient, objective, sigmoid

TOLERANCE = 1e-12
MAX_ITERATIONS = 200


@dataclass(frozen=True)
class Optimum:
    """w, b and loss at the minimum, or exists=False with the reason shown to the learner."""

    exists: bool
    w: float | None = None
    b: float | None = None
    loss: float | None = None
    reason: str = ""

    def to_dict(self) -> dict:
        return {"exists": self.exists, "w": self.w, "b": self.b, "loss": self.loss, "reason": self.reason}


def separating_gap(data: Dataset) -> tuple[float, float] | None:
    """The interval between the classes when one threshold splits them (touching counts), else None."""
    x0, x1 = data.of_class(0), data.of_class(1)
    if x0.max() <= x1.min():
        return float(x0.max()), float(x1.min())
    if x1.max() <= x0.min():
        return float(x1.max()), float(x0.min())
    return None


def exact_optimum(data: Dataset, loss: str = "bce", l2: float = 0.0) -> Optimum:
    """Minimise mean BCE + (λ/2)w² exactly, or say why there is no minimum to compare with."""
    if loss != "bce":
        return Optimum(False, reason="The exact optimum is computed for cross-entropy; with mean squared error the "
                                     "loss is not convex, so there is no single reference to compare with.")
    gap = separating_gap(data)
    if l2 == 0 and gap is not None:
        return Optimum(False, reason=f"The classes are separable (no overlap between {gap[0]:.4g} and {gap[1]:.4g}), "
                                     "so the loss keeps shrinking as w grows: there is no finite optimum. "
                                     "Add an L2 penalty to get one.")
    w, b = 0.0, 0.0
    current = objective(w, b, data, "bce", l2)
    for _ in range(MAX_ITERATIONS):
        grad = np.array(gradient(w, b, data.x, data.y, "bce", l2))
        if np.max(np.abs(grad)) < TOLERANCE:
            break
        step = np.linalg.solve(_hessian(w, b, data, l2), grad)
        scale = 1.0
        while scale > 1e-10:
            trial_w, trial_b = w - scale * step[0], b - scale * step[1]
            trial = objective(trial_w, trial_b, data, "bce", l2)
            if trial <= current or _steeper(grad, trial_w, trial_b, data, l2):
                break
            scale /= 2
        else:
            break
        w, b, current = trial_w, trial_b, trial
    return Optimum(True, float(w), float(b), float(current))


def _steeper(grad: np.ndarray, w: float, b: float, data: Dataset, l2: float) -> bool:
    """Near the minimum the loss stops changing in double precision; a smaller gradient still means progress."""
    return bool(np.max(np.abs(gradient(w, b, data.x, data.y, "bce", l2))) < np.max(np.abs(grad)))


def _hessian(w: float, b: float, data: Dataset, l2: float) -> np.ndarray:
    p = sigmoid(w * data.x + b)
    weight = p * (1.0 - p)
    h_wb = float(np.mean(weight * data.x))
    return np.array([[float(np.mean(weight * data.x**2)) + l2, h_wb], [h_wb, float(np.mean(weight))]])
