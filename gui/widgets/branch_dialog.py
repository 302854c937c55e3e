"""Branch here: the settings a fork may change (those model.race allows: how the neuron learns, never its data, start
or shuffle order), shown at the run's values. What the learner edits becomes the fork's changes, read and checked by
the engine; a change it refuses is shown in the dialog, which stays open."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from model.declaration import Declared
from model.race import RaceError, forkable, parse_entry
from model.settings import Settings


class BranchDialog(QtWidgets.QDialog):
    """Emits branchRequested(changes) with the changes {setting: value} when accepted."""

    branchRequested = QtCore.Signal(object)

    def __init__(self, settings: Settings, run_name: str, epoch: int, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("branchDialog")
        self.setWindowTitle("Branch here")
        self._settings = settings
        self._initial: dict[str, str] = {}
        self.fields: dict[str, QtWidgets.QWidget] = {}
        intro = QtWidgets.QLabel(f"A new run from “{run_name}” at epoch {epoch}, with the changes made here. It keeps "
                                 "the same data, start and shuffle order, so only what you change differs.")
        intro.setWordWrap(True)
        form = QtWidgets.QFormLayout()
        for item in forkable(type(settings)):
            field = self.fields[item.name] = _field(item, getattr(settings, item.name))
            field.setObjectName(item.name)
            field.setToolTip(item.spec.help)
            self._initial[item.name] = _text(field)
            if isinstance(field, QtWidgets.QCheckBox):
                form.addRow(field)
            else:
                form.addRow(item.spec.label, field)
        self.problem = QtWidgets.QLabel()
        self.problem.setObjectName("branchProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B03A00;")
        self.problem.hide()
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("Branch")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def changes(self) -> dict[str, Any]:
        """The changes the edited fields ask for; raises RaceError when one cannot be used or none was made."""
        edited = [f"{name}={text}" for name, text in ((name, _text(field)) for name, field in self.fields.items())
                  if text != self._initial[name]]
        if not edited:
            raise RaceError("Change at least one setting: a branch that changes nothing is the same run.")
        return parse_entry(",".join(edited), self._settings)

    def accept(self) -> None:
        try:
            changes = self.changes()
        except RaceError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.branchRequested.emit(changes)
        super().accept()


def _field(item: Declared, value: Any) -> QtWidgets.QWidget:
    if item.kind is bool:
        box = QtWidgets.QCheckBox(item.spec.label)
        box.setChecked(bool(value))
        return box
    if item.spec.choices:
        choice = QtWidgets.QComboBox()
        for option, words in item.spec.choices:
            choice.addItem(words, option)
        choice.setCurrentIndex(max(0, choice.findData(value)))
        return choice
    return QtWidgets.QLineEdit("" if value is None else repr(value) if isinstance(value, float) else str(value))


def _text(field: QtWidgets.QWidget) -> str:
    """A field's value as a race entry writes it."""
    if isinstance(field, QtWidgets.QCheckBox):
        return "true" if field.isChecked() else "false"
    if isinstance(field, QtWidgets.QComboBox):
        data = field.currentData()
        return str(getattr(data, "value", data))
    return field.text().strip()
