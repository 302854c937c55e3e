"""The list of runs side by side: one row per run with its colour, a tick that shows or hides it and its name
(double-click to rename), then the compare table's columns for it. A click selects a run, Delete or the Remove
button removes the selected one (never the last)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore, QtGui, QtWidgets

from gui.base.style import RUN_COLOURS
from gui.runs.run import Run, RunSet

SWATCH_PX = 12
ROW_PX = 22
"""Compact rows: six runs fit the pane at 1366×768."""


class RunList(QtWidgets.QWidget):
    """Drives the run set it is given; `refused(message)` says why a request could not be done."""

    refused = QtCore.Signal(str)

    def __init__(self, runs: RunSet, columns: Sequence[str] = (), parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._runs = runs
        self._filling = False
        self._cells: dict[Run, tuple[str, ...]] = {}
        self.table = QtWidgets.QTableWidget(0, 1 + len(columns))
        self.table.setObjectName("runTable")
        self.table.setHorizontalHeaderLabels(["run", *columns])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.table.verticalHeader().setMinimumSectionSize(ROW_PX)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
                                   | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in range(1, 1 + len(columns)):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip("Click a run to select it, untick to hide it, double-click its name to rename it; "
                              "Delete removes it.")
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setObjectName("removeRun")
        self.remove_button.setToolTip("Remove the selected run (Delete); the last run stays")
        self.remove_button.clicked.connect(self.remove_selected)
        delete = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Delete), self.table)
        delete.setContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected)
        self.buttons = QtWidgets.QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.remove_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.buttons)
        for signal in (runs.added, runs.removed, runs.selectedChanged, runs.hiddenChanged, runs.renamed,
                       runs.arranged):
            signal.connect(self._fill)
        self._fill()

    def row_of(self, run: Run) -> int:
        return self._runs.runs.index(run)

    def set_cells(self, run: Run, cells: Sequence[str]) -> None:
        """The compare columns of a run's row."""
        if run not in self._runs.runs:
            return
        self._cells[run] = tuple(cells)
        self._filling = True
        self._show_cells(self.row_of(run), self._cells[run])
        self._filling = False

    def _show_cells(self, row: int, cells: Sequence[str]) -> None:
        for column, text in enumerate(cells, start=1):
            item = self.table.item(row, column)
            if item is None:
                item = QtWidgets.QTableWidgetItem()
                item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable)
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            item.setText(text)

    def remove_selected(self) -> None:
        if not self._runs.remove(self._runs.selected):
            self.refused.emit("The last run cannot be removed: the window always shows one.")

    def _fill(self, *_changed: object) -> None:
        """One row per run, in the set's order, the selected one selected."""
        self._filling = True
        runs = self._runs.runs
        self._cells = {run: cells for run, cells in self._cells.items() if run in runs}
        self.table.clearContents()
        self.table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            item = QtWidgets.QTableWidgetItem(run.name)
            item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
                          | QtCore.Qt.ItemFlag.ItemIsEditable | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Unchecked if run.hidden else QtCore.Qt.CheckState.Checked)
            item.setIcon(_swatch(RUN_COLOURS[run.colour]))
            item.setToolTip(f"{run.name}: " + ("shown" if not run.hidden else "hidden, neither drawn nor trained"))
            self.table.setItem(row, 0, item)
            self._show_cells(row, self._cells.get(run, ()))
        self.table.selectRow(runs.index(self._runs.selected))
        self._filling = False
        self.remove_button.setEnabled(len(runs) > 1)

    def _item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        run = self._runs.runs[item.row()]
        hidden = item.checkState() == QtCore.Qt.CheckState.Unchecked
        if hidden != run.hidden:
            self._runs.set_hidden(run, hidden)
            if hidden and not run.hidden:
                self.refused.emit("The selected run cannot be hidden; select another run first.")
                self._fill()
            return
        if item.text().strip() and item.text() != run.name:
            self._runs.rename(run, item.text())
        else:
            self._fill()

    def _row_selected(self) -> None:
        if self._filling:
            return
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._runs.select(self._runs.runs[rows[0].row()])


def _swatch(colour: str) -> QtGui.QIcon:
    pixmap = QtGui.QPixmap(SWATCH_PX, SWATCH_PX)
    pixmap.fill(QtGui.QColor(colour))
    return QtGui.QIcon(pixmap)
