"""The loss over the (w, b) plane, for the parameter-space view: the surface, a window that frames a run, the
surface as CSV, and the direction the loss keeps falling in when there is no minimum.

The loss is model.neuron.objective: mean per-sample loss plus (λ/2)·w².
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from math import exp, sqrt

import numpy as np

from model.data import Dataset
from model.kernel import PARAMETER_LIMIT
from model.optimum import separating_gap

PLANE_LIMIT = 10.0 * PARAMETER_LIMIT
"""The (w, b) plane is shown and computed within ±PLANE_LIMIT: ten times beyond where training stops, and far below
where w·x, w² or the grid's spacing would overflow or lose all precision."""

ERROR_TARGET = 1e-3
"""The largest relative error a binned surface may have: far below what a colour map or contour can show."""

EXACT_LIMIT = 1000
"""Up to this many samples the surface is summed exactly: a few tenths of a second at 200 × 200."""

CHUNK = 1 << 17
"""Elements per temporary array: a megabyte each, so memory stays flat for any data size."""

TAYLOR_CONSTANTS = {"bce": (1.0, 1.0), "mse": (8.0, 2.0)}
"""(C, k) with |ℓ'''| ≤ C·ℓ and |d log ℓ / dz| ≤ k for each class's per-sample loss ℓ(z); see loss_surface."""


@dataclass(frozen=True, eq=False)
class Surface:
    """The loss on a grid: loss[i, j] is the loss at (w[j], b[i]), so loss has shape (len(b), len(w)) — rows
    follow b, as an image with b upwards.

    binned says whether samples were grouped into bins; error_bound is then the proven maximum of
    |loss − exact| / exact over the grid, and 0 when every sample was summed exactly.
    """

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    binned: bool
    error_bound: float


@dataclass(frozen=True)
class Ray:
    """Where the loss keeps falling when the classes are separable and there is no L2 penalty.

    (w, b) = t·direction for t → ∞ keeps the boundary −b/w at the gap's midpoint while w grows; direction is a
    unit vector, so b = −midpoint·w along it, and w_sign is the sign w takes.
    """

    direction: tuple[float, float]
    midpoint: float
    w_sign: int
    gap: tuple[float, float]
    reason: str


@dataclass(frozen=True, eq=False)
class _Groups:
    """Samples grouped at centres c: per class the count n, Σd and Σd² of the offsets d = x − c.

    spread is the largest |d|; it is 0 when each group holds only copies of one value, and the sum is exact.
    """

    centers: np.ndarray
    n0: np.ndarray
    n1: np.ndarray
    a0: np.ndarray
    a1: np.ndarray
    q0: np.ndarray
    q1: np.ndarray
    spread: float

    def moments(self, part: slice) -> tuple[np.ndarray, ...]:
        return self.n0[part], self.n1[part], self.a0[part], self.a1[part], self.q0[part], self.q1[part]


def loss_surface(data: Dataset, loss: str, l2: float, w_range: tuple[float, float], b_range: tuple[float, float],
                 size: int = 200) -> Surface:
    """The loss on a size × size grid spanning w_range and b_range.

    Up to EXACT_LIMIT samples every sample is summed exactly (copies of one value once). Beyond, samples are put
    into bins of width h when that at least halves the work. A bin with centre c holds, per class, n samples with
    offsets d = x − c, |d| ≤ h/2, and its loss is taken to second order at z = w·c + b:
    Σ ℓ(z + w·d) ≈ n·ℓ(z) + w·Σd·ℓ'(z) + ½w²·Σd²·ℓ''(z), with ℓ(z) = softplus(z) (BCE) or σ(z)² (MSE) for class 0
    and ℓ(−z) for class 1: the per-sample losses, in forms without cancellation.

    Bound: each sample's remainder is ℓ'''(ξ)(w·d)³/6 with ξ between z and z + w·d. For BCE
    |ℓ'''| = σ(1−σ)|1−2σ| ≤ σ ≤ softplus and d log softplus / dz = σ/softplus ≤ 1; for MSE
    ℓ'''/ℓ = (1−σ)(24σ² − 30σ + 8) ∈ [−8, 8] and d log σ² / dz = 2(1−σ) ≤ 2. So with |ℓ'''| ≤ C·ℓ and
    ℓ(ξ) ≤ ℓ(z + w·d)·e^(k·u), where u = max|w|·max|d|, every remainder is at most ε(u) = (C/6)·u³·e^(k·u) times
    that sample's own loss, with (C, k) = (1, 1) for BCE and (8, 2) for MSE. Summed, the relative error of the mean
    loss is at most ε(u), and the exact L2 term only makes it smaller. The bin width is chosen so that
    ε(u) ≤ ERROR_TARGET (u ≤ 0.1716 for BCE, 0.0858 for MSE) for the grid's largest |w|; error_bound reports ε(u) for
    the spread actually reached. Floating-point rounding, about 1e-13 relative, comes on top.
    """
    if size < 2:
        raise ValueError("The grid needs at least 2 points on each axis.")
    w = np.linspace(float(w_range[0]), float(w_range[1]), size)
    b = np.linspace(float(b_range[0]), float(b_range[1]), size)
    w_max = float(np.max(np.abs(w)))
    groups = _binned_groups(data, loss, w_max) if len(data) > EXACT_LIMIT else None
    if groups is None or 2 * groups.centers.size > len(data):
        groups = _exact_groups(data)
    total = _sum_over_groups(w, b, groups, loss == "mse")
    surface = total / len(data) + 0.5 * l2 * w * w
    return Surface(w, b, surface, groups.spread > 0, _taylor_bound(loss, w_max * groups.spread))


