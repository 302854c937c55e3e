"""Loading a learner's own samples: every bad file gets a message naming the line; good files round-trip exactly."""

from __future__ import annotations

import numpy as np
import pytest

from model import csv_io
from model.csv_io import MAX_ROWS, DataFileError, format_csv, load_csv, parse_csv
from model.data import MAX_ABS_X, Dataset
from model.settings import MAX_SAMPLES_PER_CLASS


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
    x = [0.1, 1e-300, -0.0, 1 / 3, 12345678.123456789, -2.5e-7, MAX_ABS_X, -MAX_ABS_X]
    data = Dataset(x, [0, 1, 0, 1, 1, 0, 0, 1])
    path = tmp_path / "samples.csv"
    path.write_text(format_csv(data))
    loaded = load_csv(path)
    assert np.array_equal(loaded.x, data.x) and np.array_equal(loaded.y, data.y)
    assert loaded.x.tobytes() == data.x.tobytes()


@pytest.mark.parametrize("text", ['"1.0","0"\n"2.5","1"\n', '"x","label"\n"1.0", 0\n 2.5 ," 1 "\n'])
def test_quoted_cells_are_read_as_numbers_and_a_quoted_first_row_is_data(text):
    data = parse_csv(text)
    assert list(data.x) == [1.0, 2.5] and list(data.y) == [0.0, 1.0]


@pytest.mark.parametrize("mark", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_only_real_line_ends_count_when_naming_a_line(mark):
    """str.splitlines also splits at these; an editor does not, so neither may the line numbers."""
    assert list(parse_csv(f"x,label\n1,0{mark}\n2,1\n").x) == [1.0, 2.0]
    with pytest.raises(DataFileError) as caught:
        parse_csv(f"x,label\n1,0{mark}\n2,1\nabc,1\n")
    assert str(caught.value) == "Line 4: the x cell 'abc' is not a number."
    with pytest.raises(DataFileError) as caught:
        parse_csv(f"1,0\n2{mark}5,1\n")
    assert str(caught.value) == f"Line 2: the x cell {'2' + mark + '5'!r} is not a number."


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_each_kind_of_line_end_counts_once(end):
    with pytest.raises(DataFileError, match=r"^Line 3: the label must be 0 or 1"):
        parse_csv(end.join(["1,0", "", "2,7", "3,1"]))


def test_a_huge_bad_cell_is_quoted_only_in_part():
    cell = "x" * 1_000_000
    with pytest.raises(DataFileError) as caught:
        parse_csv(f"1,0\n{cell},1\n")
    assert str(caught.value) == f"Line 2: the x cell '{'x' * 40}…' is not a number."


@pytest.mark.parametrize("value", ["1e308", "-1e308", "100000001", "-1.0000001e8"])
def test_values_beyond_the_drawable_range_are_refused(value):
    with pytest.raises(DataFileError, match=rf"^Line 2: x = {value} is too large; values must be within "
                                            r"±100,000,000\.$"):
        parse_csv(f"1,0\n{value},1\n")


@pytest.mark.parametrize("x, label, message", [
    (1.0000001e8, 1, r"^Sample 2: x = 100000010\.0 is too large; values must be within ±100,000,000\.$"),
    (-1e300, 0, r"^Sample 2: x = -1e\+300 is too large; values must be within ±100,000,000\.$"),
    (float("nan"), 1, r"^Sample 2: x = nan is not a finite number; only finite numbers are allowed\.$"),
    (float("inf"), 1, r"^Sample 2: x = inf is not a finite number"),
    (2.0, 0.5, r"^Sample 2: the label must be 0 or 1, not 0\.5\.$"),
])
def test_samples_the_loader_would_refuse_are_refused_when_written(tmp_path, x, label, message):
    with pytest.raises(DataFileError, match=message):
        format_csv(Dataset([1.0, x, 3.0], [0, label, 1]))


@pytest.mark.parametrize("labels, message", [
    ([0, 0], "^The samples have only class 0; a neuron needs samples of both class 0 and class 1"),
    ([1, 1], "^The samples have only class 1"),
    ([], r"^There are no samples to write\.$"),
])
def test_samples_of_one_class_or_none_are_refused_when_written(labels, message):
    with pytest.raises(DataFileError, match=message):
        format_csv(Dataset(np.arange(len(labels), dtype=float), labels))


def test_too_many_samples_are_refused_when_written(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_ROWS", 4)
    assert len(parse_csv(format_csv(Dataset([1, 2, 3, 4], [0, 1, 0, 1])))) == 4
    with pytest.raises(DataFileError, match=r"^There are 5 samples; Neuron Lab can use at most 4\.$"):
        format_csv(Dataset([1, 2, 3, 4, 5], [0, 1, 0, 1, 0]))


def test_the_row_limit_is_the_most_samples_the_generator_makes_and_is_named(monkeypatch):
    assert MAX_ROWS == 2 * MAX_SAMPLES_PER_CLASS == 2_000_000
    monkeypatch.setattr(csv_io, "MAX_ROWS", 4)
    assert len(parse_csv("x,label\n1,0\n\n2,1\n3,0\n4,1\n")) == 4
    refusal = r"^the file has more than 4 rows; Neuron Lab can use at most 4 samples\.$"
    for fifth in ["5,0", '"5",0', "5,0\nbad"]:
        with pytest.raises(DataFileError, match=refusal):
            parse_csv(f"1,0\n2,1\n3,0\n4,1\n{fifth}\n")


def test_the_largest_dataset_with_the_longest_numbers_loads(tmp_path):
    """2,000,000 samples with 17 significant digits and an exponent: every row as long as format_csv makes them."""
    block = Dataset(-(1 + np.random.default_rng(0).random(1000)) * 1e-100, np.arange(1000) % 2)
    header, rows = format_csv(block).split("\n", 1)
    path = tmp_path / "largest.csv"
    path.write_text(header + "\n" + rows * (MAX_ROWS // 1000))
    assert path.stat().st_size > 50 * 2**20
    assert load_csv(path) == Dataset(np.tile(block.x, MAX_ROWS // 1000), np.tile(block.y, MAX_ROWS // 1000))


def test_bad_lines_far_into_a_large_file_are_named_exactly():
    rows = [f"{i * 0.001!r},{i % 2}" for i in range(300_000)]
    rows[250_000] = "0.5, 1, 2"
    with pytest.raises(DataFileError, match=r"^Line 250002: expected 2 columns"):
        parse_csv("x,label\r\n" + "\r\n".join(rows))
    rows[250_000] = '"0.5",1'
    rows[299_999] = "nan,1"
    with pytest.raises(DataFileError, match=r"^Line 300000: the x cell is 'nan'"):
        parse_csv("\n".join(rows))


def test_comment_lines_before_the_header_and_between_rows_are_skipped():
    text = "# where it comes from\n  # licence\nx,label\n1.5,0\n# a note between rows\n\t#\n2.5,1\n"
    data = parse_csv(text)
    assert data.x.tolist() == [1.5, 2.5] and data.y.tolist() == [0.0, 1.0]


def test_a_bad_row_after_comments_keeps_its_line_number_and_a_trailing_note_is_not_a_comment():
    with pytest.raises(DataFileError, match="Line 4: the label cell '1 # note' is not a number"):
        parse_csv("# header\n# more\n1,0\n2,1 # note\n")


def test_a_file_of_comments_only_is_empty():
    with pytest.raises(DataFileError, match="is empty"):
        parse_csv("# nothing but a comment\n")
