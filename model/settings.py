"""The one description of a run, shared by the window, the command line and session files.

Every field a learner can set is declared here once (model.declaration): type, default, limits, unit, label, help,
group and whether changing it restarts the run; validation messages and everything else derive from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from model.declaration import Apply, Declared, declared, setting

MAX_SAMPLES_PER_CLASS = 1_000_000
MAX_EPOCHS = 1_000_000
MAX_ABS_MEAN = 1e6
MAX_SIGMA = 1e6
MAX_L2 = 1e3
"""Means, spreads and the penalty are bounded so every number training computes stays finite: samples stay within
about ±10^7, and with |w|, |b| kept below 10^12 by the kernel, z, the loss and (λ/2)w² stay far from overflow."""
MAX_START = 1e6
MAX_LR = 1e3
RANDOM_START = "random ±0.01"


class Loss(StrEnum):
    BCE = "bce"
    MSE = "mse"


class Rule(StrEnum):
    """How an update turns the batch's gradient into a step, with PyTorch's conventions (torch.optim.SGD, Adam)."""

    PLAIN = "plain"
    MOMENTUM = "momentum"
    ADAM = "adam"


class Batching(StrEnum):
    """How many samples one update averages its gradient over."""

    SGD = "sgd"
    MINIBATCH = "minibatch"
    BATCH = "batch"


class SettingsError(ValueError):
    """Raised when settings are invalid; carries every problem found, keyed by field name."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems.items()))


def _mean(label: str, symbol: str, default: float) -> Any:
    return setting(default, label=f"class {label} mean {symbol}", group="Data", apply=Apply.NEW_DATA,
                   low=-MAX_ABS_MEAN, high=MAX_ABS_MEAN,
                   help=f"Centre of the Gaussian that class-{label} samples are drawn from.")


def _spread(label: str, symbol: str) -> Any:
    return setting(1.0, label=f"class {label} spread {symbol}", group="Data", apply=Apply.NEW_DATA,
                   low=0.0, low_open=True, high=MAX_SIGMA,
                   help=f"Standard deviation of class {label}: how wide it spreads.")


def _count(label: str) -> Any:
    return setting(100, label=f"class {label} samples", group="Data", apply=Apply.NEW_DATA,
                   low=1, high=MAX_SAMPLES_PER_CLASS, help=f"How many class-{label} samples to draw.")