def surface_window(data: Dataset, points: Iterable[tuple[float, float]]) -> tuple[tuple[float, float],
                                                                                  tuple[float, float]]:
    """(w_range, b_range) framing the given (w, b) points (start, path, optimum) with a margin.

    Each axis spans at least four natural units — a change of about 4 in z = w·x + b across the data, so 4/std(x)
    in w and 4 in b — so even one point, or a path along a line, shows the shape of the loss around it.
    """
    finite = np.array([p for p in points if np.all(np.isfinite(p))], dtype=np.float64).reshape(-1, 2)
    scale = data.x_spread
    unit_w = 1.0 / scale if np.isfinite(scale) and scale > 0 else 1.0
    return within_plane((_padded(finite[:, 0], 4.0 * unit_w), _padded(finite[:, 1], 4.0)))


def within_plane(window: tuple[tuple[float, float], tuple[float, float]]) -> tuple[tuple[float, float],
                                                                                  tuple[float, float]]:
    """The window cut to ±PLANE_LIMIT on both axes."""
    return tuple((max(low, -PLANE_LIMIT), min(high, PLANE_LIMIT)) for low, high in window)


def landscape_csv(surface: Surface) -> str:
    """The surface as CSV with header w,b,loss, one row per grid point (b slowest), floats exact via repr."""
    rows = ["w,b,loss"]
    for i, b in enumerate(surface.b):
        rows.extend(f"{float(w)!r},{float(b)!r},{float(value)!r}" for w, value in zip(surface.w, surface.loss[i],
                                                                                        strict=True))
    return "\n".join(rows) + "\n"


def descent_ray(data: Dataset) -> Ray | None:
    """The direction the loss keeps falling in when the classes are separable, or None when they overlap.

    Without L2 there is then no minimum: scaling (w, b) up with the boundary −b/w in the gap makes every sample's
    z grow on its own side, so every sample's loss shrinks. None too when every sample has the same x, as then the
    loss is the same all along the line.
    """
    gap = separating_gap(data)
    if gap is None:
        return None
    midpoint = 0.5 * (gap[0] + gap[1])
    if np.all(data.x == midpoint):
        return None
    w_sign = 1 if data.of_class(0).max() <= data.of_class(1).min() else -1
    norm = sqrt(1.0 + midpoint * midpoint)
    left, right = (0, 1) if w_sign > 0 else (1, 0)
    reason = (f"The classes do not overlap (class {left} ends at {gap[0]:.4g} and class {right} starts at "
              f"{gap[1]:.4g}), so making w ever {'larger' if w_sign > 0 else 'more negative'} with the boundary −b/w "
              f"held at {midpoint:.4g} keeps lowering the loss, and there is no lowest point to reach.")
    return Ray((w_sign / norm, -w_sign * midpoint / norm), midpoint, w_sign, gap, reason)


def _padded(values: np.ndarray, min_span: float) -> tuple[float, float]:
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    center = 0.5 * (lo + hi)
    span = max(1.4 * (hi - lo), min_span, 1e-6 * abs(center))
    return center - 0.5 * span, center + 0.5 * span


