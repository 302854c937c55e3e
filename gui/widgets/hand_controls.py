"""Setting w and b by hand, as the first tutorial asks: sliders for a feel, spin boxes for exact values.

Every move is a new starting point for training: the window resets the run there at once, so the curves, the loss,
the accuracy and the marker in the parameter view follow the hand, and "Train from here" plays from it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

SLIDER_STEPS = 1000
DECIMALS = 6


class HandControls(QtWidgets.QGroupBox):
    """Emits pointChosen(w, b) for every move of a slider or spin box, and trainRequested for the button."""

    pointChosen = QtCore.Signal(float, float)
    trainRequested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__("Play by hand", parent)
        self.setToolTip("Move w and b yourself and watch the line, the sigmoid and the loss follow.")
        form = QtWidgets.QFormLayout(self)
        self._ranges = {"w": (-5.0, 5.0), "b": (-5.0, 5.0)}
        self.sliders: dict[str, QtWidgets.QSlider] = {}
        self.spins: dict[str, QtWidgets.QDoubleSpinBox] = {}
        tips = {"w": "The weight: how steep the sigmoid is, and which way it faces.",
                "b": "The bias: shifts the sigmoid along x (the boundary sits at x* = −b/w)."}
        for name in ("w", "b"):
            slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
            slider.setObjectName(f"{name}_slider")
            slider.setRange(0, SLIDER_STEPS)
            slider.setToolTip(tips[name])
            slider.setAccessibleName(f"{name} slider")
            slider.valueChanged.connect(lambda value, n=name: self._slid(n, value))
            spin = QtWidgets.QDoubleSpinBox()
            spin.setObjectName(f"{name}_spin")
            spin.setDecimals(DECIMALS)
            spin.setRange(-1e6, 1e6)
            spin.setKeyboardTracking(False)
            spin.setAccessibleName(f"{name} value")
            spin.setToolTip(tips[name] + " Type an exact value and press Enter.")
            spin.valueChanged.connect(self._typed)
            row = QtWidgets.QHBoxLayout()
            row.addWidget(slider, 2)
            row.addWidget(spin, 1)
            form.addRow(name, row)
            self.sliders[name], self.spins[name] = slider, spin
        self.train_button = QtWidgets.QPushButton("Train from here")
        self.train_button.setObjectName("trainFromHere")
        self.train_button.setToolTip("Start gradient descent at the w and b set here (Space plays too).")
        self.train_button.clicked.connect(self.trainRequested)
        form.addRow(self.train_button)

    def set_ranges(self, w_range: tuple[float, float], b_range: tuple[float, float]) -> None:
        """Slider ends that follow the data's scale; the spin boxes still take any value."""
        self._ranges = {"w": w_range, "b": b_range}
        self.show_point(self.spins["w"].value(), self.spins["b"].value())

    def show_point(self, w: float, b: float) -> None:
        """Show where the neuron is without announcing a move."""
        for name, value in (("w", w), ("b", b)):
            slider, spin = self.sliders[name], self.spins[name]
            with QtCore.QSignalBlocker(slider), QtCore.QSignalBlocker(spin):
                slider.setValue(self._to_slider(name, value))
                spin.setValue(value)

    def _to_slider(self, name: str, value: float) -> int:
        low, high = self._ranges[name]
        return round(min(max((value - low) / (high - low), 0.0), 1.0) * SLIDER_STEPS)

    def _slid(self, name: str, position: int) -> None:
        low, high = self._ranges[name]
        value = low + (high - low) * position / SLIDER_STEPS
        with QtCore.QSignalBlocker(self.spins[name]):
            self.spins[name].setValue(value)
        self.pointChosen.emit(self.spins["w"].value(), self.spins["b"].value())

    def _typed(self) -> None:
        for name in ("w", "b"):
            with QtCore.QSignalBlocker(self.sliders[name]):
                self.sliders[name].setValue(self._to_slider(name, self.spins[name].value()))
        self.pointChosen.emit(self.spins["w"].value(), self.spins["b"].value())
