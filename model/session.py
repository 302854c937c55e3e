"""Session files: settings, samples and the trainer's exact state as plain JSON, so a run can be closed and picked
up later with the same next shuffle. Reading never executes anything from the file, and every field is checked
before anything is built, so a bad file cannot disturb the session that is open: any input gives a Session or a
SessionError, never another exception, and a message never repeats more than a few words of a bad value.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.data import MAX_ABS_X, Dataset, standardised
from model.files import read_text, write_text_atomic
from model.history import COLUMNS, EpochRecord
from model.kernel import AT_REST, PARAMETER_LIMIT, RuleState
from model.quoting import QUOTE_LIMIT, clip
from model.settings import MAX_EPOCHS, Settings, SettingsError
from model.trainer import Status, Trainer, TrainerState

FORMAT = "neuron-lab-session"
VERSION = 2
"""Version 2 keeps the history as one list per column and snapshots as their epochs; version 1 files (an object
per history row and per snapshot) still open."""
RUNS_VERSION = 3
"""Version 3 holds several runs side by side, each with its name, colour and exact state, and each distinct set of
samples once; versions 1 and 2 (one run) still open, as a single run."""
MAX_RUNS = 6
MAX_NAME_CHARS = 100

MAX_SESSION_BYTES = 256 * 2**20
"""Every session the app writes must open again. The largest it can write: 2,000,000 samples of at most 35 bytes
(x as "-1.2345678901234567e-100," 25, label "0," 2, order index "1999999," 8) = 70 MB, and 1,000,001 history
rows of at most 141 bytes (epoch "1000000," 8, five numbers of 25, the snapshot's epoch 8) = 141 MB: 211 MB
(201 MiB) in all, plus a few kilobytes of settings. 256 MiB is a quarter more than that (tests/test_session.py
measures these sizes)."""

MAX_MESSAGE_CHARS = 1000
"""The trainer's status line is a sentence or two; anything longer is not one it wrote."""


REASON_LIMIT = 200
"""Characters of a reason passed on from settings, numpy or the trainer: a sentence, even if it quotes the file."""


class SessionError(ValueError):
    """A session file that cannot be opened, or a run that cannot be saved; the message says why in words a learner
    can act on."""


@dataclass(frozen=True)
class Session:
    settings: Settings
    data: Dataset
    state: TrainerState

    def trainer(self) -> Trainer:
        return Trainer.restored(self.settings, self.data, self.state)


def session_of(trainer: Trainer) -> Session:
    return Session(trainer.settings, trainer.data, trainer.state())


@dataclass(frozen=True)
class NamedRun:
    """One run of several side by side: its name, its colour (an index into the window's palette) and its run."""

    name: str
    colour: int
    session: Session


@dataclass(frozen=True)
class Runs:
    """Runs side by side, one of them selected."""

    runs: tuple[NamedRun, ...]
    selected: int = 0


def session_json(session: Session) -> str:
    """The session as compact JSON (format version 2).

    Raises SessionError for a run that could not be opened again: samples beyond ±MAX_ABS_X, or a number JSON
    cannot carry (NaN or infinity, e.g. a loss that overflowed).
    """
    return _dumps(_document(session), (session.state,))


def runs_json(runs: Runs) -> str:
    """Several runs as compact JSON (format version 3), each distinct set of samples written once.

    Raises SessionError as session_json does, for any of the runs, and when they would make a file too large to
    open again."""
    datasets: list[Dataset] = []
    documents = []
    for run in runs.runs:
        document = _document(run.session)
        index = next((i for i, data in enumerate(datasets) if data is run.session.data.original), None)
        if index is None:
            datasets.append(run.session.data.original)
            index = len(datasets) - 1
        else:
            del document["data"]
        documents.append((run, index, document))
    text = _dumps({
        "format": FORMAT, "version": RUNS_VERSION, "selected": runs.selected,
        "data": [_samples(data) for data in datasets],
        "runs": [{"name": run.name, "colour": run.colour, "data": index, "settings": document["settings"],
                  "trainer": document["trainer"]} for run, index, document in documents],
    }, tuple(run.session.state for run in runs.runs))
    if len(text.encode()) > MAX_SESSION_BYTES:
        raise SessionError(f"These {len(runs.runs)} runs together would make a session of "
                           f"{len(text.encode()) / 2**20:,.0f} MiB, more than the {MAX_SESSION_BYTES // 2**20} MiB "
                           "a session may hold; remove some runs and save again.")
    return text


def save_runs(runs: Runs, path: str | os.PathLike) -> None:
    """Write several runs atomically (see runs_json)."""
    write_text_atomic(path, runs_json(runs))


def load_runs(path: str | os.PathLike) -> Runs:
    """Open a session file of one run or several; raises SessionError, and nothing else, for anything else."""
    return parse_runs(read_text(path, MAX_SESSION_BYTES, "session file", SessionError))


def _samples(data: Dataset) -> dict:
    return {"x": data.x.tolist(), "label": data.y.astype(int).tolist()}


def _dumps(document: dict, states: tuple[TrainerState, ...]) -> str:
    try:
        return json.dumps(document, allow_nan=False, separators=(",", ":")) + "\n"
    except ValueError:
        state = next((state for state in states if _non_finite(state) != _IN_SETTINGS), states[0])
        raise SessionError(f"The run contains a number that is not finite ({_non_finite(state)}); a session can "
                           "only hold finite numbers. Reset training and save again.") from None


def _document(session: Session) -> dict:
    """One run as a version 2 document, with the samples as they were given (before any standardising)."""
    _check_samples(session.data.original)
    state = session.state
    document = {
        "format": FORMAT,
        "version": VERSION,
        "settings": session.settings.to_dict(),
        "data": _samples(session.data.original),
        "trainer": {
            "w": state.w, "b": state.b, "epoch": state.epoch, "position": state.position, "updates": state.updates,
            "order": None if state.order is None else list(state.order),
            "rng_state": state.rng_state, "status": state.status, "message": state.message,
            "history": {name: [getattr(record, name) for record in state.history] for name in COLUMNS},
            "snapshots": [record.epoch for record in state.snapshots],
            "rule_state": state.rule_state._asdict(),
        },
    }
    return document


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: an interrupted save leaves the previous file as it was.

    Raises SessionError for a run that cannot be saved (see session_json), OSError when the file cannot be written.
    """
    write_text_atomic(path, session_json(session))


def load_session(path: str | os.PathLike) -> Session:
    """Open a session file; raises SessionError, and nothing else, for anything that is not a usable session."""
    return parse_session(read_text(path, MAX_SESSION_BYTES, "session file", SessionError))


def parse_session(text: str) -> Session:
    """Check every part of a session document and build it, or raise SessionError naming the first problem. A
    session of several runs gives its selected run."""
    runs = parse_runs(text)
    return runs.runs[runs.selected].session


def parse_runs(text: str) -> Runs:
    """Check every part of a session document of one run or several and build it, or raise SessionError naming the
    first problem. A session of one run (versions 1 and 2) gives one run named "run 1"."""
    root = _Reader(_json(text), "the session")
    if root.get("format", str) != FORMAT:
        raise SessionError("This JSON file is not a Neuron Lab session.")
    version = root.get("version", int)
    if version not in (1, 2, RUNS_VERSION):
        raise SessionError(f"This session was written in format version {_shown(version)}; this Neuron Lab reads "
                           f"versions 1 to {RUNS_VERSION}.")
    if version != RUNS_VERSION:
        return Runs((NamedRun("run 1", 0, _run(root, _data(root.child("data")), version)),))
    datasets = [_data(_Reader(item, f"the session → data[{i}]")) for i, item in enumerate(root.get("data", list))]
    items = root.get("runs", list)
    if not 1 <= len(items) <= MAX_RUNS:
        raise SessionError(f"The session should hold from 1 to {MAX_RUNS} runs, not {len(items)}.")
    runs = tuple(_named_run(_Reader(item, f"the session → runs[{i}]"), datasets) for i, item in enumerate(items))
    if len({run.colour for run in runs}) != len(runs):
        raise SessionError("Two of the session's runs have the same colour.")
    selected = root.get("selected", int)
    if not 0 <= selected < len(runs):
        raise SessionError(f"The session's selected run {selected} is not one of its {len(runs)} runs.")
    return Runs(runs, selected)


def _named_run(reader: _Reader, datasets: list[Dataset]) -> NamedRun:
    name = reader.get("name", str).strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise SessionError(_sentence(f"{reader.where} → name should be text of 1 to {MAX_NAME_CHARS} characters."))
    colour = reader.get("colour", int)
    if not 0 <= colour < MAX_RUNS:
        raise SessionError(_sentence(f"{reader.where} → colour should be from 0 to {MAX_RUNS - 1}."))
    index = reader.get("data", int)
    if not 0 <= index < len(datasets):
        raise SessionError(_sentence(f"{reader.where} → data should name one of the session's {len(datasets)} sets "
                                     "of samples."))
    return NamedRun(name, colour, _run(reader, datasets[index], RUNS_VERSION))


def _run(reader: _Reader, data: Dataset, version: int) -> Session:
    """One run's settings and exact state on its samples, checked by restoring it."""
    settings = _settings(reader.get("settings", dict))
    if settings.standardise:
        data = standardised(data)
    session = Session(settings, data, _state(reader.child("trainer"), len(data), version))
    try:
        session.trainer()
    except (ValueError, ArithmeticError) as error:
        raise SessionError(f"The session cannot be restored: {clip(str(error), REASON_LIMIT)}") from None
    return session


def _check_samples(data: Dataset) -> None:
    outside = np.flatnonzero(~(np.abs(data.x) <= MAX_ABS_X))
    if outside.size:
        raise SessionError(f"The samples include x = {float(data.x[outside[0]])!r}, outside ±{MAX_ABS_X:,.0f}, so "
                           "the session could not be opened again. Use samples nearer 0.")


def _non_finite(state: TrainerState) -> str:
    """Which number of the run is NaN or infinite, in words."""
    named = itertools.chain(
        (("w", state.w), ("b", state.b)),
        ((f"{name} at epoch {record.epoch}", getattr(record, name)) for record in state.history
         for name in COLUMNS[1:]),
    )
    return next((f"{name} = {value}" for name, value in named if value is not None and not math.isfinite(value)),
                _IN_SETTINGS)


_IN_SETTINGS = "a number in its settings"


def _json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise SessionError(f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                           "it may be truncated or edited by hand.") from None
    except SessionError:
        raise
    except ValueError:
        raise SessionError("The file holds a number with too many digits; it is not a Neuron Lab session.") from None
    except RecursionError:
        raise SessionError("The file nests lists or objects too deeply to be a Neuron Lab session.") from None


def _refuse_constant(name: str) -> None:
    raise SessionError(f"The session contains {name}, which is not a number Neuron Lab accepts.")


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
            raise SessionError(_sentence(f"{self.where} → {key} should be {_KIND_NAMES[kind]}, not {_shown(value)}."))
        return float(value) if kind is float else value

    def numbers(self, key: str, optional: bool = False) -> np.ndarray:
        """A list of finite numbers as float64; with optional, null items are allowed and become NaN."""
        values = self.get(key, list)
        array = _float_array(values, optional)
        if array is None:
            index = next(i for i, value in enumerate(values)
                         if not (_is_kind(value, float) or (optional and value is None)))
            kind = _KIND_NAMES[float] + (" or null" if optional else "")
            raise SessionError(_sentence(f"{self.where} → {key}[{index}] should be {kind}."))
        return array

    def wholes(self, key: str) -> list[int]:
        values = self.get(key, list)
        if not set(map(type, values)) <= {int}:
            index = next(i for i, value in enumerate(values) if type(value) is not int)
            raise SessionError(_sentence(f"{self.where} → {key}[{index}] should be {_KIND_NAMES[int]}."))
        return values


_KIND_NAMES = {float: "a finite number", int: "a whole number", str: "text", bool: "true or false",
               dict: "an object", list: "a list"}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]



