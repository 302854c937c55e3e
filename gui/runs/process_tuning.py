"""Every process-wide tweak the app makes, explained once: when Python collects garbage and how often its threads
take turns. Nothing else in the app calls gc or sys.setswitchinterval.

- Collection off during start-up: importing Qt, pyqtgraph and the app ran about 150 automatic collections (40–60 ms
  of start-up) over objects that all live as long as the app.
- Collection on the window's thread only: the cycle collector runs in whichever thread allocates when a threshold
  is crossed, and from the training thread it could destroy the window's Qt objects. pyqtgraph's collector keeps
  automatic collection off and collects on a timer of the window's thread.
- Lasting objects set aside (gc.freeze): the libraries' objects, and the tens of thousands the compiler makes for
  the training loop, live as long as the app; a full collection walking them would hold the window's thread for
  70–90 ms, a visible stall in the middle of training.
- A 1 ms switch interval while training plays (Python's default is 5 ms): the window's paint never waits a whole
  interval behind a training slice, since both threads share Python's lock.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyqtgraph.util.garbage_collector import GarbageCollector

COLLECT_INTERVAL_S = 0.5
PLAYING_SWITCH_S = 0.001
_RESTING_SWITCH_S = sys.getswitchinterval()
_set_aside = False


def pause_collection_for_start_up() -> None:
    """Before the window's libraries are imported; the collector started by collect_on_gui_thread takes over."""
    gc.disable()


def collect_on_gui_thread() -> GarbageCollector:
    """Set the libraries' objects aside, then collect on a timer of the calling (GUI) thread only. Keep the returned
    pyqtgraph GarbageCollector alive for as long as the app runs."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    gc.freeze()
    return GarbageCollector(interval=COLLECT_INTERVAL_S)


def set_aside_lasting_objects() -> None:
    """Once per process, after the training loop is compiled: later windows' objects stay the collector's to free
    when they are closed."""
    global _set_aside
    if not _set_aside:
        _set_aside = True
        gc.freeze()


def use_training_switch_interval(playing: bool) -> None:
    """Threads take turns every millisecond while training plays, at Python's usual pace otherwise."""
    sys.setswitchinterval(PLAYING_SWITCH_S if playing else _RESTING_SWITCH_S)
