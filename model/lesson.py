"""Lessons: a plain-text file a teacher can write, read here into settings, panes, locks and steps.

A lesson is Markdown with a front block of TOML between two `+++` lines: a title, the panes it shows, the controls it
locks and any declared setting by its name (so a setting declared later is known here at once). Then steps, each a
`## heading`, a few paragraphs and at most one fenced ```` ```step ```` block of TOML holding the step's action and
its question. Everything wrong is refused as a LessonError naming the line and the problem, like a bad CSV.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from model.declaration import declared
from model.files import read_text
from model.settings import Settings, SettingsError

PANES = ("neuron", "parameters", "loss", "snapshots")
"""The canvas's panes a lesson may show; the neuron view is always among them."""
PANE_OPTIONS = ("true_answer", "factor")
"""Extras a lesson may ask for beside its panes: the true answer in the neuron view, the gradient factor against z
in the lesson pane."""
ACTIONS = ("none", "reset", "set", "update", "epochs", "end", "race")
"""What a step does when the learner presses Reveal (or Next, without a question)."""
KINDS = ("choice", "number", "click")
MEASURES = ("boundary", "w", "b", "loss", "accuracy", "epoch", "optimum_w", "optimum_b", "optimum_loss", "lr_limit",
            "loss_trend", "w_trend", "status", "leader", "point")
"""What the engine measures after a step's action: the truth a guess is scored against."""
CHOICE_MEASURES = {"loss_trend": ("up", "down"), "w_trend": ("up", "down"),
                   "status": ("finished", "diverged")}
"""Measures whose truth is a word (`status` where a run ends); `leader` (a race's leader) is one of the race's run
names."""
VIEWS = {"neuron": ("boundary",), "parameters": ("point",)}
"""Where a click question is answered, and what a click there measures: x in the neuron view, (w, b) in the
parameter view."""
MAX_LESSON_BYTES = 1 << 20
LESSON_DIRECTORY = "lessons"
STEP_FENCE = "```step"


class LessonError(ValueError):
    """A lesson that cannot be used: line is the file's line the problem is on (1-based), or 0 for the whole file."""

    def __init__(self, line: int, problem: str):
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: {problem}" if line else problem)


@dataclass(frozen=True)
class Question:
    """What the learner predicts before the action: by option, by number or by a click in a view."""

    kind: str
    text: str
    measure: str = ""
    options: tuple[str, ...] = ()
    answer: str = ""
    """A choice question's fixed answer, when no measure decides it."""
    tolerance: float = 0.0
    """How far a number or a click may miss and still be right (like a numeric question's accepted range)."""
    view: str = ""


@dataclass(frozen=True)
class Action:
    kind: str = "none"
    count: int = 1
    """Updates for `update`, epochs for `epochs` and `race`."""
    changes: dict[str, Any] = field(default_factory=dict)
    """Settings a `set` step changes (then the run starts again)."""
    runs: tuple[tuple[str, dict[str, Any]], ...] = ()
    """A race's runs: (name, settings changes from the lesson's)."""


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    action: Action
    question: Question | None
    line: int


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    settings: Settings
    panes: tuple[str, ...]
    options: tuple[str, ...]
    locked: tuple[str, ...]
    steps: tuple[Step, ...]


def lesson_names() -> list[str]:
    """The shipped lessons' names (their file names without .md), in their order."""
    folder = files("resources") / LESSON_DIRECTORY
    return sorted(entry.name[:-3] for entry in folder.iterdir() if entry.name.endswith(".md"))


def shipped_lesson(name: str) -> Lesson:
    """A shipped lesson by name (a file in resources/lessons); raises LessonError for an unknown name."""
    names = lesson_names()
    if name not in names:
        raise LessonError(0, f"There is no lesson {name!r}; the lessons are {', '.join(names)}.")
    return parse_lesson((files("resources") / LESSON_DIRECTORY / f"{name}.md").read_text(encoding="utf-8"), name)


def load_lesson(path: str | Path) -> Lesson:
    """A teacher's lesson file; raises LessonError for a file that cannot be read or used."""
    text = read_text(path, MAX_LESSON_BYTES, "lesson", lambda message: LessonError(0, message))
    return parse_lesson(text, Path(path).stem)


