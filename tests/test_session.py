"""Sessions: a saved run reopens to the same picture and continues to the same result; bad files are refused."""

import json
import pickle

import pytest

from model.data import generate
from model.session import SessionError, load_session, parse_session, save_session, session_json, session_of
from model.settings import Settings
from model.trainer import Trainer


def _trainer(**changes) -> Trainer:
    settings = Settings(epochs=12, every=4, **changes)
    return Trainer(settings, generate(settings))


@pytest.mark.parametrize("optimizer", ["sgd", "minibatch", "batch"])
def test_reopened_session_continues_exactly_like_an_uninterrupted_run(tmp_path, optimizer):
    interrupted = _trainer(optimizer=optimizer, batch_size=7)
    interrupted.run_epochs(5)
    interrupted.step_batch()
    interrupted.step_batch()
    path = tmp_path / "run.json"
    save_session(session_of(interrupted), path)

    reopened = load_session(path).trainer()
    assert (reopened.w, reopened.b, reopened.epoch, reopened.position) == (
        interrupted.w, interrupted.b, interrupted.epoch, interrupted.position)
    assert reopened.view().history.records() == interrupted.view().history.records()
    assert reopened.snapshots == interrupted.snapshots

    uninterrupted = _trainer(optimizer=optimizer, batch_size=7)
    uninterrupted.run_epochs(5)
    uninterrupted.step_batch()
    uninterrupted.step_batch()
    uninterrupted.run_to_end()
    reopened.run_to_end()
    assert (reopened.w, reopened.b) == (uninterrupted.w, uninterrupted.b)
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
    "invalid setting": (_set("settings.sigma0", -1.0), "standard deviation"),
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
    "history with a gap": (_set("trainer.history.2.epoch", 7), "one row for each epoch"),
    "snapshot not in history": (_set("trainer.snapshots.0.w", 123.0), "snapshots do not match"),
    "broken generator state": (_set("trainer.rng_state.bit_generator", "MT19937"), "generator state"),
    "negative update count": (_set("trainer.updates", -5), "negative"),
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
