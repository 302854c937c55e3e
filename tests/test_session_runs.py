"""Sessions of several runs: names, colours, settings and exact states round-trip, samples shared by runs are
written once, and a bad file is refused with the reason."""

from __future__ import annotations

import json

import pytest

from model.data import generate
from model.race import branch
from model.session import (
    NamedRun,
    Runs,
    SessionError,
    load_runs,
    parse_runs,
    parse_session,
    runs_json,
    save_runs,
    session_json,
    session_of,
)
from model.settings import Settings
from model.trainer import Trainer

SETTINGS = Settings(n0=20, n1=20, epochs=30, every=5)


def three_runs() -> tuple[Runs, list[Trainer]]:
    """A base run 7 epochs and 5 samples in, and two branches of it a few updates further on each."""
    base = Trainer(SETTINGS, generate(SETTINGS))
    base.run_epochs(7)
    base.step_samples(5)
    fast = branch(base.state(), base.settings, base.data, {"lr": 0.5})
    batch = branch(base.state(), base.settings, base.data, {"optimizer": "batch"})
    fast.step_samples(3)
    batch.step_epoch()
    trainers = [base, fast, batch]
    named = tuple(NamedRun(name, colour, session_of(trainer))
                  for name, colour, trainer in zip(("base", "η = 0.5", "full batch"), (0, 3, 1), trainers, strict=True))
    return Runs(named, selected=1), trainers


def test_three_runs_mid_epoch_round_trip_and_go_on_exactly_as_the_originals(tmp_path):
    runs, trainers = three_runs()
    path = tmp_path / "race.json"
    save_runs(runs, path)
    opened = load_runs(path)
    assert opened.selected == 1
    assert [(run.name, run.colour) for run in opened.runs] == [("base", 0), ("η = 0.5", 3), ("full batch", 1)]
    for run, original in zip(opened.runs, trainers, strict=True):
        assert run.session.settings == original.settings
        assert run.session.state == original.state()
        reopened = run.session.trainer()
        reopened.run_epochs(3)
        original.run_epochs(3)
        assert reopened.state() == original.state()
    document = json.loads(path.read_text())
    assert len(document["data"]) == 1, "the three runs share their samples, written once"
    assert opened.runs[0].session.data is opened.runs[2].session.data


def test_a_single_run_session_opens_as_one_run_and_a_session_of_runs_gives_its_selected_run_to_one_run_readers():
    runs, trainers = three_runs()
    single = parse_runs(session_json(session_of(trainers[0])))
    assert [(run.name, run.colour) for run in single.runs] == [("run 1", 0)]
    assert single.runs[0].session.state == trainers[0].state()
    assert parse_session(runs_json(runs)).state == trainers[1].state()


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.update(runs=[]), "from 1 to 6 runs"),
    (lambda d: d.update(selected=3), "selected run 3"),
    (lambda d: d["runs"][1].update(colour=0), "same colour"),
    (lambda d: d["runs"][0].update(colour=6), "colour should be from 0 to 5"),
    (lambda d: d["runs"][0].update(data=1), "one of the session's 1 sets"),
    (lambda d: d["runs"][2].update(name="  "), "name should be text"),
])
def test_a_bad_session_of_runs_is_refused_with_the_reason(change, words):
    document = json.loads(runs_json(three_runs()[0]))
    change(document)
    with pytest.raises(SessionError, match=words):
        parse_runs(json.dumps(document))
