"""The File → Export figure… dialog: which figure, which format, and for PNG how many pixels per screen pixel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6 import QtWidgets

from gui.export.figures import FIGURES, FORMATS
from gui.export.render import PNG_SCALES


@dataclass(frozen=True)
class ExportChoice:
    kind: str
    fmt: str
    scale: int


class ExportDialog(QtWidgets.QDialog):
    def __init__(self, previous: ExportChoice, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export figure")
        self.kind = QtWidgets.QComboBox()
        for kind, description in FIGURES.items():
            self.kind.addItem(description, kind)
        self.kind.setCurrentIndex(self.kind.findData(previous.kind))
        self.kind.setToolTip("The snapshot grid is laid out three to a row, like the tutorial's figure.")
        self.fmt = QtWidgets.QComboBox()
        for fmt in FORMATS:
            self.fmt.addItem(fmt.upper(), fmt)
        self.fmt.setCurrentIndex(self.fmt.findData(previous.fmt))
        self.fmt.setToolTip("PNG for slides and documents; SVG stays sharp at any size and can be edited.")
        self.scale = QtWidgets.QComboBox()
        for scale in PNG_SCALES:
            self.scale.addItem(f"{scale}× ({'screen' if scale == 1 else 'print' if scale >= 3 else 'sharp'})", scale)
        self.scale.setCurrentIndex(self.scale.findData(previous.scale))
        self.scale.setToolTip("Pixels per screen pixel: 3× or 4× for print.")
        self.fmt.currentIndexChanged.connect(lambda: self.scale.setEnabled(self.fmt.currentData() == "png"))
        self.scale.setEnabled(previous.fmt == "png")
        lay_out_choices(self, [("figure", self.kind), ("format", self.fmt), ("PNG scale", self.scale)])

    def choice(self) -> ExportChoice:
        return ExportChoice(self.kind.currentData(), self.fmt.currentData(), self.scale.currentData())


def lay_out_choices(dialog: QtWidgets.QDialog, rows: Sequence[tuple[str, QtWidgets.QWidget]]) -> None:
    """An export dialog's rows of choices, then Save and Cancel."""
    form = QtWidgets.QFormLayout(dialog)
    for label, widget in rows:
        form.addRow(label, widget)
    buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                         | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
