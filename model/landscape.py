"""The loss over the (w, b) plane, for the parameter-space view: the surface, a window that frames a run, the
surface as CSV, and the direction the loss keeps falling in when there is no minimum.

The loss is model.neuron.objective: mean per-sample loss plus (λ/2)·w².
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from math import ceil, exp, log2, sqrt

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

FAR = 40.0
"""A bin more than FAR/k in z beyond the boundary's band is summed in closed form (see loss_surface); the error
that costs, e^(−39) relative per sample, is far below ERROR_TARGET."""

BAND_LIMIT = 480
"""Most bins summed one by one at a grid point: FAR/k plus a bin's spread on each side of the boundary, in bins of
|w|·h > 0.999·u, is at most 235 bins a side for either loss (40.2/0.1714 for BCE, 20.1/0.0857 for MSE), and a part
bin at each end."""


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
    terms: int = 0
    """How many (group, grid point) loss terms were summed: the cost, bounded by size²·BAND_LIMIT."""


class SurfaceCancelledError(Exception):
    """The surface was no longer wanted (a newer one was asked for) and was left unfinished."""


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

    low and high are each group's smallest and largest offset, starts the index of its first sample in order of x
    (and the number of samples at the end), keys its bin number. spread is the largest |d|; it is 0 when each group
    holds only copies of one value, and the sum is exact.
    """

    centers: np.ndarray
    n0: np.ndarray
    n1: np.ndarray
    a0: np.ndarray
    a1: np.ndarray
    q0: np.ndarray
    q1: np.ndarray
    low: np.ndarray
    high: np.ndarray
    starts: np.ndarray
    keys: np.ndarray

    @cached_property
    def spread(self) -> float:
        return float(max(-self.low.min(), self.high.max()))

    def moments(self, part: slice | np.ndarray) -> tuple[np.ndarray, ...]:
        return self.n0[part], self.n1[part], self.a0[part], self.a1[part], self.q0[part], self.q1[part]


def loss_surface(data: Dataset, loss: str, l2: float, w_range: tuple[float, float], b_range: tuple[float, float],
                 size: int = 200, cancelled: Callable[[], bool] = lambda: False, threads: int | None = None) -> Surface:
    """The loss on a size × size grid spanning w_range and b_range, computed on `threads` threads (default: one per
    core).

    Up to EXACT_LIMIT samples every sample is summed exactly (copies of one value once). Beyond, each column w puts
    the samples into bins of width h = (x range)/2ᴸ, the widest with |w|·h/2 ≤ u (below). A bin with centre c
    holds, per class, n samples with offsets d = x − c, |d| ≤ h/2, and its loss is taken to second order at
    z = w·c + b: Σ ℓ(z + w·d) ≈ n·ℓ(z) + w·Σd·ℓ'(z) + ½w²·Σd²·ℓ''(z), with ℓ(z) = softplus(z) (BCE) or σ(z)² (MSE)
    for class 0 and ℓ(−z) for class 1: the per-sample losses, in forms without cancellation.

    Bound: each sample's remainder is ℓ'''(ξ)(w·d)³/6 with ξ between z and z + w·d. For BCE
    |ℓ'''| = σ(1−σ)|1−2σ| ≤ σ ≤ softplus and d log softplus / dz = σ/softplus ≤ 1; for MSE
    ℓ'''/ℓ = (1−σ)(24σ² − 30σ + 8) ∈ [−8, 8] and d log σ² / dz = 2(1−σ) ≤ 2. So with |ℓ'''| ≤ C·ℓ and
    ℓ(ξ) ≤ ℓ(z + w·d)·e^(k·u), where u = |w|·max|d|, every remainder is at most ε(u) = (C/6)·u³·e^(k·u) times
    that sample's own loss, with (C, k) = (1, 1) for BCE and (8, 2) for MSE. Summed, the relative error of the mean
    loss is at most ε(u), and the exact L2 term only makes it smaller. The bin width keeps ε(u) ≤ ERROR_TARGET
    (u ≤ 0.1716 for BCE, 0.0858 for MSE); error_bound reports ε(u) for the spread actually reached, plus the far
    terms below. Floating-point rounding, about 1e-13 relative, comes on top.

    Bounded cost: a column with more than BAND_LIMIT bins (a large |w|) sums by bins, at each grid point, only those
    in a band |z| < max(m, 0) + FAR/k around the boundary x = −b/w, m being the smallest margin of any sample. Beyond
    the band a bin's samples are FAR/k − |w|·h/2 or more from the boundary. On their losing side the loss is linear
    there up to a relative e^(−FAR/k + 1): w·Σx + b·n for BCE, n for MSE, from prefix sums over the bins. On their
    winning side each loses less than 4·e^(−FAR + 1) times the loss of the sample nearest to losing, a lower bound
    of the total, so leaving them out changes it by at most 4n·e^(−FAR + 1) of itself. Every grid point then costs
    at most BAND_LIMIT bins and a few binary searches, whatever the number of samples.

    cancelled() is asked before each column; once it says yes, SurfaceCancelledError is raised.
    """
    if size < 2:
        raise ValueError("The grid needs at least 2 points on each axis.")
    w = np.linspace(float(w_range[0]), float(w_range[1]), size)
    b = np.linspace(float(b_range[0]), float(b_range[1]), size)
    samples = _Sorted.of(data)
    plans = [_plan(float(w_j), b, samples, loss) for w_j in w]
    groups = _groups_for(samples, loss, set(plans))
    done = _map_columns(lambda j: _column(float(w[j]), b, samples, groups[plans[j]], loss, cancelled), range(w.size),
                        threads or os.cpu_count() or 1)
    total = np.column_stack([sums for sums, _, _ in done])
    surface = total / len(data) + 0.5 * l2 * w * w
    return Surface(w, b, surface, any(groups[plan].spread > 0 for plan in plans),
                   max(bound for _, bound, _ in done), sum(terms for _, _, terms in done))


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


