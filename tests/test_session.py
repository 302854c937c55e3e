"""Sessions: a saved run reopens to the same picture and continues to the same result; bad files are refused."""

import dataclasses
import json
import pickle

import numpy as np
import pytest

from model.csv_io import MAX_ROWS
from model.data import Dataset, generate
from model.history import EpochRecord
from model.kernel import AT_REST
from model.session import (
    MAX_SESSION_BYTES,
    Session,
    SessionError,
    load_session,
    parse_session,
    save_session,
    session_json,
    session_of,
)
from model.settings import MAX_EPOCHS, MAX_SAMPLES_PER_CLASS, Settings
from model.trainer import Trainer, TrainerState


def _trainer(**changes) -> Trainer:
    settings = Settings(epochs=12, every=4, **changes)
    return Trainer(settings, generate(settings))


@pytest.mark.parametrize("rule", ["plain", "momentum", "adam"])
@pytest.mark.parametrize("optimizer", ["sgd", "minibatch", "batch"])
def test_reopened_session_continues_exactly_like_an_uninterrupted_run(tmp_path, optimizer, rule):
    interrupted = _trainer(optimizer=optimizer, batch_size=7, rule=rule, lr=0.05, l2=0.1)
    interrupted.run_epochs(5)
    interrupted.step_batch()
    interrupted.step_batch()
    path = tmp_path / "run.json"
    save_session(session_of(interrupted), path)

    reopened = load_session(path).trainer()
    assert (reopened.w, reopened.b, reopened.epoch, reopened.position, reopened.rule_state) == (
        interrupted.w, interrupted.b, interrupted.epoch, interrupted.position, interrupted.rule_state)
    assert (reopened.rule_state == AT_REST) == (rule == "plain")
    assert reopened.view().history.records() == interrupted.view().history.records()
    assert reopened.snapshots == interrupted.snapshots

    uninterrupted = _trainer(optimizer=optimizer, batch_size=7, rule=rule, lr=0.05, l2=0.1)
    uninterrupted.run_epochs(5)
    uninterrupted.step_batch()
    uninterrupted.step_batch()
    uninterrupted.run_to_end()
    reopened.run_to_end()
    assert (reopened.w, reopened.b, reopened.rule_state) == (
        uninterrupted.w, uninterrupted.b, uninterrupted.rule_state)
    assert reopened.view().history.records() == uninterrupted.view().history.records()


def test_session_keeps_user_data_and_settings_exactly(tmp_path):
    trainer = _trainer(loss="mse", l2=0.25, shuffle=False, init_w=0.5, init_b=-2.0)
    path = tmp_path / "s.json"
    save_session(session_of(trainer), path)
    session = load_session(path)
    assert session.settings == trainer.settings
    assert session.data == trainer.data


def test_diverged_and_finished_states_survive_a_round_trip():
    finished = _trainer()
    finished.run_to_end()
    assert parse_session(session_json(session_of(finished))).trainer().status == "finished"
    diverged = _trainer(lr=10.0, l2=1.0)
    diverged.run_to_end()
    reopened = parse_session(session_json(session_of(diverged))).trainer()
    assert reopened.status == "diverged"
    assert reopened.message == diverged.message


def _document() -> dict:
    trainer = _trainer()
    trainer.run_epochs(4)
    trainer.step_batch()
    return json.loads(session_json(session_of(trainer)))