def parse_lesson(text: str, name: str) -> Lesson:
    """Read a lesson's text; raises LessonError with the line of the first problem."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        raise LessonError(1, "A lesson starts with a line '+++' opening its front block of settings.")
    closing = next((index for index in range(1, len(lines)) if lines[index].strip() == "+++"), None)
    if closing is None:
        raise LessonError(1, "The front block opened here is never closed by a second '+++' line.")
    front = _toml(lines[1:closing], 2)
    settings, extras = _front_settings(front, lines[1:closing], 2)
    title = _text(extras, "title", lines[1:closing], 2, required=True)
    summary = _text(extras, "summary", lines[1:closing], 2)
    panes = _names(extras, "panes", PANES + PANE_OPTIONS, lines[1:closing], 2, default=PANES)
    locked = _names(extras, "locked", tuple(item.name for item in declared(Settings)), lines[1:closing], 2)
    steps = _steps(lines, closing + 1, settings)
    if not steps:
        raise LessonError(len(lines), "A lesson needs at least one step: a line '## Title' and its text.")
    return Lesson(name, title, summary, settings, tuple(p for p in panes if p in PANES),
                  tuple(p for p in panes if p in PANE_OPTIONS), locked, steps)


FRONT_KEYS = ("title", "summary", "panes", "locked")


def _front_settings(front: dict[str, Any], lines: list[str], first: int) -> tuple[Settings, dict[str, Any]]:
    extras = {key: value for key, value in front.items() if key in FRONT_KEYS}
    changes = {key: value for key, value in front.items() if key not in FRONT_KEYS}
    return _settings(Settings(), changes, lines, first), extras


def _settings(base: Settings, changes: dict[str, Any], lines: list[str], first: int) -> Settings:
    """base with the changes, each a declared setting with a usable value, or LessonError on the change's line."""
    known = {item.name for item in declared(Settings)}
    for key in changes:
        if key not in known:
            raise LessonError(_line_of(key, lines, first),
                              f"'{key}' is not a setting; the settings are {', '.join(sorted(known))}.")
    try:
        return Settings.from_dict({**base.to_dict(), **changes})
    except SettingsError as error:
        key, message = next(iter(error.problems.items()))
        raise LessonError(_line_of(key, lines, first), f"{key}: {message}") from None


def _steps(lines: list[str], start: int, settings: Settings) -> tuple[Step, ...]:
    """Each '## ' heading begins a step; its text runs to the next heading, with at most one ```step block."""
    heads = [index for index in range(start, len(lines)) if lines[index].startswith("## ")]
    stray = next((index for index in range(start, heads[0] if heads else len(lines)) if lines[index].strip()), None)
    if stray is not None:
        raise LessonError(stray + 1, "Text before the first step: every step begins with a line '## Title'.")
    steps = []
    for number, head in enumerate(heads):
        end = heads[number + 1] if number + 1 < len(heads) else len(lines)
        step = _step(lines, head, end, settings)
        settings = _after(settings, step.action)
        steps.append(step)
    return tuple(steps)


def _step(lines: list[str], head: int, end: int, settings: Settings) -> Step:
    title = lines[head][3:].strip()
    if not title:
        raise LessonError(head + 1, "A step's heading needs a title after '## '.")
    fences = [index for index in range(head + 1, end) if lines[index].strip() == STEP_FENCE]
    if len(fences) > 1:
        raise LessonError(fences[1] + 1, "A step holds at most one ```step block.")
    body = lines[head + 1:end]
    table: dict[str, Any] = {}
    if fences:
        opened = fences[0]
        closed = next((index for index in range(opened + 1, end) if lines[index].strip() == "```"), None)
        if closed is None:
            raise LessonError(opened + 1, "This ```step block is never closed by a line '```'.")
        block = lines[opened + 1:closed]
        table = _toml(block, opened + 2)
        body = lines[head + 1:opened] + lines[closed + 1:end]
        action = _action(table, block, opened + 2, settings)
        question = _question(table, block, opened + 2, action)
        unknown = sorted(set(table) - {"action", "count", "set", "runs", "question"})
        if unknown:
            raise LessonError(_line_of(unknown[0], block, opened + 2),
                              f"'{unknown[0]}' is not part of a step; a step has action, count, set, runs and "
                              "question.")
    else:
        action, question = Action(), None
    text = "\n".join(body).strip()
    if not text:
        raise LessonError(head + 1, f"The step '{title}' has no text.")
    return Step(title, text, action, question, head + 1)


def _action(table: dict[str, Any], block: list[str], first: int, settings: Settings) -> Action:
    kind = table.get("action", "none")
    if kind not in ACTIONS:
        raise LessonError(_line_of("action", block, first),
                          f"The action {kind!r} is not known; the actions are {', '.join(ACTIONS)}.")
    count = table.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise LessonError(_line_of("count", block, first), "count must be a whole number, 1 or more.")
    changes = table.get("set", {})
    if not isinstance(changes, dict) or (kind == "set") != bool(changes):
        raise LessonError(_line_of("set" if "set" in table else "action", block, first),
                          "The action 'set' goes with a table set = { name = value, … } of settings, and only it.")
    _settings(settings, changes, block, first)
    runs = table.get("runs", [])
    if kind == "race":
        runs = _race(runs, block, first, settings)
    elif runs:
        raise LessonError(_line_of("runs", block, first), "runs = […] goes with the action 'race' only.")
    return Action(kind, count, dict(changes), tuple(runs))


