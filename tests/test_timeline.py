"""A run's timeline: every moment shown again exactly, and training on from any of them is the run that never went
back, bit for bit, for every way of batching and with live edits of the settings in the middle of the run."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
import pytest

from model.anatomy import take_one_update
from model.data import generate
from model.kernel import PYTHON_KERNEL
from model.settings import Settings
from model.timeline import Moment, Timeline, moment_of
from model.trainer import Trainer, TrainerView

BASE = Settings(n0=11, n1=12, epochs=40, every=3, lr=0.3)
VARIANTS = {
    "per-sample": BASE,
    "mini-batch": BASE.replace(optimizer="minibatch", batch_size=5),
    "full batch": BASE.replace(optimizer="batch"),
    "in order": BASE.replace(optimizer="minibatch", batch_size=4, shuffle=False),
    "momentum per-sample": BASE.replace(rule="momentum"),
    "momentum mini-batch": BASE.replace(rule="momentum", momentum=0.5, optimizer="minibatch", batch_size=5),
    "Adam per-sample": BASE.replace(rule="adam"),
    "Adam full batch": BASE.replace(rule="adam", beta1=0.8, optimizer="batch"),
}
"""Every rule and batching the timeline must replay exactly: a new one is one more line."""

Action = Callable[[Trainer], None]


def _live_edit(**changes) -> Action:
    def edit(trainer: Trainer) -> None:
        trainer.update_settings(trainer.settings.replace(**changes))
    edit.live_edit = True
    return edit


ACTIONS: list[Action] = [
    lambda t: t.step_batch(),
    lambda t: t.run_epochs(3),
    lambda t: t.step_samples(9),
    lambda t: t.step_batch(),
    _live_edit(lr=0.05),
    lambda t: t.step_epoch(),
    lambda t: t.step_samples(30, measure=False),
    lambda t: t.run_epochs(7),
    _live_edit(lr=0.8, every=2),
    lambda t: t.step_batch(),
    lambda t: t.run_epochs(5),
    _live_edit(epochs=18),
    lambda t: t.run_to_end(),
    _live_edit(epochs=25),
    lambda t: t.run_to_end(),
]
"""A learner's session: steps, slices of epochs, whole epochs many at a time, and live edits of η, the snapshot
interval and the planned epochs, one of them in the middle of an epoch."""


def _run(settings: Settings, actions: list[Action], trainer: Trainer | None = None,
         timeline: Timeline | None = None) -> list[TrainerView]:
    """Apply the actions to a trainer (and its timeline, told what happened as the window's worker tells it);
    the view after each."""
    trainer = trainer or Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    views = []
    for action in actions:
        action(trainer)
        if timeline is not None:
            if getattr(action, "live_edit", False):
                timeline.edited()
            timeline.observe()
        views.append(trainer.view())
    return views


def _fresh(settings: Settings, max_keyframes: int = 3) -> tuple[Trainer, Timeline]:
    trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    return trainer, Timeline(trainer, max_keyframes=max_keyframes)


def _same_view(shown: TrainerView, reference: TrainerView) -> None:
    for field in ("epoch", "position", "updates", "w", "b", "loss", "accuracy", "boundary", "status",
                  "total_epochs"):
        assert getattr(shown, field) == getattr(reference, field), field
    for column in ("epoch", "w", "b", "loss", "accuracy"):
        np.testing.assert_array_equal(getattr(shown.history, column), getattr(reference.history, column))
    assert list(shown.snapshots) == list(reference.snapshots)


@pytest.mark.parametrize("settings", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_moment_shows_what_the_run_showed_then(settings):
    """At a moment where the settings were edited, what the run showed after the edit: training went on from it."""
    reference = _run(settings, ACTIONS)
    trainer, timeline = _fresh(settings)
    _run(settings, ACTIONS, trainer, timeline)
    assert timeline.keyframes <= 4
    last_at = {Moment(view.epoch, view.position): view for view in reference}
    assert len(last_at) >= 8
    for moment, view in reversed(last_at.items()):
        _same_view(timeline.view_at(moment), view)
    history = reference[-1].history
    for epoch in range(len(history)):
        shown = timeline.view_at(Moment(epoch))
        assert (shown.w, shown.b, shown.loss, shown.epoch) == (history.w[epoch], history.b[epoch],
                                                               history.loss[epoch], epoch)
        assert len(shown.history) == epoch + 1


@pytest.mark.parametrize("settings", VARIANTS.values(), ids=VARIANTS.keys())
def test_training_on_from_any_moment_is_the_run_that_never_went_back(settings):
    reference_trainer = Trainer(settings, generate(settings), kernel=PYTHON_KERNEL)
    views = _run(settings, ACTIONS, reference_trainer)
    final = reference_trainer.state()
    last_at = {Moment(view.epoch, view.position): view for view in views}
    for index, view in enumerate(views[:-1]):
        trainer, timeline = _fresh(settings)
        _run(settings, ACTIONS, trainer, timeline)
        timeline.view_at(Moment(view.epoch // 2))
        moment = Moment(view.epoch, view.position)
        resumed = timeline.cut(moment)
        _same_view(resumed.view(), last_at[moment])
        _run(settings, ACTIONS[index + 1:], resumed, timeline)
        assert resumed.state() == final, f"after action {index}"


@pytest.mark.parametrize("settings", VARIANTS.values(), ids=VARIANTS.keys())
def test_one_update_back_and_forward_again_is_the_same_state(settings):
    trainer, timeline = _fresh(settings)
    _run(settings, ACTIONS[:4], trainer, timeline)
    before = trainer.state()
    back = timeline.cut(timeline.update_before(timeline.end))
    assert back.updates == before.updates - 1
    back.step_batch()
    assert back.state() == before


def test_stepping_back_walks_updates_and_epoch_starts():
    settings = VARIANTS["mini-batch"]
    trainer, timeline = _fresh(settings)
    trainer.run_epochs(2)
    trainer.step_samples(10)
    timeline.observe()
    assert timeline.end == Moment(2, 10)
    assert timeline.update_before(Moment(2, 10)) == Moment(2, 5)
    assert timeline.update_before(Moment(2, 0)) == Moment(1, 20)
    assert timeline.epoch_before(Moment(2, 10)) == Moment(2, 0)
    assert timeline.epoch_before(Moment(2, 0)) == Moment(1, 0)
    assert timeline.epoch_before(Moment(0, 0)) == Moment(0, 0)
    assert timeline.update_before(Moment(0, 0)) == Moment(0, 0)


def test_keyframes_stay_bounded_and_replays_from_the_sparse_ones_stay_exact():
    settings = BASE.replace(epochs=300)
    trainer, timeline = _fresh(settings, max_keyframes=8)
    reference = {}
    for _ in range(300):
        trainer.step_epoch()
        timeline.observe()
        reference[trainer.epoch] = trainer.state()
    assert timeline.keyframes <= 9
    kept = [key.moment.epoch for key in timeline._keyframes]
    assert kept[0] == 0 and kept[-1] == 300
    assert max(b - a for a, b in itertools.pairwise(kept)) <= 4 * 300 // 8
    for epoch in (299, 150, 7):
        back = timeline.cut(Moment(epoch))
        assert moment_of(back) == Moment(epoch)
        assert back.state() == reference[epoch]


def test_a_keyframe_holds_no_history():
    trainer, timeline = _fresh(BASE)
    trainer.run_epochs(20)
    timeline.observe()
    state = timeline._keyframes[-1].state
    assert state.history == () and state.snapshots == ()
    assert dataclasses.replace(state, history=(), snapshots=()) == state


@pytest.mark.parametrize("moment", [Moment(2, 5), Moment(2, 0)], ids=["inside an epoch", "at an epoch's start"])
def test_the_update_that_led_to_a_moment_is_taken_apart_as_the_step_that_made_it(moment):
    settings = VARIANTS["mini-batch"]
    trainer, timeline = _fresh(settings)
    trainer.run_epochs(2)
    trainer.step_samples(10)
    timeline.observe()
    reference = Trainer(settings, trainer.data, kernel=PYTHON_KERNEL)
    _advance_by_hand(reference, timeline.update_before(moment))
    expected = take_one_update(reference)
    view, step = timeline.arrival(moment)
    assert moment_of(reference) == moment
    assert (view.epoch, view.position, view.w, view.b) == (moment.epoch, moment.position, reference.w, reference.b)
    assert (step.update.new_w, step.update.new_b) == (reference.w, reference.b)
    for field in ("indices", "share_w", "share_b"):
        np.testing.assert_array_equal(getattr(step, field), getattr(expected, field))
    assert timeline.arrival(timeline.origin)[1] is None


def _advance_by_hand(trainer: Trainer, moment: Moment) -> None:
    while moment_of(trainer) < moment:
        trainer.step_batch()


FORKS = {
    "η": {"lr": 0.9},
    "batching and Adam": {"optimizer": "minibatch", "batch_size": 3, "rule": "adam"},
}


def _branched(settings: Settings, changes: dict, fork_after: int) -> tuple[list[TrainerView], Timeline, Timeline]:
    """The parent's views through the session, its timeline, and a branch of it made at the moment after action
    `fork_after`, which then trains 4 epochs and 5 samples (told to its timeline as the window tells it)."""
    trainer, timeline = _fresh(settings)
    views = _run(settings, ACTIONS[:fork_after + 1], trainer, timeline)
    _run(settings, ACTIONS[fork_after + 1:], trainer, timeline)
    fork = Moment(views[-1].epoch, views[-1].position)
    branch = timeline.branch(fork, changes)
    _run(settings, [lambda t: t.run_epochs(4), lambda t: t.step_samples(5)], branch.head, branch)
    return views, timeline, branch


@pytest.mark.parametrize("changes", FORKS.values(), ids=FORKS.keys())
@pytest.mark.parametrize("settings", [VARIANTS["per-sample"], VARIANTS["momentum mini-batch"]],
                         ids=["per-sample", "momentum mini-batch"])
def test_going_back_through_a_branch_before_its_fork_shows_the_run_it_came_from(settings, changes):
    """Every moment the parent reached before the fork (live edits between them included) shows, in the branch, what
    the parent showed then; after the fork the branch replays as the trainer forked there and trained on."""
    views, parent, branch = _branched(settings, changes, fork_after=7)
    fork = Moment(views[-1].epoch, views[-1].position)
    assert branch.origin == Moment(0)
    for view in views[:-1]:
        moment = Moment(view.epoch, view.position)
        if moment < fork:
            _same_view(branch.view_at(moment), parent.view_at(moment))
            assert branch.settings_at(moment) == parent.settings_at(moment)
    for epoch in range(fork.epoch + 1):
        shown, then = branch.view_at(Moment(epoch)), parent.view_at(Moment(epoch))
        assert (shown.w, shown.b, shown.loss) == (then.w, then.b, then.loss)
    reference = parent.branch(fork, changes).head
    reference.run_epochs(4)
    assert branch.cut(Moment(fork.epoch + 4)).state() == reference.state()


@pytest.mark.parametrize("changes", FORKS.values(), ids=FORKS.keys())
def test_training_a_branch_on_from_before_its_fork_moves_the_fork_there(changes):
    """The branch goes on from the earlier moment with its changes: the run forked there with the same changes."""
    settings = VARIANTS["mini-batch"]
    views, parent, branch = _branched(settings, changes, fork_after=10)
    earlier = Moment(views[2].epoch, views[2].position)
    moved = branch.cut(earlier)
    assert moment_of(moved) == earlier
    forked_there = parent.branch(earlier, changes).head
    assert moved.state() == forked_there.state() and moved.settings == forked_there.settings
    for trainer in (moved, forked_there):
        trainer.run_epochs(3)
        trainer.step_samples(7)
    branch.observe()
    assert moved.state() == forked_there.state()
    _same_view(branch.view_at(Moment(1)), parent.view_at(Moment(1)))


def test_a_branch_keeps_its_fork_however_far_it_runs_and_steps_back_in_the_batches_of_each_side():
    """Thinning never drops the fork's keyframe (a replay from the parent's keyframes would cross the fork with the
    parent's settings); one update back from the fork is one of the parent's batches, not the branch's."""
    settings = VARIANTS["mini-batch"].replace(epochs=200)
    trainer, parent = _fresh(settings, max_keyframes=4)
    _run(settings, [lambda t: t.run_epochs(5)], trainer, parent)
    branch = parent.branch(Moment(5), {"batch_size": 2})
    for _ in range(60):
        branch.head.step_epoch()
        branch.observe()
    assert branch.keyframes <= 6 and any(key.moment == Moment(5) for key in branch._keyframes)
    reference_at = Trainer.restored(branch.settings_at(Moment(5)), branch.head.data,
                                    parent.branch(Moment(5), {"batch_size": 2}).head.state(), PYTHON_KERNEL)
    reference_at.run_epochs(40)
    reference_at.step_samples(7)
    assert branch.cut(Moment(45, 7)).state() == reference_at.state()
    assert branch.update_before(Moment(5)) == Moment(4, 20), "the parent's batches of 5 (23 samples)"
    assert branch.update_before(Moment(6)) == Moment(5, 22), "the branch's batches of 2"
