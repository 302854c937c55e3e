"""A run's timeline: every moment it reached, shown again exactly, and training continued from any of them.

A moment is an epoch and a position in it (the samples the epoch has used). The timeline keeps the furthest trainer
(the head, whose history holds one row per epoch), keyframes and the live edits of the settings:

- a keyframe is the trainer's exact state at an epoch's start (w, b, the shuffling generator, the optimiser's state:
  TrainerState without its history) with the settings in effect. At most MAX_KEYFRAMES are kept besides the first:
  when there are more, the stride doubles and only the first keyframe in each stride of epochs stays (and the
  newest), so keyframes stay evenly spread, their spacing grows with the run and memory stays bounded however long
  it runs;
- an edit is a live change of the settings (learning rate, epochs, ...) at the moment it was made.

A moment at an epoch's start is read from the head's history (no training). A moment inside an epoch, and the exact
trainer at any moment, come from replaying the updates from the nearest keyframe at or before it, applying the
edits made in between at the moments they were made: the replayed trainer is, bit for bit, the one that was there.
Seeking never loses the future; only cutting (training on from an earlier moment) does.

A branch (Timeline.branch) holds the keyframes and edits of the run it came from before its fork, and a keyframe of
its own at the fork that thinning never drops: going back before the fork shows the run it came from, and training
on from there moves the fork there, with the same changes.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from model.anatomy import UpdateStep, take_one_update
from model.history import EpochRecord, Snapshots
from model.race import branch
from model.settings import Settings, effective_batch_size
from model.trainer import FINISHED, READY, TRAINING, Trainer, TrainerState, TrainerView

MAX_KEYFRAMES = 512
"""Keyframes kept besides the first. The stride stays below 2 × epochs / 512 and keyframes at most two strides
apart where training was seen at every epoch's start: at 10⁵ epochs, a replay of at most 800 epochs."""


@dataclass(frozen=True, order=True)
class Moment:
    """Where a run stands: `position` samples into epoch `epoch` (0 at the epoch's start)."""

    epoch: int
    position: int = 0


def moment_of(trainer: Trainer) -> Moment:
    return Moment(trainer.epoch, trainer.position)


@dataclass(frozen=True)
class _Keyframe:
    order: int
    """When it was taken, counted with the edits: the edits after a keyframe are those with a larger count."""
    moment: Moment
    state: TrainerState
    settings: Settings
    fork: bool = False
    """A branch's own first keyframe: replays after the fork start here, never in the run it came from."""


@dataclass(frozen=True)
class _Fork:
    """Where a branch left the run it came from, and the changes it made there."""

    moment: Moment
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class _Edit:
    order: int
    moment: Moment
    settings: Settings


