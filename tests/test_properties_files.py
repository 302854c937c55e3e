"""Properties of the file formats: any file gives data or a clear refusal, never a crash; what is written reads back
exactly; and the fast CSV reader agrees with the careful one on every input, however the text is cut into chunks."""

import json
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import csv_io
from model.csv_io import DataFileError, format_csv, load_csv, parse_csv
from model.data import MAX_ABS_X, Dataset, generate
from model.kernel import PYTHON_KERNEL
from model.session import Session, SessionError, load_session, parse_session, session_json, session_of
from model.settings import Settings
from model.trainer import Trainer

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ROUND_TRIPS = settings(max_examples=60, deadline=None, derandomize=True)

CELLS = st.one_of(
    st.sampled_from(["0", "1", "-0", "1.0", "1e0", '"1"', '"0"', '""', "", " ", "x", "label", "nan", "-inf", "1e999",
                     "1e8", "1.00000001e8", "1_0", "0x1", "٣", "\ufeff1", "\x00", "1 2", '"1,5"', "\x0c", "\x85"]),
    st.floats(min_value=-2 * MAX_ABS_X, max_value=2 * MAX_ABS_X).map(repr),
    st.text(max_size=4),
)
LINES = st.lists(CELLS, min_size=1, max_size=3).map(",".join)
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\u2028", "\n\n", "\n \n"])
CSV_TEXT = st.lists(st.tuples(LINES, LINE_ENDS), max_size=12).map(lambda rows: "".join(a + b for a, b in rows))
PLAIN_TEXT = st.text(alphabet="0123456789+-.eE, \t\n", max_size=80)


def _csv_outcome(text: str) -> tuple:
    try:
        data = parse_csv(text)
    except DataFileError as error:
        return ("refused", str(error))
    return ("read", data.x.tobytes(), data.y.tobytes())


@FUZZ
@given(content=st.one_of(st.binary(max_size=300), CSV_TEXT.map(str.encode), PLAIN_TEXT.map(str.encode)))
def test_any_bytes_give_data_or_a_data_file_error(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    try:
        data = load_csv(path)
    except DataFileError as error:
        assert len(str(error)) < 300
        return
    assert set(np.unique(data.y)) == {0.0, 1.0}
    assert np.all(np.abs(data.x) <= MAX_ABS_X)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.one_of(CSV_TEXT, PLAIN_TEXT), limit=st.sampled_from([csv_io.MAX_ROWS, 3]))
def test_the_fast_reader_agrees_with_the_careful_one_however_the_text_is_cut(text, limit):
    with mock.patch.object(csv_io, "MAX_ROWS", limit):
        expected = _csv_outcome(text)
        with mock.patch.object(csv_io, "_CHUNK_CHARS", 4):
            assert _csv_outcome(text) == expected
        with mock.patch.object(csv_io, "_plain_rows", lambda chunk: None):
            assert _csv_outcome(text) == expected


@ROUND_TRIPS
@given(x=st.lists(st.floats(min_value=-MAX_ABS_X, max_value=MAX_ABS_X), min_size=2, max_size=30), data=st.data())
def test_csv_round_trips_are_exact(x, data):
    labels = [0, 1, *data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(x) - 2, max_size=len(x) - 2))]
    written = Dataset(x, labels)
    read = parse_csv(format_csv(written))
    assert read.x.tobytes() == written.x.tobytes() and read.y.tobytes() == written.y.tobytes()


@ROUND_TRIPS
@given(x=st.lists(st.one_of(st.floats(), st.floats(min_value=-2 * MAX_ABS_X, max_value=2 * MAX_ABS_X)), min_size=2,
                  max_size=30))
def test_what_the_writer_writes_the_loader_reads_back_and_nothing_else_is_written(x):
    written = Dataset(x, [index % 2 for index in range(len(x))])
    readable = bool(np.all(np.abs(written.x) <= MAX_ABS_X))
    try:
        text = format_csv(written)
    except DataFileError as error:
        assert not readable, error
        return
    read = parse_csv(text)
    assert readable and read.x.tobytes() == written.x.tobytes() and read.y.tobytes() == written.y.tobytes()


def _trained(seed: int, n0: int, n1: int, optimizer: str, batch_size: int, loss: str, l2: float, lr: float,
             epochs: int, every: int, shuffle: bool, steps: int) -> Trainer:
    run = Settings(seed=seed, n0=n0, n1=n1, optimizer=optimizer, batch_size=batch_size, loss=loss, l2=l2, lr=lr,
                   epochs=epochs, every=every, shuffle=shuffle)
    trainer = Trainer(run, generate(run), kernel=PYTHON_KERNEL)
    for _ in range(steps):
        trainer.step_batch()
    return trainer


RUNS = st.builds(
    _trained, seed=st.integers(0, 2**64), n0=st.integers(1, 12), n1=st.integers(1, 12),
    optimizer=st.sampled_from(["sgd", "minibatch", "batch"]), batch_size=st.integers(1, 8),
    loss=st.sampled_from(["bce", "mse"]), l2=st.sampled_from([0.0, 0.1, 1.0]), lr=st.sampled_from([0.01, 0.5, 10.0]),
    epochs=st.integers(1, 8), every=st.integers(1, 4), shuffle=st.booleans(), steps=st.integers(0, 80),
)


@ROUND_TRIPS
@given(trainer=RUNS)
def test_session_round_trips_are_exact(trainer):
    saved = session_of(trainer)
    read = parse_session(session_json(saved))
    assert read.settings == saved.settings
    assert read.data.x.tobytes() == saved.data.x.tobytes() and read.data.y.tobytes() == saved.data.y.tobytes()
    assert read.state == saved.state


@FUZZ
@given(content=st.one_of(st.binary(max_size=300), st.text(alphabet='{}[]":,0123456789.-eEnulltrfas ', max_size=60)
                         .map(str.encode)))
def test_any_bytes_give_a_session_or_a_session_error(tmp_path, content):
    path = tmp_path / "run.json"
    path.write_bytes(content)
    try:
        load_session(path)
    except SessionError as error:
        assert len(str(error)) < 300


DEEP = "@@deep@@"
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-(10**400), 10**400),
              st.sampled_from([2**63, 2**64, 2**128, -1, 10**7, 10**400, "x" * 100_000, DEEP]),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)


def _document() -> dict:
    trainer = _trained(seed=1, n0=4, n1=3, optimizer="minibatch", batch_size=2, loss="bce", l2=0.0, lr=0.5,
                       epochs=5, every=2, shuffle=True, steps=9)
    return json.loads(session_json(session_of(trainer)))


VALID = json.dumps(_document())


def _mutated(data: st.DataObject) -> str:
    """The valid document with the value at a random place (at any depth) replaced by a random JSON value."""
    document = json.loads(VALID)
    parent, node = None, document
    while isinstance(node, (dict, list)) and node and (parent is None or data.draw(st.booleans())):
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        parent, node = node, node[key]
    parent[key] = data.draw(JSON_VALUES)
    return json.dumps(document).replace(f'"{DEEP}"', "[" * 3000 + "]" * 3000)


@FUZZ
@given(data=st.data())
def test_any_change_to_a_valid_session_gives_a_session_or_a_session_error(data):
    try:
        session = parse_session(_mutated(data))
    except SessionError as error:
        assert len(str(error)) < 300
        return
    assert isinstance(session, Session)
    again = parse_session(session_json(session))
    assert (again.settings, again.data, again.state) == (session.settings, session.data, session.state)
