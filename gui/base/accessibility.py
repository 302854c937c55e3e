"""Names a screen reader reads for every control: a control without one of its own is named from what a sighted
learner reads beside it, so a control added later is named without a line of its own.

The name is the form label of the control's row (with the control's own text after it when it has one, so the two
'random ±0.01' switches read 'initial w: random ±0.01' and 'initial b: random ±0.01'), else its own text, else the
first sentence of its tooltip (or, for the buttons Qt adds itself, what they do).
"""

from __future__ import annotations

from PySide6 import QtWidgets

CONTROLS = (QtWidgets.QAbstractButton, QtWidgets.QAbstractSlider, QtWidgets.QAbstractSpinBox, QtWidgets.QLineEdit,
            QtWidgets.QComboBox)
"""The widgets a learner operates."""
QT_OWN = {"qt_toolbar_ext_button": "More toolbar buttons", "qt_menubar_ext_button": "More menus",
          "qt_tableview_cornerbutton": "Select the whole table"}
"""Buttons Qt adds on its own (when a bar is too narrow for all it holds, in a table's corner): no text, no
tooltip."""


def controls(root: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """The controls under root, leaving out the line edit inside each spin box (the spin box is the control) and
    the scroll bars of scroll areas (which read them out as such)."""
    return [widget for widget in root.findChildren(QtWidgets.QWidget)
            if isinstance(widget, CONTROLS) and not isinstance(widget, QtWidgets.QScrollBar)
            and not isinstance(widget.parentWidget(), QtWidgets.QAbstractSpinBox)]


def name_controls(root: QtWidgets.QWidget) -> None:
    """Give every control under root that has no accessible name the one its label, text or tooltip gives it."""
    for widget in controls(root):
        if not widget.accessibleName().strip():
            widget.setAccessibleName(_name(widget))


def _name(widget: QtWidgets.QWidget) -> str:
    label = _form_label(widget)
    text = widget.text().replace("&", "") if isinstance(widget, QtWidgets.QAbstractButton) else ""
    if label and text:
        return f"{label}: {text}"
    return label or text or widget.toolTip().split(". ")[0].rstrip(".") or QT_OWN.get(widget.objectName(), "")


def _form_label(widget: QtWidgets.QWidget) -> str:
    """The text of the label of the nearest form row that holds the widget."""
    holder = widget.parentWidget()
    while holder is not None:
        for form in holder.findChildren(QtWidgets.QFormLayout):
            for row in range(form.rowCount()):
                field = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.FieldRole)
                label = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.LabelRole)
                if field is not None and label is not None and isinstance(label.widget(), QtWidgets.QLabel) \
                        and _holds(field, widget):
                    return label.widget().text()
        holder = holder.parentWidget()
    return ""


def _holds(item: QtWidgets.QLayoutItem, widget: QtWidgets.QWidget) -> bool:
    held = item.widget()
    if held is not None:
        return held is widget or held.isAncestorOf(widget)
    layout = item.layout()
    return layout is not None and any(_holds(layout.itemAt(index), widget) for index in range(layout.count()))
