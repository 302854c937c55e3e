"""The trainer as the window and the command line use it: stepping, history, snapshots, divergence, settings."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from model.data import Dataset, generate
from model.kernel import PYTHON_KERNEL
from model.neuron import accuracy, objective
from model.settings import Settings
from model.trainer import Trainer

SETTINGS = Settings(n0=25, n1=25, epochs=10, every=3, lr=0.05)


def _trainer(**changes) -> Trainer:
    settings = SETTINGS.replace(**changes)
    return Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)


def test_starts_at_epoch_zero_with_small_random_weights():
    trainer = _trainer()
    assert (trainer.epoch, trainer.position, trainer.status) == (0, 0, "ready")
    assert abs(trainer.w) <= 0.01 and abs(trainer.b) <= 0.01
    given = _trainer(init_w=1.5, init_b=-0.5)
    assert (given.w, given.b) == (1.5, -0.5)


def test_step_batch_advances_one_sample_for_sgd_and_one_batch_for_minibatch():
    sgd = _trainer()
    sgd.step_batch()
    assert (sgd.epoch, sgd.position, sgd.updates) == (0, 1, 1)
    minibatch = _trainer(optimizer="minibatch", batch_size=8)
    minibatch.step_batch()
    minibatch.step_batch()
    assert (minibatch.position, minibatch.updates) == (16, 2)
    for _ in range(5):
        minibatch.step_batch()
    assert (minibatch.epoch, minibatch.position, minibatch.updates) == (1, 0, 7)
    full = _trainer(optimizer="batch")
    full.step_batch()
    assert (full.epoch, full.updates) == (1, 1)


def test_step_epoch_finishes_the_current_epoch():
    trainer = _trainer()
    trainer.step_batch()
    trainer.step_epoch()
    assert (trainer.epoch, trainer.position, trainer.updates) == (1, 0, 50)
    trainer.step_epoch()
    assert (trainer.epoch, trainer.updates) == (2, 100)


def test_step_samples_equals_the_same_number_of_single_steps():
    by_span, by_step = _trainer(), _trainer()
    by_span.step_samples(73)
    for _ in range(73):
        by_step.step_batch()
    assert (by_span.w, by_span.b, by_span.epoch, by_span.position) == (
        by_step.w, by_step.b, by_step.epoch, by_step.position)


def test_history_has_epoch_zero_and_one_row_per_epoch_with_the_full_data_loss():
    trainer = _trainer()
    trainer.run_to_end()
    history = trainer.view().history
    assert list(history.epoch) == list(range(11))
    for record in history.records():
        assert record.loss == pytest.approx(objective(record.w, record.b, trainer.data, "bce"), rel=1e-12)
        assert record.accuracy == accuracy(record.w, record.b, trainer.data)
        assert record.boundary == pytest.approx(-record.b / record.w)
    assert trainer.status == "finished"
    assert history.loss[-1] < history.loss[0]


def test_snapshots_every_n_epochs_including_the_start():
    trainer = _trainer()
    trainer.run_to_end()
    assert [s.epoch for s in trainer.view().snapshots] == [0, 3, 6, 9]


def test_finished_training_does_not_move_until_more_epochs_are_asked_for():
    trainer = _trainer()
    trainer.run_to_end()
    w = trainer.w
    trainer.step_epoch()
    assert (trainer.epoch, trainer.w) == (10, w)
    assert not trainer.update_settings(trainer.settings.replace(epochs=12))
    assert trainer.status == "training"
    trainer.run_to_end()
    assert trainer.epoch == 12


def test_seeded_runs_are_reproducible_and_seeds_differ():
    first, second, other = _trainer(), _trainer(), _trainer(seed=1)
    for trainer in (first, second, other):
        trainer.run_to_end()
    assert first.view().history.records() == second.view().history.records()
    assert first.w != other.w


def test_no_shuffle_visits_samples_in_order():
    trainer = _trainer(shuffle=False)
    trainer.step_batch()
    assert list(trainer.order) == list(range(50))


def test_reset_returns_to_the_same_start():
    trainer = _trainer()
    start = (trainer.w, trainer.b)
    trainer.run_epochs(4)
    trainer.reset()
    assert (trainer.w, trainer.b, trainer.epoch, trainer.updates) == (*start, 0, 0)
    assert len(trainer.view().history) == 1 and len(trainer.view().snapshots) == 1


def test_divergence_stops_with_finite_weights_and_a_message():
    trainer = _trainer(lr=10.0, l2=1.0)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        trainer.run_to_end()
        view = trainer.view()
    assert view.status == "diverged"
    assert np.isfinite(view.w) and np.isfinite(view.b) and np.isfinite(view.loss)
    assert "Lower the learning rate" in view.message
    assert "1 − η·λ = -9" in view.message
    epoch = trainer.epoch
    trainer.step_epoch()
    assert trainer.epoch == epoch


def test_live_settings_apply_without_reset_and_others_reset():
    trainer = _trainer()
    trainer.run_epochs(3)
    assert not trainer.update_settings(trainer.settings.replace(lr=0.2, speed=5.0, every=2))
    assert trainer.epoch == 3 and trainer.settings.lr == 0.2
    assert trainer.update_settings(trainer.settings.replace(l2=0.1))
    assert trainer.epoch == 0


def test_view_is_immutable_while_training_goes_on():
    trainer = _trainer()
    trainer.run_epochs(2)
    view = trainer.view()
    losses = view.history.loss.copy()
    trainer.run_epochs(5)
    assert len(view.history) == 3
    np.testing.assert_array_equal(view.history.loss, losses)
    with pytest.raises(ValueError):
        view.history.loss[0] = 0.0
    assert view.progress == pytest.approx(0.2)


def _finite_view(trainer: Trainer) -> bool:
    view = trainer.view()
    history = view.history
    numbers = [view.w, view.b, view.loss, view.accuracy, *history.w, *history.b, *history.loss, *history.accuracy]
    boundaries = [view.boundary] + [record.boundary for record in history.records()]
    return all(map(math.isfinite, numbers)) and all(x is None or math.isfinite(x) for x in boundaries)


CORNERS = [dict(zip(("mu0", "mu1", "sigma0", "sigma1", "init_w", "init_b", "lr", "l2"), values, strict=True))
           for values in [(-1e6, 1e6, 1e6, 1e6, 1e6, -1e6, 1e3, 1e3), (1e6, 1e6, 1e-6, 1e-6, -1e6, 1e6, 1e3, 0.0),
                          (-1e6, -1e6, 1e6, 1e-6, 1e6, 1e6, 1e-12, 1e3), (0.0, 1e6, 1e6, 1.0, 1e-320, 1e6, 1.0, 1e-3)]]


@pytest.mark.parametrize("corner, loss, optimizer", list(itertools.product(CORNERS, ["bce", "mse"], ["sgd", "batch"])))
def test_extreme_valid_settings_stay_finite_without_numpy_warnings(corner, loss, optimizer):
    settings = Settings(n0=20, n1=20, epochs=6, every=2, loss=loss, optimizer=optimizer, **corner)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
        trainer.run_to_end()
        assert _finite_view(trainer)
    assert trainer.status in ("finished", "diverged")


def test_a_loss_that_stops_being_finite_stops_training_at_the_last_finite_point():
    settings = Settings(init_w=0.0, init_b=0.0, optimizer="batch", lr=6e-291, epochs=3, every=1)
    data = Dataset([1e300, -1e300, -1e300], [0, 1, 0])
    trainer = Trainer(settings, data, kernel=PYTHON_KERNEL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.run_to_end()
    view = trainer.view()
    assert view.status == "diverged"
    assert "the loss stopped being a finite number" in view.message and "rescale the data" in view.message
    assert (view.w, view.b, view.loss) == (0.0, 0.0, pytest.approx(math.log(2)))
    assert _finite_view(trainer)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_samples_the_neuron_cannot_even_start_on_are_refused():
    with pytest.raises(ValueError, match="not a finite number"):
        Trainer(Settings(init_w=1e6), Dataset([1e308, -1e308], [0, 1]), kernel=PYTHON_KERNEL)


def test_a_boundary_beyond_any_float_is_reported_as_none():
    trainer = _trainer(init_w=1e-320, init_b=1.0)
    assert trainer.view().boundary is None
    assert trainer.view().history.record(0).boundary is None


@pytest.mark.parametrize(("optimizer", "expected"), [("sgd", 1), ("minibatch", 7), ("batch", 200)])
def test_next_batch_names_the_samples_the_next_update_uses(optimizer, expected):
    from model.anatomy import anatomy

    settings = Settings(optimizer=optimizer, batch_size=7, epochs=10)
    trainer = Trainer(settings, generate(settings))
    for _ in range(5):
        indices = trainer.next_batch()
        assert len(indices) == expected
        data = trainer.data
        predicted = anatomy(trainer.w, trainer.b, data.x[indices], data.y[indices], settings.lr, settings.l2,
                            settings.loss, data)
        trainer.step_batch()
        assert (trainer.w, trainer.b) == (predicted.new_w, predicted.new_b)
