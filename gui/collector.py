"""Garbage collection on the GUI thread only.

Python's cycle collector runs in whichever thread happens to allocate when a threshold is crossed. With a busy
training thread that is usually the worker, and a collection there could destroy Qt objects the window owns (plots
dropped from the snapshot grid, say) from the wrong thread. So automatic collection is switched off and the window
collects on its own thread, a generation at a time, on the same thresholds Python would use.
"""

from __future__ import annotations

import gc

from PySide6 import QtCore

INTERVAL_MS = 500


class GuiThreadCollector(QtCore.QObject):
    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        gc.disable()
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(INTERVAL_MS)

    def collect(self) -> None:
        """Collect the oldest generation whose count has passed its threshold (and so the younger ones too)."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return
