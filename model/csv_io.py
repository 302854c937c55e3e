"""Reading and writing samples as CSV (columns x,label) with errors that name the line and the problem.

Well-formed files are parsed in C a chunk at a time; a chunk that is not plain numbers (quoted cells, blank lines,
mistakes) goes through the careful line-by-line checker, which reads it the same way or names its first bad line.
"""

from __future__ import annotations

import io
import math
import os
import re
from array import array
from pathlib import Path

import numpy as np

from model.data import MAX_ABS_X, Dataset
from model.files import read_text
from model.quoting import clip
from model.settings import MAX_SAMPLES_PER_CLASS

MAX_ROWS = 2 * MAX_SAMPLES_PER_CLASS
"""The most samples a run can have: as many as the generator makes with both classes at their largest."""

MAX_FILE_BYTES = 64 * 2**20
"""Room for MAX_ROWS rows of the longest numbers format_csv writes ("-1.2345678901234567e-100,0\\n", 27 bytes,
54 MB in all) with spaces or CRLF line ends to spare, while never reading more than that into memory."""


_CHUNK_CHARS = 2**20
_COMMENT = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
"""A line whose first character other than a space or tab is # is a comment: files say there where their numbers come
from. Only whole lines: "1.5,0 # note" is still a bad row."""
_PLAIN = b"0123456789+-.eE, \t\n"


class DataFileError(ValueError):
    """A file that cannot be used as data; the message is meant for the learner."""


def load_csv(path: str | os.PathLike) -> Dataset:
    """Read x,label rows (header optional, # comment lines anywhere). Raises DataFileError naming the first bad
    line."""
    path = Path(path)
    return parse_csv(read_text(path, MAX_FILE_BYTES, "data file", DataFileError, "utf-8-sig"), path.name)


