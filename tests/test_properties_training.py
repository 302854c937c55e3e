"""Properties over every valid setting, extremes included: training hands out only finite numbers (or stops as
diverged, still finite) with numpy never warning, and an exact optimum is only claimed where the gradient vanishes."""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from model.data import generate
from model.kernel import PYTHON_KERNEL
from model.neuron import gradient
from model.optimum import exact_optimum
from model.settings import LOSSES, MAX_ABS_MEAN, MAX_L2, MAX_SIGMA, OPTIMIZERS, Settings
from model.trainer import DIVERGED, FINISHED, Trainer


def _spread() -> st.SearchStrategy[float]:
    """Spreads from 10^-6 to 10^6, every decade as likely, and the two ends themselves."""
    decades = st.floats(-6.0, math.log10(MAX_SIGMA)).map(lambda exponent: 10.0**exponent)
    return st.one_of(st.sampled_from([1e-6, MAX_SIGMA]), decades)


def _signed(limit: float) -> st.SearchStrategy[float]:
    return st.floats(-limit, limit, allow_nan=False, allow_infinity=False)


def _valid_settings() -> st.SearchStrategy[Settings]:
    return st.builds(
        Settings,
        mu0=_signed(MAX_ABS_MEAN), sigma0=_spread(), n0=st.integers(1, 50),
        mu1=_signed(MAX_ABS_MEAN), sigma1=_spread(), n1=st.integers(1, 50),
        seed=st.integers(0, 2**32), init_w=st.none() | _signed(1e6), init_b=st.none() | _signed(1e6),
        loss=st.sampled_from(LOSSES), l2=st.floats(0.0, MAX_L2), optimizer=st.sampled_from(OPTIMIZERS),
        lr=st.floats(0.0, 1e3, exclude_min=True), batch_size=st.integers(1, 64), epochs=st.integers(1, 30),
        shuffle=st.booleans(), every=st.integers(1, 30),
    )


def _finite(*numbers: float | None) -> bool:
    return all(number is None or math.isfinite(number) for number in numbers)


@examples(deadline=None, derandomize=True, max_examples=1000)
@given(_valid_settings())
def test_any_valid_settings_train_to_finite_numbers(settings):
    assert settings.problems() == {}
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
        trainer.run_to_end()
        view = trainer.view()
    assert view.status in (FINISHED, DIVERGED)
    if view.status == DIVERGED:
        assert "the weights ran away" in view.message
    assert _finite(view.w, view.b, view.loss, view.accuracy, view.boundary)
    for record in view.history.records():
        assert _finite(record.w, record.b, record.loss, record.accuracy, record.boundary)
    assert view.snapshots[0] == view.history.record(0)


@examples(deadline=None, derandomize=True, max_examples=500)
@given(_valid_settings())
def test_an_exact_optimum_is_finite_and_flat_relative_to_the_data_scale(settings):
    data = generate(settings)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        optimum = exact_optimum(data, settings.loss, settings.l2)
    if not optimum.exists:
        assert optimum.reason
        return
    assert _finite(optimum.w, optimum.b, optimum.loss)
    grad_w, grad_b = gradient(optimum.w, optimum.b, data.x, data.y, "bce", settings.l2)
    assert abs(grad_b) <= 1e-8 and abs(grad_w) <= 1e-8 * float(np.max(np.abs(data.x)))
