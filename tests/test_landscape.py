"""The loss surface against model.neuron.objective, the binned surface against its stated bound, the CSV, the
window and the descent ray."""

from __future__ import annotations

import io

import numpy as np
import pytest

from model.data import Dataset, generate
from model.landscape import (
    BAND_LIMIT,
    ERROR_TARGET,
    EXACT_LIMIT,
    SurfaceCancelledError,
    descent_ray,
    landscape_csv,
    loss_surface,
    surface_window,
)
from model.neuron import objective
from model.optimum import exact_optimum, separating_gap
from model.settings import Settings

pytestmark = pytest.mark.filterwarnings("error")


def _objective_grid(surface, data, loss, l2):
    return np.array([[objective(w, b, data, loss, l2) for w in surface.w] for b in surface.b])


def _long_tailed(df: float, n: int = 50_000) -> Dataset:
    """Two overlapping Student-t classes (df = 1 is Cauchy): samples reach hundreds or thousands from the middle."""
    rng = np.random.default_rng(int(df * 10))
    x = np.concatenate([rng.standard_t(df, n) - 1.0, rng.standard_t(df, n) + 1.0])
    return Dataset(x, np.repeat([0.0, 1.0], n))


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("decimals", [None, 1], ids=["distinct", "repeated values"])
def test_exact_surface_equals_the_objective_at_every_grid_point(loss, l2, decimals):
    data = generate(Settings(n0=150, n1=120, seed=7))
    if decimals is not None:
        data = Dataset(np.round(data.x, decimals), data.y)
    surface = loss_surface(data, loss, l2, (-1.0, 5.0), (-3.0, 2.0), size=17)
    assert not surface.binned and surface.error_bound == 0
    assert surface.loss.shape == (surface.b.size, surface.w.size) == (17, 17)
    assert surface.w[[0, -1]].tolist() == [-1.0, 5.0] and surface.b[[0, -1]].tolist() == [-3.0, 2.0]
    np.testing.assert_allclose(surface.loss, _objective_grid(surface, data, loss, l2), rtol=1e-12, atol=0)


