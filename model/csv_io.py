"""Reading and writing samples as CSV (columns x,label) with errors that name the line and the problem."""

from __future__ import annotations

import math
import os
from pathlib import Path

from model.data import Dataset

MAX_FILE_BYTES = 50 * 1024 * 1024


class DataFileError(ValueError):
    """A file that cannot be used as data; the message is meant for the learner."""


def load_csv(path: str | os.PathLike) -> Dataset:
    """Read x,label rows (header optional). Raises DataFileError naming the first bad line."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DataFileError(f"Cannot open {path}: {error.strerror or error}.") from error
    if size > MAX_FILE_BYTES:
        limit = _size_text(MAX_FILE_BYTES)
        raise DataFileError(f"{path.name} is {_size_text(size)}; data files may be at most {limit}.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataFileError(f"{path.name} is not a UTF-8 text file (byte {error.start}).") from error
    except OSError as error:
        raise DataFileError(f"Cannot read {path}: {error.strerror or error}.") from error
    return parse_csv(text, path.name)


def parse_csv(text: str, name: str = "the file") -> Dataset:
    """Parse CSV text; see load_csv."""
    xs: list[float] = []
    labels: list[float] = []
    rows = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    rows = [(number, line) for number, line in rows if line]
    if not rows:
        raise DataFileError(f"{name} is empty: it needs rows of x,label.")
    if _is_header(rows[0][1]):
        columns = len(rows[0][1].split(","))
        if columns != 2:
            raise DataFileError(f"Line {rows[0][0]}: the header has {columns} columns; expected 2 (x,label).")
        rows = rows[1:]
        if not rows:
            raise DataFileError(f"{name} has a header but no data rows.")
    for number, line in rows:
        cells = [cell.strip() for cell in line.split(",")]
        if len(cells) != 2:
            raise DataFileError(f"Line {number}: expected 2 columns (x,label) but found {len(cells)}.")
        x = _number(cells[0], number, "x")
        label = _number(cells[1], number, "label")
        if label not in (0.0, 1.0):
            raise DataFileError(f"Line {number}: the label must be 0 or 1, not {cells[1]!r}.")
        xs.append(x)
        labels.append(label)
    present = set(labels)
    if len(present) < 2:
        only = int(next(iter(present)))
        raise DataFileError(f"{name} has only class {only}; a neuron needs samples of both class 0 and class 1.")
    return Dataset(xs, labels)


def format_csv(dataset: Dataset) -> str:
    """CSV text that parse_csv reads back to the identical samples (repr keeps every bit of each float)."""
    lines = ["x,label"]
    lines.extend(f"{float(x)!r},{int(y)}" for x, y in zip(dataset.x, dataset.y, strict=True))
    return "\n".join(lines) + "\n"


def _size_text(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size:,} bytes"


def _is_header(line: str) -> bool:
    """A first line whose cells are all words (no number at all) is a header."""
    return not any(_is_number(cell) for cell in line.split(","))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number(cell: str, line: int, column: str) -> float:
    if not cell:
        raise DataFileError(f"Line {line}: the {column} cell is empty.")
    try:
        value = float(cell)
    except ValueError:
        raise DataFileError(f"Line {line}: the {column} cell {cell!r} is not a number.") from None
    if not math.isfinite(value):
        raise DataFileError(f"Line {line}: the {column} cell is {cell!r}; only finite numbers are allowed.")
    return value
