"""Runs raced side by side: forks of one run that differ only in what was changed.

A fork keeps the base run's data, start and shuffle order (its generator's exact state), so any difference between
the runs comes from the settings changed. What may change, how a change is written ("lr=0.1,rule=adam") and how a
run is named ("η = 0.1", "Adam") all derive from the settings' declaration, so a setting declared later can be raced
with no change here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from model.data import Dataset
from model.declaration import Declared, declared
from model.kernel import Kernel
from model.optimum import Optimum
from model.settings import Settings, SettingsError
from model.trainer import DIVERGED, WINDOW_REMEDY, Remedy, Trainer, TrainerState, TrainerView

FORK_GROUPS = ("Model", "Training")
"""Groups of settings a fork may change: how the neuron learns, never what it learns from."""
START_FIELDS = frozenset({"init_w", "init_b"})
"""The start is shared by every run of a race, like the data."""
BASE_NAME = "base"
"""The name of the run the others branch from, and of a fork that changes nothing."""
WITHIN = 0.01
"""A run has reached the optimum once its loss is within this fraction above the optimum's loss."""
GRID_SIZE = 10
KEPT = "every run keeps the base run's data, start and shuffle order"
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "yes", "on", "1"}), frozenset({"false", "no", "off", "0"})


class RaceError(ValueError):
    """A race entry or fork that cannot be used; the message says why in a learner's words."""


def forkable(cls: type = Settings) -> tuple[Declared, ...]:
    """The settings a fork may change: those of FORK_GROUPS except the start."""
    return tuple(item for item in declared(cls) if item.spec.group in FORK_GROUPS and item.name not in START_FIELDS)


def parse_entry(entry: str, base: Settings) -> dict[str, Any]:
    """The changes "lr=0.1,rule=adam" asks of the base settings, as {setting: value}, each validated.

    Keys are settings' names or their command-line options without dashes (batch_size or batch-size). Raises
    RaceError naming the first key that is unknown, not forkable, repeated or given a value it cannot take."""
    by_key = {}
    for item in declared(type(base)):
        by_key[item.name] = item
        if item.option is not None and item.kind is not bool:
            by_key[item.option.lstrip("-")] = item
    allowed = {item.name for item in forkable(type(base))}
    changes: dict[str, Any] = {}
    for part in entry.split(","):
        key, equals, text = (piece.strip() for piece in part.partition("="))
        if not equals or not key:
            raise RaceError(f"{part.strip()!r} is not a change: write setting=value, such as lr=0.1.")
        item = by_key.get(key) or by_key.get(key.replace("-", "_"))
        if item is None:
            raise RaceError(f"{key!r} is not a setting; a race can change {', '.join(sorted(allowed))}.")
        if item.name not in allowed:
            raise RaceError(f"{item.subject} cannot change in a race: {KEPT}. A race can change "
                            f"{', '.join(sorted(allowed))}.")
        if item.name in changes:
            raise RaceError(f"{item.subject} is changed twice in {entry!r}.")
        value = _value(item, text)
        problem = item.problem(value)
        if problem:
            raise RaceError(problem)
        changes[item.name] = value
    return changes


def _value(item: Declared, text: str) -> Any:
    """The typed value of text for a setting; text itself when it names no such value, so that validation says
    what is wrong with it."""
    try:
        if item.kind is bool:
            lowered = text.lower()
            return True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else text
        if item.kind in (int, float):
            return item.kind(text)
    except ValueError:
        return text
    return item.convert(text)


def differences(base: Settings, settings: Settings) -> tuple[Declared, ...]:
    """The declared settings whose values differ, in the declaration's order."""
    return tuple(item for item in declared(type(base)) if getattr(base, item.name) != getattr(settings, item.name))


def changes_text(base: Settings, settings: Settings) -> str:
    """What differs, as a race entry that makes settings from base ("lr=0.1,optimizer=minibatch")."""
    return ",".join(f"{item.name}={_plain_text(getattr(settings, item.name))}" for item in differences(base, settings))


def _plain_text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def run_name(base: Settings, settings: Settings) -> str:
    """A run's name from what differs from the base: "η = 0.1", "Adam", "mini-batch, batch size 8"; BASE_NAME
    when nothing does."""
    return ", ".join(_describe(item, getattr(settings, item.name)) for item in differences(base, settings)) \
        or BASE_NAME


def _describe(item: Declared, value: Any) -> str:
    """One setting's value in words: its symbol and value, its choice's short label, or its label and value."""
    if item.spec.choices and not isinstance(value, (int, float)):
        label = next((label for choice, label in item.spec.choices if choice == value), str(value))
        return re.split(r", | \(| — ", label, maxsplit=1)[0]
    if isinstance(value, bool):
        return f"{item.spec.label} {'on' if value else 'off'}"
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    symbol = item.spec.label.split()[-1]
    if not symbol.isascii():
        return f"{symbol} = {shown}"
    return f"{item.spec.label} {shown} {item.spec.unit}".rstrip()


def unique_names(names: Sequence[str]) -> list[str]:
    """The names with later repeats numbered ("η = 0.1 (2)"), so each run has its own."""
    return _numbered(names, "{} ({})")


def folder_names(names: Sequence[str]) -> list[str]:
    """A folder name per run name, safe on every file system and distinct even where case is ignored: Greek
    letters spelt out, subscripts as digits, each run of anything else but letters, digits, '.' and '+' made one
    '-' ("η = 0.1" → "eta-0.1")."""
    stems = []
    for name in names:
        spelt = "".join(_spelt(char) for char in unicodedata.normalize("NFKC", name))
        stems.append(re.sub(r"[^a-z0-9.+]+", "-", spelt.lower()).strip("-.") or "run")
    return _numbered(stems, "{}-{}")


