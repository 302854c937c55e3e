"""A view box where the left button chooses a point instead of panning: click or drag in the parameter view to
start training at that (w, b). Shift+drag still pans and the wheel zooms, as everywhere else."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore


class PickingViewBox(pg.ViewBox):
    """Emits picked(w, b) in data coordinates on a left click and on every move of a left drag."""

    picked = QtCore.Signal(float, float)

    def mouseClickEvent(self, event) -> None:
        if self._picks(event):
            event.accept()
            self._emit(event.scenePos())
        else:
            super().mouseClickEvent(event)

    def mouseDragEvent(self, event, axis=None) -> None:
        if self._picks(event):
            event.accept()
            self._emit(event.scenePos())
        else:
            super().mouseDragEvent(event, axis)

    def _picks(self, event) -> bool:
        modifiers = event.modifiers()
        steering = QtCore.Qt.KeyboardModifier.ShiftModifier | QtCore.Qt.KeyboardModifier.ControlModifier
        return event.button() == QtCore.Qt.MouseButton.LeftButton and not modifiers & steering

    def _emit(self, scene_position: QtCore.QPointF) -> None:
        point = self.mapSceneToView(scene_position)
        self.picked.emit(float(point.x()), float(point.y()))
