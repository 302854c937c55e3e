"""What to do, said in the middle of a plot that has nothing to show yet: an empty frame tells a learner nothing."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.base import style

MARGIN = 12
"""Pixels kept clear between the text and the frame's sides."""


class FrameHint:
    """A line of text centred in a plot's data area, in pixels rather than data units, so it stays put and readable
    whatever the axes show; it wraps to the frame's width, on a white band that keeps grid lines from crossing it."""

    def __init__(self, plot: pg.PlotItem, text: str):
        self.box = plot.vb
        self.backing = QtWidgets.QGraphicsRectItem(plot)
        """On the plot rather than its data area: the grid, drawn by the axes, then stays under it too."""
        self.backing.setBrush(QtGui.QColor(255, 255, 255, 225))
        self.backing.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.backing.setZValue(100)
        self.item = QtWidgets.QGraphicsTextItem(text, self.backing)
        self.item.setDefaultTextColor(QtGui.QColor("#555555"))
        self.item.setFont(style.axis_font())
        option = self.item.document().defaultTextOption()
        option.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.item.document().setDefaultTextOption(option)
        self.box.sigResized.connect(self._place)
        self._place()

    @property
    def text(self) -> str:
        return self.item.toPlainText()

    @property
    def shown(self) -> bool:
        """Whether the hint is up (it shows whenever its plot does)."""
        return self.backing.isVisibleTo(self.backing.parentItem())

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.item.setPlainText(text)
            self._place()

    def show(self, on: bool) -> None:
        self.backing.setVisible(on)

    def _place(self) -> None:
        rect = self.box.mapRectToParent(self.box.rect())
        self.item.setTextWidth(max(1.0, rect.width() - 2 * MARGIN))
        height = self.item.boundingRect().height()
        self.item.setPos(rect.left() + MARGIN, rect.center().y() - height / 2)
        self.backing.setRect(self.item.mapRectToParent(self.item.boundingRect()))