SORTED_KEPT = 4
"""The last few data sets' sorted samples are kept: the window's data, and the batches of single updates."""
_SORTED: list[tuple[weakref.ref[Dataset], _Sorted]] = []
_SORTED_LOCK = threading.Lock()

EXACT, ONE_BY_ONE = -1, -2
"""Plans for a column besides a level of bins: every distinct value of x once, or every sample on its own."""


@dataclass(frozen=True, eq=False)
class _Sorted:
    """The samples in order of x, each class's smallest and largest x (None for a class without samples), and
    prefix sums per class of their count and their x (the latter as an unevaluated sum of two arrays, compensated,
    so a difference of two prefixes keeps its precision)."""

    x: np.ndarray
    y: np.ndarray
    extremes: tuple[tuple[float, float] | None, tuple[float, float] | None]

    @staticmethod
    def of(data: Dataset) -> _Sorted:
        """Sorted once per data set: panning and zooming ask for many surfaces of the same samples."""
        with _SORTED_LOCK:
            known = next((sorted_ for ref, sorted_ in _SORTED if ref() is data), None)
        if known is None:
            order = np.argsort(data.x, kind="stable")
            x, y = data.x[order], data.y[order]
            ends = tuple((float(x[y == label][0]), float(x[y == label][-1])) if np.any(y == label) else None
                         for label in (0.0, 1.0))
            known = _Sorted(x, y, ends)
            with _SORTED_LOCK:
                _SORTED[:] = [(weakref.ref(data), known), *_SORTED[:SORTED_KEPT - 1]]
        return known

    @cached_property
    def count(self) -> tuple[np.ndarray, np.ndarray]:
        return tuple(_prefix(weight)[0] for weight in (1.0 - self.y, self.y))

    @cached_property
    def sum_x(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        return tuple(_prefix(weight * self.x) for weight in (1.0 - self.y, self.y))

    def linear(self, label: int, start: np.ndarray, stop: np.ndarray, w: float, b: np.ndarray,
               mse: bool) -> np.ndarray:
        """Σ over samples start…stop−1 of class label's loss where it is linear (far on its losing side)."""
        count = self.count[label][stop] - self.count[label][start]
        if mse:
            return count
        high, low = self.sum_x[label]
        z = w * ((high[stop] - high[start]) + (low[stop] - low[start])) + b * count
        return z if label == 0 else -z

    def reach(self, w: float, b: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
        """(boundary x = −b/w, half-width in x of the band around it that is summed term by term), per b.

        The band is |z| < max(m, 0) + FAR/k, m being the smallest margin z·(2y − 1) of any sample: z is linear in
        x, so each class's extreme samples decide it."""
        margin = np.full(b.size, np.inf)
        for label, ends in enumerate(self.extremes):
            if ends is not None:
                sign = 1.0 if label else -1.0
                margin = np.minimum(margin, np.minimum(sign * (w * ends[0] + b), sign * (w * ends[1] + b)))
        return -b / w, (np.maximum(margin, 0.0) + FAR / TAYLOR_CONSTANTS[loss][1]) / abs(w)


def _prefix(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running sums, starting at 0, as high + low: numpy adds in order, so each step's rounding error is recovered
    exactly (Knuth's two-sum) and summed apart."""
    high = np.cumsum(values)
    before = np.concatenate(([0.0], high[:-1]))
    added = high - before
    low = np.cumsum((before - (high - added)) + (values - added))
    return np.concatenate(([0.0], high)), np.concatenate(([0.0], low))


def _plan(w: float, b: np.ndarray, samples: _Sorted, loss: str) -> int:
    """How a column is summed: EXACT up to EXACT_LIMIT samples; ONE_BY_ONE when no band holds more than
    BAND_LIMIT samples (|w| so large that few samples are near the boundary); otherwise the level L of its bins,
    width (x range)/2ᴸ with |w|·h/2 ≤ 0.999·u (0.1 % of room for rounding in the bin centres; the bound is taken on
    the offsets reached), or EXACT where that would be finer than doubles resolve (2⁵² bins)."""
    x = samples.x
    if x.size <= EXACT_LIMIT:
        return EXACT
    if w != 0.0:
        kink, reach = samples.reach(w, b, loss)
        if np.max(np.searchsorted(x, kink + reach, "right") - np.searchsorted(x, kink - reach, "left")) <= BAND_LIMIT:
            return ONE_BY_ONE
    needed = abs(w) * float(x[-1] - x[0]) / (0.999 * 2.0 * _spread_limit(loss))
    level = ceil(log2(max(needed, 1.0)))
    return EXACT if level > 52 else level


def _groups_for(samples: _Sorted, loss: str, plans: set[int]) -> dict[int, _Groups]:
    """The groups of every plan asked for. Levels of bins are made from the finest one by merging pairs, so only
    that one is made from all the samples."""
    x, y = samples.x, samples.y
    made: dict[int, _Groups] = {}
    if EXACT in plans:
        made[EXACT] = _runs(x, y, x, lambda starts: x[starts])
    if ONE_BY_ONE in plans:
        made[ONE_BY_ONE] = _runs(x, y, np.arange(x.size, dtype=np.float64), lambda starts: x[starts])
    levels = sorted(plan for plan in plans if plan >= 0)
    if levels:
        span = float(x[-1] - x[0])
        width = span / 2.0 ** levels[-1] if span > 0 else 1.0
        keys = np.floor((x - x[0]) / width)
        groups = _runs(x, y, keys, lambda starts: x[0] + (keys[starts] + 0.5) * width)
        for level in range(levels[-1], levels[0] - 1, -1):
            if level < levels[-1]:
                width *= 2.0
                groups = _halved(groups, float(x[0]), width)
            if level in plans:
                made[level] = groups
    return made


def _runs(x: np.ndarray, y: np.ndarray, keys: np.ndarray, centers: Callable[[np.ndarray], np.ndarray]) -> _Groups:
    """Groups of the sorted samples whose keys (ascending) are equal, each at its centre."""
    starts = np.concatenate(([0], np.flatnonzero(np.diff(keys)) + 1))
    inverse = np.repeat(np.arange(starts.size), np.diff(np.append(starts, x.size)))
    middle = centers(starts)
    offsets = x - middle[inverse]
    ones = y
    zeros = 1.0 - ones

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=weights, minlength=starts.size)

    return _Groups(middle, total(zeros), total(ones), total(zeros * offsets), total(ones * offsets),
                   total(zeros * offsets**2), total(ones * offsets**2), np.minimum.reduceat(offsets, starts),
                   np.maximum.reduceat(offsets, starts), np.append(starts, x.size), keys[starts])


def _halved(groups: _Groups, origin: float, width: float) -> _Groups:
    """The bins of twice the width: pairs merged, their offsets moved to the new centre."""
    parent = np.floor(groups.keys / 2.0)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(parent)) + 1))
    middle = origin + (parent[starts] + 0.5) * width
    shift = groups.centers - np.repeat(middle, np.diff(np.append(starts, parent.size)))

    def total(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, starts)

    n0, n1, a0, a1, q0, q1 = groups.moments(slice(None))
    return _Groups(middle, total(n0), total(n1), total(a0 + n0 * shift), total(a1 + n1 * shift),
                   total(q0 + shift * (2.0 * a0 + n0 * shift)), total(q1 + shift * (2.0 * a1 + n1 * shift)),
                   np.minimum.reduceat(groups.low + shift, starts), np.maximum.reduceat(groups.high + shift, starts),
                   groups.starts[np.append(starts, parent.size)], parent[starts])