def parse_csv(text: str, name: str = "the file") -> Dataset:
    """Parse CSV text; see load_csv. Lines end only at \\n, \\r\\n or \\r, so line numbers match any editor's."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "#" in text:
        text = _COMMENT.sub("", text)
    start, line = _first_content(text)
    if start == len(text):
        raise DataFileError(f"{name} is empty: it needs rows of x,label.")
    rows = _rows(text, *_after_header(text, start, line), name)
    if not rows.size:
        raise DataFileError(f"{name} has a header but no data rows.")
    x, labels = rows[:, 0], rows[:, 1]
    _check_both_classes(labels, f"{name} has")
    return Dataset(x, labels)


def format_csv(dataset: Dataset) -> str:
    """CSV text that parse_csv reads back to the identical samples (repr keeps every bit of each float).

    Raises DataFileError for samples parse_csv would refuse (x not finite or beyond ±MAX_ABS_X, a label other than
    0 or 1, a single class, more than MAX_ROWS), naming the first such sample: a file the app writes always loads.
    """
    _check_writable(dataset)
    lines = ["x,label"]
    lines.extend(f"{x!r},{y}" for x, y in zip(dataset.x.tolist(), dataset.y.astype(int).tolist(), strict=True))
    return "\n".join(lines) + "\n"


def _check_writable(dataset: Dataset) -> None:
    x, labels = dataset.x, dataset.y
    if not len(dataset):
        raise DataFileError("There are no samples to write.")
    if len(dataset) > MAX_ROWS:
        raise DataFileError(f"There are {len(dataset):,} samples; Neuron Lab can use at most {MAX_ROWS:,}.")
    bad = np.flatnonzero(~_within_limit(x) | ((labels != 0) & (labels != 1)))
    if bad.size:
        index = int(bad[0])
        where, value, label = f"Sample {index + 1}", float(x[index]), float(labels[index])
        if not math.isfinite(value):
            raise DataFileError(f"{where}: x = {value!r} is not a finite number; {_FINITE_ONLY}")
        if abs(value) > MAX_ABS_X:
            raise _too_large(where, repr(value))
        raise _not_a_label(where, repr(label))
    _check_both_classes(labels, "The samples have")


def _within_limit(x: np.ndarray) -> np.ndarray:
    """Which x the loader takes: finite and within ±MAX_ABS_X (NaN compares false)."""
    return np.abs(x) <= MAX_ABS_X


_FINITE_ONLY = "only finite numbers are allowed."


def _too_large(where: str, shown: str) -> DataFileError:
    return DataFileError(f"{where}: x = {shown} is too large; values must be within ±{MAX_ABS_X:,.0f}.")


def _not_a_label(where: str, shown: str) -> DataFileError:
    return DataFileError(f"{where}: the label must be 0 or 1, not {shown}.")


def _check_both_classes(labels: np.ndarray, subject: str) -> None:
    for only in (0, 1):
        if np.all(labels == only):
            raise DataFileError(f"{subject} only class {only}; a neuron needs samples of both class 0 and class 1.")


def _quoted(text: str) -> str:
    return repr(clip(text))


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _first_content(text: str) -> tuple[int, int]:
    """Offset and number of the first line that is not blank (offset len(text) when there is none)."""
    first = len(text) - len(text.lstrip())
    start = text.rfind("\n", 0, first) + 1 if first < len(text) else len(text)
    return start, text.count("\n", 0, start) + 1


def _after_header(text: str, start: int, line: int) -> tuple[int, int]:
    """Where the data starts: past the first line if it is a header, which must then name two columns."""
    end = _line_end(text, start)
    if not _is_header(text[start:end]):
        return start, line
    columns = text[start:end].count(",") + 1
    if columns != 2:
        raise DataFileError(f"Line {line}: the header has {columns} columns; expected 2 (x,label).")
    return end + 1, line + 1


def _is_header(line: str) -> bool:
    """A first line whose cells are all words (no number at all) is a header."""
    return not any(_is_number(_unquote(cell)) for cell in line.split(","))


def _unquote(cell: str) -> str:
    """A cell without surrounding spaces and without one pair of surrounding double quotes, as CSV writers add."""
    cell = cell.strip()
    return cell[1:-1] if len(cell) >= 2 and cell[0] == cell[-1] == '"' else cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _rows(text: str, start: int, line: int, name: str) -> np.ndarray:
    """All data rows from offset start (line number `line`) as an (n, 2) array of x and label."""
    parts = []
    count = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK_CHARS)
        end = len(text) if end < 0 else end + 1
        chunk = text[start:end]
        rows = _plain_rows(chunk)
        if rows is None:
            rows = _checked_rows(chunk, line, MAX_ROWS - count, name)
        count += len(rows)
        if count > MAX_ROWS:
            raise _too_many(name)
        parts.append(rows)
        start, line = end, line + chunk.count("\n")
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _too_many(name: str) -> DataFileError:
    return DataFileError(f"{name} has more than {MAX_ROWS:,} rows; Neuron Lab can use at most {MAX_ROWS:,} samples.")


def _plain_rows(chunk: str) -> np.ndarray | None:
    """The chunk's rows if it holds nothing but well-formed rows of plain numbers, else None.

    Only digits, signs, points, exponents, commas and spaces get here, and numpy reads each number with the same
    routine as Python's float(), so the result is exactly what the careful checker would produce.
    """
    if not chunk.isascii() or chunk.isspace():
        return None
    raw = chunk.encode("ascii")
    if raw.translate(None, _PLAIN):
        return None
    try:
        rows = np.loadtxt(io.BytesIO(raw), delimiter=",", comments=None, ndmin=2, encoding="ascii")
    except ValueError:
        return None
    if rows.shape[1] != 2:
        return None
    x, labels = rows[:, 0], rows[:, 1]
    if not np.all(_within_limit(x)) or not np.all((labels == 0) | (labels == 1)):
        return None
    return rows


def _checked_rows(chunk: str, line: int, budget: int, name: str) -> np.ndarray:
    """The chunk's rows, checked one line at a time; raises DataFileError for the first bad line."""
    values = array("d")
    for number, text in enumerate(chunk.split("\n"), start=line):
        row = text.strip()
        if not row:
            continue
        if len(values) == 2 * budget:
            raise _too_many(name)
        values.extend(_row(row, number))
    return np.array(values).reshape(-1, 2)


def _row(row: str, line: int) -> tuple[float, float]:
    cells = [_unquote(cell) for cell in row.split(",")]
    if len(cells) != 2:
        raise DataFileError(f"Line {line}: expected 2 columns (x,label) but found {len(cells)}.")
    x = _number(cells[0], line, "x")
    if abs(x) > MAX_ABS_X:
        raise _too_large(f"Line {line}", clip(cells[0]))
    label = _number(cells[1], line, "label")
    if label not in (0.0, 1.0):
        raise _not_a_label(f"Line {line}", _quoted(cells[1]))
    return x, label


def _number(cell: str, line: int, column: str) -> float:
    if not cell:
        raise DataFileError(f"Line {line}: the {column} cell is empty.")
    try:
        value = float(cell)
    except ValueError:
        raise DataFileError(f"Line {line}: the {column} cell {_quoted(cell)} is not a number.") from None
    if not math.isfinite(value):
        raise DataFileError(f"Line {line}: the {column} cell is {_quoted(cell)}; {_FINITE_ONLY}")
    return value
