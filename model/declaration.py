"""How a setting is declared once: its type, default, limits, unit, label, help, group and what changing it means.

The window's panel, the command line's options, session files, validation messages and the classification of a
change all read this one declaration, so a new setting is written in one place (`setting(...)` on a dataclass field)
and appears everywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints


class Apply(Enum):
    """What changing a setting does to the run."""

    NEW_DATA = "new samples are drawn or loaded, and training starts again"
    RESTART = "training starts again from epoch 0"
    LIVE = "applies while training runs"


@dataclass(frozen=True)
class Spec:
    """Everything about a setting except its name, type and default, which the dataclass field holds."""

    label: str
    help: str
    group: str
    apply: Apply = Apply.RESTART
    unit: str = ""
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False
    none_label: str = ""
    """What an empty value (None) means, e.g. 'random ±0.01'; empty when a value is required."""
    choices: tuple[tuple[Any, str], ...] = ()
    """(value, label) pairs a panel offers; for an enum setting, every member with its words."""
    option: str | None = ""
    """The command line's option: '' derives --name-with-dashes, None leaves the setting out of the command line."""
    panel: bool = True
    log_slider: tuple[int, int] | None = None
    """Decades (low, high) of a logarithmic slider beside the field."""


def setting(default: Any, **spec: Any) -> Any:
    """A dataclass field declared as a setting."""
    return dataclasses.field(default=default, metadata={"setting": Spec(**spec)})


@dataclass(frozen=True)
class Declared:
    """One declared setting, as the panel, the command line and validation use it."""

    name: str
    kind: type
    """bool, int, float, str or an enum class."""
    optional: bool
    default: Any
    spec: Spec

    @property
    def option(self) -> str | None:
        if self.spec.option is None:
            return None
        return self.spec.option or "--" + self.name.replace("_", "-")

    @property
    def whole(self) -> bool:
        return self.kind is int

    @property
    def subject(self) -> str:
        return self.spec.label[:1].upper() + self.spec.label[1:]

    def convert(self, value: Any) -> Any:
        """An enum setting's member for its text; any other value unchanged (validation judges it)."""
        if issubclass(self.kind, Enum) and isinstance(value, str) and not isinstance(value, self.kind):
            return next((member for member in self.kind if member.value == value), value)
        return value

    def problem(self, value: Any) -> str | None:
        """Why value cannot be used, in words a learner understands; None when it can."""
        if value is None:
            return None if self.optional else f"{self.subject} must be given."
        if self.kind is bool:
            return None if isinstance(value, bool) else f"{self.subject} must be true or false."
        if issubclass(self.kind, Enum):
            names = [member.value for member in self.kind]
            return None if value in names else f"{self.subject} must be one of {', '.join(names)}."
        if self.kind is str:
            return None if isinstance(value, str) else f"{self.subject} must be text."
        if _number(value, self.whole) and self._within(value):
            return None
        kind = "a whole number" if self.whole else "a finite number"
        alternative = f", or {self.spec.none_label}" if self.spec.none_label else ""
        return f"{self.subject} must be {kind}{self._range()}{alternative}."

    def _within(self, value: float) -> bool:
        low, high = self.spec.low, self.spec.high
        above = low is None or (value > low if self.spec.low_open else value >= low)
        below = high is None or (value < high if self.spec.high_open else value <= high)
        return above and below

    def _range(self) -> str:
        low, high = self.spec.low, self.spec.high
        if low is None:
            return f", at most {_words(high)}" if high is not None else ""
        if high is None:
            return f" greater than {_words(low)}" if self.spec.low_open else f", {_words(low)} or more"
        if self.spec.high_open:
            return f", {_words(low)} or more and less than {_words(high)}"
        if self.spec.low_open:
            return f" greater than {_words(low)} and at most {_words(high)}"
        return f" from {_words(low)} to {_words(high)}"


@functools.cache
def declared(cls: type) -> tuple[Declared, ...]:
    """The settings a dataclass declares, in the order of its fields (read once per class: settings are made
    and checked on every keystroke and by every training slice)."""
    hints = get_type_hints(cls)
    return tuple(Declared(field.name, *_kind(hints[field.name]), field.default, field.metadata["setting"])
                 for field in dataclasses.fields(cls) if "setting" in field.metadata)


def groups(cls: type) -> Iterator[tuple[str, tuple[Declared, ...]]]:
    """(group, its settings) in the order groups first appear."""
    every = declared(cls)
    for group in dict.fromkeys(item.spec.group for item in every):
        yield group, tuple(item for item in every if item.spec.group == group)


def _kind(hint: Any) -> tuple[type, bool]:
    if get_origin(hint) in (Union, types.UnionType):
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        return kinds[0], len(kinds) < len(get_args(hint))
    return hint, False


def _number(value: Any, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) if whole else math.isfinite(value)


def _words(value: float) -> str:
    """1000000 as '1,000,000', 0.5 as '0.5'."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"