def _taylor_bound(loss: str, u: float) -> float:
    """ε(u) = (C/6)·u³·e^(k·u): the relative error of the second-order bin sums at w·d spread u."""
    c, k = TAYLOR_CONSTANTS[loss]
    return c / 6.0 * u**3 * exp(k * u)


def _spread_limit(loss: str) -> float:
    """The largest u with ε(u) ≤ ERROR_TARGET, by bisection (ε grows with u)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _taylor_bound(loss, mid) <= ERROR_TARGET else (lo, mid)
    return lo


def _binned_groups(data: Dataset, loss: str, w_max: float) -> _Groups | None:
    """Bins narrow enough for ERROR_TARGET at |w| ≤ w_max, or None when there would be too many to index.

    The width leaves 0.1 % of room for rounding in the bin centres; the bound is checked on the offsets reached.
    """
    lo, hi = data.x_range
    width = 0.999 * 2.0 * _spread_limit(loss) / w_max if w_max > 0 else hi - lo + 1.0
    if (hi - lo) / width > 2.0**52:
        return None
    keys, inverse = np.unique(np.floor((data.x - lo) / width), return_inverse=True)
    groups = _grouped(data, inverse, lo + (keys + 0.5) * width)
    return groups if _taylor_bound(loss, w_max * groups.spread) <= ERROR_TARGET else None


def _exact_groups(data: Dataset) -> _Groups:
    values, inverse = np.unique(data.x, return_inverse=True)
    return _grouped(data, inverse, values)


def _grouped(data: Dataset, inverse: np.ndarray, centers: np.ndarray) -> _Groups:
    offsets = data.x - centers[inverse]
    ones = data.y
    zeros = 1.0 - ones

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=weights, minlength=centers.size)

    spread = float(np.max(np.abs(offsets)))
    return _Groups(centers, total(zeros), total(ones), total(zeros * offsets), total(ones * offsets),
                   total(zeros * offsets**2), total(ones * offsets**2), spread)


def _group_loss(z: np.ndarray, w: float, groups: _Groups, part: slice, mse: bool) -> np.ndarray:
    """Loss of each group in part at pre-activation z, to second order in the offsets (see loss_surface).

    σ(z) and σ(−z) are σ(|z|) = 1/(1 + e^(−|z|)) and e^(−|z|)·σ(|z|) in some order, so neither is 1 minus a
    number near 1.
    """
    n0, n1, a0, a1, q0, q1 = groups.moments(part)
    e = np.exp(-np.abs(z))
    big = 1.0 / (1.0 + e)
    small = e * big
    positive = z >= 0.0
    s = np.where(positive, big, small)
    r = np.where(positive, small, big)
    sr = big * small
    half_w2 = 0.5 * w * w
    if mse:
        return (n0 * s * s + n1 * r * r + 2.0 * w * sr * (a0 * s - a1 * r)
                + half_w2 * sr * (q0 * s * (4.0 - 6.0 * s) + q1 * r * (4.0 - 6.0 * r)))
    return (n0 * np.maximum(z, 0.0) + n1 * np.maximum(-z, 0.0) + (n0 + n1) * np.log1p(e)
            + w * (a0 * s - a1 * r) + half_w2 * sr * (q0 + q1))


def _fill_rows(w: np.ndarray, b: np.ndarray, groups: _Groups, mse: bool, out: np.ndarray) -> None:
    """out[i, j] = Σ over groups of the loss at (w[j], b[i]), a column and a chunk of groups at a time."""
    step = max(1, CHUNK // b.size)
    for j, w_j in enumerate(w):
        total = np.zeros(b.size)
        for start in range(0, groups.centers.size, step):
            part = slice(start, start + step)
            z = w_j * groups.centers[part] + b[:, None]
            total += _group_loss(z, float(w_j), groups, part, mse).sum(axis=1)
        out[:, j] = total


def _sum_over_groups(w: np.ndarray, b: np.ndarray, groups: _Groups, mse: bool) -> np.ndarray:
    """Σ over all samples of the loss at every grid point, the rows of b shared among the machine's cores (numpy
    lets go of the interpreter lock while it computes)."""
    out = np.empty((b.size, w.size))
    workers = min(os.cpu_count() or 1, b.size)
    edges = np.linspace(0, b.size, workers + 1).astype(int)
    blocks = [slice(int(lo), int(hi)) for lo, hi in pairwise(edges)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda rows: _fill_rows(w, b[rows], groups, mse, out[rows]), blocks))
    return out