def _set(path: str, value):
    def mutate(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return mutate


_DELETE = object()

MALFORMED = {
    "wrong format tag": (_set("format", "something-else"), "not a Neuron Lab session"),
    "future version": (_set("version", 99), "version 99"),
    "unknown setting": (_set("settings.colour", "red"), "not known"),
    "invalid setting": (_set("settings.sigma0", -1.0), "spread σ₀ must be a finite number greater than 0"),
    "setting of wrong type": (_set("settings.n0", "ten"), "wrong type"),
    "missing data": (_set("data", _DELETE), "no 'data'"),
    "text in the samples": (_set("data.x.3", "oops"), r"x\[3\]"),
    "label 2": (_set("data.label.0", 2), "labels must be 0 and 1"),
    "fewer labels than samples": (_set("data.label", [0, 1]), "labels"),
    "missing weight": (_set("trainer.w", _DELETE), "no 'w'"),
    "weight as text": (_set("trainer.w", "big"), "finite number"),
    "unknown status": (_set("trainer.status", "exploded"), "status"),
    "position past the data": (_set("trainer.position", 10_000), "out of range"),
    "order not a permutation": (_set("trainer.order.0", 0), "not an ordering"),
    "history with a gap": (_set("trainer.history.epoch.2", 7), "one row for each epoch"),
    "snapshot beyond the history": (_set("trainer.snapshots.0", 10_000), "snapshots do not match"),
    "negative snapshot": (_set("trainer.snapshots.1", -1), "snapshots do not match"),
    "broken generator state": (_set("trainer.rng_state.bit_generator", "MT19937"), "generator state"),
    "negative update count": (_set("trainer.updates", -5), "negative"),
    "generator state beyond 64 bits": (_set("trainer.rng_state.has_uint32", 10**30), "generator state"),
    "generator state beyond any float": (_set("trainer.rng_state.state.state", 10**400), "generator state"),
    "generator state of nested lists": (_set("trainer.rng_state.state", [[[1]]]), "generator state"),
    "epoch beyond any machine number": (_set("trainer.epoch", 10**400), "out of range"),
    "epoch beyond the longest run": (_set("trainer.epoch", MAX_EPOCHS + 1), "out of range"),
    "sample beyond any float": (_set("data.x.0", 10**400), r"x\[0\] should be a finite number"),
    "sample too large to draw": (_set("data.x.1", 1e9), r"x\[1\] = 1000000000.0 is too large; values must be within "
                                                         r"±100,000,000\."),
    "setting beyond any float": (_set("settings.mu0", 10**400), "too large"),
    "setting that is a list": (_set("settings.mu0", [1.0]), "mu0 should be a single value, not a list"),
    "order with a huge index": (_set("trainer.order.0", 10**400), "not an ordering"),
    "more updates than samples trained on": (_set("trainer.updates", 10**9), "larger than the number of samples"),
    "status message of a whole book": (_set("trainer.message", "word " * 1000), "longer than 1000 characters"),
    "history columns of different lengths": (_set("trainer.history.w", [0.5]), "different lengths"),
    "weight beyond where training stops": (_set("trainer.w", 1e300), r"w or b goes beyond ±1e\+12"),
    "history bias beyond where training stops": (_set("trainer.history.b.1", -1e13), r"w or b goes beyond ±1e\+12"),
    "rule state with a negative mean square": (_set("trainer.rule_state.s_w", -1.0), "update rule state"),
    "rule state counting more updates than made": (_set("trainer.rule_state.t", 10**6), "update rule state"),
    "rule state as text": (_set("trainer.rule_state.m_b", "x"), "m_b should be a finite number"),
    "boundary as text": (_set("trainer.history.boundary.1", "none"), r"boundary\[1\] should be a finite number or"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_every_malformed_session_is_refused_with_a_clear_message(name):
    mutate, expected = MALFORMED[name]
    document = _document()
    mutate(document)
    with pytest.raises(SessionError, match=expected):
        parse_session(json.dumps(document))


@pytest.mark.parametrize("text, expected", [
    ("", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"format": "neuron-lab-session", "version": 1, "settings": {}, "data": {"x": [NaN], "label": [0]}}', "NaN"),
    ("[" * 100_000 + "]" * 100_000, "nests lists or objects too deeply"),
    ('{"format": "neuron-lab-session", "version": ' + "9" * 5000 + "}", "too many digits"),
])
def test_text_that_is_not_a_session_is_refused(text, expected):
    with pytest.raises(SessionError, match=expected):
        parse_session(text)


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(_document())[:-200])
    with pytest.raises(SessionError, match="truncated"):
        load_session(path)


def test_pickle_is_never_loaded(tmp_path):
    path = tmp_path / "evil.json"
    path.write_bytes(pickle.dumps({"format": "neuron-lab-session"}))
    with pytest.raises(SessionError):
        load_session(path)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    save_session(session_of(_trainer()), path)
    before = path.read_bytes()

    def broken_dumps(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("model.files.os.fsync", broken_dumps)
    with pytest.raises(OSError):
        save_session(session_of(_trainer(seed=3)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def _version_1(document: dict) -> dict:
    """The same session as Neuron Lab wrote it before format 2: an object per history row and per snapshot."""
    trainer = document["trainer"]
    columns = trainer["history"]
    rows = [{name: columns[name][i] for name in columns} for i in range(len(columns["epoch"]))]
    trainer["history"] = rows
    trainer["snapshots"] = [dict(rows[epoch]) for epoch in trainer["snapshots"]]
    document["version"] = 1
    return document


def test_sessions_saved_before_update_rules_open_at_rest():
    document = _document()
    del document["trainer"]["rule_state"]
    assert parse_session(json.dumps(document)).state.rule_state == AT_REST


def test_version_1_sessions_still_open():
    document = _document()
    assert document["version"] == 2
    current = parse_session(json.dumps(document))
    old = parse_session(json.dumps(_version_1(document)))
    assert (old.settings, old.data, old.state) == (current.settings, current.data, current.state)
    assert len(old.state.snapshots) == 2


@pytest.mark.parametrize("change, expected", [
    (lambda trainer: trainer["history"][2].update(epoch=7), "one row for each epoch"),
    (lambda trainer: trainer["snapshots"][0].update(w=123.0), "snapshots do not match"),
    (lambda trainer: trainer["snapshots"][0].update(epoch=99), "snapshots do not match"),
])
def test_malformed_version_1_sessions_are_refused(change, expected):
    document = _version_1(_document())
    change(document["trainer"])
    with pytest.raises(SessionError, match=expected):
        parse_session(json.dumps(document))


@pytest.mark.parametrize("path", ["format", "version", "settings.n0", "settings.loss", "trainer.status",
                                  "trainer.w", "trainer.rng_state.bit_generator", "data.x.2"])
def test_a_huge_bad_value_is_quoted_only_in_part(path):
    document = _document()
    _set(path, "x" * 5_000_000)(document)
    with pytest.raises(SessionError) as caught:
        parse_session(json.dumps(document))
    assert len(str(caught.value)) < 300


def test_huge_or_countless_bad_settings_make_a_short_message():
    document = _document()
    document["settings"]["k" * 5_000_000] = 1
    for i in range(100_000):
        document["settings"][f"unknown{i}"] = i
    with pytest.raises(SessionError) as caught:
        parse_session(json.dumps(document))
    assert str(caught.value).startswith(f"The session's settings are invalid: {'k' * 40}…: This setting is not known.")
    assert str(caught.value).endswith("; and 99998 more.")


def test_a_number_too_large_for_a_float_is_refused():
    document = _document()
    document["trainer"]["history"]["loss"][1] = 12345.678
    with pytest.raises(SessionError, match=r"loss\[1\] should be a finite number"):
        parse_session(json.dumps(document).replace("12345.678", "1e999"))


def test_deep_nesting_inside_a_session_is_refused():
    document = _document()
    document["trainer"]["message"] = "DEEP"
    text = json.dumps(document).replace('"DEEP"', "[" * 50_000 + "]" * 50_000)
    with pytest.raises(SessionError, match="too deeply"):
        parse_session(text)


def test_saving_a_run_with_a_number_that_is_not_finite_says_which(tmp_path):
    trainer = _trainer()
    trainer.run_epochs(5)
    session = session_of(trainer)
    path = tmp_path / "run.json"
    with pytest.raises(SessionError, match=r"^The run contains a number that is not finite \(w = nan\)"):
        save_session(Session(session.settings, session.data, dataclasses.replace(session.state, w=float("nan"))), path)
    history = list(session.state.history)
    history[3] = dataclasses.replace(history[3], loss=float("inf"))
    state = dataclasses.replace(session.state, history=tuple(history))
    with pytest.raises(SessionError, match=r"\(loss at epoch 3 = inf\)"):
        save_session(Session(session.settings, session.data, state), path)
    assert not path.exists()


def test_samples_that_could_not_be_opened_again_are_not_saved(tmp_path):
    session = session_of(_trainer())
    data = Dataset(np.append(session.data.x[:-1], 1e9), session.data.y)
    with pytest.raises(SessionError, match=r"x = 1000000000\.0, outside ±100,000,000"):
        save_session(Session(session.settings, data, session.state), tmp_path / "run.json")


LONGEST = -1.2345678901234567e-100
"""A number whose JSON is as long as any double's: sign, 17 digits, point and a three-digit exponent."""


def _longest_session(samples: int, rows: int) -> Session:
    """A session as large as the app could write for its size: every number at its longest, a snapshot every
    epoch, seven-digit epochs and sample indices. Not a consistent run, only a measure of the format's size."""
    settings = Settings(n0=MAX_SAMPLES_PER_CLASS, n1=MAX_SAMPLES_PER_CLASS, epochs=MAX_EPOCHS, every=1, mu0=LONGEST,
                        mu1=LONGEST, sigma0=-LONGEST, sigma1=-LONGEST, init_w=LONGEST, init_b=LONGEST, l2=-LONGEST,
                        lr=-LONGEST, data_path="/" + "d" * 4095).validated()
    trainer = _trainer(lr=10.0, l2=1.0)
    trainer.run_to_end()
    history = tuple(EpochRecord(MAX_EPOCHS, LONGEST, LONGEST, LONGEST, LONGEST, LONGEST) for _ in range(rows))
    state = TrainerState(
        w=LONGEST, b=LONGEST, epoch=MAX_EPOCHS, position=MAX_ROWS - 1, updates=MAX_EPOCHS * MAX_ROWS,
        order=tuple(range(MAX_ROWS - samples, MAX_ROWS)), rng_state=trainer.state().rng_state, status="diverged",
        message=trainer.message, history=history, snapshots=history,
    )
    return Session(settings, Dataset(np.full(samples, LONGEST), np.arange(samples) % 2), state)


def test_the_largest_session_the_app_can_write_is_within_the_limit():
    """Measured on the real format and extrapolated to 2,000,000 samples and 1,000,001 epochs, one snapshot each."""
    def size(samples: int, rows: int) -> int:
        return len(session_json(_longest_session(samples, rows)).encode("utf-8"))

    base = size(1000, 1000)
    per_sample = (size(2000, 1000) - base) / 1000
    per_row = (size(1000, 2000) - base) / 1000
    assert (per_sample, per_row) == (35, 141)
    largest = base + per_sample * (MAX_ROWS - 1000) + per_row * (MAX_EPOCHS + 1 - 1000)
    assert 1.25 * largest < MAX_SESSION_BYTES


def test_a_long_run_with_a_snapshot_every_epoch_saves_and_opens(tmp_path):
    settings = Settings(epochs=50_000, every=1)
    trainer = Trainer(settings, generate(settings))
    values = np.random.default_rng(1).normal(size=(50_001, 5)).tolist()
    history = tuple(EpochRecord(epoch, w, b, abs(loss), abs(correct) % 1, boundary if epoch % 7 else None)
                    for epoch, (w, b, loss, correct, boundary) in enumerate(values))
    state = dataclasses.replace(trainer.state(), epoch=50_000, updates=50_000 * len(trainer.data), status="finished",
                                message="Finished 50000 epochs.", history=history, snapshots=history)
    path = tmp_path / "long.json"
    save_session(Session(settings, trainer.data, state), path)
    reopened = load_session(path)
    assert (reopened.settings, reopened.data, reopened.state) == (settings, trainer.data, state)
    assert reopened.trainer().view().history.records() == list(history)
