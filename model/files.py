"""Reading and writing files safely: writes never leave a half-written file in place of a good one, and reads take
only ordinary files of a bounded size, so a pipe, a device or a huge file cannot hang or exhaust the program.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path

from model.quoting import clip

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class NotRegularFileError(ValueError):
    """The path names a folder, pipe, device or socket: reading it could block forever or never end."""

    def __init__(self, kind: str):
        super().__init__(f"it is {kind}, not a regular file")
        self.kind = kind


class FileTooLargeError(ValueError):
    """The file holds more than the reader allows. size is None when it was found while reading (stat said less)."""

    def __init__(self, size: int | None, limit: int):
        super().__init__(f"the file is larger than {limit:,} bytes")
        self.size = size
        self.limit = limit


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """The content of a regular file of at most `limit` bytes.

    Anything else is refused before it is opened (a pipe blocks, /dev/zero never ends), and at most limit + 1 bytes
    are read, because the size stat reports can be wrong (files in /proc) or stale (a file still being written).
    Raises NotRegularFileError or FileTooLargeError; any other OSError or ValueError (such as a NUL in the path)
    comes straight from the operating system.
    """
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        raise NotRegularFileError(next((kind for test, kind in _KINDS if test(status.st_mode)), "not a regular file"))
    if status.st_size > limit:
        raise FileTooLargeError(status.st_size, limit)
    with open(path, "rb") as stream:
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise FileTooLargeError(None, limit)
    return content


def read_text(path: str | os.PathLike, limit: int, kind: str, error: type[ValueError], encoding: str = "utf-8") -> str:
    """The text of a file a loader reads: at most `limit` bytes of an ordinary file in `encoding`. Anything else
    raises `error` with a sentence naming the file and calling it not a `kind` ("data file", "session file")."""
    path = Path(path)
    try:
        content = read_regular_file(path, limit)
    except FileTooLargeError as refused:
        size = "larger than " + _size_text(limit) if refused.size is None else _size_text(refused.size)
        raise error(f"{path.name} is {size}; {kind}s may be at most {_size_text(limit)}.") from None
    except NotRegularFileError as refused:
        raise error(f"{path.name} is {refused.kind}, not a {kind}.") from None
    except OSError as refused:
        raise error(f"Cannot open {path}: {refused.strerror or refused}.") from refused
    except ValueError as refused:
        raise error(f"Cannot open {clip(str(path))!r}: it is not a usable file name ({refused}).") from None
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as refused:
        raise error(f"{path.name} is not a UTF-8 text file (byte {refused.start}), so it is not a {kind}.") from None


def _size_text(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size:,} bytes"


def write_bytes_atomic(path: str | os.PathLike, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename it over the target in one step."""
    file = AtomicFile(path)
    try:
        file.stream.write(content)
    except BaseException:
        file.discard()
        raise
    file.commit()


class AtomicFile:
    """A file written beside its target and renamed over it in one step once complete, for writes that take many
    steps (an animation's frames) and may be abandoned: discard() leaves no trace and the target untouched.

    Temporary files left beside the same target by an earlier write that was killed are removed on commit.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        handle, self._temporary = _create_temporary(self.path)
        self.stream = os.fdopen(handle, "wb")

    def commit(self) -> None:
        """Make the written bytes durable and put them in place of the target; on failure nothing is left."""
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            os.replace(self._temporary, self.path)
        except BaseException:
            self.discard()
            raise
        _remove_leftovers(self.path)

    def discard(self) -> None:
        self.stream.close()
        Path(self._temporary).unlink(missing_ok=True)


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file `.{name}.XXXXXXXX.tmp` beside path, open for writing, with the permissions the target keeps: an
    existing target's own, else those the process gives any new file (the kernel applies the umask, which is never
    read or changed here, so writes on several threads cannot disturb each other)."""
    try:
        mode, keep = path.stat().st_mode & 0o777, True
    except FileNotFoundError:
        mode, keep = 0o666, False
    for _ in range(100):
        temporary = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                             0o600 if keep else mode)
        except FileExistsError:
            continue
        if keep:
            os.chmod(temporary, mode)
        return handle, temporary
    raise FileExistsError(f"no free temporary name beside {path}")


def _remove_leftovers(path: Path) -> None:
    """Delete `.{name}.XXXXXXXX.tmp` files of this target. The random part has no dot, so another target's
    temporary files (`.{name}.other.XXXXXXXX.tmp`) are left alone. A leftover that cannot be deleted is no reason
    to report the save, which has succeeded, as failed."""
    leftover = re.compile(rf"\.{re.escape(path.name)}\.[^.]+\.tmp")
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if leftover.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