@pytest.mark.parametrize("samples", [300, 200_000], ids=["exact", "binned"])
def test_a_surface_is_the_same_on_one_thread_as_on_several(samples):
    """The window computes surfaces on a core fewer than the command line: the same numbers, bit for bit."""
    data = generate(Settings(n0=samples // 2, n1=samples // 2, seed=3))
    one, three = (loss_surface(data, "bce", 0.1, (-2.0, 6.0), (-4.0, 3.0), size=23, threads=threads)
                  for threads in (1, 3))
    assert one.binned == three.binned == (samples > 1000)
    np.testing.assert_array_equal(one.loss, three.loss)
    assert one.error_bound == three.error_bound and one.terms == three.terms


@pytest.fixture(scope="module", params=[2.0, 1.0], ids=["t2", "cauchy"])
def long_tailed(request):
    return _long_tailed(request.param)


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_binned_surface_stays_within_its_stated_bound_on_long_tails(long_tailed, loss):
    for l2 in (0.0, 0.2):
        surface = loss_surface(long_tailed, loss, l2, (-4.0, 8.0), (-6.0, 5.0), size=11)
        assert surface.binned and 0 < surface.error_bound <= ERROR_TARGET
        exact = _objective_grid(surface, long_tailed, loss, l2)
        assert np.max(np.abs(surface.loss / exact - 1)) <= surface.error_bound


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_bound_holds_where_it_is_nearly_reached(loss):
    """Every sample at a bin's edge, in the exponential tail of its loss: the worst case the bound is derived for."""
    n = EXACT_LIMIT
    data = Dataset(np.concatenate([np.zeros(n), np.full(n, 10.0)]), np.repeat([0.0, 1.0], n))
    surface = loss_surface(data, loss, 0.0, (2.0, 4.0), (-25.0, -5.0), size=9)
    assert surface.binned
    error = np.max(np.abs(surface.loss / _objective_grid(surface, data, loss, 0.0) - 1))
    assert 0.5 * surface.error_bound < error <= surface.error_bound <= ERROR_TARGET


@pytest.fixture(scope="module")
def many():
    return generate(Settings(n0=20_000, n1=20_000, seed=4))


RUNAWAY_WINDOWS = {
    "runaway": ((-6.5e9, 6.5e9), (-2e2, 2e2)),
    "boundary in the data": ((3e2, 3e4), (-1e4, 1e4)),
    "plane's edge": ((-1e13, 1e13), (-1e13, 1e13)),
    "near zero": ((-0.5, 0.5), (-3.0, 3.0)),
}


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("window", list(RUNAWAY_WINDOWS), ids=list(RUNAWAY_WINDOWS))
def test_surface_of_a_runaway_window_is_cheap_and_within_its_bound(many, loss, window):
    """Far from the boundary the loss is summed in closed form: each grid point costs at most BAND_LIMIT terms
    (not one per sample), and the error stays within the stated bound."""
    w_range, b_range = RUNAWAY_WINDOWS[window]
    for l2 in (0.0, 1000.0):
        surface = loss_surface(many, loss, l2, w_range, b_range, size=7)
        assert surface.terms <= 7 * 7 * BAND_LIMIT < len(many)
        assert surface.error_bound <= ERROR_TARGET and np.all(np.isfinite(surface.loss))
        exact = _objective_grid(surface, many, loss, l2)
        assert np.max(np.abs(surface.loss / exact - 1)) <= surface.error_bound + 1e-12


def _tail_objective(w: float, b: float, data: Dataset, loss: str) -> float:
    """The mean loss with each sample's loss written without 1 − (a number near 1), so losses far below 1e-16 keep
    their digits: softplus(−m) = log1p(e^(−m)) and σ(−m)² at each sample's margin m > 0."""
    margin = (w * data.x + b) * (2.0 * data.y - 1.0)
    assert np.all(margin > 0)
    tail = np.exp(-margin)
    per_sample = np.log1p(tail) if loss == "bce" else (tail / (1.0 + tail)) ** 2
    return float(per_sample.mean())


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_separable_classes_far_along_the_ray_keep_their_tiny_loss_to_the_bound(loss):
    """Every sample on its winning side, the loss e^(−margin) small: the samples left out must not matter."""
    rng = np.random.default_rng(8)
    x = np.concatenate([rng.uniform(-3.0, -0.5, 3000), rng.uniform(0.5, 3.0, 3000)])
    data = Dataset(x, np.repeat([0.0, 1.0], 3000))
    surface = loss_surface(data, loss, 0.0, (40.0, 120.0), (-8.0, 8.0), size=7)
    exact = np.array([[_tail_objective(w, b, data, loss) for w in surface.w] for b in surface.b])
    assert np.all(exact > 0) and np.all(exact < 1e-5) and surface.binned
    assert surface.terms <= 7 * 7 * BAND_LIMIT
    assert np.max(np.abs(surface.loss / exact - 1)) <= surface.error_bound <= ERROR_TARGET


def test_cost_per_grid_point_is_bounded_whatever_the_window(many):
    for w_range in [(-4.0, 4.0), (50.0, 800.0), (-3e4, 3e4), (1e6, 1e12)]:
        surface = loss_surface(many, "bce", 0.0, w_range, (-5e3, 5e3), size=31)
        assert surface.terms <= 31 * 31 * BAND_LIMIT


def test_a_surface_no_longer_wanted_stops_between_columns(many):
    asked = []

    def cancelled():
        asked.append(True)
        return len(asked) > 3

    with pytest.raises(SurfaceCancelledError):
        loss_surface(many, "bce", 0.0, (-5.0, 5.0), (-5.0, 5.0), size=200, cancelled=cancelled)
    assert 3 < len(asked) <= 200


def test_csv_reads_back_to_the_same_numbers():
    data = generate(Settings(n0=40, n1=60, seed=2))
    surface = loss_surface(data, "bce", 0.1, (-0.3, 2.7), (-1.1, 0.9), size=7)
    text = landscape_csv(surface)
    assert text.splitlines()[0] == "w,b,loss"
    table = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    w, b = np.meshgrid(surface.w, surface.b)
    assert table.shape == (49, 3)
    assert np.array_equal(table[:, 0], w.ravel())
    assert np.array_equal(table[:, 1], b.ravel())
    assert np.array_equal(table[:, 2], surface.loss.ravel())


def test_window_frames_the_points_with_a_margin():
    data = generate(Settings())
    points = [(0.004, -0.007), (1.2, 0.3), (3.1, -0.2)]
    (w_lo, w_hi), (b_lo, b_hi) = surface_window(data, points)
    for w, b in points:
        assert w_lo < w < w_hi and b_lo < b < b_hi
    assert w_hi - w_lo > 3.1 - 0.004


@pytest.mark.parametrize("points", [[], [(2.0, -1.0)], [(0.0, 1.0), (5.0, 1.0)], [(7.0, 3.0), (np.nan, np.inf)]])
def test_window_is_never_degenerate(points):
    data = generate(Settings(n0=20, n1=20))
    for lo, hi in surface_window(data, points):
        assert np.isfinite(lo) and np.isfinite(hi) and hi - lo > 1.0


def _separable(class1_right: bool) -> Dataset:
    rng = np.random.default_rng(5)
    low, high = rng.uniform(-3.0, -0.5, 60), rng.uniform(1.0, 4.0, 40)
    x0, x1 = (low, high) if class1_right else (high, low)
    return Dataset(np.concatenate([x0, x1]), np.repeat([0.0, 1.0], [x0.size, x1.size]))


@pytest.mark.parametrize("class1_right", [True, False])
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_loss_strictly_falls_along_the_descent_ray(class1_right, loss):
    data = _separable(class1_right)
    ray = descent_ray(data)
    assert ray is not None and not exact_optimum(data, "bce", 0.0).exists
    assert ray.gap == separating_gap(data) and ray.gap[0] < ray.midpoint < ray.gap[1]
    assert ray.w_sign == (1 if class1_right else -1)
    assert np.hypot(*ray.direction) == pytest.approx(1.0, rel=1e-15)
    assert ray.direction[1] == pytest.approx(-ray.midpoint * ray.direction[0], rel=1e-15)
    assert ray.reason.endswith(".") and ray.reason.count(". ") == 0
    losses = [objective(t * ray.direction[0], t * ray.direction[1], data, loss) for t in np.linspace(0.0, 20.0, 81)]
    assert np.all(np.diff(losses) < 0)


def test_no_ray_when_the_classes_overlap():
    assert descent_ray(generate(Settings())) is None
