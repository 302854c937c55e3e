"""The one verdict on a run: each case on a problem whose η_max is known, and the boundary η = η_max."""

from __future__ import annotations

import numpy as np
import pytest

from model.data import generate
from model.diagnosis import Verdict, diagnose, oscillating
from model.optimum import Optimum
from model.problem import Problem, study
from model.settings import Settings
from model.trainer import DIVERGED, Trainer

WITH_OPTIMUM = Problem(Optimum(True, 1.0, 0.0, 0.3), lr_limit=4.0, ray=None)
SEPARABLE = Problem(Optimum(False, reason="The classes are separable."), lr_limit=None, ray=None)


@pytest.mark.parametrize(("lr", "verdict"), [(3.999, Verdict.STABLE), (4.0, Verdict.BEYOND_LIMIT),
                                            (4.001, Verdict.BEYOND_LIMIT)])
def test_eta_max_itself_is_beyond_the_limit(lr, verdict):
    assert diagnose(WITH_OPTIMUM, lr).verdict == verdict


def test_alternating_losses_beyond_the_limit_oscillate_and_below_it_do_not():
    losses = np.array([1.0, 0.5, 0.9, 0.4, 0.8, 0.3, 0.7])
    assert oscillating(losses)
    assert diagnose(WITH_OPTIMUM, 5.0, losses=losses).verdict == Verdict.OSCILLATING
    assert diagnose(WITH_OPTIMUM, 1.0, losses=losses).verdict == Verdict.STABLE
    assert not oscillating(np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5]))
    assert not oscillating(losses[:5])


def test_divergence_wins_and_says_why_with_the_limit():
    found = diagnose(WITH_OPTIMUM, 8.0, diverged=True, message="The weights ran away at epoch 3.")
    assert found.verdict == Verdict.DIVERGED
    assert found.text.startswith("The weights ran away at epoch 3.") and "η_max = 4" in found.text
    assert found.alarming and found.to_dict() == {"verdict": "diverged", "text": found.text}


def test_without_an_optimum_the_verdict_gives_its_reason():
    found = diagnose(SEPARABLE, 0.1)
    assert found.verdict == Verdict.NO_OPTIMUM and found.text == "The classes are separable."
    assert not found.alarming


def test_a_real_full_batch_run_above_its_limit_is_diagnosed_from_its_history():
    settings = Settings(n0=40, n1=40, optimizer="batch", epochs=40, l2=0.5, seed=3)
    data = generate(settings)
    problem = study(data, "bce", 0.5)
    lr = 1.5 * problem.lr_limit
    trainer = Trainer(settings.replace(lr=lr), data)
    trainer.run_to_end()
    view = trainer.view()
    found = diagnose(problem, lr, view.status == DIVERGED, view.history.loss, view.message)
    assert found.verdict == Verdict.OSCILLATING
    settled = Trainer(settings.replace(lr=0.5 * problem.lr_limit), data)
    settled.run_to_end()
    assert diagnose(problem, 0.5 * problem.lr_limit, losses=settled.view().history.loss).verdict == Verdict.STABLE


@pytest.mark.parametrize(("lr", "verdict"), [(7.599, Verdict.STABLE), (7.6, Verdict.BEYOND_LIMIT),
                                            (4.5, Verdict.STABLE)])
def test_heavy_ball_momentum_is_held_to_two_times_one_plus_mu_over_the_curvature(lr, verdict):
    """η_max = 2/λ_max = 4 for plain descent here, so 2(1 + μ)/λ_max = 7.6 with μ = 0.9."""
    found = diagnose(WITH_OPTIMUM, lr, rule="momentum", momentum=0.9)
    assert found.verdict == verdict
    if verdict == Verdict.BEYOND_LIMIT:
        assert "η_max = 7.6" in found.text and "2(1 + μ)" in found.text and "μ = 0.9" in found.text


def test_adam_is_never_beyond_a_limit_from_eta_alone():
    found = diagnose(WITH_OPTIMUM, 1000.0, rule="adam")
    assert found.verdict == Verdict.NO_LIMIT and not found.alarming
    assert "no η_max" in found.text
    assert diagnose(WITH_OPTIMUM, 1000.0, diverged=True, rule="adam").verdict == Verdict.DIVERGED
    assert diagnose(SEPARABLE, 0.1, rule="adam").verdict == Verdict.NO_OPTIMUM

