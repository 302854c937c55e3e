"""Lessons in the window: the Lessons menu, File → Open lesson…, the lesson pane in a tab beside the parameters (so
the canvas keeps its width), and each step made
twice, on the window's run (what the learner watches) and on a headless copy (model.lesson_run), which gives the
truth a guess is scored against. A lesson shows only its panes and locks its controls until Full window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from gui.base.actions import make_action
from gui.widgets.lesson_pane import LessonPane, shown
from model.lesson import Lesson, LessonError, lesson_names, load_lesson, shipped_lesson
from model.lesson_run import LessonRun, Outcome, RaceResult, Score, judge, truth
from model.settings import Settings
from model.trainer import TrainerView

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

OFFERED_KEY = "lessons/offered"
FIRST_LESSON = "01-sigmoid"
WELCOME_TITLE = "Welcome to Neuron Lab"
WELCOME = ("Neuron Lab trains one artificial neuron and lets you watch it learn. Each dot is a sample of one of two "
           "classes, blue for class 0 and orange for class 1; the neuron draws a line z = w·x + b and squashes it "
           "into the sigmoid ŷ, its probability that a sample is class 1. Training moves w and b until ŷ separates "
           "the classes.\n\nLesson 1 shows in a few minutes what w and b do. The Lessons menu holds nine more.")


class LessonControl(QtCore.QObject):
    """One lesson at a time: its steps, its headless run and its score."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self._window = window
        self.lesson: Lesson | None = None
        self._run: LessonRun | None = None
        self.score = Score()
        self.index = 0
        self._done: set[int] = set()
        self._race_text = ""
        self._verdicts: dict[int, tuple[bool, str, str, str]] = {}
        """Each answered step's verdict, shown again when the learner comes back to it."""
        self.pane = LessonPane()
        self.dock = QtWidgets.QDockWidget("Lesson")
        self.dock.setObjectName("lessonDock")
        self.dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.dock.setWidget(self.pane)
        self._parameters = window.findChild(QtWidgets.QDockWidget, "parametersDock")
        window.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        window.tabifyDockWidget(self._parameters, self.dock)
        self._hide_dock()
        self._build_menus(window)
        self.pane.revealRequested.connect(self.reveal)
        self.pane.nextRequested.connect(lambda: self.go(self.index + 1))
        self.pane.backRequested.connect(lambda: self.go(self.index - 1))
        self.pane.fullWindowRequested.connect(self.full_window)
        self.pane.closeRequested.connect(self.leave)
        self.pane.startRequested.connect(lambda: self.open_shipped(FIRST_LESSON))
        window.canvas.dataClicked.connect(self._data_clicked)
        window.run.viewChanged.connect(self._view_changed)

    def _build_menus(self, window: MainWindow) -> None:
        self.menu = window.menuBar().addMenu("&Lessons")
        self.menu.aboutToShow.connect(self._fill_menu)
        self.open_action = make_action(window, "Open lesson…", "", "Open a lesson file (Markdown with a +++ block)",
                                       self.open_dialog)
        window.file_menu.insertAction(window.quit_action, self.open_action)
        window.file_menu.insertSeparator(window.quit_action)

    def _fill_menu(self) -> None:
        """The shipped lessons, read when the menu is first opened (not while the window starts)."""
        if self.menu.actions():
            return
        for number, name in enumerate(lesson_names(), start=1):
            try:
                title = shipped_lesson(name).title
            except LessonError as refused:
                title = f"{name} (cannot be used: {refused})"
            made = self.menu.addAction(f"{number}. {title}")
            made.setObjectName(name)
            made.triggered.connect(lambda _checked=False, chosen=name: self.open_shipped(chosen))

    def offer(self) -> None:
        """The first launch: say what the app is and offer lesson 1, beside the full window."""
        self.pane.show_offer(WELCOME_TITLE, WELCOME)
        self._show_dock()

    def _show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def open_shipped(self, name: str) -> None:
        self._open_or_refuse(lambda: shipped_lesson(name))

    def open_file(self, path: str) -> None:
        self._open_or_refuse(lambda: load_lesson(path))

    def open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self._window, "Open lesson", "",
                                                        "Lessons (*.md);;All files (*)")
        if path:
            self.open_file(path)

    def _open_or_refuse(self, read) -> None:
        try:
            lesson = read()
            run = LessonRun(lesson)
        except (LessonError, ValueError) as refused:
            self._window.errors.show("The lesson cannot be opened", str(refused))
            return
        self.lesson, self._run, self.score, self._done, self._verdicts = lesson, run, Score(), set(), {}
        self._restart(lesson.settings)
        self._window.canvas.show_panes(lesson.panes)
        self.pane.factor_widget.setVisible("factor" in lesson.options)
        self._window.panel.true_answer.setChecked("true_answer" in lesson.options)
        self._window.panel.lock(lesson.locked)
        self._show_dock()
        self.go(0)

    def go(self, index: int) -> None:
        """Show a step; a step without a question makes its action at once, the first time it is shown."""
        lesson = self.lesson
        if lesson is None or not 0 <= index < len(lesson.steps):
            return
        self.index = index
        self._window.canvas.mark_guess(None)
        step = lesson.steps[index]
        if step.question is None and index not in self._done:
            self._perform(index)
        self.pane.show_step(lesson.title, index, len(lesson.steps), step, self.score.text(), index in self._done)
        if index in self._verdicts:
            right, guess, truth_words, extra = self._verdicts[index]
            self.pane.show_verdict(right, guess, truth_words, self.score.text(), extra)
        elif step.question is None and self._race_text:
            self.pane.show_note(self._race_text)

    def reveal(self, guess: object) -> None:
        """Make the step's action, then score the guess against what the engine measured."""
        lesson, index = self.lesson, self.index
        if lesson is None or index in self._done or lesson.steps[index].question is None:
            return
        question = lesson.steps[index].question
        outcome = self._perform(index)
        judgement = judge(question, guess, truth(question, outcome))
        self.score.record(index, judgement)
        extra = f"\n\n{self._race_text}" if self._race_text else ""
        self._verdicts[index] = (judgement.right, shown(guess), shown(judgement.truth), extra)
        self.pane.show_verdict(*self._verdicts[index][:3], self.score.text(), extra)

    def _perform(self, index: int) -> Outcome:
        """The step's action, on the headless run and on the window's run alike."""
        step = self.lesson.steps[index]
        outcome = self._run.perform(step)
        self._done.add(index)
        run, action = self._window.run, step.action
        self._race_text = _race_words(outcome.race)
        if action.kind == "set":
            self._restart(self._run.settings)
        elif action.kind == "reset":
            run.reset()
        elif action.kind == "update":
            for _ in range(action.count):
                run.step_update()
        elif action.kind == "epochs":
            for _ in range(action.count):
                run.step_epoch()
        elif action.kind == "end":
            run.run_to_end()
        return outcome

    def _restart(self, settings: Settings) -> None:
        """The window's run with these settings, from epoch 0, as the headless run has them. Other runs are hidden
        (not removed: the Runs pane shows them again), so the lesson's views show its run alone."""
        window = self._window
        for other in window.runs.runs:
            if other is not window.run:
                window.runs.set_hidden(other, True)
        window.runs.rename(window.run, "lesson")
        window.panel.set_settings(settings)
        window.run.edit(settings, {})
        window.run.apply_now()
        window.run.reset()

    def _view_changed(self, view: TrainerView, _in_turn: bool) -> None:
        """The gradient factor's samples follow the run, while the lesson shows it."""
        state = self._window.run.state
        if self.pane.factor_widget.isVisible() and state is not None:
            self.pane.factor.show(state.data, view.w, view.b, state.settings.loss)

    def _data_clicked(self, x: float) -> None:
        if self.pane.waiting_for_click == "neuron":
            self.pane.set_click(x, f"x = {x:.3g}")
            self._window.canvas.mark_guess(x)

    def take_point(self, w: float, b: float) -> bool:
        """A click in the parameter view: the guess, when a question waits for one there (True), else not ours."""
        if self.pane.waiting_for_click != "parameters":
            return False
        self.pane.set_click((w, b), shown((w, b)))
        self._window.canvas.mark_guess((w, b))
        return True

    def full_window(self) -> None:
        """Every pane and every control again; the lesson stays open."""
        self._window.canvas.show_all_panes()
        self._window.panel.lock(())

    def leave(self) -> None:
        self.full_window()
        self.pane.factor_widget.hide()
        self._window.canvas.mark_guess(None)
        self.lesson = None
        self._hide_dock()

    def _hide_dock(self) -> None:
        """Hidden, the lesson's tab gave the front to whichever tab Qt picked (the run list at first launch): the
        settings come back instead."""
        self.dock.hide()
        self._parameters.raise_()


def _race_words(race: tuple[RaceResult, ...]) -> str:
    lines = []
    for result in race:
        reached = f"reached the optimum at epoch {result.reached}" if result.reached else "did not reach the optimum"
        lines.append(f"{result.name}: {reached}; loss {shown(result.loss)} at the end ({result.status}).")
    return "\n".join(lines)


def offer_first_lesson(window: MainWindow, store: QtCore.QSettings) -> bool:
    """On the first launch (as the store remembers it), offer lesson 1; True when it was offered now."""
    if store.value(OFFERED_KEY, False, type=bool):
        return False
    store.setValue(OFFERED_KEY, True)
    window.lessons.offer()
    return True

