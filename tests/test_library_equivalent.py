"""The scikit-learn calls result.json gives really return the exact optimum when run on the same samples."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from model.cli import run_train
from model.csv_io import load_csv
from model.data import generate
from model.library_equivalent import sklearn_equivalent
from model.neuron import objective
from model.optimum import exact_optimum
from model.settings import Settings

LIBRARY = {"np": np, "LogisticRegression": LogisticRegression, "MLPClassifier": MLPClassifier}


def _fit(expression: str, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = eval(expression, LIBRARY).fit(x.reshape(-1, 1), y)
    if isinstance(model, MLPClassifier):
        return float(model.coefs_[0][0, 0]), float(model.intercepts_[0][0])
    return float(model.coef_[0, 0]), float(model.intercept_[0])


@pytest.mark.parametrize("l2", ["0", "0.01", "0.5"])
def test_result_json_s_calls_reproduce_the_optimum(tmp_path, l2):
    assert run_train(["--seed", "1", "--l2", l2, "--epochs", "1", "--quiet", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    data = load_csv(tmp_path / "samples.csv")
    optimum, library = result["optimum"], result["sklearn_equivalent"]
    assert optimum["exists"] and library["exists"]
    # LogisticRegression's L-BFGS stops at a gradient below tol = 1e−12 (and a relative loss change of 64 ulp):
    # measured within 2e−9 of Newton's optimum, so 1e−7 leaves room without letting a wrong C through (a C off by
    # 1 % moves w by about 1e−3 at λ = 0.01).
    w, b = _fit(library["logistic_regression"], data.x, data.y)
    assert (w, b) == pytest.approx((optimum["w"], optimum["b"]), abs=1e-7)
    # MLPClassifier passes no loss tolerance to L-BFGS, which then stops once the loss changes by less than 2.2e−9 of
    # itself: the loss must be the optimum's to that, and w, b (measured within 7e−7) within 1e−5.
    w, b = _fit(library["mlp_classifier"], data.x, data.y)
    assert objective(w, b, data, "bce", float(l2)) == pytest.approx(optimum["loss"], rel=3e-9)
    assert (w, b) == pytest.approx((optimum["w"], optimum["b"]), abs=1e-5)


def test_the_expressions_carry_c_and_alpha_exactly():
    library = sklearn_equivalent("bce", 0.3, 7)
    assert "C=0.47619047619047616," in library.logistic_regression
    assert eval(library.logistic_regression, LIBRARY).C == 1 / (0.3 * 7)
    assert eval(library.mlp_classifier, LIBRARY).alpha == 0.3 * 7
    assert np.isposinf(eval(sklearn_equivalent("bce", 0.0, 7).logistic_regression, LIBRARY).C)


def test_the_tutorial_s_default_logistic_regression_is_the_optimum_with_lambda_one_over_n():
    data = generate(Settings(seed=2, n0=40, n1=40))
    w, b = _fit("LogisticRegression(tol=1e-12)", data.x, data.y)
    penalised = exact_optimum(data, "bce", 1 / len(data))
    unpenalised = exact_optimum(data, "bce", 0.0)
    assert (w, b) == pytest.approx((penalised.w, penalised.b), abs=1e-7)
    assert abs(w - unpenalised.w) > 1e-3


def test_squared_error_says_there_is_no_library_call(tmp_path):
    assert run_train(["--loss", "mse", "--epochs", "1", "--quiet", "--out", str(tmp_path)]) == 0
    library = json.loads((tmp_path / "result.json").read_text())["sklearn_equivalent"]
    assert library["exists"] is False
    assert library["logistic_regression"] is None and library["mlp_classifier"] is None
    assert "squared error" in library["note"]