def _shown(value: Any) -> str:
    """A value as the file has it, cut short; a list or object is named rather than spelled out."""
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return clip(json.dumps(value[: QUOTE_LIMIT + 1] if isinstance(value, str) else value))


def _is_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float)) and _finite(value)
    return isinstance(value, kind)


def _finite(value: int | float) -> bool:
    """False for infinity and for a whole number too large to be a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _float_array(values: list, optional: bool) -> np.ndarray | None:
    """The values as float64 (null as NaN when optional), or None if any is not a finite number. Checked by type
    and by numpy rather than item by item, since a session may hold millions of them."""
    if not set(map(type, values)) <= ({int, float, type(None)} if optional else {int, float}):
        return None
    try:
        array = np.array(values, dtype=np.float64)
    except OverflowError:
        return None
    return None if np.isinf(array).any() or (not optional and np.isnan(array).any()) else array


def _settings(raw: dict) -> Settings:
    for name, value in raw.items():
        if isinstance(value, (list, dict)):
            raise SessionError(f"The session's settings → {clip(name)} should be a single value, not "
                               f"{_shown(value)}.")
    try:
        return Settings.from_dict(raw)
    except SettingsError as error:
        raise SessionError(f"The session's settings are invalid: {_problems(error)}") from None
    except OverflowError:
        raise SessionError("The session's settings hold a number too large to use.") from None


def _problems(error: SettingsError) -> str:
    """The first few problems, each cut short: a file can hold any number of bad settings, of any length."""
    shown = [f"{clip(name)}: {clip(message, REASON_LIMIT)}"
             for name, message in itertools.islice(error.problems.items(), 3)]
    more = len(error.problems) - len(shown)
    return "; ".join(shown) + (f"; and {more} more." if more else "")


def _data(reader: _Reader) -> Dataset:
    x = reader.numbers("x")
    labels = reader.wholes("label")
    if len(x) != len(labels):
        raise SessionError(f"The session's data has {len(x)} x values but {len(labels)} labels.")
    if set(labels) != {0, 1}:
        raise SessionError("The session's labels must be 0 and 1, with both classes present.")
    outside = np.flatnonzero(np.abs(x) > MAX_ABS_X)
    if outside.size:
        index = outside[0]
        raise SessionError(f"The session's data → x[{index}] = {float(x[index])!r} is too large; values must be within "
                           f"±{MAX_ABS_X:,.0f}.")
    return Dataset(x, np.array(labels, dtype=np.float64))


def _state(reader: _Reader, n_samples: int, version: int) -> TrainerState:
    epoch = reader.get("epoch", int)
    position = reader.get("position", int)
    status = reader.get("status", str)
    if status not in tuple(Status):
        raise SessionError(f"The session's training status {_shown(status)} is not known.")
    if not 0 <= epoch <= MAX_EPOCHS or not 0 <= position < n_samples:
        raise SessionError("The session's epoch or position in the epoch is out of range.")
    order = _order(reader, n_samples)
    if order is None and position != 0:
        raise SessionError("The session is part-way through an epoch but has no sample order.")
    history, snapshots = (_history_v1 if version == 1 else _history_v2)(reader, epoch)
    updates = reader.get("updates", int)
    if updates < 0:
        raise SessionError("The session's update count cannot be negative.")
    if updates > epoch * n_samples + position:
        raise SessionError("The session's update count is larger than the number of samples trained on.")
    message = reader.get("message", str)
    if len(message) > MAX_MESSAGE_CHARS:
        raise SessionError(f"The session's status message is longer than {MAX_MESSAGE_CHARS} characters.")
    w, b = reader.get("w", float), reader.get("b", float)
    _check_parameters(w, b, history)
    return TrainerState(
        w=w, b=b, epoch=epoch, position=position, updates=updates, order=order,
        rng_state=_generator_state(reader.get("rng_state", dict)), status=Status(status), message=message,
        history=history, snapshots=snapshots, rule_state=_rule_state(reader, updates),
    )


def _rule_state(reader: _Reader, updates: int) -> RuleState:
    """The update rule's velocity, running means and count; sessions written before update rules have none, and
    trained with plain gradient descent, whose state is all zeros."""
    if "rule_state" not in reader.value:
        return AT_REST
    fields = reader.child("rule_state")
    values = [fields.get(name, float) for name in RuleState._fields[:6]]
    t = fields.get("t", int)
    if not 0 <= t <= updates or min(values[4:]) < 0.0:
        raise SessionError("The session's update rule state is out of range (a negative mean square, or more "
                           "updates counted than were made).")
    return RuleState(*values, t)


def _check_parameters(w: float, b: float, history: tuple[EpochRecord, ...]) -> None:
    """Training stops before |w| or |b| reaches PARAMETER_LIMIT, which keeps z, the loss and the plots finite."""
    largest = max((abs(value) for record in history for value in (record.w, record.b)), default=0.0)
    if max(largest, abs(w), abs(b)) >= PARAMETER_LIMIT:
        raise SessionError(f"The session's w or b goes beyond ±{PARAMETER_LIMIT:.0e}, where training always stops; "
                           "the file has been changed or damaged.")


def _order(reader: _Reader, n_samples: int) -> tuple[int, ...] | None:
    if reader.get("order", list, optional=True) is None:
        return None
    order = reader.wholes("order")
    if len(order) != n_samples or min(order) < 0 or max(order) >= n_samples or len(set(order)) != n_samples:
        raise SessionError("The session's sample order is not an ordering of its samples.")
    return tuple(order)


def _check_epochs(epochs: list[int], epoch: int) -> None:
    if len(epochs) != epoch + 1 or epochs != list(range(epoch + 1)):
        raise SessionError(f"The session's history should have one row for each epoch from 0 to {epoch}.")


def _history_v1(reader: _Reader, epoch: int) -> tuple[tuple[EpochRecord, ...], tuple[EpochRecord, ...]]:
    """Version 1: an object per history row, and each snapshot a copy of its history row."""
    history = tuple(_record(item, f"history[{i}]") for i, item in enumerate(reader.get("history", list)))
    _check_epochs([record.epoch for record in history], epoch)
    snapshots = tuple(_record(item, f"snapshots[{i}]") for i, item in enumerate(reader.get("snapshots", list)))
    if any(not 0 <= s.epoch <= epoch or history[s.epoch] != s for s in snapshots):
        raise SessionError("The session's snapshots do not match its history.")
    return history, snapshots


def _record(item: Any, where: str) -> EpochRecord:
    reader = _Reader(item, f"the session's {where}")
    return EpochRecord(
        epoch=reader.get("epoch", int), w=reader.get("w", float), b=reader.get("b", float),
        loss=reader.get("loss", float), accuracy=reader.get("accuracy", float),
        boundary=reader.get("boundary", float, optional=True),
    )


def _history_v2(reader: _Reader, epoch: int) -> tuple[tuple[EpochRecord, ...], tuple[EpochRecord, ...]]:
    """Version 2: the history as columns, snapshots as the epochs of history rows."""
    columns = reader.child("history")
    epochs = columns.wholes("epoch")
    values = [columns.numbers(name, optional=name == "boundary") for name in COLUMNS[1:]]
    if any(len(column) != len(epochs) for column in values):
        raise SessionError("The session's history columns have different lengths.")
    _check_epochs(epochs, epoch)
    w, b, loss, accuracy, boundary = (column.tolist() for column in values)
    history = tuple(
        EpochRecord(*row, None if math.isnan(x_star) else x_star)
        for *row, x_star in zip(epochs, w, b, loss, accuracy, boundary, strict=True)
    )
    taken = reader.wholes("snapshots")
    if taken and (min(taken) < 0 or max(taken) > epoch):
        raise SessionError("The session's snapshots do not match its history.")
    return history, tuple(history[e] for e in taken)


def _generator_state(raw: dict) -> dict:
    """The state as numpy reports it once set on the kind of generator Trainer draws from (default_rng): checked by
    numpy itself, and holding nothing but the state, so saving it again writes only that."""
    generator = np.random.default_rng().bit_generator
    try:
        generator.state = raw
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        reason = clip(str(error), REASON_LIMIT)
        raise SessionError(f"The session's random generator state is invalid: {reason}") from None
    return generator.state