def _race(runs: Any, block: list[str], first: int, settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """A race's runs: a list of tables, each a run's name and the settings it changes from the lesson's."""
    line = _line_of("runs", block, first)
    if not isinstance(runs, list) or len(runs) < 2 or not all(isinstance(run, dict) for run in runs):
        raise LessonError(line, "A race needs runs = [{ name = \"…\", lr = … }, …]: two runs or more.")
    made = []
    for run in runs:
        changes = {key: value for key, value in run.items() if key != "name"}
        name = run.get("name")
        if not isinstance(name, str) or not name.strip():
            raise LessonError(line, "Every run of a race needs a name = \"…\" the learner can pick.")
        _settings(settings, changes, block, first)
        made.append((name.strip(), changes))
    if len({name for name, _ in made}) < len(made):
        raise LessonError(line, "Two runs of the race have the same name.")
    return made


def _question(table: dict[str, Any], block: list[str], first: int, action: Action) -> Question | None:
    raw = table.get("question")
    if raw is None:
        return None
    line = _line_of("question", block, first) or first
    if not isinstance(raw, dict):
        raise LessonError(line, "question must be a table: [question] with kind, text and what is measured.")
    kind, text = raw.get("kind"), raw.get("text")
    if kind not in KINDS:
        raise LessonError(line, f"A question's kind must be one of {', '.join(KINDS)}.")
    if not isinstance(text, str) or not text.strip():
        raise LessonError(line, "A question needs its text = \"…\".")
    measure = raw.get("measure", "")
    if measure and measure not in MEASURES:
        raise LessonError(line, f"The measure {measure!r} is not known; the measures are {', '.join(MEASURES)}.")
    if kind == "choice":
        return _choice(raw, line, text, measure, action)
    tolerance = raw.get("tolerance")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
        raise LessonError(line, f"A {kind} question needs tolerance = a number greater than 0.")
    view = raw.get("view", "")
    if kind == "click":
        if view not in VIEWS:
            raise LessonError(line, f"A click question names its view: {' or '.join(VIEWS)}.")
        if measure not in VIEWS[view]:
            raise LessonError(line, f"A click in the {view} view measures {' or '.join(VIEWS[view])}.")
    elif measure in CHOICE_MEASURES or measure in ("leader", "point", ""):
        raise LessonError(line, "A number question needs a measure that is a number, such as boundary or loss.")
    if measure == "leader" and action.kind != "race":
        raise LessonError(line, "The measure 'leader' goes with a race.")
    return Question(kind, text.strip(), measure, tolerance=float(tolerance), view=view)


def _choice(raw: dict[str, Any], line: int, text: str, measure: str, action: Action) -> Question:
    options = raw.get("options")
    if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) for o in options):
        raise LessonError(line, "A choice question needs options = [\"…\", \"…\"]: two or more.")
    answer = raw.get("answer", "")
    if bool(answer) == bool(measure):
        raise LessonError(line, "A choice question has either an answer (one of its options) or a measure.")
    if answer and answer not in options:
        raise LessonError(line, f"The answer {answer!r} is not one of the options.")
    possible = [name for name, _ in action.runs] if measure == "leader" else CHOICE_MEASURES.get(measure, options)
    if measure and measure not in (*CHOICE_MEASURES, "leader"):
        raise LessonError(line, f"The measure {measure!r} gives a number; ask it as a number question.")
    if measure == "leader" and action.kind != "race":
        raise LessonError(line, "The measure 'leader' goes with a race.")
    missing = [value for value in possible if value not in options]
    if measure and missing:
        raise LessonError(line, f"The options must hold every possible answer: {', '.join(missing)} is missing.")
    return Question("choice", text.strip(), measure, tuple(options), answer)


def _after(settings: Settings, action: Action) -> Settings:
    return settings.replace(**action.changes) if action.kind == "set" else settings


def _toml(lines: list[str], first: int) -> dict[str, Any]:
    """The TOML in these lines (the first being the file's line `first`); its errors carry the file's line."""
    try:
        return tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        offset = int(found.group(1)) - 1 if found else max(0, len(lines) - 1)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
        raise LessonError(first + offset, f"This is not valid TOML: {reason}.") from None


def _line_of(key: str, lines: list[str], first: int) -> int:
    """The file's line where key is given in these lines, or the first line when it cannot be found."""
    pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=|^\s*\[{re.escape(key)}\]")
    return next((first + index for index, line in enumerate(lines) if pattern.search(line)), first)


def _text(table: dict[str, Any], key: str, lines: list[str], first: int, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise LessonError(_line_of(key, lines, first), f"{key} must be {'given as ' if required else ''}text.")
    return value.strip()


def _names(table: dict[str, Any], key: str, known: tuple[str, ...], lines: list[str], first: int,
           default: tuple[str, ...] = ()) -> tuple[str, ...]:
    value = table.get(key, list(default))
    line = _line_of(key, lines, first)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LessonError(line, f"{key} must be a list of names, such as [\"{known[0]}\"].")
    unknown = [item for item in value if item not in known]
    if unknown:
        raise LessonError(line, f"{key}: '{unknown[0]}' is not known; choose from {', '.join(known)}.")
    return tuple(value)