class Timeline:
    """The moments of one run, from the trainer it starts with (its origin) to the furthest one reached."""

    def __init__(self, trainer: Trainer, max_keyframes: int = MAX_KEYFRAMES):
        self._max_keyframes = max_keyframes
        self._stride = 1
        """Epochs per keyframe kept, at most: it doubles whenever the keyframes outgrow their bound."""
        self._count = itertools.count()
        self._keyframes: list[_Keyframe] = []
        self._edits: list[_Edit] = []
        self._fork: _Fork | None = None
        self.head = trainer
        self._keep(trainer)

    def branch(self, moment: Moment, changes: Mapping[str, Any]) -> Timeline:
        """A run going on from `moment` with the changes made there (model.race.branch, whose RaceError it
        raises), with this run's moments before the fork as its past."""
        moment = self.clamp(moment)
        here = self.head if moment == self.end else self._replayed(moment)
        made = Timeline(branch(here.state(), here.settings, here.data, changes), self._max_keyframes)
        made._stride = self._stride
        made._count = itertools.count(next(self._count))
        made._take_past(self._keyframes, self._edits, _Fork(moment, dict(changes)))
        return made

    def _take_past(self, keyframes: list[_Keyframe], edits: list[_Edit], fork: _Fork) -> None:
        """The keyframes and edits before the fork, then the head's keyframe as the fork's, counted after them."""
        self._fork = fork
        own = _Keyframe(next(self._count), fork.moment, self.head.state(with_history=False), self.head.settings,
                        fork=True)
        self._keyframes = [*(key for key in keyframes if key.moment < fork.moment), own]
        self._edits = [edit for edit in edits if edit.moment < fork.moment]

    @property
    def origin(self) -> Moment:
        return self._keyframes[0].moment

    @property
    def end(self) -> Moment:
        """The furthest moment reached: the head's."""
        return moment_of(self.head)

    @property
    def keyframes(self) -> int:
        return len(self._keyframes)

    def observe(self) -> None:
        """Training moved the head on: keep its moment as a keyframe if it is a new epoch's start."""
        head = self.head
        if head.position == 0 and head.order is None and moment_of(head) > self._keyframes[-1].moment:
            self._keep(head)

    def edited(self) -> None:
        """The head's settings were just changed live: replays apply the change at this moment."""
        self._edits.append(_Edit(next(self._count), self.end, self.head.settings))

    def clamp(self, moment: Moment) -> Moment:
        """The nearest moment the timeline holds."""
        return min(max(moment, self.origin), self.end)

    def epoch_before(self, moment: Moment) -> Moment:
        """The start of this epoch, or of the one before when already at a start."""
        return self.clamp(Moment(moment.epoch if moment.position else moment.epoch - 1))

    def update_before(self, moment: Moment) -> Moment:
        """The moment one update earlier (with the batch size in effect then: a branch may have changed it)."""
        n = len(self.head.data)
        if moment.position:
            batch = effective_batch_size(self.settings_at(moment), n)
            return self.clamp(Moment(moment.epoch, (moment.position - 1) // batch * batch))
        batch = effective_batch_size(self.settings_at(Moment(moment.epoch - 1, n - 1)), n)
        return self.clamp(Moment(moment.epoch - 1, (n - 1) // batch * batch))

    def view_at(self, moment: Moment) -> TrainerView:
        """What the views show at a moment: the trainer as it was then, with the history up to then."""
        moment = self.clamp(moment)
        if moment == self.end:
            return self.head.view()
        if moment.position == 0 and moment > self.origin:
            return self._epoch_start_view(moment.epoch)
        return self._shown(self._replayed(moment).view(), moment.epoch)

    def arrival(self, moment: Moment) -> tuple[TrainerView, UpdateStep | None]:
        """The view at a moment and the update that led to it, taken apart as after a single step (None at the
        origin): what the window shows after stepping back one update."""
        moment = self.clamp(moment)
        before = self.update_before(moment)
        if before == moment:
            return self.view_at(moment), None
        trainer = self._replayed(before)
        step = take_one_update(trainer)
        return self._shown(trainer.view(), moment.epoch), step

    def cut(self, moment: Moment) -> Trainer:
        """Give up the moments after this one and return the trainer there, with its history: training on from it
        is the run that never went further. Before a branch's fork, the fork moves there."""
        moment = self.clamp(moment)
        if moment == self.end:
            return self.head
        here, fork = self._replayed(moment), self._fork
        if fork is not None and moment < fork.moment:
            self.head = branch(here.state(), here.settings, here.data, fork.changes)
            self._take_past(self._keyframes, self._edits, _Fork(moment, fork.changes))
            return self.head
        self._keyframes = [key for key in self._keyframes if key.moment <= moment]
        self._edits = [edit for edit in self._edits if edit.moment <= moment]
        self.head = here
        return here

    def _keep(self, trainer: Trainer) -> None:
        keys = self._keyframes
        if len(keys) >= 2 and self._bucket(keys[-1]) == self._bucket(keys[-2]) and not keys[-1].fork:
            keys.pop()
        keys.append(_Keyframe(next(self._count), moment_of(trainer), trainer.state(with_history=False),
                              trainer.settings))
        while len(self._keyframes) > self._max_keyframes + 1:
            self._stride *= 2
            self._keyframes = self._thinned()

    def _thinned(self) -> list[_Keyframe]:
        """The first keyframe in each stride of epochs, and the first, the newest and the fork's of all. (A new
        keyframe replaces the newest when that one shares its stride with the one before: it was kept only as the
        newest.)"""
        first, *middle, newest = self._keyframes
        kept = [first]
        for key in middle:
            if key.fork or self._bucket(key) != self._bucket(kept[-1]):
                kept.append(key)
        return [*kept, newest]

    def _bucket(self, key: _Keyframe) -> int:
        return key.moment.epoch // self._stride

    def _keyframe_at_or_before(self, moment: Moment) -> _Keyframe:
        index = bisect.bisect_right(self._keyframes, moment, key=_moment) - 1
        return self._keyframes[max(index, 0)]

    def _edits_between(self, key: _Keyframe, moment: Moment) -> list[_Edit]:
        return [edit for edit in self._edits if edit.order > key.order and edit.moment <= moment]

    def settings_at(self, moment: Moment) -> Settings:
        """The settings in effect at a moment (after the edits made there)."""
        key = self._keyframe_at_or_before(moment)
        edits = self._edits_between(key, moment)
        return edits[-1].settings if edits else key.settings

    def _replayed(self, moment: Moment) -> Trainer:
        """The trainer at `moment`, history and all, replayed from the keyframe before it: the history up to the
        keyframe is the head's (a copy), the rest the replay's own."""
        key = self._keyframe_at_or_before(moment)
        head = self.head
        trainer = Trainer.restored(key.settings, head.data, key.state, head.kernel, reached=True)
        trainer.history = head.history.first(key.moment.epoch + 1)
        trainer.snapshots = head.snapshots[:self._snapshots_until(key.moment.epoch)]
        for edit in self._edits_between(key, moment):
            _advance(trainer, edit.moment)
            trainer.update_settings(edit.settings)
        _advance(trainer, moment)
        return trainer

    def _epoch_start_view(self, epoch: int) -> TrainerView:
        """The view at an epoch's start that the head has passed, from its history row: no training needed."""
        record = self.head.history.view().record(epoch)
        settings = self.settings_at(Moment(epoch))
        updates = self._updates_at(epoch)
        if epoch >= settings.epochs:
            status, message = FINISHED, f"Finished {epoch} epochs."
        elif updates == 0:
            status, message = READY, "Ready to train."
        else:
            status, message = TRAINING, "Training."
        view = TrainerView(
            epoch=epoch, position=0, n_samples=len(self.head.data), total_epochs=settings.epochs, updates=updates,
            w=record.w, b=record.b, loss=record.loss, accuracy=record.accuracy, boundary=record.boundary,
            status=status, message=message, history=self.head.history.view(), snapshots=Snapshots([]),
        )
        return self._shown(view, epoch)

    def _updates_at(self, epoch: int) -> int:
        """Updates made by an epoch's start: each epoch makes ceil(n / batch) of them (the batch never changes live)."""
        key = self._keyframe_at_or_before(Moment(epoch))
        n = len(self.head.data)
        batch = effective_batch_size(key.settings, n)
        rest_of_first = -(-(n - key.moment.position) // batch) if key.moment.position else 0
        whole = epoch - key.moment.epoch - (1 if key.moment.position else 0)
        return key.state.updates + rest_of_first + whole * -(-n // batch)

    def _shown(self, view: TrainerView, epoch: int) -> TrainerView:
        """The view with the head's history and snapshots up to `epoch`."""
        snapshots = Snapshots(self.head.snapshots, self._snapshots_until(epoch))
        return dataclasses.replace(view, history=self.head.history.view().until(epoch), snapshots=snapshots)

    def _snapshots_until(self, epoch: int) -> int:
        return bisect.bisect_right(self.head.snapshots, epoch, key=_epoch)


def _moment(key: _Keyframe) -> Moment:
    return key.moment


def _epoch(record: EpochRecord) -> int:
    return record.epoch


def _advance(trainer: Trainer, moment: Moment) -> None:
    """Train on to `moment` as fast as the trainer can: whole epochs many per call, then the updates of the last."""
    while trainer.can_train and moment_of(trainer) < moment:
        if trainer.epoch < moment.epoch:
            if trainer.position:
                trainer.step_epoch()
            else:
                trainer.run_epochs(moment.epoch - trainer.epoch)
        else:
            trainer.step_samples(moment.position - trainer.position)
