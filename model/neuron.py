"""The single neuron z = w·x + b, ŷ = σ(z), and its losses, in forms that stay finite for any z.

BCE is written as softplus(±z) (= −y·log σ(z) − (1−y)·log(1−σ(z)), with + for class 0 and − for class 1), so no log
of 0 is ever taken and nothing cancels: even a loss of 10^−20 keeps its digits.
"""

from __future__ import annotations

import math

import numpy as np

from model.data import Dataset


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """σ(z) without overflow: exp is only ever taken of −|z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z: np.ndarray | float) -> np.ndarray:
    """log(1 + e^z), exact for large |z|."""
    return np.logaddexp(0.0, np.asarray(z, dtype=np.float64))


def bce_per_sample(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each sample, from z rather than ŷ so it never sees log(0).

    softplus(z) − y·z equals softplus(z) for y = 0 and softplus(−z) for y = 1; written that way it never subtracts
    two large numbers, so it is exact for large |z| and never inf − inf.
    """
    return softplus(np.where(np.asarray(y) == 1, -1.0, 1.0) * z)


def mse_per_sample(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Squared error (ŷ − y)² of each sample."""
    return (sigmoid(z) - y) ** 2


def pre_activation(w: float, b: float, x: np.ndarray) -> np.ndarray:
    return w * np.asarray(x, dtype=np.float64) + b


def objective(w: float, b: float, data: Dataset, loss: str, l2: float = 0.0) -> float:
    """Mean loss over the data plus the L2 penalty (λ/2)·w²: the quantity training minimises."""
    z = pre_activation(w, b, data.x)
    per_sample = bce_per_sample(z, data.y) if loss == "bce" else mse_per_sample(z, data.y)
    return float(np.mean(per_sample) + 0.5 * l2 * w * w)


def gradient(w: float, b: float, x: np.ndarray, y: np.ndarray, loss: str, l2: float = 0.0) -> tuple[float, float]:
    """(∂/∂w, ∂/∂b) of the mean loss over (x, y) plus (λ/2)·w².

    For BCE the sigmoid's slope cancels and the error signal is ŷ − y; for MSE it stays, 2(ŷ − y)·ŷ(1 − ŷ),
    which is why MSE learns slowly when the neuron is confidently wrong.
    """
    x = np.asarray(x, dtype=np.float64)
    signal = error_signal(pre_activation(w, b, x), y, loss)
    return float(np.mean(signal * x) + l2 * w), float(np.mean(signal))


def error_signal(z: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """∂loss/∂z of each sample: ŷ − y for BCE, 2(ŷ − y)·ŷ(1 − ŷ) for MSE (the factor that vanishes as ŷ saturates)."""
    y = np.asarray(y, dtype=np.float64)
    y_hat = sigmoid(z)
    return y_hat - y if loss == "bce" else 2.0 * (y_hat - y) * y_hat * (1.0 - y_hat)


def accuracy(w: float, b: float, data: Dataset) -> float:
    """Share of samples on the right side of the boundary (ŷ > 0.5 means class 1)."""
    predicted = pre_activation(w, b, data.x) > 0
    return float(np.mean(predicted == (data.y == 1)))


def boundary(w: float, b: float) -> float | None:
    """x* = −b/w where ŷ = 0.5; None when there is none (w = 0) or it lies beyond any float (w tiny beside b)."""
    w, b = float(w), float(b)
    if w == 0 or not math.isfinite(w):
        return None
    x = -b / w
    return x if math.isfinite(x) else None
