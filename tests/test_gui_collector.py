"""Garbage is collected on the GUI thread, on Python's own thresholds, never by the training thread."""

from __future__ import annotations

import gc
import weakref

from gui.collector import GuiThreadCollector


class Node:
    def __init__(self) -> None:
        self.partner = self


def test_cycles_are_collected_by_the_gui_thread_timer(qtbot):
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    probe = Node()
    alive = weakref.ref(probe)
    del probe
    garbage = [Node() for _ in range(gc.get_threshold()[0] + 10)]
    del garbage
    assert alive() is not None
    qtbot.waitUntil(lambda: alive() is None, timeout=3000)
    collector.deleteLater()


def test_nothing_is_collected_below_the_threshold():
    collector = GuiThreadCollector()
    gc.collect()
    probe = Node()
    alive = weakref.ref(probe)
    del probe
    collector.collect()
    assert alive() is not None
    gc.collect()
    assert alive() is None
    collector.deleteLater()
