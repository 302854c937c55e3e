"""The one description of a run, shared by the window, the command line and session files.

Every field a learner can set lives here, with its limits and a message that says what is wrong in plain words.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any

LOSSES = ("bce", "mse")
OPTIMIZERS = ("sgd", "minibatch", "batch")

MAX_SAMPLES_PER_CLASS = 1_000_000
MAX_EPOCHS = 1_000_000
MAX_ABS_MEAN = 1e6
MAX_SIGMA = 1e6
MAX_L2 = 1e3
"""Means, spreads and the penalty are bounded so every number training computes stays finite: samples stay within
about ±10^7, and with |w|, |b| kept below 10^12 by the kernel, z, the loss and (λ/2)w² stay far from overflow."""

DATA_FIELDS = frozenset({"mu0", "sigma0", "n0", "mu1", "sigma1", "n1", "seed", "data_path"})
"""Settings that decide the samples: changing one means drawing or loading them again."""
LIVE_FIELDS = frozenset({"lr", "epochs", "every", "speed"})
"""Settings that can change while training runs; any other change starts training again."""


class SettingsError(ValueError):
    """Raised when settings are invalid; carries every problem found, keyed by field name."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems.items()))


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. Defaults reproduce the 'two bumps' tutorial with its learning rate."""

    mu0: float = -1.5
    sigma0: float = 1.0
    n0: int = 100
    mu1: float = 1.5
    sigma1: float = 1.0
    n1: int = 100
    seed: int = 0
    data_path: str | None = None

    init_w: float | None = None
    init_b: float | None = None
    loss: str = "bce"
    l2: float = 0.0

    optimizer: str = "sgd"
    lr: float = 0.01
    batch_size: int = 16
    epochs: int = 120
    shuffle: bool = True

    every: int = 20
    speed: float = 10.0

    def problems(self) -> dict[str, str]:
        """Return {field: message} for every invalid field; empty when the settings can be used."""
        found: dict[str, str] = {}
        for name in ("mu0", "mu1"):
            value = getattr(self, name)
            if not _finite(value) or abs(value) > MAX_ABS_MEAN:
                found[name] = "The mean must be a finite number between -1,000,000 and 1,000,000."
        for name in ("sigma0", "sigma1"):
            value = getattr(self, name)
            if not _finite(value) or not 0 < value <= MAX_SIGMA:
                found[name] = "The standard deviation must be a number greater than 0 and at most 1,000,000."
        for name in ("n0", "n1"):
            value = getattr(self, name)
            if not _whole(value) or not 1 <= value <= MAX_SAMPLES_PER_CLASS:
                found[name] = f"The sample count must be a whole number from 1 to {MAX_SAMPLES_PER_CLASS:,}."
        if not _whole(self.seed) or self.seed < 0:
            found["seed"] = "The seed must be a whole number, 0 or more."
        for name in ("init_w", "init_b"):
            value = getattr(self, name)
            if value is not None and (not _finite(value) or abs(value) > 1e6):
                found[name] = "The initial value must be a number between -1,000,000 and 1,000,000, or random."
        if self.loss not in LOSSES:
            found["loss"] = f"The loss must be one of {', '.join(LOSSES)}."
        if not _finite(self.l2) or not 0 <= self.l2 <= MAX_L2:
            found["l2"] = "The L2 penalty must be a number from 0 to 1,000."
        if self.optimizer not in OPTIMIZERS:
            found["optimizer"] = f"The optimizer must be one of {', '.join(OPTIMIZERS)}."
        if not _finite(self.lr) or not 0 < self.lr <= 1e3:
            found["lr"] = "The learning rate must be a number greater than 0 and at most 1000."
        if not _whole(self.batch_size) or self.batch_size < 1:
            found["batch_size"] = "The batch size must be a whole number, 1 or more."
        if not _whole(self.epochs) or not 1 <= self.epochs <= MAX_EPOCHS:
            found["epochs"] = f"The number of epochs must be a whole number from 1 to {MAX_EPOCHS:,}."
        if not _whole(self.every) or self.every < 1:
            found["every"] = "Snapshots must be taken every 1 epoch or more."
        if not _finite(self.speed) or self.speed < 0:
            found["speed"] = "The speed must be 0 (as fast as possible) or a positive number of epochs per second."
        if not isinstance(self.shuffle, bool):
            found["shuffle"] = "Shuffle must be true or false."
        return found

    def validated(self) -> Settings:
        """Return self, or raise SettingsError listing every problem."""
        found = self.problems()
        if found:
            raise SettingsError(found)
        return self

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (not validated, so a panel can show what is wrong)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> Settings:
        """Build validated settings from a JSON object, refusing unknown keys and wrong types."""
        if not isinstance(raw, dict):
            raise SettingsError({"settings": "Settings must be a JSON object."})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise SettingsError({name: "This setting is not known." for name in unknown})
        problems: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            converted = _convert(value, _field_type(known[name]))
            if converted is _BAD:
                problems[name] = f"The value {value!r} has the wrong type."
            else:
                values[name] = converted
        if problems:
            raise SettingsError(problems)
        return cls(**values).validated()


@dataclass(frozen=True)
class SettingsChange:
    """Which settings differ between two runs, and what that means for the samples and for training."""

    changed: frozenset[str]

    @property
    def none(self) -> bool:
        return not self.changed

    @property
    def data(self) -> bool:
        """New samples are needed."""
        return bool(self.changed & DATA_FIELDS)

    @property
    def restart(self) -> bool:
        """Training must start again from epoch 0: something outside LIVE_FIELDS changed."""
        return bool(self.changed - LIVE_FIELDS)

    @property
    def live(self) -> bool:
        """Only settings that apply while training runs changed."""
        return bool(self.changed) and not self.restart


def classify_change(old: Settings, new: Settings) -> SettingsChange:
    """The one place that decides what a change of settings means, for the window and the trainer alike."""
    return SettingsChange(frozenset(f.name for f in fields(Settings) if getattr(old, f.name) != getattr(new, f.name)))


PRESETS: dict[str, dict[str, float | int]] = {
    "two bumps": {"mu0": -1.5, "sigma0": 1.0, "n0": 100, "mu1": 1.5, "sigma1": 1.0, "n1": 100},
    "far apart": {"mu0": 0.0, "sigma0": 1.0, "n0": 500, "mu1": 5.0, "sigma1": 0.5, "n1": 500},
}


def apply_preset(settings: Settings, name: str) -> Settings:
    """Settings with the data fields of a named preset, and no loaded file."""
    if name not in PRESETS:
        raise SettingsError({"preset": f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}."})
    return settings.replace(data_path=None, **PRESETS[name])


def effective_batch_size(settings: Settings, n_samples: int) -> int:
    """How many samples one update uses: 1 for SGD, everything for full batch, else the chosen size."""
    if settings.optimizer == "sgd":
        return 1
    if settings.optimizer == "batch":
        return n_samples
    return min(settings.batch_size, n_samples)


_BAD = object()


def _field_type(field: dataclasses.Field) -> str:
    return str(field.type).replace(" ", "")


def _convert(value: Any, kind: str) -> Any:
    optional = kind.endswith("|None")
    base = kind.removesuffix("|None")
    if value is None:
        return None if optional else _BAD
    if base == "bool":
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, bool):
        return _BAD
    if base == "int":
        return value if isinstance(value, int) else _BAD
    if base == "float":
        return float(value) if isinstance(value, (int, float)) else _BAD
    if base == "str":
        return value if isinstance(value, str) else _BAD
    return _BAD


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
