"""A slider with one marked position, used for the learning rate's stability limit η_max."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

MARK_COLOUR = "#D55E00"


class MarkedSlider(QtWidgets.QSlider):
    """A horizontal slider that draws a tick at one slider value (or none)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.mark: int | None = None

    def set_mark(self, value: int | None) -> None:
        self.mark = value
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        super().paintEvent(event)
        if self.mark is None:
            return
        option = QtWidgets.QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(QtWidgets.QStyle.ComplexControl.CC_Slider, option,
                                      QtWidgets.QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QtWidgets.QStyle.ComplexControl.CC_Slider, option,
                                      QtWidgets.QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        x = groove.left() + handle.width() / 2 + QtWidgets.QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), self.mark, span)
        painter = QtGui.QPainter(self)
        painter.setPen(QtGui.QPen(QtGui.QColor(MARK_COLOUR), 3))
        painter.drawLine(QtCore.QPointF(x, 1), QtCore.QPointF(x, self.height() - 1))
        painter.end()
