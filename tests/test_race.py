"""Forks raced side by side: race entries, run names, branching from an exact state, compare rows and best η."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pytest

from model.data import generate
from model.declaration import setting
from model.kernel import PYTHON_KERNEL
from model.optimum import Optimum
from model.race import (
    BASE_NAME,
    RaceError,
    best_lr,
    branch,
    changes_text,
    compare,
    epochs_to_within,
    folder_names,
    lr_grid,
    parse_entry,
    run_name,
    unique_names,
)
from model.settings import Batching, Settings
from model.trainer import Trainer

BASE = Settings(n0=30, n1=30, epochs=20, every=5, lr=0.05, l2=0.01)
DATA = generate(BASE)


def _trainer(settings: Settings = BASE) -> Trainer:
    return Trainer(settings, DATA, kernel=PYTHON_KERNEL)


def _trained(epochs: int, settings: Settings = BASE) -> Trainer:
    trainer = _trainer(settings)
    trainer.run_epochs(epochs)
    return trainer


def _records(trainer: Trainer) -> list:
    return trainer.view().history.records()


def test_an_entry_becomes_typed_changes_by_name_or_option():
    changes = parse_entry("lr=0.1, optimizer=minibatch,batch-size=8,shuffle=off,loss=mse", BASE)
    assert changes == {"lr": 0.1, "optimizer": Batching.MINIBATCH, "batch_size": 8, "shuffle": False, "loss": "mse"}
    assert BASE.replace(**changes).validated().batch_size == 8


@pytest.mark.parametrize("entry, words", [
    ("seed=3", "Seed cannot change in a race: every run keeps the base run's data, start and shuffle order. "
               "A race can change batch_size, epochs, l2, loss, lr, optimizer, shuffle."),
    ("mu0=1", "Class 0 mean μ₀ cannot change in a race"),
    ("data=x.csv", "Data file cannot change in a race"),
    ("init_w=1", "Initial w cannot change in a race"),
    ("every=5", "Snapshot interval cannot change in a race"),
    ("momentum=0.9", "'momentum' is not a setting; a race can change batch_size, epochs, l2, loss, lr, optimizer, "
                     "shuffle."),
    ("lr", "'lr' is not a change: write setting=value, such as lr=0.1."),
    ("", "'' is not a change"),
    ("lr=0.1,,l2=0", "'' is not a change"),
    ("lr=abc", "Learning rate η must be a finite number greater than 0 and at most 1,000."),
    ("lr=nan", "Learning rate η must be a finite number"),
    ("lr=0.1,lr=0.2", "Learning rate η is changed twice in 'lr=0.1,lr=0.2'."),
    ("batch-size=2.5", "Batch size must be a whole number, 1 or more."),
    ("optimizer=adamw", "Optimizer must be one of sgd, minibatch, batch."),
    ("shuffle=maybe", "Shuffle every epoch must be true or false."),
])
def test_an_entry_that_cannot_be_raced_is_refused_with_its_reason(entry, words):
    with pytest.raises(RaceError) as refused:
        parse_entry(entry, BASE)
    assert words in str(refused.value)


class Rule(StrEnum):
    PLAIN = "plain"
    ADAM = "adam"


@dataclass(frozen=True)
class LaterSettings(Settings):
    """Settings as a later version may declare them: an update rule and its parameter, in the Training group."""

    rule: Rule = setting(Rule.PLAIN, label="update rule", group="Training",
                         choices=((Rule.PLAIN, "plain, one gradient step"), (Rule.ADAM, "Adam (adaptive moments)")),
                         help="How the gradient becomes a step.")
    beta1: float = setting(0.9, label="first moment decay β₁", group="Training", low=0.0, high=1.0, low_open=True,
                           help="How long Adam remembers the gradient.")


def test_settings_declared_later_are_raced_and_named_with_no_change_to_the_race():
    base = LaterSettings()
    changes = parse_entry("rule=adam,beta1=0.8,lr=0.05", base)
    assert changes == {"rule": Rule.ADAM, "beta1": 0.8, "lr": 0.05}
    assert run_name(base, base.replace(**changes)) == "η = 0.05, Adam, β₁ = 0.8"
    with pytest.raises(RaceError, match="First moment decay β₁ must be a finite number greater than 0"):
        parse_entry("beta1=2", base)


@pytest.mark.parametrize("changes, name", [
    ({"lr": 0.1}, "η = 0.1"),
    ({"lr": 1e-5}, "η = 1e-05"),
    ({"optimizer": "minibatch", "batch_size": 8}, "mini-batch, batch size 8"),
    ({"optimizer": "sgd", "lr": 0.05}, BASE_NAME),
    ({"optimizer": "batch"}, "full batch"),
    ({"loss": "mse", "l2": 0.0}, "mean squared error, λ = 0"),
    ({"shuffle": False, "epochs": 40}, "epochs 40, shuffle every epoch off"),
])
def test_a_run_is_named_by_what_differs_from_the_base(changes, name):
    assert run_name(BASE, BASE.replace(**changes)) == name


def test_changes_text_is_an_entry_that_makes_the_run_again():
    settings = BASE.replace(lr=0.1, optimizer="minibatch", shuffle=False)
    text = changes_text(BASE, settings)
    assert text == "optimizer=minibatch,lr=0.1,shuffle=false"
    assert BASE.replace(**parse_entry(text, BASE)) == settings
    assert changes_text(BASE, BASE) == ""


def test_names_and_folders_are_unique_and_folders_safe_everywhere():
    names = unique_names(["base", "η = 0.1", "Adam", "η = 0.1", "base", "adam", "mini-batch, batch size 8",
                          "λ = 1e-05", "σ₁ = 2", "../..", "a/b\\c:d"])
    assert names == ["base", "η = 0.1", "Adam", "η = 0.1 (2)", "base (2)", "adam", "mini-batch, batch size 8",
                     "λ = 1e-05", "σ₁ = 2", "../..", "a/b\\c:d"]
    assert folder_names(names) == ["base", "eta-0.1", "adam", "eta-0.1-2", "base-2", "adam-2",
                                   "mini-batch-batch-size-8", "lamda-1e-05", "sigma-1-2", "run", "a-b-c-d"]


@pytest.mark.parametrize("settings", [BASE, BASE.replace(optimizer="minibatch", batch_size=7),
                                      BASE.replace(shuffle=False, optimizer="batch", lr=2.0)])
@pytest.mark.parametrize("at", [0, 7, 20])
def test_a_branch_that_changes_nothing_goes_on_exactly_as_the_run(settings, at):
    whole = _trained(settings.epochs, settings)
    forked = branch(_trained(at, settings).state(), settings, DATA, {}, PYTHON_KERNEL)
    forked.run_to_end()
    assert forked.state() == whole.state()
    same_lr = branch(_trained(at, settings).state(), settings, DATA, {"lr": settings.lr}, PYTHON_KERNEL)
    same_lr.run_to_end()
    assert _records(same_lr) == _records(whole)


def test_a_branch_inside_an_epoch_keeps_the_epoch_s_order():
    base = _trainer()
    for _ in range(13):
        base.step_batch()
    forked = branch(base.state(), BASE, DATA, {}, PYTHON_KERNEL)
    assert np.array_equal(forked.next_batch(), base.next_batch())
    base.run_to_end()
    forked.run_to_end()
    assert forked.state() == base.state()


def test_a_branch_shares_the_history_so_far_and_the_shuffles_to_come():
    base = _trained(7)
    forked = branch(base.state(), BASE, DATA, {"lr": 0.5}, PYTHON_KERNEL)
    assert forked.settings.lr == 0.5 and forked.epoch == 7
    assert np.array_equal(forked.next_batch(), base.next_batch())
    base.run_to_end()
    forked.run_to_end()
    assert _records(forked)[:8] == _records(base)[:8]
    assert all(mine.w != theirs.w for mine, theirs in zip(_records(forked)[8:], _records(base)[8:], strict=True))


def test_a_branch_of_a_finished_run_can_go_on_and_one_before_the_run_s_epoch_is_refused():
    finished = _trained(20)
    longer = branch(finished.state(), BASE, DATA, {"epochs": 25}, PYTHON_KERNEL)
    assert longer.status == "training" and longer.can_train
    longer.run_to_end()
    assert (longer.epoch, longer.status) == (25, "finished")
    with pytest.raises(RaceError, match="The run is at epoch 20 already, beyond 10 epochs"):
        branch(finished.state(), BASE, DATA, {"epochs": 10})
    halfway = branch(_trained(10).state(), BASE, DATA, {"epochs": 10}, PYTHON_KERNEL)
    assert (halfway.epoch, halfway.status, halfway.can_train) == (10, "finished", False)


@pytest.mark.parametrize("changes, words", [({"seed": 3}, "seed cannot change in a race"),
                                            ({"lr": -1.0}, "lr: Learning rate η must be")])
def test_a_branch_refuses_what_a_fork_may_not_change(changes, words):
    with pytest.raises(RaceError, match=words):
        branch(_trainer().state(), BASE, DATA, changes)


def test_epochs_to_within_one_percent_of_a_hand_made_history():
    epochs = np.arange(6)
    losses = np.array([0.7, 0.4, 0.2, 0.1011, 0.1009, 0.1001])
    assert epochs_to_within(epochs, losses, 0.1) == 4
    assert epochs_to_within(epochs, losses, 0.05) is None
    assert epochs_to_within(epochs, losses, 0.7) == 0
    assert epochs_to_within(epochs + 10, losses, 0.1) == 14


def test_a_compare_row_holds_the_run_against_the_optimum():
    view = _trained(20).view()
    near = compare("η = 0.05", view, Optimum(True, view.w + 3.0, view.b - 4.0, view.history.loss[12] / 1.01 + 1e-12))
    assert (near.name, near.epochs_to_optimum, near.reached) == ("η = 0.05", 12, "12")
    assert near.distance == pytest.approx(5.0, rel=1e-12)
    assert (near.final_loss, near.accuracy, near.status) == (view.loss, view.accuracy, "finished")
    assert compare("far", view, Optimum(True, view.w, view.b, 1e-6)).reached == "not yet"
    none = compare("none", view, Optimum(False, reason="separable"))
    assert (none.reached, none.epochs_to_optimum, none.distance) == ("no optimum", None, None)


def test_the_default_grid_spans_the_learning_rate_slider_s_decades():
    assert lr_grid() == (1e-05, 4.64e-05, 0.000215, 0.001, 0.00464, 0.0215, 0.1, 0.464, 2.15, 10.0)


def test_best_lr_picks_the_lowest_loss_after_the_prefix_among_runs_that_did_not_diverge():
    start = _trained(3)
    grid = (0.001, 0.3, 0.05, 900.0)
    found = best_lr(start.state(), BASE, DATA, {"optimizer": "minibatch"}, 4, grid, PYTHON_KERNEL)
    alone = {}
    for lr in grid:
        run = branch(start.state(), BASE, DATA, {"optimizer": "minibatch", "lr": lr}, PYTHON_KERNEL)
        run.run_epochs(4)
        alone[lr] = (run.view().loss, run.status == "diverged")
    assert [(one.lr, one.loss, one.diverged) for one in found.tries] == [(lr, *alone[lr]) for lr in grid]
    assert alone[900.0][1] and not any(alone[lr][1] for lr in grid[:3])
    assert found.pick == min(grid[:3], key=lambda lr: alone[lr][0])
    assert found.sentence == f"best η = {found.pick:g} (4 values tried over 4 epochs: the lowest loss among those " \
                             "that did not diverge)"
    assert best_lr(start.state(), BASE, DATA, {"optimizer": "minibatch"}, 4, grid, PYTHON_KERNEL) == found
    assert start.epoch == 3


def test_best_lr_says_so_when_every_try_diverges():
    found = best_lr(_trainer().state(), BASE, DATA, {}, 1, (400.0, 900.0), PYTHON_KERNEL)
    assert found.pick is None and all(one.diverged for one in found.tries)
    assert all(math.isfinite(one.loss) for one in found.tries)
    assert found.sentence == "no η settled: all 2 values tried over 1 epoch diverged"
    with pytest.raises(RaceError, match="at least one epoch"):
        best_lr(_trainer().state(), BASE, DATA, {}, 0)
