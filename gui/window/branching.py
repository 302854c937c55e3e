"""Branch here: the selected run forks where it stands into a new run with some settings changed, named by what
differs from the first run ("η = 0.1", "Adam"). The copy is made on the run's training thread; the window only
opens the dialog and adds the run that comes back, which joins the others' play."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.runs.run import LIMIT_MESSAGE, Run, RunLimitError, RunSet
from gui.widgets.branch_dialog import BranchDialog
from model.race import run_name, unique_names
from model.timeline import Timeline


class Branching(QtCore.QObject):
    """Opens the branch dialog for the selected run and holds the branches it makes. notice(message) speaks to the
    learner; `dialog` is the dialog open, if any."""

    notice = QtCore.Signal(str)

    def __init__(self, runs: RunSet, parent: QtWidgets.QWidget):
        super().__init__(parent)
        self._runs = runs
        self._parent = parent
        self.dialog: BranchDialog | None = None
        runs.added.connect(self._follow)
        for run in runs.runs:
            self._follow(run)

    def open_dialog(self) -> None:
        """The dialog for the selected run at its newest view; refused in words when the set is full."""
        run = self._runs.selected
        if self._runs.full:
            self.notice.emit(LIMIT_MESSAGE)
            return
        if run.state is None or run.state.view is None:
            return
        self.dialog = BranchDialog(run.state.settings, run.name, run.state.view.epoch, self._parent)
        self.dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.branchRequested.connect(run.fork)
        self.dialog.open()

    def _follow(self, run: Run) -> None:
        run.forked.connect(lambda timeline, parent=run: self._add(parent, timeline))

    def _add(self, parent: Run, timeline: Timeline) -> None:
        trainer = timeline.head
        base = self._runs.runs[0].state
        name = run_name(base.settings if base is not None else parent.state.settings, trainer.settings)
        name = unique_names([*(run.name for run in self._runs.runs), name])[-1]
        try:
            run = self._runs.make(trainer.settings, timeline, name)
        except RunLimitError as error:
            self.notice.emit(str(error))
            return
        if self._runs.playing:
            run.toggle_play()
        self._runs.select(run)
        self.notice.emit(f"Branched “{name}” from “{parent.name}” at epoch {trainer.epoch}.")
