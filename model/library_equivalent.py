"""The library call that returns the same exact optimum, so a learner can check it and see why the tutorial's default
LogisticRegression() (C = 1) is not the unpenalised fit.

The optimum minimises the mean cross-entropy plus (λ/2)·w², the intercept free. scikit-learn's LogisticRegression
minimises C·(summed cross-entropy) + ½·w², which divided by C·n is the same objective with λ = 1/(C·n): so
C = 1/(λ·n), and C = np.inf for λ = 0 (scikit-learn 1.8 deprecates penalty=None for it). MLPClassifier without a
hidden layer is the same neuron; it adds (alpha/2n)·w² to the mean loss, so alpha = λ·n. Tight tolerances make the
library's L-BFGS stop at the optimum rather than near it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from model.data import Scale

TOLERANCE = 1e-12
MAX_ITER = 10_000


@dataclass(frozen=True)
class LibraryEquivalent:
    """Python expressions (numbers filled in, floats written exactly) that reproduce the optimum, or why none does."""

    logistic_regression: str | None
    mlp_classifier: str | None
    note: str

    @property
    def exists(self) -> bool:
        return self.logistic_regression is not None

    def to_dict(self) -> dict:
        return {"exists": self.exists, **asdict(self)}

    def lines(self) -> list[str]:
        """The calls and the note, one per line, as the optimum's card shows them."""
        return [line for line in (self.logistic_regression, self.mlp_classifier) if line] + [self.note]


def sklearn_equivalent(loss: str, l2: float, n_samples: int, scale: Scale | None = None) -> LibraryEquivalent:
    """The scikit-learn estimators whose fit on the same samples (x as one column, standardised by scale when it is
    given) gives this loss's exact optimum."""
    if loss != "bce":
        return LibraryEquivalent(None, None, "No scikit-learn estimator fits a sigmoid to squared error: its "
                                 "LogisticRegression and MLPClassifier minimise cross-entropy, and its MLPRegressor "
                                 "has no sigmoid output.")
    c = "np.inf" if l2 == 0 else repr(1.0 / (l2 * n_samples))
    alpha = repr(l2 * n_samples)
    samples = f"these {n_samples:,} samples" if scale is None else (
        f"these {n_samples:,} samples standardised, (x - {scale.mean!r}) / {scale.sd!r},")
    return LibraryEquivalent(
        f"LogisticRegression(C={c}, tol={TOLERANCE!r}, max_iter={MAX_ITER})",
        f'MLPClassifier(hidden_layer_sizes=(), alpha={alpha}, solver="lbfgs", tol={TOLERANCE!r}, '
        f"max_iter={MAX_ITER}, random_state=0)",
        f"The default LogisticRegression() has C = 1, which is λ = 1/n = {1.0 / n_samples:.3g} here, not the "
        f"unpenalised fit. Either call, then .fit(x.reshape(-1, 1), y) on {samples} gives w (coef_) and b "
        f"(intercept_): C = 1/(λ·n), alpha = λ·n.")
