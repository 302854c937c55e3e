"""Heavy computations derived from the data (the exact optimum, later surfaces) on a background thread.

The window asks and carries on; the answer comes back on the GUI thread through a queued signal. Only the newest
request of each kind is answered, so a burst of edits costs one computation, not one per keystroke.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6 import QtCore


class Analysis(QtCore.QObject):
    """Runs one computation at a time off the GUI thread; reports failures through `failed(title, details)`."""

    failed = QtCore.Signal(str, str)
    busyChanged = QtCore.Signal(str)
    """What is being computed, in words (empty when nothing is)."""
    _finished = QtCore.Signal(int, object)

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        self._newest: dict[str, int] = {}
        self._callbacks: dict[int, tuple[str, Callable[[Any], None]]] = {}
        self._running: dict[str, str] = {}
        self._next_token = 0
        self._closed = False
        self._finished.connect(self._deliver)

    def request(self, kind: str, description: str, compute: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Compute in the background; call done(result) on the GUI thread unless a newer `kind` was asked for.
        The description is shown while it runs, if not empty. After close() nothing more is computed."""
        if self._closed:
            return
        self._next_token += 1
        token = self._next_token
        self._newest[kind] = token
        self._callbacks[token] = (kind, done)
        if description:
            self._running[kind] = description
            self.busyChanged.emit(self.description())
        self._pool.submit(self._run, kind, token, compute)

    def description(self) -> str:
        return " ".join(self._running.values())

    def close(self) -> None:
        """Drop what is queued and wait for the computation under way, so no thread outlives the window."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._callbacks.clear()

    def _run(self, kind: str, token: int, compute: Callable[[], Any]) -> None:
        if self._closed or self._newest.get(kind) != token:
            self._finished.emit(token, _SKIPPED)
            return
        try:
            result = compute()
        except Exception:
            self.failed.emit(f"The {kind} could not be computed", traceback.format_exc())
            result = _SKIPPED
        if not self._closed:
            self._finished.emit(token, result)

    def _deliver(self, token: int, result: Any) -> None:
        kind, done = self._callbacks.pop(token, ("", None))
        if self._newest.get(kind) != token:
            return
        if self._running.pop(kind, None) is not None:
            self.busyChanged.emit(self.description())
        if done is not None and result is not _SKIPPED:
            done(result)


_SKIPPED = object()
