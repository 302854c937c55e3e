"""Heavy computations derived from the data (the exact optimum, loss surfaces) on background threads.

The window asks and carries on; the answer comes back on the GUI thread through a queued signal. Each kind of
computation has its own thread, so the exact optimum of new data never waits behind a loss surface. Only the newest
request of each kind is answered, so a burst of edits costs one computation, not one per keystroke; a computation
is told when it has been superseded, so it can stop early.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6 import QtCore

Superseded = Callable[[], bool]
"""Asked by a computation now and then: True once a newer request of its kind came, or the window closed."""


class Analysis(QtCore.QObject):
    """Runs one computation of each kind at a time off the GUI thread; reports failures through
    `failed(title, details)`."""

    failed = QtCore.Signal(str, str)
    busyChanged = QtCore.Signal(str)
    """What is being computed, in words (empty when nothing is)."""
    _finished = QtCore.Signal(int, object)

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._newest: dict[str, int] = {}
        self._callbacks: dict[int, tuple[str, Callable[[Any], None]]] = {}
        self._running: dict[str, str] = {}
        self._next_token = 0
        self._closed = False
        self._finished.connect(self._deliver)

    def request(self, kind: str, description: str, compute: Callable[[Superseded], Any],
                done: Callable[[Any], None]) -> None:
        """Compute in the background; call done(result) on the GUI thread unless a newer `kind` was asked for.
        compute is given a function that says when its result is no longer wanted; an exception it raises after
        that is not a failure. The description is shown while it runs, if not empty. After close() nothing more
        is computed."""
        if self._closed:
            return
        self._next_token += 1
        token = self._next_token
        self._newest[kind] = token
        self._callbacks[token] = (kind, done)
        if description:
            self._running[kind] = description
            self.busyChanged.emit(self.description())
        if kind not in self._pools:
            self._pools[kind] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        self._pools[kind].submit(self._run, kind, token, compute)

    def description(self) -> str:
        return " ".join(self._running.values())

    def close(self) -> None:
        """Drop what is queued, tell what runs that it is superseded and wait for it to stop, so no thread
        outlives the window."""
        self._closed = True
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        for pool in self._pools.values():
            pool.shutdown(wait=True)
        self._callbacks.clear()

    def _run(self, kind: str, token: int, compute: Callable[[Superseded], Any]) -> None:
        def superseded() -> bool:
            return self._closed or self._newest.get(kind) != token

        if superseded():
            self._finished.emit(token, _SKIPPED)
            return
        try:
            result = compute(superseded)
        except Exception:
            if not superseded():
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
