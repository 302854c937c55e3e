"""The lesson pane: a step's text, its question with the input it needs, Reveal, the truth beside the guess and the
score. It only shows and asks; the window's lesson control decides what a step does."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.views.factor_view import FactorView
from model.lesson import Question, Step

RIGHT_STYLE = "QLabel { background: #E6F4EA; color: #1E5631; padding: 6px; }"
WRONG_STYLE = "QLabel { background: #FDECEA; color: #8A1C00; padding: 6px; }"
CLICK_WHERE = {"neuron": "Click in the data view (the samples and the sigmoid) to place your guess.",
               "parameters": "Click in the parameter view, the loss over (w, b), to place your guess."}


class LessonPane(QtWidgets.QWidget):
    """Emits revealRequested(guess) with the learner's answer (None for a step without a question), nextRequested,
    backRequested, fullWindowRequested and closeRequested; startRequested when the first-launch offer is taken."""

    revealRequested = QtCore.Signal(object)
    nextRequested = QtCore.Signal()
    backRequested = QtCore.Signal()
    fullWindowRequested = QtCore.Signal()
    closeRequested = QtCore.Signal()
    startRequested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPane")
        self._question: Question | None = None
        self._clicked: object = None
        self.title = _label("lessonTitle", "font-weight: bold; font-size: 15px;")
        self.progress = _label("lessonProgress", "color: #555555;")
        self.step_title = _label("stepTitle", "font-weight: bold;")
        self.text = _label("stepText")
        self.text.setTextFormat(QtCore.Qt.TextFormat.MarkdownText)
        self.question = _label("questionText", "font-weight: bold; color: #0B4F8A;")
        self.choices = QtWidgets.QButtonGroup(self)
        self.choice_box = QtWidgets.QWidget()
        QtWidgets.QVBoxLayout(self.choice_box).setContentsMargins(0, 0, 0, 0)
        self.number = QtWidgets.QLineEdit()
        self.number.setObjectName("lessonNumber")
        self.number.setPlaceholderText("your number")
        self.number.setAccessibleName("Your answer")
        self.number.setToolTip("Type your answer to the question, then press Enter or Reveal.")
        self.number.returnPressed.connect(self._reveal)
        self.click_hint = _label("clickHint", "color: #555555;")
        self.verdict = _label("lessonVerdict")
        self.score = _label("lessonScore", "color: #555555;")
        self.reveal = _button("Reveal", "lessonReveal", "Perform the step and show the truth next to your guess",
                              self._reveal)
        self.back = _button("Back", "lessonBack", "The previous step", self.backRequested.emit)
        self.next = _button("Next", "lessonNext", "The next step", self.nextRequested.emit)
        self.full = _button("Full window", "fullWindow", "Show every pane and unlock every control",
                            self.fullWindowRequested.emit)
        self.close_button = _button("Leave lesson", "leaveLesson", "Close the lesson; the run stays as it is",
                                    self.closeRequested.emit)
        self.start = _button("Start lesson 1", "startLesson", "Open the first lesson", self.startRequested.emit)
        self.start.hide()
        self.factor_widget = pg.GraphicsLayoutWidget()
        self.factor_widget.setObjectName("factorView")
        self.factor_widget.setMinimumHeight(260)
        self.factor = FactorView(self.factor_widget)
        self.factor_widget.hide()
        self._lay_out()

    def _lay_out(self) -> None:
        """The step scrolls; the score and the buttons stay in sight under it."""
        body = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(body)
        for widget in (self.title, self.progress, self.step_title, self.text, self.question, self.choice_box,
                       self.number, self.click_hint, self.reveal, self.verdict, self.factor_widget):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        footer = QtWidgets.QVBoxLayout()
        footer.setContentsMargins(9, 0, 9, 9)
        footer.addWidget(self.score)
        steps = QtWidgets.QHBoxLayout()
        steps.addWidget(self.back)
        steps.addWidget(self.next)
        footer.addLayout(steps)
        footer.addWidget(self.start)
        leave = QtWidgets.QHBoxLayout()
        leave.addWidget(self.full)
        leave.addWidget(self.close_button)
        footer.addLayout(leave)
        outer.addLayout(footer)

    def show_offer(self, title: str, text: str) -> None:
        """The first-launch welcome: what the app is, and lesson 1 offered."""
        self.title.setText(title)
        self.text.setText(text)
        for widget in (self.progress, self.step_title, self.score, self.back, self.next, self.full):
            widget.hide()
        self._show_question(None, False)
        self.start.show()
        self.close_button.setText("Explore on my own")

    def show_step(self, title: str, index: int, total: int, step: Step, score: str, done: bool) -> None:
        """A step; `done` when its action was made already (its question is then answered or it had none)."""
        self.start.hide()
        self.close_button.setText("Leave lesson")
        for widget in (self.progress, self.step_title, self.score, self.back, self.next, self.full):
            widget.show()
        self.title.setText(title)
        self.progress.setText(f"Step {index + 1} of {total}")
        self.step_title.setText(step.title)
        self.text.setText(step.text)
        self.score.setText(score)
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index + 1 < total)
        self._show_question(step.question, done)
        self.reveal.setVisible(step.question is not None and not done)
        self.verdict.hide()

    def _show_question(self, question: Question | None, done: bool) -> None:
        self._question = question
        self._clicked = None
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            button.deleteLater()
        self.question.setVisible(question is not None)
        self.choice_box.setVisible(question is not None and question.kind == "choice")
        self.number.setVisible(question is not None and question.kind == "number")
        self.click_hint.setVisible(question is not None and question.kind == "click")
        self.reveal.setVisible(False)
        if question is None:
            return
        self.question.setText(question.text)
        self.number.clear()
        self.number.setEnabled(not done)
        for option in question.options:
            button = QtWidgets.QRadioButton(option)
            button.setEnabled(not done)
            self.choices.addButton(button)
            self.choice_box.layout().addWidget(button)
        self.click_hint.setText(CLICK_WHERE.get(question.view, ""))

    @property
    def waiting_for_click(self) -> str:
        """The view a click question waits for ('' when none does)."""
        question = self._question
        return question.view if question is not None and question.kind == "click" and self.reveal.isVisible() else ""

    def set_click(self, guess: object, words: str) -> None:
        """The learner clicked in the view the question names: this is their guess."""
        self._clicked = guess
        self.click_hint.setText(f"Your guess: {words}. Click again to move it, or press Reveal.")

    def show_verdict(self, right: bool, guess: str, truth: str, score: str, extra: str = "") -> None:
        self.reveal.hide()
        self.number.setEnabled(False)
        for button in self.choices.buttons():
            button.setEnabled(False)
        mark = "Right!" if right else "Not quite."
        self.verdict.setText(f"{mark} Your guess: {guess}. The truth: {truth}.{extra}")
        self.verdict.setStyleSheet(RIGHT_STYLE if right else WRONG_STYLE)
        self.verdict.show()
        self.score.setText(score)

    def show_note(self, text: str) -> None:
        """What a step without a question did (a race's results)."""
        self.verdict.setText(text)
        self.verdict.setStyleSheet("")
        self.verdict.show()

    def _reveal(self) -> None:
        question = self._question
        if question is None or not self.reveal.isVisible():
            return
        guess: object
        if question.kind == "choice":
            checked = self.choices.checkedButton()
            guess = None if checked is None else checked.text()
        elif question.kind == "number":
            guess = _number(self.number.text())
        else:
            guess = self._clicked
        if guess is None:
            self.verdict.setText({"choice": "Pick an option first.", "number": "Type a number first.",
                                  "click": "Click in the view first."}[question.kind])
            self.verdict.setStyleSheet("")
            self.verdict.show()
            return
        self.revealRequested.emit(guess)


def shown(value: object) -> str:
    """A guess or a truth in words: a number as the status bar shows it, a (w, b) pair, a word as it is."""
    if isinstance(value, tuple):
        return f"w = {value[0]:.3g}, b = {value[1]:.3g}"
    if isinstance(value, float | int):
        return f"{value:.4g}"
    return "none" if value is None else str(value)


def _number(text: str) -> float | None:
    text = text.strip().replace("−", "-").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _label(name: str, style: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


def _button(text: str, name: str, tip: str, slot) -> QtWidgets.QPushButton:
    button = QtWidgets.QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button
