"""The command line's options for settings, derived from their declaration: one option per declared setting that
has one, grouped as the panel groups them, with the declared help, unit and default."""

from __future__ import annotations

import argparse
from enum import Enum
from typing import Any

from model.declaration import Declared, declared, groups


def add_setting_options(parser: argparse.ArgumentParser, cls: type) -> dict[str, Any]:
    """Add an option for each declared setting of cls; returns the argument groups by their declared name."""
    made = {}
    for group, items in groups(cls):
        made[group] = box = parser.add_argument_group(group.lower())
        for item in items:
            if item.option is not None:
                box.add_argument(item.option, dest=item.name, default=None, **_argument(item))
    return made


def given_settings(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """{setting: value} for every setting given on the command line."""
    return {item.name: getattr(args, item.name) for item in declared(cls)
            if item.option is not None and getattr(args, item.name) is not None}


def value_options(cls: type) -> frozenset[str]:
    """Options that take a value (every setting's except on/off switches)."""
    return frozenset(item.option for item in declared(cls) if item.option is not None and item.kind is not bool)


def switch_options(cls: type) -> frozenset[str]:
    return frozenset(item.option for item in declared(cls) if item.option is not None and item.kind is bool)


def option_of(cls: type, name: str) -> str:
    """The option a setting is given by, to name it in a message."""
    item = next(item for item in declared(cls) if item.name == name)
    return item.option or name


def _argument(item: Declared) -> dict[str, Any]:
    help_text = item.spec.help.replace("\n", " ").replace("%", "%%")
    if item.kind is bool:
        turns_off = item.default
        return {"action": "store_false" if turns_off else "store_true",
                "help": f"turns '{item.spec.label}' {'off' if turns_off else 'on'}: {help_text}"}
    if issubclass(item.kind, Enum):
        words = "; ".join(f"{value.value}: {label}" for value, label in item.spec.choices)
        return {"choices": [member.value for member in item.kind],
                "help": f"{words} (default {item.default.value}). {help_text}"}
    default = item.spec.none_label if item.default is None else f"{item.default} {item.spec.unit}".rstrip()
    return {"type": item.kind, "metavar": item.name.upper() if item.kind is not str else "FILE",
            "help": f"{item.spec.label}: {help_text} (default {default})"}
