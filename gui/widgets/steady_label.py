"""A label for a number that changes with every frame of training (the status bar's w, b and loss, the epoch, the
history's readout).

A plain QLabel asks its window to lay itself out again on every new text. While six runs raced, that was about 50
layouts of the main window a second, each starting the docks' and toolbar's geometry animations: some 8 % of the
window's thread. A steady label keeps a fixed size and grows only when a text needs more room, never shrinking
back, so the numbers beside it stay put as digits change too.
"""

from __future__ import annotations

from PySide6 import QtWidgets


class SteadyLabel(QtWidgets.QLabel):
    """A QLabel of fixed size, at least `minimum_width` wide, that widens (and only then asks for a new layout)
    when a text does not fit."""

    def __init__(self, text: str = "", minimum_width: int = 0, parent: QtWidgets.QWidget | None = None):
        super().__init__(text, parent)
        self.setMinimumWidth(minimum_width)
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        hint = self.sizeHint()
        if hint.width() > self.maximumWidth() or hint.height() > self.maximumHeight():
            self._fit()

    def _fit(self) -> None:
        hint = self.sizeHint()
        self.setFixedSize(max(hint.width(), self.minimumWidth()),
                          max(hint.height(), self.minimumHeight()))
