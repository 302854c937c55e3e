"""The true answer of the two Gaussians: Bayes' rule's ½-crossings against hand-derived cases, and the exact optimum
approaching the true sigmoid as the samples grow."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from model.cli import run_train
from model.data import generate
from model.optimum import exact_optimum
from model.settings import Settings
from model.truth import TrueAnswer


def _truth(mu0: float, sigma0: float, n0: int, mu1: float, sigma1: float, n1: int) -> TrueAnswer:
    return TrueAnswer(mu0, sigma0, n0, mu1, sigma1, n1)


def test_equal_spreads_and_unequal_counts_shift_the_boundary_towards_the_rarer_class():
    # L(x) = (x + 1)²/2 − (x − 1)²/2 + ln(300/100) = 2x + ln 3, so ½ at x = −ln(3)/2.
    truth = _truth(-1.0, 1.0, 100, 1.0, 1.0, 300)
    assert truth.line() == pytest.approx((2.0, math.log(3)), rel=1e-15)
    assert truth.boundaries() == pytest.approx([-math.log(3) / 2], rel=1e-15)
    assert truth.probability(np.array([-math.log(3) / 2]))[0] == pytest.approx(0.5, abs=1e-15)
    assert truth.probability(np.array([0.0]))[0] == pytest.approx(0.75, rel=1e-15)


def test_equal_spreads_of_width_two_halve_w_and_b():
    # σ² = 4: w = (3 − 1)/4 = 0.5, b = (1 − 9)/8 + ln(50/150) = −1 − ln 3, so x = 2 + 2·ln 3.
    truth = _truth(1.0, 2.0, 150, 3.0, 2.0, 50)
    assert truth.line() == pytest.approx((0.5, -1 - math.log(3)), rel=1e-15)
    assert truth.boundaries() == pytest.approx([2 + 2 * math.log(3)], rel=1e-14)


def test_unequal_spreads_cross_twice_around_the_narrow_class():
    # μ₀ = μ₁ = 0, σ₀ = 1, σ₁ = 2, equal counts: L(x) = ln(1/2) + x²/2 − x²/8 = 3x²/8 − ln 2, zero at ±√(8·ln 2/3).
    truth = _truth(0.0, 1.0, 100, 0.0, 2.0, 100)
    root = math.sqrt(8 * math.log(2) / 3)
    assert truth.line() is None
    assert truth.boundaries() == pytest.approx([-root, root], rel=1e-14)
    assert truth.probability(np.array([0.0, 10.0])) == pytest.approx([1 / 3, 1.0], abs=1e-9)


def test_unequal_spreads_with_shifted_means():
    # μ₀ = 0, σ₀ = 1, μ₁ = 3, σ₁ = 2, equal counts: L = x²/2 − (x − 3)²/8 − ln 2 = (3x² + 6x − 9)/8 − ln 2,
    # so 3x² + 6x − (9 + 8 ln 2) = 0, x = −1 ± √(1 + (9 + 8 ln 2)/3).
    truth = _truth(0.0, 1.0, 10, 3.0, 2.0, 10)
    half = math.sqrt(1 + (9 + 8 * math.log(2)) / 3)
    assert truth.boundaries() == pytest.approx([-1 - half, -1 + half], rel=1e-14)


def test_a_wide_class_that_is_common_enough_is_more_likely_everywhere():
    # σ₁ = 2 and four times as many class-1 samples: L = ln(4/2) + 3x²/8 ≥ ln 2 > 0, never ½.
    assert _truth(0.0, 1.0, 100, 0.0, 2.0, 400).boundaries() == []


def test_a_double_root_is_given_once():
    # σ₁ = 2, equal means and n₁ = 2·n₀: L = ln(2/2) + 3x²/8 touches 0 at x = 0 only.
    assert _truth(0.0, 1.0, 100, 0.0, 2.0, 200).boundaries() == [0.0]


def test_same_gaussians_have_no_boundary():
    assert _truth(1.0, 1.0, 100, 1.0, 1.0, 100).boundaries() == []


def test_nearly_equal_spreads_keep_the_root_near_the_line_s_one():
    # σ₁ = 1 + 1e−9: one root stays within 1e−8 of the equal-spread root, the other runs off to about ±10⁹.
    near, far = sorted(_truth(-1.0, 1.0, 100, 1.0, 1.0 + 1e-9, 300).boundaries(), key=abs)
    assert near == pytest.approx(-math.log(3) / 2, abs=1e-8)
    assert abs(far) > 1e8


def test_extreme_settings_stay_finite():
    truth = _truth(-1e6, 1e-6, 1, 1e6, 1e6, 1_000_000)
    assert all(math.isfinite(x) for x in truth.boundaries())
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert np.all(np.isfinite(truth.probability(np.linspace(-1e7, 1e7, 101))))


def test_the_exact_optimum_approaches_the_true_sigmoid_as_samples_grow():
    settings = Settings(mu0=-1.0, sigma0=1.0, n0=100_000, mu1=1.0, sigma1=1.0, n1=300_000, seed=3)
    w, b = TrueAnswer.of(settings).line()
    optimum = exact_optimum(generate(settings))
    assert optimum.w == pytest.approx(w, abs=0.02)
    assert optimum.b == pytest.approx(b, abs=0.02)


def test_result_gives_true_boundaries_for_gaussians_and_none_for_a_file(tmp_path):
    assert run_train(["--mu0", "0", "--sigma1", "2", "--mu1", "0", "--epochs", "1", "--quiet",
                      "--out", str(tmp_path / "g")]) == 0
    result = json.loads((tmp_path / "g" / "result.json").read_text())
    assert result["true_boundaries"] == pytest.approx([-math.sqrt(8 * math.log(2) / 3), math.sqrt(8 * math.log(2) / 3)])
    assert run_train(["--data", str(tmp_path / "g" / "samples.csv"), "--epochs", "1", "--quiet",
                      "--out", str(tmp_path / "f")]) == 0
    assert "true_boundaries" not in json.loads((tmp_path / "f" / "result.json").read_text())


def test_over_standardised_x_the_truth_keeps_its_half_points_where_they_were():
    from model.data import Scale

    scale = Scale(2.0, 4.0)
    truth = _truth(0.0, 1.0, 10, 3.0, 2.0, 10)
    scaled = truth.in_units_of(scale)
    assert scaled.boundaries() == pytest.approx([(x - 2.0) / 4.0 for x in truth.boundaries()], rel=1e-13)
    u = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(scaled.probability(u), truth.probability(2.0 + 4.0 * u), rtol=1e-13)
    assert truth.in_units_of(None) is truth
