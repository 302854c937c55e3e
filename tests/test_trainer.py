"""The trainer as the window and the command line use it: stepping, history, snapshots, divergence, settings."""

from __future__ import annotations

import itertools
import math
import random
import warnings

import numpy as np
import pytest

import model.kernel
import model.trainer
from model.data import Dataset, generate
from model.history import EpochRecord, History
from model.kernel import PYTHON_KERNEL, compiled_kernel
from model.neuron import accuracy, boundary, objective
from model.session import parse_session, session_json, session_of
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
    assert "Lower the learning rate (now 10) and reset." in view.message
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


def test_a_views_snapshots_stay_those_taken_when_it_was_made():
    trainer = _trainer(every=1)
    trainer.run_epochs(2)
    view = trainer.view()
    taken = tuple(view.snapshots)
    trainer.run_epochs(5)
    assert len(view.snapshots) == 3 and len(trainer.view().snapshots) == 8
    assert view.snapshots == taken and view.snapshots != trainer.view().snapshots
    assert [record.epoch for record in view.snapshots] == [0, 1, 2]
    assert view.snapshots[-1] == taken[-1] and view.snapshots[::2] == taken[::2] and view.snapshots[5:] == ()
    with pytest.raises(IndexError):
        view.snapshots[3]


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


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_the_command_line_advises_its_own_options_for_both_kinds_of_runaway():
    from model.cli import COMMAND_LINE_REMEDY

    runaway = Trainer(SETTINGS.replace(lr=10.0, l2=1.0), generate(SETTINGS), kernel=PYTHON_KERNEL,
                      remedy=COMMAND_LINE_REMEDY)
    not_finite = Trainer(Settings(init_w=0.0, init_b=0.0, optimizer="batch", lr=6e-291, epochs=3),
                         Dataset([1e300, -1e300, -1e300], [0, 1, 0]), kernel=PYTHON_KERNEL, remedy=COMMAND_LINE_REMEDY)
    for trainer, advice in [(runaway, "Run again with a lower --lr (now 10)."),
                            (not_finite, "Run again with a lower --lr (now 6e-291) or with the data rescaled.")]:
        trainer.run_to_end()
        view = trainer.view()
        assert view.status == "diverged" and advice in view.message and "reset" not in view.message


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


def test_many_rows_written_at_once_are_the_rows_appended_one_by_one():
    """Whole epochs reach the history in one write; boundaries follow model.neuron.boundary (none at w = 0 or when
    −b/w is beyond any float), and the buffers grow past their capacity."""
    rows = [(0.5, 1.0, 0.7, 0.5), (0.0, 2.0, 0.6, 0.5), (1e-320, 1.0, 0.5, 1.0), (-2.0, -3.0, 0.4, 0.25)] * 90
    one_by_one, at_once = History(capacity=4), History(capacity=4)
    for epoch, (w, b, loss, correct) in enumerate(rows):
        one_by_one.append(EpochRecord(epoch, w, b, loss, correct, boundary(w, b)))
    columns = np.array(rows).T
    at_once.extend(np.arange(100), *columns[:, :100])
    at_once.extend(np.arange(100, len(rows)), *columns[:, 100:])
    assert at_once.view().records() == one_by_one.view().records()
    assert [record.boundary for record in at_once.view().records()[:4]] == [-2.0, None, None, -1.5]


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


def _kernels():
    compiled = compiled_kernel()
    marks = [] if compiled else [pytest.mark.skip(reason="numba is not installed (the 'fast' extra)")]
    return [pytest.param(PYTHON_KERNEL, id="python"), pytest.param(compiled, id="numba", marks=marks)]


def _everything(trainer: Trainer) -> tuple:
    """All a trainer is: what a session saves, and its view."""
    view = trainer.view()
    return (trainer.state(), view.loss, view.accuracy, view.boundary, view.history.records(), view.snapshots)


@pytest.fixture
def short_calls(monkeypatch):
    """Whole epochs in kernel calls of three epochs (drawn ahead on the helper thread with the compiled kernel),
    and the compiled kernel reading gathered copies, so that small runs take every path large ones do."""
    monkeypatch.setattr(model.trainer, "SAMPLES_PER_CALL", 150)
    monkeypatch.setattr(model.kernel, "GATHER_FROM", 1)


LATE_NOT_FINITE = (
    Settings(init_w=-0.8397613575199904, init_b=0.0, optimizer="minibatch", batch_size=2, lr=3.8194409427801976e-291,
             epochs=30, every=1),
    Dataset([8.899407397110751e+298, -3.4267745196132976e+291, -9.10846650802914e+292, 6.871149787907031e+299,
             -2.972893858969493e+290], [0, 0, 1, 1, 0]),
)
"""Samples near 1e300, where the loss after epoch 14 overflows: training must stop there, at the last finite point.
The loss is checked wherever training pauses, so stepping one update at a time stops inside that epoch instead."""

RUNS = {
    "sgd": SETTINGS,
    "sgd-mse-l2-unshuffled": SETTINGS.replace(loss="mse", l2=0.1, lr=0.5, shuffle=False),
    "minibatch-l2": SETTINGS.replace(optimizer="minibatch", batch_size=7, l2=0.2, lr=0.3),
    "batch-mse-unshuffled": SETTINGS.replace(optimizer="batch", loss="mse", lr=2.0, shuffle=False),
    "diverges-in-epoch-6": SETTINGS.replace(lr=2.1, l2=1.0, epochs=12),
    "minibatch-diverges-unshuffled": SETTINGS.replace(optimizer="minibatch", batch_size=7, lr=2.2, l2=1.0,
                                                      shuffle=False),
}


