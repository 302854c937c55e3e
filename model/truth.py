"""The true answer for samples drawn from the two Gaussians: P(class 1 | x) by Bayes' rule from the generating means,
spreads and counts, and the x where it is exactly ½. No training can beat it; the exact optimum approaches it as the
samples grow when the spreads are equal (it is then itself a sigmoid of a line).

With s₀ = σ₀², s₁ = σ₁² and k = ln(n₁σ₀ / (n₀σ₁)), the log-odds are
    L(x) = k + (x − μ₀)² / (2s₀) − (x − μ₁)² / (2s₁),
a line when s₀ = s₁ (w = (μ₁ − μ₀)/s, b = (μ₀² − μ₁²)/(2s) + ln(n₁/n₀)) and a parabola otherwise, whose roots are
    x = (μ₀s₁ − μ₁s₀ ± σ₀σ₁√D) / (s₁ − s₀),   D = (μ₁ − μ₀)² + 2(s₀ − s₁)k,
two when D > 0, one double root when D = 0, none when D < 0. The larger root in size is taken from that formula with
the sign that adds rather than cancels, the other from the product of the roots, so nearly equal spreads lose no
digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.data import Scale
from model.neuron import sigmoid
from model.settings import Settings


@dataclass(frozen=True)
class TrueAnswer:
    """The generating Gaussians and their counts: what Bayes' rule needs."""

    mu0: float
    sigma0: float
    n0: int
    mu1: float
    sigma1: float
    n1: int

    @classmethod
    def of(cls, settings: Settings) -> TrueAnswer | None:
        """The true answer of generated samples; None for samples from a file, whose source is unknown."""
        if settings.data_path:
            return None
        return cls(settings.mu0, settings.sigma0, settings.n0, settings.mu1, settings.sigma1, settings.n1)

    def in_units_of(self, scale: Scale | None) -> TrueAnswer:
        """The same truth over standardised u = (x − mean)/sd (itself when scale is None): Gaussians stay Gaussians,
        with means (μ − mean)/sd and spreads σ/sd."""
        if scale is None:
            return self
        return TrueAnswer((self.mu0 - scale.mean) / scale.sd, self.sigma0 / scale.sd, self.n0,
                          (self.mu1 - scale.mean) / scale.sd, self.sigma1 / scale.sd, self.n1)

    @property
    def _k(self) -> float:
        return math.log(self.n1 / self.n0) + math.log(self.sigma0 / self.sigma1)

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """ln P(1 | x) / P(0 | x) at each x."""
        x = np.asarray(x, dtype=np.float64)
        return (self._k + 0.5 * ((x - self.mu0) / self.sigma0) ** 2 - 0.5 * ((x - self.mu1) / self.sigma1) ** 2)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(class 1 | x) at each x."""
        return sigmoid(self.log_odds(x))

    def line(self) -> tuple[float, float] | None:
        """(w, b) of the true log-odds when the spreads are equal (it is then w·x + b), else None."""
        if self.sigma0 != self.sigma1:
            return None
        s = self.sigma0 * self.sigma0
        return (self.mu1 - self.mu0) / s, (self.mu0 - self.mu1) * (self.mu0 + self.mu1) / (2 * s) + math.log(
            self.n1 / self.n0)

    def boundaries(self) -> list[float]:
        """The sorted x where P(class 1 | x) = ½: one for equal spreads and different means, none for equal
        spreads and means (½ everywhere or nowhere), two, one double root or none for unequal spreads."""
        line = self.line()
        if line is not None:
            w, b = line
            return [] if w == 0 else [-b / w]
        s0, s1 = self.sigma0 * self.sigma0, self.sigma1 * self.sigma1
        gap = self.mu1 - self.mu0
        discriminant = gap * gap + 2 * (s0 - s1) * self._k
        if discriminant < 0:
            return []
        centre = self.mu0 * s1 - self.mu1 * s0
        if discriminant == 0:
            return [centre / (s1 - s0)]
        far = centre + math.copysign(self.sigma0 * self.sigma1 * math.sqrt(discriminant), centre)
        near = (self.mu0 * self.mu0 * s1 - self.mu1 * self.mu1 * s0 + 2 * self._k * s0 * s1) / far
        return sorted([far / (s1 - s0), near])
