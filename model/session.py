"""Session files: settings, samples and the trainer's exact state as plain JSON, so a run can be closed and picked
up later with the same next shuffle. Reading never executes anything from the file, and every field is checked
before anything is built, so a bad file cannot disturb the session that is open.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.data import Dataset
from model.files import write_text_atomic
from model.history import EpochRecord
from model.settings import Settings, SettingsError
from model.trainer import DIVERGED, FINISHED, READY, TRAINING, Trainer, TrainerState

FORMAT = "neuron-lab-session"
VERSION = 1
MAX_SESSION_BYTES = 200 * 1024 * 1024


class SessionError(ValueError):
    """A session file that cannot be opened; the message says why in words a learner can act on."""


@dataclass(frozen=True)
class Session:
    settings: Settings
    data: Dataset
    state: TrainerState

    def trainer(self) -> Trainer:
        return Trainer.restored(self.settings, self.data, self.state)


def session_of(trainer: Trainer) -> Session:
    return Session(trainer.settings, trainer.data, trainer.state())


def session_json(session: Session) -> str:
    state = session.state
    document = {
        "format": FORMAT,
        "version": VERSION,
        "settings": session.settings.to_dict(),
        "data": {"x": session.data.x.tolist(), "label": session.data.y.astype(int).tolist()},
        "trainer": {
            "w": state.w, "b": state.b, "epoch": state.epoch, "position": state.position, "updates": state.updates,
            "order": None if state.order is None else list(state.order),
            "rng_state": state.rng_state, "status": state.status, "message": state.message,
            "history": [_record_json(r) for r in state.history],
            "snapshots": [_record_json(r) for r in state.snapshots],
        },
    }
    return json.dumps(document, allow_nan=False) + "\n"


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: an interrupted save leaves the previous file as it was."""
    write_text_atomic(path, session_json(session))


def load_session(path: str | os.PathLike) -> Session:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            raise SessionError(f"{path.name} is larger than {MAX_SESSION_BYTES // 2**20} MB; it is not a session file.")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SessionError(f"Cannot read {path}: {error.strerror or error}.") from error
    except UnicodeDecodeError:
        raise SessionError(f"{path.name} is not a text file, so it is not a Neuron Lab session.") from None
    return parse_session(text)


def parse_session(text: str) -> Session:
    """Check every part of a session document and build it, or raise SessionError naming the first problem."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise SessionError(f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                           "it may be truncated or edited by hand.") from None
    except ValueError as error:
        raise SessionError(str(error)) from None
    root = _Reader(document, "the session")
    if root.get("format", str) != FORMAT:
        raise SessionError("This JSON file is not a Neuron Lab session.")
    version = root.get("version", int)
    if version != VERSION:
        raise SessionError(f"This session was written in format version {version}; this Neuron Lab reads version "
                           f"{VERSION}.")
    try:
        settings = Settings.from_dict(root.get("settings", dict))
    except SettingsError as error:
        raise SessionError(f"The session's settings are invalid: {error}") from None
    data = _data(root.child("data"))
    state = _state(root.child("trainer"), settings, len(data))
    try:
        Trainer.restored(settings, data, state)
    except (ValueError, TypeError, KeyError) as error:
        raise SessionError(f"The session's random generator state is invalid: {error}") from None
    return Session(settings, data, state)


class _Reader:
    """Typed access to one JSON object, with errors that say where in the file the problem is."""

    def __init__(self, value: Any, where: str):
        if not isinstance(value, dict):
            raise SessionError(_sentence(f"{where} must be a JSON object."))
        self.value = value
        self.where = where

    def child(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict), f"{self.where} → {key}")

    def get(self, key: str, kind: type, optional: bool = False) -> Any:
        if key not in self.value:
            raise SessionError(_sentence(f"{self.where} has no {key!r}."))
        value = self.value[key]
        if value is None and optional:
            return None
        if not _is_kind(value, kind):
            raise SessionError(_sentence(f"{self.where} → {key} should be {_KIND_NAMES[kind]}, not "
                                         f"{json.dumps(value)[:40]}."))
        return float(value) if kind is float else value

    def number_list(self, key: str, whole: bool = False) -> list:
        values = self.get(key, list)
        kind = int if whole else float
        for index, value in enumerate(values):
            if not _is_kind(value, kind):
                raise SessionError(_sentence(f"{self.where} → {key}[{index}] should be {_KIND_NAMES[kind]}."))
        return values


_KIND_NAMES = {float: "a finite number", int: "a whole number", str: "text", bool: "true or false",
               dict: "an object", list: "a list"}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float)) and math.isfinite(value)
    return isinstance(value, kind)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"The session contains {name}, which is not a number Neuron Lab accepts.")


def _data(reader: _Reader) -> Dataset:
    x = reader.number_list("x")
    labels = reader.number_list("label", whole=True)
    if len(x) != len(labels):
        raise SessionError(f"The session's data has {len(x)} x values but {len(labels)} labels.")
    if set(labels) != {0, 1}:
        raise SessionError("The session's labels must be 0 and 1, with both classes present.")
    return Dataset(np.array(x, dtype=np.float64), np.array(labels, dtype=np.float64))


def _state(reader: _Reader, settings: Settings, n_samples: int) -> TrainerState:
    epoch = reader.get("epoch", int)
    position = reader.get("position", int)
    status = reader.get("status", str)
    if status not in (READY, TRAINING, FINISHED, DIVERGED):
        raise SessionError(f"The session's training status {status!r} is not known.")
    if epoch < 0 or not 0 <= position < n_samples:
        raise SessionError("The session's epoch or position in the epoch is out of range.")
    order = reader.get("order", list, optional=True)
    if order is not None and sorted(reader.number_list("order", whole=True)) != list(range(n_samples)):
        raise SessionError("The session's sample order is not an ordering of its samples.")
    if order is None and position != 0:
        raise SessionError("The session is part-way through an epoch but has no sample order.")
    history = tuple(_record(item, f"history[{i}]") for i, item in enumerate(reader.get("history", list)))
    if [r.epoch for r in history] != list(range(epoch + 1)):
        raise SessionError(f"The session's history should have one row for each epoch from 0 to {epoch}.")
    snapshots = tuple(_record(item, f"snapshots[{i}]") for i, item in enumerate(reader.get("snapshots", list)))
    known = {r.epoch: r for r in history}
    if any(known.get(s.epoch) != s for s in snapshots):
        raise SessionError("The session's snapshots do not match its history.")
    updates = reader.get("updates", int)
    if updates < 0:
        raise SessionError("The session's update count cannot be negative.")
    return TrainerState(
        w=reader.get("w", float), b=reader.get("b", float), epoch=epoch, position=position, updates=updates,
        order=None if order is None else tuple(order), rng_state=reader.get("rng_state", dict), status=status,
        message=reader.get("message", str), history=history, snapshots=snapshots,
    )


def _record_json(record: EpochRecord) -> dict:
    return {"epoch": record.epoch, "w": record.w, "b": record.b, "loss": record.loss, "accuracy": record.accuracy,
            "boundary": record.boundary}


def _record(item: Any, where: str) -> EpochRecord:
    reader = _Reader(item, f"the session's {where}")
    return EpochRecord(
        epoch=reader.get("epoch", int), w=reader.get("w", float), b=reader.get("b", float),
        loss=reader.get("loss", float), accuracy=reader.get("accuracy", float),
        boundary=reader.get("boundary", float, optional=True),
    )
