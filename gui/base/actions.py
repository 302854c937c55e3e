"""Menu and toolbar actions built one way everywhere: text, shortcut, tooltip naming the shortcut, status tip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtGui, QtWidgets


def make_action(parent: QtWidgets.QWidget, text: str, shortcut: str, tip: str, slot: Callable[[], object],
                icon: QtWidgets.QStyle.StandardPixmap | None = None) -> QtGui.QAction:
    action = QtGui.QAction(text, parent)
    if shortcut:
        action.setShortcut(QtGui.QKeySequence(shortcut))
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    action.setStatusTip(tip)
    if icon is not None:
        action.setIcon(parent.style().standardIcon(icon))
    action.triggered.connect(slot)
    return action
