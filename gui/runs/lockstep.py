"""Runs that play together advance in lockstep by epoch: none trains more than one tick's worth of epochs past the
slowest run still playing (at least SLACK epochs), as far apart as the slowest run moves between two frames, and
when Pause comes they stop together, at the furthest epoch any of them may reach by then (halt). Each
run trains on its own thread and reads the shared ceiling there, under a lock, so a fast run waits for the others
without the window relaying anything; a run that finishes, diverges or pauses leaves, and no longer holds the
others back. The playing runs also share the training budget of a tick, so six runs take no more of the processor
(and of Python's lock, which the window needs to draw) than one."""

from __future__ import annotations

import threading

SLACK = 1
"""Epochs a run may always be ahead of the slowest playing run."""


class Lockstep:
    """The epochs of the playing runs, keyed by whatever each run's trainer calls itself."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._epochs: dict[int, int] = {}
        self._quanta: dict[int, int] = {}
        self._turn = threading.Lock()
        self._halt_at: int | None = None
        self._granted = 0
        """The highest ceiling handed out since the runs began to play: a slice under way may be heading for it."""

    def turn(self) -> threading.Lock:
        """Held while a run trains flat out: the runs take turns, so together they keep to one core and leave the
        other to the window (six runs training at once would share both with it, and slow its frames)."""
        return self._turn

    def enter(self, key: int, epoch: int) -> None:
        with self._lock:
            self._epochs[key] = epoch
            self._quanta.setdefault(key, SLACK)

    def report(self, key: int, epoch: int, quantum: int = SLACK) -> None:
        """Where a run stands, and how many epochs it can train in one tick (its quantum)."""
        with self._lock:
            if key in self._epochs:
                self._epochs[key] = epoch
                self._quanta[key] = max(SLACK, quantum)

    def leave(self, key: int) -> None:
        with self._lock:
            self._epochs.pop(key, None)
            self._quanta.pop(key, None)
            if not self._epochs:
                self._halt_at, self._granted = None, 0

    def halt(self) -> None:
        """Pause is on its way to every playing run: they stop at the furthest epoch any of them may reach by then
        (the highest ceiling a slice under way may be heading for), each catching up with it first (halted_at),
        so the paused runs stand at one epoch."""
        with self._lock:
            if len(self._epochs) > 1:
                self._halt_at = max(*self._epochs.values(), self._granted)

    def halted_at(self) -> int | None:
        """The epoch the playing runs stop at once paused, or None when no Pause is on its way."""
        with self._lock:
            return self._halt_at

    def ceiling(self) -> int | None:
        """The epoch no playing run may go beyond, or None while at most one plays: the slowest run's epoch plus
        the smallest quantum, so the slowest run never waits and the others wait for it within a tick; once
        halted, the epoch they stop at."""
        with self._lock:
            if self._halt_at is not None:
                return self._halt_at
            if len(self._epochs) < 2:
                return None
            ceiling = min(self._epochs.values()) + min(self._quanta.values())
            self._granted = max(self._granted, ceiling)
            return ceiling

    def players(self) -> int:
        """How many runs play (at least 1): each gets that share of a tick's training time."""
        with self._lock:
            return max(1, len(self._epochs))
