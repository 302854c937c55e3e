"""The parameter panels: every field of Settings as a widget, checked as it is typed with the engine's messages."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from PySide6 import QtCore, QtWidgets

from gui.base.state import UNSTUDIED, DisplayOptions
from gui.base.style import DENSE_ABOVE
from gui.widgets.marked_slider import MarkedSlider
from model.declaration import Declared, declared, groups
from model.diagnosis import Verdict, diagnose
from model.lr_limit import rule_lr_limit
from model.problem import Problem
from model.settings import DATA_FIELDS, PRESETS, RULE_PARAMETERS, Settings

INVALID_STYLE = "QLineEdit { border: 2px solid #D55E00; background: #FFF1EA; }"
CUSTOM_PRESET = "custom"
LR_SLIDER_STEPS_PER_DECADE = 20
LOCKED_TIP = "Locked by the lesson. Press Full window to unlock."
PAGES = {"Data": "Data", "Model": "Model and training", "Training": "Model and training", "Animation": "View"}
"""The tab each group of settings sits on: at a laptop's 768 pixels all of them stacked needed scrolling, and the
groups changed together share a tab. A group not named here gets a tab of its own."""


class SettingsPanel(QtWidgets.QWidget):
    """Emits settingsEdited(candidate, problems) after every edit and applyRequested when Enter is pressed in a
    field; the window decides what to apply and when. Its rows are the declared settings (model.settings), in their
    groups: a field for a number, a box for a choice, a tick for a switch."""

    settingsEdited = QtCore.Signal(object, object)
    applyRequested = QtCore.Signal()
    regenerateRequested = QtCore.Signal()
    loadCsvRequested = QtCore.Signal()
    displayChanged = QtCore.Signal(object)

    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        self._declared = {item.name: item for item in declared(type(settings))}
        self._edits: dict[str, QtWidgets.QLineEdit] = {}
        self._random: dict[str, QtWidgets.QCheckBox] = {}
        self.choices: dict[str, QtWidgets.QComboBox] = {}
        self.switches: dict[str, QtWidgets.QCheckBox] = {}
        self._rule_rows: dict[str, tuple[QtWidgets.QFormLayout, QtWidgets.QWidget]] = {}
        self._problems: dict[str, str] = {}
        self._locked: frozenset[str] = frozenset()
        self._unlocked_tips: dict[QtWidgets.QWidget, str] = {}
        self._updating = False
        self._problem = UNSTUDIED
        before = {"Data": self._add_presets}
        after = {"Data": self._add_data_source, "Animation": self._add_display_options}
        after_row = {"lr": self._add_lr_limit}
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        layout.addWidget(self.tabs)
        for title, items in groups(type(settings)):
            box = QtWidgets.QGroupBox(title)
            form = QtWidgets.QFormLayout(box)
            if title in before:
                before[title](form)
            for item in filter(lambda item: item.spec.panel, items):
                self._add_row(form, item)
                if item.name in after_row:
                    after_row[item.name](form)
            if title in after:
                after[title](form)
            self.add_to_page(PAGES.get(title, title), box)
        self.set_settings(settings)

    @property
    def fields(self) -> Mapping[str, QtWidgets.QLineEdit]:
        """The text field of each numeric setting, by setting name: what a learner types into."""
        return MappingProxyType(self._edits)

    @property
    def random_starts(self) -> Mapping[str, QtWidgets.QCheckBox]:
        """The 'random start' switch of each initial weight, by setting name."""
        return MappingProxyType(self._random)
    def add_to_page(self, name: str, group: QtWidgets.QWidget) -> None:
        """Put a group under the last on the tab of this name, made on first use."""
        found = [index for index in range(self.tabs.count()) if self.tabs.tabText(index) == name]
        if found:
            column = self.tabs.widget(found[0]).layout()
        else:
            page = QtWidgets.QWidget()
            column = QtWidgets.QVBoxLayout(page)
            column.addStretch(1)
            self.tabs.addTab(page, name)
        column.insertWidget(column.count() - 1, group)

    def _add_row(self, form: QtWidgets.QFormLayout, item: Declared) -> None:
        if item.kind is bool:
            switch = self.switches[item.name] = QtWidgets.QCheckBox(item.spec.label)
            switch.setObjectName(item.name)
            switch.setToolTip(item.spec.help)
            switch.toggled.connect(self._edited)
            form.addRow(switch)
            return
        label = QtWidgets.QLabel(item.spec.label)
        label.setToolTip(item.spec.help)
        if item.spec.choices:
            choice = self.choices[item.name] = QtWidgets.QComboBox()
            choice.setObjectName(item.name)
            for value, words in item.spec.choices:
                choice.addItem(words, value)
            choice.setToolTip(item.spec.help)
            choice.activated.connect(self._edited)
            form.addRow(label, choice)
            return
        field = self._number_row(item)
        form.addRow(label, field)
        if item.name in RULE_PARAMETERS:
            self._rule_rows[item.name] = (form, field)

    def _show_rule_rows(self, rule: object) -> None:
        """Only the chosen update rule's parameters: plain descent has none, momentum μ, Adam β₁, β₂ and ε."""
        for name, (form, field) in self._rule_rows.items():
            form.setRowVisible(field, RULE_PARAMETERS[name] == rule)

    def _number_row(self, item: Declared) -> QtWidgets.QWidget:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(item.name)
        edit.setToolTip(item.spec.help)
        edit.textEdited.connect(self._edited)
        edit.returnPressed.connect(self.applyRequested)
        self._edits[item.name] = edit
        if not (item.spec.log_slider or item.spec.none_label):
            return edit
        row = QtWidgets.QWidget()
        box = QtWidgets.QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        if item.spec.log_slider:
            self.lr_slider = MarkedSlider()
            low, high = (decade * LR_SLIDER_STEPS_PER_DECADE for decade in item.spec.log_slider)
            self.lr_slider.setRange(low, high)
            self.lr_slider.setToolTip(f"{item.spec.label} on a log scale, from {10.0 ** item.spec.log_slider[0]:g} "
                                      f"to {10.0 ** item.spec.log_slider[1]:g}.")
            self.lr_slider.valueChanged.connect(self._lr_slid)
            box.addWidget(self.lr_slider, 1)
        else:
            random = QtWidgets.QCheckBox(item.spec.none_label)
            random.setObjectName(f"{item.name}_random")
            random.setToolTip("Draw the starting value uniformly from [−0.01, 0.01], as the tutorial does.")
            random.toggled.connect(lambda ticked, name=item.name: self._random_toggled(name, ticked))
            self._random[item.name] = random
            box.addWidget(random)
        return row

    def _add_presets(self, form: QtWidgets.QFormLayout) -> None:
        self.preset = QtWidgets.QComboBox()
        self.preset.addItems([*PRESETS, CUSTOM_PRESET])
        self.preset.setToolTip("Ready-made pairs of classes: 'two bumps' overlap, 'far apart' barely touch.")
        self.preset.activated.connect(self._preset_chosen)
        form.addRow("preset", self.preset)

    def _add_data_source(self, form: QtWidgets.QFormLayout) -> None:
        self.file_label = QtWidgets.QLabel()
        self.file_label.setWordWrap(True)
        form.addRow("file", self.file_label)
        buttons = QtWidgets.QHBoxLayout()
        load = QtWidgets.QPushButton("Load CSV…")
        load.setToolTip("Use your own samples: a CSV file with columns x,label (label 0 or 1).")
        load.clicked.connect(self.loadCsvRequested)
        regenerate = QtWidgets.QPushButton("New samples")
        regenerate.setObjectName("regenerate")
        regenerate.setToolTip("Draw fresh samples from the same Gaussians (next seed).")
        regenerate.clicked.connect(self.regenerateRequested)
        buttons.addWidget(load)
        buttons.addWidget(regenerate)
        form.addRow(buttons)
        self.true_answer = QtWidgets.QCheckBox("show the true answer")
        self.true_answer.setObjectName("trueAnswer")
        self.true_answer.setToolTip("Draw the true P(class 1 | x) that the two Gaussians and their counts imply "
                                    "(Bayes' rule) and the x where it is ½: the best any classifier can do. Only for "
                                    "samples drawn from the Gaussians.")
        self.true_answer.toggled.connect(self._display_toggled)
        form.addRow(self.true_answer)

    def _add_lr_limit(self, form: QtWidgets.QFormLayout) -> None:
        self.lr_limit_label = QtWidgets.QLabel()
        self.lr_limit_label.setObjectName("lrLimit")
        self.lr_limit_label.setWordWrap(True)
        self.lr_limit_label.setToolTip("Near the optimum, full-batch gradient descent settles only for η < η_max = "
                                       "2 / λ_max, λ_max the largest curvature of the loss there. Larger steps "
                                       "overshoot by more each time: the loss oscillates or runs away.")
        form.addRow(self.lr_limit_label)

    def _add_display_options(self, form: QtWidgets.QFormLayout) -> None:
        self.at_label = QtWidgets.QCheckBox("draw samples at y = label")
        self.at_label.setToolTip("Off: samples sit on the x axis (y = 0). On: at height 0 or 1, the target ŷ.")
        self.at_label.toggled.connect(self._display_toggled)
        form.addRow(self.at_label)
        self.histograms = QtWidgets.QCheckBox("show histograms")
        self.histograms.setToolTip("Overlay a histogram of each class (50 bins).")
        self.histograms.toggled.connect(self._display_toggled)
        form.addRow(self.histograms)
        self.every_point = QtWidgets.QCheckBox(f"every sample as a point (above {DENSE_ABOVE:,})")
        self.every_point.setObjectName("everyPoint")
        self.every_point.setToolTip(f"Above {DENSE_ABOVE:,} samples each class is drawn as a density strip, darker "
                                    "where more samples lie. Tick to draw every point instead (slow at a million).")
        self.every_point.toggled.connect(self._display_toggled)
        form.addRow(self.every_point)

    def set_settings(self, settings: Settings) -> None:
        """Show these settings in every widget (no settingsEdited is emitted)."""
        self._settings = settings
        self._updating = True
        try:
            for name, edit in self._edits.items():
                edit.setText(_format(getattr(settings, name)))
            for name, random in self._random.items():
                random.setChecked(getattr(settings, name) is None)
                self._edits[name].setEnabled(not random.isChecked())
            for name, switch in self.switches.items():
                switch.setChecked(getattr(settings, name))
            for name, choice in self.choices.items():
                found = choice.findData(getattr(settings, name))
                choice.setCurrentIndex(found if found >= 0 else choice.count() - 1)
            if settings.lr > 0:
                self.lr_slider.setValue(round(math.log10(settings.lr) * LR_SLIDER_STEPS_PER_DECADE))
            self._show_data_source(settings)
            self._show_rule_rows(settings.rule)
            self._show_lr_limit()
            self._mark({})
        finally:
            self._updating = False
        self._apply_locks()

    def lock(self, names: tuple[str, ...] | frozenset[str]) -> None:
        """Lock these settings' controls (a lesson keeps them as it set them); lock(()) unlocks every one."""
        for widget, tip in self._unlocked_tips.items():
            widget.setEnabled(True)
            widget.setToolTip(tip)
        self._unlocked_tips = {}
        self._locked = frozenset(names)
        self.set_settings(self._settings)

    def _apply_locks(self) -> None:
        """Disable the locked settings' controls, after whatever enabled them."""
        for name in self._locked:
            found = [group.get(name) for group in (self._edits, self.choices, self.switches, self._random)]
            for widget in (*found, self.lr_slider if name == "lr" else None):
                if widget is not None:
                    self._unlocked_tips.setdefault(widget, widget.toolTip())
                    widget.setEnabled(False)
                    widget.setToolTip(LOCKED_TIP)

    def settings(self) -> Settings:
        return self._settings

    def set_problem(self, problem: Problem) -> None:
        """Mark η_max on the learning-rate slider and say in words, with the engine's verdict, where η stands."""
        self._problem = problem
        self._show_lr_limit()

    def _show_lr_limit(self) -> None:
        """The update rule's η_max as the slider's mark, and the verdict on η in words."""
        s = self._settings
        limit = rule_lr_limit(self._problem.lr_limit, s.rule, s.momentum)
        mark = None if limit is None or limit <= 0 else round(math.log10(limit) * LR_SLIDER_STEPS_PER_DECADE)
        inside = mark is not None and self.lr_slider.minimum() <= mark <= self.lr_slider.maximum()
        self.lr_slider.set_mark(mark if inside else None)
        diagnosis = diagnose(self._problem, s.lr, rule=s.rule, momentum=s.momentum)
        if diagnosis.verdict == Verdict.NO_OPTIMUM:
            self.lr_limit_label.setText("η_max: needs an exact optimum (cross-entropy, overlapping classes or λ > 0).")
            self.lr_limit_label.setStyleSheet("color: #666666;")
        elif diagnosis.verdict == Verdict.NO_LIMIT:
            self.lr_limit_label.setText(diagnosis.text)
            self.lr_limit_label.setStyleSheet("color: #666666;")
        elif diagnosis.verdict == Verdict.STABLE:
            self.lr_limit_label.setText(f"Stable near the optimum for η < η_max = {limit:.4g} (the mark).")
            self.lr_limit_label.setStyleSheet("color: #2E6B3A;")
        else:
            self.lr_limit_label.setText(diagnosis.text)
            self.lr_limit_label.setStyleSheet("color: #B03A00; font-weight: bold;")

    def display_options(self) -> DisplayOptions:
        return DisplayOptions(self.at_label.isChecked(), self.histograms.isChecked(), self.every_point.isChecked(),
                              self.true_answer.isChecked())

    def _display_toggled(self) -> None:
        self.displayChanged.emit(self.display_options())

    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    def _show_data_source(self, settings: Settings) -> None:
        path = settings.data_path
        self.file_label.setText(Path(path).name if path else "none: samples are drawn from the Gaussians")
        self.true_answer.setEnabled(not path)
        for name in DATA_FIELDS & set(self._edits):
            self._edits[name].setEnabled(not path)
        matching = [name for name, values in PRESETS.items()
                    if all(getattr(settings, key) == value for key, value in values.items())]
        self.preset.setCurrentText(matching[0] if matching and not path else CUSTOM_PRESET)

    def _preset_chosen(self) -> None:
        name = self.preset.currentText()
        if name in PRESETS:
            candidate = self._settings.replace(data_path=None, **PRESETS[name])
            self.set_settings(candidate)
            self.settingsEdited.emit(candidate, {})

    def _lr_slid(self, value: int) -> None:
        if self._updating:
            return
        lr = float(f"{10 ** (value / LR_SLIDER_STEPS_PER_DECADE):.2g}")
        self._edits["lr"].setText(f"{lr:g}")
        self._edited()

    def _random_toggled(self, name: str, ticked: bool) -> None:
        """Unticking 'random' starts the field from 0 rather than empty, so there is nothing to fix first."""
        edit = self._edits[name]
        if not ticked and not edit.text().strip():
            edit.setText("0.0")
        self._edited()

    def _edited(self) -> None:
        if self._updating:
            return
        values: dict[str, object] = {}
        typing_problems: dict[str, str] = {}
        for name, edit in self._edits.items():
            if name in self._random and self._random[name].isChecked():
                values[name] = None
                edit.setEnabled(False)
                continue
            edit.setEnabled(name not in DATA_FIELDS or not self._settings.data_path)
            whole = self._declared[name].whole
            parsed = _parse(edit.text(), whole)
            if parsed is None:
                typing_problems[name] = "Enter a whole number." if whole else "Enter a number."
            else:
                values[name] = parsed
        values.update({name: choice.currentData() for name, choice in self.choices.items()})
        values.update({name: switch.isChecked() for name, switch in self.switches.items()})
        self._show_rule_rows(values["rule"])
        self._emit(self._settings.replace(**values), typing_problems)
        self._apply_locks()

    def _emit(self, candidate: Settings, typing_problems: dict[str, str]) -> None:
        problems = {**candidate.problems(), **typing_problems}
        self._mark(problems)
        if not problems:
            self._settings = candidate
            self._show_data_source(candidate)
            self._show_lr_limit()
        self.settingsEdited.emit(candidate, problems)

    def _mark(self, problems: dict[str, str]) -> None:
        self._problems = problems
        for name, edit in self._edits.items():
            message = problems.get(name)
            edit.setStyleSheet(INVALID_STYLE if message else "")
            edit.setToolTip(message or self._declared[name].spec.help)


def _parse(text: str, whole: bool) -> float | int | None:
    text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return None


def _format(value: float | int | str | None) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)
