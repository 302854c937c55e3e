"""Keeps the canvas's lighter drawings of the other runs in step with the run set: every run shown but not selected
is drawn in its colour at its newest view; the selected run is drawn fully, in its colour when there are several."""

from __future__ import annotations

from PySide6 import QtCore

from gui.base.style import RUN_COLOURS
from gui.runs.run import Run, RunSet
from gui.views.canvas import OTHER_RUNS_INTERVAL_MS, Canvas
from model.trainer import TrainerView


class RunOverlays(QtCore.QObject):
    """Connects each run's views to the canvas's other-run drawings while it is neither selected nor hidden."""

    def __init__(self, canvas: Canvas, runs: RunSet):
        super().__init__(canvas)
        self._canvas = canvas
        self._runs = runs
        runs.added.connect(self._added)
        runs.removed.connect(self._removed)
        runs.selectedChanged.connect(self._selected)
        runs.hiddenChanged.connect(self._hidden)
        runs.arranged.connect(self._accent)
        for run in runs.runs:
            self._added(run)

    def _added(self, run: Run) -> None:
        run.viewChanged.connect(lambda view, _in_turn, run=run: self._view(run, view))
        self._refresh(run)
        self._accent()

    def _removed(self, run: Run) -> None:
        self._canvas.drop_other(id(run))
        self._accent()

    def _selected(self, run: Run, previous: Run | None) -> None:
        self._refresh(run)
        if previous is not None and previous in self._runs.runs:
            self._refresh(previous)
        self._accent()

    def _hidden(self, run: Run, _hidden: bool) -> None:
        self._refresh(run)

    def _view(self, run: Run, view: TrainerView) -> None:
        if self._drawn_lighter(run):
            self._canvas.show_other(id(run), RUN_COLOURS[run.colour], view)

    def _refresh(self, run: Run) -> None:
        """Draw the run lighter at its newest view, or take its lighter drawing away; a run drawn lighter sends its
        views only as often as the canvas draws them."""
        view = run.state.view if run.state is not None else None
        run.set_view_interval(OTHER_RUNS_INTERVAL_MS if self._drawn_lighter(run) else 0)
        if self._drawn_lighter(run) and view is not None:
            self._view(run, view)
        else:
            self._canvas.drop_other(id(run))

    def _drawn_lighter(self, run: Run) -> bool:
        return run is not self._runs.selected and not run.hidden and run in self._runs.runs

    def _accent(self) -> None:
        several = len(self._runs.runs) > 1
        self._canvas.set_accent(RUN_COLOURS[self._runs.selected.colour] if several else None)
