"""The history slider under the canvas: every epoch the run reached, to go back to and train on from.

Each position is an epoch's start; the last is the furthest moment the run reached (inside an epoch when training
stopped there). Moving it asks for that moment (momentChosen); the run answers with views, and the slider follows
the moment the views show, without announcing a move.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.widgets.steady_label import SteadyLabel
from model.timeline import Moment


class HistorySlider(QtWidgets.QWidget):
    """Emits momentChosen(Moment) for every move the learner makes."""

    momentChosen = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._end = Moment(0)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setObjectName("historySlider")
        self.slider.setAccessibleName("History")
        self.slider.setAccessibleDescription("Go back to any epoch the run reached; Play trains on from there.")
        self.slider.setToolTip("Go back to any epoch the run reached and watch every view as it was then; Play or "
                               "a step trains on from there (Left / Shift+Left: one epoch / one update back).")
        self.slider.setRange(0, 0)
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self._slid)
        self.readout = SteadyLabel()
        self.readout.setObjectName("historyReadout")
        self.readout.setToolTip("The moment the views show, of the furthest one the run reached")
        title = QtWidgets.QLabel("History")
        title.setBuddy(self.slider)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(title)
        row.addWidget(self.slider, 1)
        row.addWidget(self.readout)
        self.show_moments(Moment(0), Moment(0))

    def show_moments(self, shown: Moment, end: Moment) -> None:
        """Show where the views are in the run, and how far it reached."""
        self._end = end
        last = end.epoch + (1 if end.position else 0)
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setMaximum(last)
            self.slider.setValue(last if shown == end else shown.epoch)
        self.readout.setText(f"{_words(shown)} of {_words(end)}")

    def _slid(self, value: int) -> None:
        self.momentChosen.emit(self._end if value >= self.slider.maximum() else Moment(value))


def _words(moment: Moment) -> str:
    inside = f" + {moment.position:,} sample{'s' if moment.position > 1 else ''}" if moment.position else ""
    return f"epoch {moment.epoch:,}{inside}"