def _numbered(names: Sequence[str], pattern: str) -> list[str]:
    """The names with each repeat of an earlier one numbered from 2 by pattern (name, number)."""
    taken: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 1
        while candidate in taken:
            number += 1
            candidate = pattern.format(name, number)
        taken.add(candidate)
        unique.append(candidate)
    return unique


def _spelt(char: str) -> str:
    if char.isascii():
        return char
    words = unicodedata.name(char, "").split()
    return f"-{words[-1]}-" if words[:1] == ["GREEK"] else "-"


def branch(state: TrainerState, settings: Settings, data: Dataset, changes: Mapping[str, Any],
           kernel: Kernel | None = None, remedy: Remedy = WINDOW_REMEDY) -> Trainer:
    """A trainer that goes on from state, reached with settings on data, with the changes made from that moment:
    same data, same weights, same history so far, same shuffling generator. Without changes it goes on exactly as
    the original would have.

    Raises RaceError when a change is not one a fork may make, or asks for fewer epochs than the state has done."""
    allowed = {item.name for item in forkable(type(settings))}
    refused = sorted(set(changes) - allowed)
    if refused:
        raise RaceError(f"{', '.join(refused)} cannot change in a race: {KEPT}.")
    try:
        changed = settings.replace(**changes).validated()
    except SettingsError as error:
        raise RaceError(str(error)) from None
    if changed.epochs < state.epoch:
        raise RaceError(f"The run is at epoch {state.epoch} already, beyond {changed.epochs} epochs.")
    trainer = Trainer.restored(changed.replace(epochs=settings.epochs), data, state, kernel, remedy)
    trainer.update_settings(changed)
    return trainer


@dataclass(frozen=True)
class Comparison:
    """One run's row of the compare table."""

    name: str
    epochs_to_optimum: int | None
    """The first epoch whose loss is within WITHIN of the optimum's; None when never, or when there is none."""
    optimum_exists: bool
    final_loss: float
    accuracy: float
    distance: float | None
    """Euclidean distance in (w, b) from where the run stands to the optimum; None without one."""
    status: str

    @property
    def reached(self) -> str:
        """The epochs to the optimum in words: a number, "not yet", or "no optimum"."""
        if not self.optimum_exists:
            return "no optimum"
        return "not yet" if self.epochs_to_optimum is None else str(self.epochs_to_optimum)


def epochs_to_within(epochs: np.ndarray, losses: np.ndarray, best: float, within: float = WITHIN) -> int | None:
    """The first epoch whose loss is at most (1 + within) times the optimum's loss best (> 0), or None."""
    close = np.flatnonzero(np.asarray(losses) <= best * (1.0 + within))
    return int(np.asarray(epochs)[close[0]]) if close.size else None


def compare(name: str, view: TrainerView, optimum: Optimum) -> Comparison:
    """The compare row of a run as its view shows it, held against the optimum of the loss it minimises."""
    if not optimum.exists:
        return Comparison(name, None, False, view.loss, view.accuracy, None, view.status)
    reached = epochs_to_within(view.history.epoch, view.history.loss, optimum.loss)
    distance = math.hypot(view.w - optimum.w, view.b - optimum.b)
    return Comparison(name, reached, True, view.loss, view.accuracy, distance, view.status)


@dataclass(frozen=True)
class LrTry:
    """One η of a grid: the loss after the prefix (the last finite one if the run diverged)."""

    lr: float
    loss: float
    diverged: bool


@dataclass(frozen=True)
class BestLr:
    """The η picked (None when every try diverged) and every try, over a prefix of this many epochs."""

    pick: float | None
    tries: tuple[LrTry, ...]
    epochs: int

    @property
    def sentence(self) -> str:
        tried = f"{len(self.tries)} values tried over {self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        if self.pick is None:
            return f"no η settled: all {tried} diverged"
        return f"best η = {self.pick:g} ({tried}: the lowest loss among those that did not diverge)"


def lr_grid(cls: type = Settings, count: int = GRID_SIZE) -> tuple[float, ...]:
    """count learning rates log-spaced over the decades the learning rate's declaration calls useful (its
    slider's), rounded to three significant digits so they read well."""
    item = next(item for item in declared(cls) if item.name == "lr")
    low, high = item.spec.log_slider
    return tuple(float(f"{value:.3g}") for value in np.logspace(low, high, count))


def best_lr(state: TrainerState, settings: Settings, data: Dataset, changes: Mapping[str, Any], epochs: int,
            grid: Sequence[float] | None = None, kernel: Kernel | None = None) -> BestLr:
    """Try each η of the grid (lr_grid() when not given) with the changes, epochs epochs on from state; pick the η
    with the lowest loss at the end among the tries that did not diverge (the smallest such η on a tie).

    Deterministic and free of any window: a display runs it on a thread of its own."""
    if epochs < 1:
        raise RaceError("Trying learning rates needs at least one epoch to train.")
    tries = []
    for lr in lr_grid(type(settings)) if grid is None else grid:
        trainer = branch(state, settings, data, {**changes, "lr": lr, "epochs": state.epoch + epochs}, kernel)
        trainer.run_to_end()
        view = trainer.view()
        tries.append(LrTry(float(lr), view.loss, view.status == DIVERGED))
    settled = [one for one in tries if not one.diverged]
    pick = min(settled, key=lambda one: (one.loss, one.lr)).lr if settled else None
    return BestLr(pick, tuple(tries), epochs)