def _start(symbol: str, what: str) -> Any:
    return setting(None, label=f"initial {symbol}", group="Model", low=-MAX_START, high=MAX_START,
                   none_label=RANDOM_START,
                   help=f"{what} before training; when not given, drawn uniformly from ±0.01 as the tutorial does.")


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run, each field declared once with its limits and words. Defaults reproduce the
    'two bumps' tutorial with its learning rate."""

    mu0: float = _mean("0", "μ₀", -1.5)
    sigma0: float = _spread("0", "σ₀")
    n0: int = _count("0")
    mu1: float = _mean("1", "μ₁", 1.5)
    sigma1: float = _spread("1", "σ₁")
    n1: int = _count("1")
    seed: int = setting(0, label="seed", group="Data", apply=Apply.NEW_DATA, low=0,
                        help="Same seed, same samples, same starting weights and same shuffles.")
    data_path: str | None = setting(None, label="data file", group="Data", apply=Apply.NEW_DATA, option="--data",
                                    panel=False, none_label="samples drawn from the Gaussians",
                                    help="Samples from a CSV file with columns x,label (label 0 or 1).")
    standardise: bool = setting(False, label="standardise x", group="Data", apply=Apply.NEW_DATA,
                                help="Train on (x − mean)/sd, so any data trains with the same learning rates; w, b, "
                                     "the boundary and the optimum are also reported in the data's own units.")

    loss: Loss = setting(Loss.BCE, label="loss", group="Model",
                         choices=((Loss.BCE, "binary cross-entropy"), (Loss.MSE, "mean squared error")),
                         help="Cross-entropy pairs with the sigmoid: its gradient is simply (ŷ − y)·x.\n"
                              "Squared error keeps a factor ŷ(1 − ŷ) that stalls learning when ŷ saturates.")
    init_w: float | None = _start("w", "Weight")
    init_b: float | None = _start("b", "Bias")
    l2: float = setting(0.0, label="L2 penalty λ", group="Model", low=0.0, high=MAX_L2,
                        help="Adds (λ/2)·w² to the loss, pulling w towards 0.")

    optimizer: Batching = setting(Batching.SGD, label="optimizer", group="Training",
                                  choices=((Batching.SGD, "SGD, one sample per update"),
                                           (Batching.MINIBATCH, "mini-batch"),
                                           (Batching.BATCH, "full batch, one update per epoch")),
                                  help="How many samples each update averages its gradient over.")
    rule: Rule = setting(Rule.PLAIN, label="update rule", group="Training",
                         choices=((Rule.PLAIN, "plain gradient descent"), (Rule.MOMENTUM, "momentum (heavy ball)"),
                                  (Rule.ADAM, "Adam (a step per parameter)")),
                         help="How each update turns the gradient g into a step, as PyTorch's torch.optim.SGD and "
                              "Adam do.\nPlain: θ ← θ − η·g. Momentum: v ← μ·v + g, θ ← θ − η·v. Adam: running means "
                              "of g and g², bias-corrected.\ng includes λ·w for w only; PyTorch's weight_decay would "
                              "also shrink b.")
    momentum: float = setting(0.9, label="momentum μ", group="Training", low=0.0, high=1.0, high_open=True,
                              help="v ← μ·v + g, then θ ← θ − η·v, v starting at 0 (PyTorch's SGD "
                                   "with momentum, no dampening, not Nesterov).")
    beta1: float = setting(0.9, label="Adam β₁", group="Training", low=0.0, high=1.0, high_open=True,
                           help="m ← β₁·m + (1 − β₁)·g, the running mean of the gradient (PyTorch's "
                                "betas[0]).")
    beta2: float = setting(0.999, label="Adam β₂", group="Training", low=0.0, high=1.0, high_open=True,
                           help="s ← β₂·s + (1 − β₂)·g², the running mean of its square (PyTorch's "
                                "betas[1]).")
    eps: float = setting(1e-8, label="Adam ε", group="Training", low=0.0, low_open=True, high=1.0,
                         help="θ ← θ − η·m̂ / (√ŝ + ε), ε outside the square root as in PyTorch (Keras puts it "
                              "elsewhere).")
    lr: float = setting(0.01, label="learning rate η", group="Training", apply=Apply.LIVE, low=0.0, low_open=True,
                        high=MAX_LR, log_slider=(-5, 1),
                        help="Step size of each update. Too large and training diverges.")
    batch_size: int = setting(16, label="batch size", group="Training", low=1,
                              help="Samples averaged per update (mini-batch only).")
    epochs: int = setting(120, label="epochs", group="Training", apply=Apply.LIVE, low=1, high=MAX_EPOCHS,
                          help="Passes over all samples. Can be raised while training.")
    shuffle: bool = setting(True, label="shuffle every epoch", group="Training", option="--no-shuffle",
                            help="Visit the samples in a new random order each epoch.")

    every: int = setting(20, label="snapshot interval", unit="epochs", group="Animation", apply=Apply.LIVE, low=1,
                         help="Every N epochs a snapshot: a cell of the window's snapshot grid, a progress line of the "
                              "command line.")
    speed: float = setting(10.0, label="speed", unit="epochs/s", group="Animation", apply=Apply.LIVE, low=0.0,
                           option=None,
                           choices=((1.0, "1 epoch/s"), (2.0, "2 epochs/s"), (5.0, "5 epochs/s"),
                                    (10.0, "10 epochs/s"), (20.0, "20 epochs/s"), (50.0, "50 epochs/s"),
                                    (200.0, "200 epochs/s"), (0.0, "as fast as possible")),
                           help="How fast Play trains (0: as fast as possible). Slow speeds show single updates "
                                "moving the curves.")

    def __post_init__(self) -> None:
        for item in declared(type(self)):
            object.__setattr__(self, item.name, item.convert(getattr(self, item.name)))

    def problems(self) -> dict[str, str]:
        """Return {field: message} for every invalid field; empty when the settings can be used."""
        found = {item.name: item.problem(getattr(self, item.name)) for item in declared(type(self))}
        return {name: message for name, message in found.items() if message}

    def validated(self) -> Settings:
        """Return self, or raise SettingsError listing every problem."""
        found = self.problems()
        if found:
            raise SettingsError(found)
        return self

    @property
    def planned_snapshots(self) -> int:
        """How many snapshots a run to its end takes: epoch 0, then every `every`-th epoch."""
        return self.epochs // self.every + 1

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (not validated, so a panel can show what is wrong)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {item.name: _plain(getattr(self, item.name)) for item in declared(type(self))}

    @classmethod
    def from_dict(cls, raw: Any) -> Settings:
        """Build validated settings from a JSON object, refusing unknown keys and wrong types."""
        if not isinstance(raw, dict):
            raise SettingsError({"settings": "Settings must be a JSON object."})
        known = {item.name: item for item in declared(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise SettingsError({name: "This setting is not known." for name in unknown})
        problems: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            converted = _from_json(value, known[name])
            if converted is _BAD:
                problems[name] = f"The value {value!r} has the wrong type."
            else:
                values[name] = converted
        if problems:
            raise SettingsError(problems)
        return cls(**values).validated()


GAUSSIAN_FIELDS = ("mu0", "sigma0", "n0", "mu1", "sigma1", "n1")
"""What the two Gaussians are drawn from: meaningless for samples loaded from a file."""
LOSSES = tuple(Loss)
OPTIMIZERS = tuple(Batching)
RULES = tuple(Rule)
RULE_PARAMETERS = {"momentum": Rule.MOMENTUM, "beta1": Rule.ADAM, "beta2": Rule.ADAM, "eps": Rule.ADAM}
"""Settings that one update rule alone reads: the panel shows each only while its rule is chosen."""
DATA_FIELDS = frozenset(item.name for item in declared(Settings) if item.spec.apply == Apply.NEW_DATA)
"""Settings that decide the samples: changing one means drawing or loading them again."""
LIVE_FIELDS = frozenset(item.name for item in declared(Settings) if item.spec.apply == Apply.LIVE)
"""Settings that can change while training runs; any other change starts training again."""


@dataclass(frozen=True)
class SettingsChange:
    """Which settings differ between two runs, and what that means for the samples and for training."""

    changed: frozenset[str]
    applies: frozenset[Apply] = frozenset()
    """What the changed settings' declarations say a change of them does."""

    @property
    def none(self) -> bool:
        return not self.changed

    @property
    def data(self) -> bool:
        """New samples are needed."""
        return Apply.NEW_DATA in self.applies

    @property
    def restart(self) -> bool:
        """Training must start again from epoch 0: a setting that does not apply live changed."""
        return bool(self.applies - {Apply.LIVE})

    @property
    def live(self) -> bool:
        """Only settings that apply while training runs changed."""
        return bool(self.changed) and not self.restart


def classify_change(old: Settings, new: Settings) -> SettingsChange:
    """The one place that decides what a change of settings means, for the window and the trainer alike."""
    changed = [item for item in declared(type(old)) if getattr(old, item.name) != getattr(new, item.name)]
    return SettingsChange(frozenset(item.name for item in changed), frozenset(item.spec.apply for item in changed))


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


def _plain(value: Any) -> Any:
    """A value as JSON holds it: an enum member as its text."""
    return value.value if isinstance(value, Enum) else value


def _from_json(value: Any, item: Declared) -> Any:
    """value if JSON gave the declared type (an int for a float, an enum's text), else _BAD."""
    if value is None:
        return None if item.optional else _BAD
    if item.kind is bool:
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, bool):
        return _BAD
    if item.kind is int:
        return value if isinstance(value, int) else _BAD
    if item.kind is float:
        return float(value) if isinstance(value, (int, float)) else _BAD
    return value if isinstance(value, str) else _BAD