def _column(w: float, b: np.ndarray, samples: _Sorted, groups: _Groups, loss: str,
            cancelled: Callable[[], bool]) -> tuple[np.ndarray, float, int]:
    """(Σ over samples of the loss at (w, b[i]) for every i, its relative error bound, group terms summed)."""
    if cancelled():
        raise SurfaceCancelledError
    mse = loss == "mse"
    slack = abs(w) * groups.spread
    bound = _taylor_bound(loss, slack)
    size = groups.centers.size
    if size <= BAND_LIMIT or samples.x.size <= EXACT_LIMIT or w == 0.0:
        total = np.zeros(b.size)
        step = max(1, CHUNK // b.size)
        for start in range(0, size, step):
            part = slice(start, start + step)
            total += _group_loss(w * groups.centers[part] + b[:, None], w, groups, part, mse).sum(axis=1)
        return total, bound, size * b.size
    kink, reach = samples.reach(w, b, loss)
    first = np.searchsorted(groups.centers, kink - reach, "right")
    stop = np.searchsorted(groups.centers, kink + reach, "left")
    index = first[:, None] + np.arange(int(np.max(stop - first, initial=0)))
    inside = index < stop[:, None]
    index = np.minimum(index, size - 1)
    near = np.where(inside, _group_loss(w * groups.centers[index] + b[:, None], w, groups, index, mse), 0.0)
    left = 1 if w > 0 else 0
    ends = np.zeros(b.size, dtype=int), np.full(b.size, samples.x.size)
    total = (near.sum(axis=1) + samples.linear(left, ends[0], groups.starts[first], w, b, mse)
             + samples.linear(1 - left, groups.starts[stop], ends[1], w, b, mse))
    margin = FAR / TAYLOR_CONSTANTS[loss][1] - slack - 1.0
    bound += 4.0 * samples.x.size * exp(-TAYLOR_CONSTANTS[loss][1] * margin) + 3.0 * exp(-margin)
    return total, bound, int(inside.sum())


def _map_columns(compute: Callable[[int], tuple[np.ndarray, float, int]], columns: range,
                 threads: int) -> list[tuple[np.ndarray, float, int]]:
    """compute(j) for every column, shared among threads (numpy lets go of the interpreter lock while it
    computes)."""
    workers = max(1, min(threads, len(columns)))
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(compute, columns))


def _group_loss(z: np.ndarray, w: float, groups: _Groups, part: slice | np.ndarray, mse: bool) -> np.ndarray:
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
