"""The largest learning rate full-batch gradient descent can settle with, read off the loss's curvature.

Near the minimum the loss is a bowl with Hessian H. One step multiplies the distance along H's steepest direction
by 1 − η·λ_max, so it shrinks only while |1 − η·λ_max| < 1: below η_max = 2/λ_max the steps settle, above it they
overshoot further each time.

Heavy-ball momentum (v ← μv + g, θ ← θ − ηv) moves each direction of the bowl by a two-step recurrence whose roots
stay inside the unit circle while η·λ < 2(1 + μ): its limit is (1 + μ) times plain descent's. Adam divides each
step by the gradient's own running size, so its steps stay about η long whatever the curvature: no such η_max
exists for it.
"""

from __future__ import annotations

import numpy as np

from model.data import Dataset
from model.neuron import sigmoid
from model.optimum import Optimum
from model.settings import Rule


def hessian(w: float, b: float, data: Dataset, loss: str, l2: float) -> np.ndarray:
    """The 2×2 Hessian of the mean loss plus (λ/2)w² at (w, b): mean(ℓ''(z)·[[x², x], [x, 1]]) + [[λ, 0], [0, 0]].

    ℓ''(z) = σ(1 − σ) for BCE, never negative; for MSE it is 2σ'² + 2(σ − y)σ'', which is negative where the neuron
    is confidently wrong: MSE's loss is not convex.
    """
    x = data.x
    z = w * x + b
    s = sigmoid(z)
    r = sigmoid(-z)
    if loss == "bce":
        curvature = s * r
    else:
        error = np.where(data.y == 1, -r, s)
        curvature = 2.0 * (s * r) ** 2 + 2.0 * error * s * r * (r - s)
    h_wb = float(np.mean(curvature * x))
    return np.array([[float(np.mean(curvature * x * x)) + l2, h_wb], [h_wb, float(np.mean(curvature))]])


def lr_limit(data: Dataset, loss: str, l2: float, optimum: Optimum) -> float | None:
    """η_max = 2 / λ_max of the Hessian at the exact optimum, for full-batch gradient descent.

    None when there is no exact optimum to settle at (or, at a point that is not a minimum, no upward curvature).
    """
    if not optimum.exists:
        return None
    top = float(np.linalg.eigvalsh(hessian(optimum.w, optimum.b, data, loss, l2))[-1])
    return 2.0 / top if top > 0 else None


def rule_lr_limit(plain_limit: float | None, rule: Rule, momentum: float) -> float | None:
    """η_max for an update rule from plain descent's 2/λ_max: the same for plain, 2(1 + μ)/λ_max for momentum, and
    None for Adam, which has no such bound."""
    if plain_limit is None or rule == Rule.ADAM:
        return None
    return plain_limit * (1.0 + momentum) if rule == Rule.MOMENTUM else plain_limit