def _trainer_for(case: str, kernel) -> Trainer:
    if case == "loss-not-finite-in-epoch-14":
        return Trainer(*LATE_NOT_FINITE, kernel=kernel)
    return Trainer(RUNS[case], generate(RUNS[case]), kernel=kernel)


CASES = [*RUNS, "loss-not-finite-in-epoch-14"]


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("case", CASES)
def test_whole_epochs_leave_the_state_the_one_epoch_path_leaves(kernel, case, short_calls):
    """Against epochs run one at a time as before whole-epoch calls (an order from rng.permutation, one span, a
    measurement): w, b, position, updates, order, generator, status, message and history exactly; the loss and
    accuracy as model.neuron has them."""
    whole, one_by_one = _trainer_for(case, kernel), _trainer_for(case, kernel)
    whole.run_to_end()
    while one_by_one.can_train:
        one_by_one.next_batch()
        one_by_one.step_epoch()
    assert _everything(whole) == _everything(one_by_one)
    assert whole.status in ("finished", "diverged")
    s = whole.settings
    for record in whole.view().history.records()[1:]:
        assert _loss_close(record.loss, objective(record.w, record.b, whole.data, s.loss, s.l2), s.loss)
        assert record.accuracy == accuracy(record.w, record.b, whole.data)


def _loss_close(found: float, expected: float, loss: str) -> bool:
    """The tolerance of tests/test_kernel.py: 4 ulps, and for MSE 2^−51·√loss more (numpy's exp in σ)."""
    allowed = 4 * np.spacing(abs(expected)) + (2.0**-51 * math.sqrt(expected) if loss == "mse" else 0.0)
    return abs(found - expected) <= allowed


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("case", RUNS)
def test_a_run_cut_into_any_pieces_is_the_uninterrupted_run(kernel, case, short_calls):
    uninterrupted = _trainer_for(case, kernel)
    uninterrupted.run_to_end()
    pieces = random.Random(case)
    for _ in range(4):
        cut = _trainer_for(case, kernel)
        while cut.can_train:
            _random_piece(cut, pieces)
        assert _everything(cut) == _everything(uninterrupted)


def _random_piece(trainer: Trainer, pieces: random.Random) -> None:
    piece = pieces.choice(["run_epochs", "step_epoch", "step_batch", "step_samples", "next_batch"])
    if piece == "run_epochs":
        trainer.run_epochs(pieces.randint(0, 7))
    elif piece == "step_samples":
        trainer.step_samples(pieces.randint(1, 3 * len(trainer.data)))
    else:
        getattr(trainer, piece)()


@pytest.mark.parametrize("case", RUNS)
def test_a_session_saved_anywhere_in_a_run_continues_as_the_run_would(case, short_calls):
    """A reopened session trains with the best kernel there is, so the runs it is compared with do too."""
    uninterrupted = _trainer_for(case, None)
    uninterrupted.run_to_end()
    pieces = random.Random(case)
    for cut_after in (0, 1, 3, 6):
        trainer = _trainer_for(case, None)
        for _ in range(cut_after):
            _random_piece(trainer, pieces)
        session = parse_session(session_json(session_of(trainer)))
        assert session.state == trainer.state()
        reopened = session.trainer()
        assert reopened.view().history.records() == trainer.view().history.records()
        reopened.run_to_end()
        assert _everything(reopened)[0] == _everything(uninterrupted)[0]


def test_drawing_many_epochs_orders_at_once_uses_the_generator_as_permutation_does():
    """What whole-epoch runs rely on: rng.permuted on rows of arange(n) draws, row after row, the orders that as
    many calls of rng.permutation(n) draw, and leaves the generator in the same state."""
    for n in (1, 2, 50, 1000, 65_537):
        one_by_one, at_once = np.random.default_rng((3, 1)), np.random.default_rng((3, 1))
        one_by_one.uniform(size=3)
        at_once.uniform(size=3)
        expected = [one_by_one.permutation(n) for _ in range(5)]
        rows = np.empty((5, n), dtype=np.int64)
        at_once.permuted(np.broadcast_to(np.arange(n), rows.shape), axis=1, out=rows)
        assert np.array_equal(rows, expected)
        assert at_once.bit_generator.state == one_by_one.bit_generator.state


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("case", RUNS)
def test_slices_left_unmeasured_show_what_measured_slices_show(kernel, case):
    """Training as fast as it can measures inside an epoch only when asked: every view and saved state is still
    the one measuring each slice gives."""
    measured, unmeasured = _trainer_for(case, kernel), _trainer_for(case, kernel)
    pieces = random.Random(case)
    while measured.can_train:
        count = pieces.randint(1, len(measured.data))
        measured.step_samples(count)
        unmeasured.step_samples(count, measure=False)
        assert _everything(unmeasured) == _everything(measured)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_loss_found_not_finite_when_asked_for_stops_with_finite_numbers():
    trainer = _trainer_for("loss-not-finite-in-epoch-14", PYTHON_KERNEL)
    while trainer.can_train:
        trainer.step_samples(2, measure=False)
        view = trainer.view()
        assert all(math.isfinite(value) for value in (view.w, view.b, view.loss, view.accuracy))
    assert view.status == "diverged" and "epoch 14" in view.message and "finite" in view.message
    assert view.epoch == 13
