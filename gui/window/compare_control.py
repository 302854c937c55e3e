"""The compare table and the best-η search, on the run list.

Each run's row holds model.race's comparison with the optimum of its loss: epochs to within 1 % of the optimum's
loss (or "not yet"), final loss, accuracy and distance to the optimum, refreshed a few times a second while runs
train. "Best η for each run" tries a grid of η over a short prefix from where each run stands, on each run's
analysis thread, applies the η picked and says which it was."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.base.state import UNSTUDIED
from gui.base.style import number
from gui.runs.run import Run, RunSet
from gui.widgets.run_list import RunList
from model.race import BestLr, Comparison, best_lr, compare, lr_grid
from model.session import Session

COLUMNS = ("to 1 %", "loss", "accuracy", "distance")
"""The compare table's columns after the run's name."""
REFRESH_MS = 250
PREFIX_EPOCHS = 10
"""Epochs each η of the grid is tried for."""


def cells(row: Comparison) -> tuple[str, ...]:
    distance = "—" if row.distance is None else number(row.distance, 3)
    return row.reached, number(row.final_loss), f"{row.accuracy:.1%}", distance


def picked_text(picks: dict[str, BestLr]) -> str:
    """The η picked for each run, in one short paragraph that fits the Runs pane with six runs."""
    first = next(iter(picks.values()))
    each = "; ".join(f"{name} → {'none (all diverged)' if found.pick is None else f'{found.pick:g}'}"
                     for name, found in picks.items())
    return (f"Best η ({len(first.tries)} values, {first.epochs} epochs each, lowest loss without diverging): "
            f"{each}.")


class CompareControl(QtCore.QObject):
    """Keeps the run list's compare columns current and runs the best-η search. notice(message) speaks to the
    learner; searchFinished(picks) gives {run name: BestLr} once every run's search is done."""

    notice = QtCore.Signal(str)
    searchFinished = QtCore.Signal(object)

    def __init__(self, runs: RunSet, run_list: RunList):
        super().__init__(run_list)
        self._runs = runs
        self._list = run_list
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._searching: dict[Run, BestLr | None] = {}
        self._filled: dict[Run, tuple[object, object]] = {}
        """The view and problem each run's row was filled from."""
        self.best_button = QtWidgets.QPushButton("Best η for each run")
        self.best_button.setObjectName("bestLr")
        self.best_button.setToolTip(f"A race at one η is unfair to some rules: try {len(lr_grid())} values of η for "
                                    f"{PREFIX_EPOCHS} epochs from where each run stands, and give each the best")
        self.best_button.clicked.connect(self.search)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("bestLrProgress")
        self.progress.setMaximumWidth(90)
        self.progress.hide()
        self.picked = QtWidgets.QLabel()
        self.picked.setObjectName("bestLrPicked")
        self.picked.setWordWrap(True)
        self.picked.hide()
        run_list.buttons.insertWidget(0, self.best_button)
        run_list.buttons.insertWidget(1, self.progress)
        run_list.layout().addWidget(self.picked)
        for signal in (runs.added, runs.removed, runs.renamed):
            signal.connect(self._changed)
        runs.removed.connect(self._removed)
        runs.added.connect(self._follow)
        for run in runs.runs:
            self._follow(run)

    def refresh(self) -> None:
        """Fill the rows of the runs whose view or problem changed since the last refresh: the others' histories
        need no new scan."""
        for run in self._runs.runs:
            state = run.state
            if state is None or state.view is None or state.problem is UNSTUDIED:
                continue
            filled = self._filled.get(run)
            if filled is None or filled[0] is not state.view or filled[1] is not state.problem:
                self._filled[run] = (state.view, state.problem)
                self._list.set_cells(run, cells(compare(run.name, state.view, state.problem.optimum)))

    def search(self) -> None:
        """Take each run's exact state, then try the grid of η from it on the run's analysis thread."""
        if self._searching:
            return
        runs = [run for run in self._runs.runs if run.state is not None]
        self._searching = dict.fromkeys(runs)
        self.best_button.setEnabled(False)
        self.progress.setRange(0, len(runs))
        self.progress.setValue(0)
        self.progress.show()
        for run in runs:
            run.snapshot(lambda session, run=run: self._search_from(run, session))

    def _search_from(self, run: Run, session: Session) -> None:
        run.analysis.request(
            "best η", f"Trying η for “{run.name}”…",
            lambda superseded: best_lr(session.state, session.settings, session.data, {}, PREFIX_EPOCHS),
            lambda found: self._found(run, found))

    def _found(self, run: Run, found: BestLr) -> None:
        if run not in self._searching:
            return
        self._searching[run] = found
        if found.pick is not None and run.state is not None:
            run.edit(run.state.settings.replace(lr=found.pick), {})
        self._finish_if_done()

    def _removed(self, run: Run) -> None:
        self._filled.pop(run, None)
        if self._searching.pop(run, False) is None:
            self._finish_if_done()

    def _finish_if_done(self) -> None:
        done = sum(result is not None for result in self._searching.values())
        self.progress.setValue(done)
        if done < len(self._searching):
            return
        picks = {held.name: result for held, result in self._searching.items()}
        self._searching = {}
        self.progress.hide()
        self.best_button.setEnabled(True)
        self.picked.setText(picked_text(picks))
        self.picked.setToolTip("\n".join(f"{name}: {result.sentence}" for name, result in picks.items()))
        self.picked.show()
        self.notice.emit(f"Best η picked for {len(picks)} run{'s' if len(picks) != 1 else ''}: see the Runs pane.")
        self.searchFinished.emit(picks)

    def _follow(self, run: Run) -> None:
        run.viewChanged.connect(self._changed)
        run.problemChanged.connect(self._changed)

    def _changed(self, *_: object) -> None:
        if not self._timer.isActive():
            self._timer.start()
