"""Loading a learner's own samples: every bad file gets a message naming the line; good files round-trip exactly."""

from __future__ import annotations

import numpy as np
import pytest

from model import csv_io
from model.csv_io import DataFileError, format_csv, load_csv, parse_csv
from model.data import Dataset


@pytest.mark.parametrize("text, message", [
    ("x,label\n1.0\n", "Line 2: expected 2 columns (x,label) but found 1"),
    ("x,label\n1.0,0,5\n", "Line 2: expected 2 columns (x,label) but found 3"),
    ("x,label,extra\n1,0\n", "Line 1: the header has 3 columns"),
    ("1,0\n2,1\nabc,1\n", "Line 3: the x cell 'abc' is not a number"),
    ("1,0\n2,one\n", "Line 2: the label cell 'one' is not a number"),
    ("1,0\n,1\n", "Line 2: the x cell is empty"),
    ("1,0\nnan,1\n", "Line 2: the x cell is 'nan'; only finite numbers"),
    ("1,0\n-inf,1\n", "Line 2: the x cell is '-inf'"),
    ("1,0\n2,2\n", "Line 2: the label must be 0 or 1, not '2'"),
    ("1,0\n2,0.5\n", "Line 2: the label must be 0 or 1, not '0.5'"),
    ("1,1\n2,1\n", "only class 1"),
    ("x,label\n1,0\n2,0\n", "only class 0"),
    ("", "is empty"),
    ("\n  \n", "is empty"),
    ("x,label\n", "has a header but no data rows"),
])
def test_every_bad_file_is_refused_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "samples.csv"
    path.write_text(text)
    with pytest.raises(DataFileError) as caught:
        load_csv(path)
    assert message in str(caught.value)


def test_file_too_large_names_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_text("1.0,0\n" * 50)
    with pytest.raises(DataFileError, match=r"big\.csv is 300 bytes; data files may be at most 100 bytes"):
        load_csv(path)


def test_binary_and_missing_files_are_refused(tmp_path):
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(DataFileError, match="not a UTF-8 text file"):
        load_csv(binary)
    with pytest.raises(DataFileError, match="Cannot open"):
        load_csv(tmp_path / "missing.csv")


@pytest.mark.parametrize("text", ["x,label\n-1.5,0\n2,1\n", "-1.5,0\n2,1\n", "\ufeffx , label\r\n-1.5 , 0\r\n2,1\r\n"])
def test_header_is_optional(text):
    data = parse_csv(text)
    assert list(data.x) == [-1.5, 2.0] and list(data.y) == [0.0, 1.0]


def test_round_trip_is_exact_for_awkward_floats(tmp_path):
    data = Dataset([0.1, 1e-300, -0.0, 1 / 3, 123456789.123456789, -2.5e-7], [0, 1, 0, 1, 1, 0])
    path = tmp_path / "samples.csv"
    path.write_text(format_csv(data))
    loaded = load_csv(path)
    assert np.array_equal(loaded.x, data.x) and np.array_equal(loaded.y, data.y)
    assert loaded.x.tobytes() == data.x.tobytes()
