"""The exact minimiser of the mean cross-entropy (plus optional L2), to hold gradient descent against.

Damped Newton's method; the objective is convex, so it converges from (0, 0). It works on standardised samples
u = (x − centre) / spread, where the problem looks the same whatever the data's scale (x in the thousands, or
near 10^8, would otherwise make the Hessian numerically singular), and transforms the answer back.
Without L2 the optimum does not exist when the classes are separable: the loss keeps falling as w grows forever.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.data import Dataset
from model.neuron import objective, sigmoid

MAX_ITERATIONS = 100
MAX_HALVINGS = 50
ROUNDING = 1e-14
"""Relative error of a loss summed over up to a million samples: differences below it mean nothing."""
SETTLED = 1e-9
"""An optimum is claimed only when a further Newton step promises to lower the loss by less than this fraction."""
ROUGH_GRADIENT = 1e-8
"""Largest gradient, as training computes it from x itself, that is still rounding rather than a slope."""
Z_LIMIT = 1e300
"""Trial points whose z could exceed this are refused before evaluating, so nothing overflows."""


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
    if not np.all(np.isfinite(data.x)):
        return Optimum(False, reason="Some samples are not finite numbers, so there is no optimum to compute.")
    problem = _Problem.of(data, l2)
    point = problem.minimise()
    if not problem.settled(point, point.gradient):
        return Optimum(False, reason="Newton's method could not pin down the optimum: the loss is too flat for double "
                                     "precision here. A larger L2 penalty makes the minimum sharper.")
    w, b = problem.original(point.v, point.a)
    if max(abs(g) for g in problem.gradient_in_x(w, b)) > ROUGH_GRADIENT:
        return Optimum(False, reason="The samples lie too close together for their distance from 0: in double "
                                     "precision w·x + b cannot be computed finely enough to pin down the optimum. "
                                     "Subtract a constant from x to compare with one.")
    return Optimum(True, w, b, objective(w, b, data, "bce", l2))


@dataclass(frozen=True)
class _Point:
    """(v, a) on the standardised problem with its loss, gradient and Hessian, all from one pass over the data."""

    v: float
    a: float
    loss: float
    gradient: tuple[float, float]
    hessian: tuple[float, float, float]

    @property
    def steepest(self) -> float:
        return max(abs(self.gradient[0]), abs(self.gradient[1]))

    @property
    def noise(self) -> float:
        """How far apart two losses can be from rounding alone (the loss is a sum of non-negative terms)."""
        return ROUNDING * self.loss

    def better_than(self, other: _Point) -> bool:
        """Clearly lower loss; or, where losses differ only by rounding, a smaller gradient."""
        if self.loss < other.loss - other.noise:
            return True
        return self.loss <= other.loss + other.noise and self.steepest < other.steepest


@dataclass(frozen=True, eq=False)
class _Problem:
    """z = v·u + a on samples u of mean 0 and spread 1; x = centre + spread·u, so w = v / spread, b = a − w·centre.

    Samples are held class 0 first, as t = ±z (+ for class 0, − for class 1): a sample's loss is then
    softplus(t) = max(t, 0) + log(1 + e^−|t|), a sum of non-negative terms with no cancellation, and σ(t) is how
    wrong it is.
    """

    x: np.ndarray
    n0: int
    u: np.ndarray
    signed_u: np.ndarray
    u_squared: np.ndarray
    centre: float
    spread: float
    l2: float
    u_max: float
    scratch: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def of(cls, data: Dataset, l2: float) -> _Problem:
        """Standardise after dividing by a power of two (exact), so even x near 10^308 cannot overflow."""
        x0, x1 = data.of_class(0), data.of_class(1)
        x = np.concatenate([x0, x1])
        exponent = math.frexp(float(np.max(np.abs(x))))[1]
        scaled = x / math.ldexp(1.0, exponent)
        mean = float(np.mean(scaled))
        deviation = scaled - mean
        spread = math.sqrt(float(np.dot(deviation, deviation)) / len(data)) or 1.0
        u = deviation / spread
        signed_u = u.copy()
        signed_u[x0.size:] *= -1.0
        true_spread = math.ldexp(spread, exponent)
        return cls(x, x0.size, u, signed_u, u * u, math.ldexp(mean, exponent), true_spread,
                   l2 / true_spread / true_spread, float(np.max(np.abs(u))), tuple(np.empty((4, x.size))))

    def original(self, v: float, a: float) -> tuple[float, float]:
        w = v / self.spread
        return w, a - w * self.centre

    def minimise(self) -> _Point:
        """Newton steps, halved until they help; a gradient step that cannot overshoot where Newton's fails."""
        point = self.evaluate(0.0, 0.0)
        for _ in range(MAX_ITERATIONS):
            moved = self._search(point, self._newton_step(point, point.gradient))
            moved = moved or self._search(point, self._gradient_step(point))
            if moved is None:
                break
            point = moved
        return point

    def settled(self, point: _Point, gradient: tuple[float, float]) -> bool:
        """Whether a Newton step with this gradient would lower the loss by less than a SETTLED fraction of it."""
        step = self._newton_step(point, gradient)
        return step is not None and gradient[0] * step[0] + gradient[1] * step[1] <= SETTLED * point.loss

    def gradient_in_x(self, w: float, b: float) -> tuple[float, float]:
        """The standardised gradient at the point training would see: z = w·x + b computed from x itself."""
        n = self.u.size
        signal = sigmoid(w * self.x + b)
        signal[self.n0:] -= 1.0
        return float(np.dot(signal, self.u)) / n + self.l2 * w * self.spread, float(np.sum(signal)) / n

    def evaluate(self, v: float, a: float) -> _Point:
        """With e = e^−|t| and r = σ(|t|): σ(t) is r or e·r by the sign of t, and the curvature σ(t)σ(−t) is e·r².

        Works in four arrays made once per problem: at a million samples, fresh arrays cost more than the arithmetic.
        """
        n, n0 = self.u.size, self.n0
        t, e, r, work = self.scratch
        np.multiply(self.signed_u, v, out=t)
        t[:n0] += a
        t[n0:] -= a
        np.exp(np.negative(np.abs(t, out=e), out=e), out=e)
        loss = float(np.sum(np.maximum(t, 0.0, out=work))) + float(np.sum(np.log1p(e, out=work)))
        np.reciprocal(np.add(e, 1.0, out=r), out=r)
        e *= r
        wrong = np.subtract(r, e, out=work)
        wrong *= t >= 0
        wrong += e
        weight = np.multiply(e, r, out=e)
        gradient = (float(np.dot(wrong, self.signed_u)) / n + self.l2 * v,
                    (float(np.sum(wrong[:n0])) - float(np.sum(wrong[n0:]))) / n)
        hessian = (float(np.dot(weight, self.u_squared)) / n + self.l2, float(np.dot(weight, self.u)) / n,
                   float(np.sum(weight)) / n)
        return _Point(v, a, loss / n + 0.5 * self.l2 * v * v, gradient, hessian)

    def _newton_step(self, point: _Point, gradient: tuple[float, float]) -> tuple[float, float] | None:
        """H⁻¹g, or None when H is too close to singular to trust."""
        h_vv, h_va, h_aa = point.hessian
        det = h_vv * h_aa - h_va * h_va
        if not det > 1e-14 * h_vv * h_aa:
            return None
        g_v, g_a = gradient
        return (h_aa * g_v - h_va * g_a) / det, (h_vv * g_a - h_va * g_v) / det

    def _gradient_step(self, point: _Point) -> tuple[float, float]:
        """The loss's curvature on standardised samples is at most 1/4 + λ, so this step never overshoots."""
        rate = 1.0 / (0.25 + self.l2)
        return rate * point.gradient[0], rate * point.gradient[1]

    def _search(self, point: _Point, step: tuple[float, float] | None) -> _Point | None:
        """The first of step, step/2, step/4, … that improves on point; None if none does.

        When the whole decrease the step promises is below rounding, halving cannot help: only the full step is tried.
        """
        if step is None:
            return None
        promised = point.gradient[0] * step[0] + point.gradient[1] * step[1]
        scale = 1.0
        for _ in range(MAX_HALVINGS if promised > point.noise else 1):
            v, a = point.v - scale * step[0], point.a - scale * step[1]
            if (v, a) == (point.v, point.a):
                return None
            if abs(v) * self.u_max + abs(a) < Z_LIMIT:
                trial = self.evaluate(v, a)
                if trial.better_than(point):
                    return trial
            scale /= 2
        return None
