"""Iso-lines of the loss surface lie on their levels: checked against the functions they were traced from."""

from __future__ import annotations

import numpy as np
import pytest

from gui.base.surface_picture import LEVELS, picture_of
from model.data import Dataset
from model.landscape import Surface, loss_surface
from model.neuron import objective


def _segments(lines: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """The NaN-separated pieces of a picture's lines, as arrays of (w, b) rows."""
    w, b = lines
    assert w.shape == b.shape and np.isnan(w[-1])
    breaks = np.flatnonzero(np.isnan(w))
    starts = np.concatenate([[0], breaks[:-1] + 1])
    return [np.column_stack([w[s:e], b[s:e]]) for s, e in zip(starts, breaks, strict=True) if e > s]


def _bowl(w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.05 + (w - 1.0) ** 2 + 2.0 * (b + 0.5) ** 2


@pytest.fixture
def bowl() -> Surface:
    w, b = np.linspace(-2.0, 4.0, 241), np.linspace(-2.5, 1.5, 161)
    return Surface(w, b, _bowl(w[np.newaxis, :], b[:, np.newaxis]), False, 0.0)


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
def test_each_line_of_a_bowl_lies_on_one_of_the_evenly_spaced_levels(bowl, log):
    picture = picture_of(bowl)
    values = picture.colour_values(log)
    levels = np.linspace(values.min(), values.max(), LEVELS + 2)[1:-1]
    segments = _segments(picture.contour_lines(log))
    seen = set()
    for points in segments:
        exact = _bowl(points[:, 0], points[:, 1])
        on = np.log10(exact) if log else exact
        level = int(np.abs(levels - on.mean()).argmin())
        seen.add(level)
        spacing = levels[1] - levels[0]
        assert np.abs(on - levels[level]).max() < 0.01 * spacing
        assert bowl.w[0] <= points[:, 0].min() and points[:, 0].max() <= bowl.w[-1]
        assert bowl.b[0] <= points[:, 1].min() and points[:, 1].max() <= bowl.b[-1]
    assert seen == set(range(LEVELS))


def test_a_closed_level_of_the_bowl_is_one_closed_ellipse(bowl):
    """Levels below the lowest value on the grid's edge (8.05) are whole ellipses: one piece, ending where it
    started, around the minimum."""
    picture = picture_of(bowl)
    first = _segments(picture.contour_lines(False))
    inner = [points for points in first if _bowl(points[:, 0], points[:, 1]).mean() < 8.0]
    assert len(inner) == 6
    for points in inner:
        assert np.allclose(points[0], points[-1])
        assert points[:, 0].min() < 1.0 < points[:, 0].max() and points[:, 1].min() < -0.5 < points[:, 1].max()


def test_lines_of_a_real_loss_surface_follow_the_engines_loss():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(-1.0, 1.0, 150), rng.normal(1.5, 1.0, 150)])
    y = np.repeat([0.0, 1.0], 150)
    data = Dataset(x, y)
    surface = loss_surface(data, "bce", 0.0, (-2.0, 5.0), (-3.0, 3.0), 200)
    picture = picture_of(surface)
    levels = np.linspace(surface.loss.min(), surface.loss.max(), LEVELS + 2)[1:-1]
    checked = 0
    for points in _segments(picture.contour_lines(False)):
        for w, b in points[:: max(1, len(points) // 5)]:
            value = objective(w, b, data, "bce")
            assert np.abs(levels - value).min() < 0.01 * (levels[1] - levels[0])
            checked += 1
    assert checked > 50


def test_a_flat_surface_has_no_lines():
    w, b = np.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 4)
    picture = picture_of(Surface(w, b, np.full((4, 5), 0.7), False, 0.0))
    assert picture.contour_lines(False)[0].size == 0 and picture.contour_lines(True)[0].size == 0
