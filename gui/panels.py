"""The parameter panels: every field of Settings as a widget, checked as it is typed with the engine's messages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from gui.marked_slider import MarkedSlider
from gui.state import UNSTUDIED, DisplayOptions
from gui.views import DENSE_ABOVE
from model.diagnosis import Verdict, diagnose
from model.problem import Problem
from model.settings import DATA_FIELDS, PRESETS, Settings

INVALID_STYLE = "QLineEdit { border: 2px solid #D55E00; background: #FFF1EA; }"
CUSTOM_PRESET = "custom"
SPEEDS = ((1.0, "1 epoch/s"), (2.0, "2 epochs/s"), (5.0, "5 epochs/s"), (10.0, "10 epochs/s"),
          (20.0, "20 epochs/s"), (50.0, "50 epochs/s"), (200.0, "200 epochs/s"), (0.0, "as fast as possible"))
LR_SLIDER_STEPS_PER_DECADE = 20
LR_DECADES = (-5, 1)


@dataclass(frozen=True)
class NumberField:
    name: str
    label: str
    whole: bool
    tooltip: str


GROUPS: dict[str, tuple[NumberField, ...]] = {
    "Data": (
        NumberField("mu0", "class 0 mean μ₀", False, "Centre of the Gaussian that class-0 samples are drawn from."),
        NumberField("sigma0", "class 0 spread σ₀", False, "Standard deviation of class 0: how wide it spreads."),
        NumberField("n0", "class 0 samples", True, "How many class-0 samples to draw."),
        NumberField("mu1", "class 1 mean μ₁", False, "Centre of the Gaussian that class-1 samples are drawn from."),
        NumberField("sigma1", "class 1 spread σ₁", False, "Standard deviation of class 1: how wide it spreads."),
        NumberField("n1", "class 1 samples", True, "How many class-1 samples to draw."),
        NumberField("seed", "seed", True, "Same seed, same samples, same starting weights and same shuffles."),
    ),
    "Model": (
        NumberField("init_w", "initial w", False, "Weight before training. Leave 'random' ticked for ±0.01."),
        NumberField("init_b", "initial b", False, "Bias before training. Leave 'random' ticked for ±0.01."),
        NumberField("l2", "L2 penalty λ", False, "Adds (λ/2)·w² to the loss, pulling w towards 0."),
    ),
    "Training": (
        NumberField("lr", "learning rate η", False, "Step size of each update. Too large and training diverges."),
        NumberField("batch_size", "batch size", True, "Samples averaged per update (mini-batch only)."),
        NumberField("epochs", "epochs", True, "Passes over all samples. Can be raised while training."),
    ),
    "Animation": (
        NumberField("every", "snapshot every", True, "Add a small picture to the snapshot grid every N epochs."),
    ),
}


SPECS = {spec.name: spec for specs in GROUPS.values() for spec in specs}


class SettingsPanel(QtWidgets.QWidget):
    """Emits settingsEdited(candidate, problems) after every edit and applyRequested when Enter is pressed in a
    field; the window decides what to apply and when."""

    settingsEdited = QtCore.Signal(object, object)
    applyRequested = QtCore.Signal()
    regenerateRequested = QtCore.Signal()
    loadCsvRequested = QtCore.Signal()
    displayChanged = QtCore.Signal(object)

    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        self._edits: dict[str, QtWidgets.QLineEdit] = {}
        self._random: dict[str, QtWidgets.QCheckBox] = {}
        self._problems: dict[str, str] = {}
        self._updating = False
        self._problem = UNSTUDIED
        layout = QtWidgets.QVBoxLayout(self)
        for title, specs in GROUPS.items():
            box = QtWidgets.QGroupBox(title)
            form = QtWidgets.QFormLayout(box)
            getattr(self, f"_add_{title.lower()}_extras")(form, before=True)
            for spec in specs:
                form.addRow(self._label(spec), self._number_row(spec))
            getattr(self, f"_add_{title.lower()}_extras")(form, before=False)
            layout.addWidget(box)
        layout.addStretch(1)
        self.set_settings(settings)

    def _label(self, spec: NumberField) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(spec.label)
        label.setToolTip(spec.tooltip)
        return label

    def _number_row(self, spec: NumberField) -> QtWidgets.QWidget:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(spec.name)
        edit.setToolTip(spec.tooltip)
        edit.textEdited.connect(self._edited)
        edit.returnPressed.connect(self.applyRequested)
        self._edits[spec.name] = edit
        if spec.name not in ("init_w", "init_b", "lr"):
            return edit
        row = QtWidgets.QWidget()
        box = QtWidgets.QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        if spec.name == "lr":
            self.lr_slider = MarkedSlider()
            low, high = (decade * LR_SLIDER_STEPS_PER_DECADE for decade in LR_DECADES)
            self.lr_slider.setRange(low, high)
            self.lr_slider.setToolTip("Learning rate on a log scale, from 0.00001 to 10.")
            self.lr_slider.valueChanged.connect(self._lr_slid)
            box.addWidget(self.lr_slider, 1)
        else:
            random = QtWidgets.QCheckBox("random ±0.01")
            random.setObjectName(f"{spec.name}_random")
            random.setToolTip("Draw the starting value uniformly from [−0.01, 0.01], as the tutorial does.")
            random.toggled.connect(lambda ticked, name=spec.name: self._random_toggled(name, ticked))
            self._random[spec.name] = random
            box.addWidget(random)
        return row

    def _add_data_extras(self, form: QtWidgets.QFormLayout, before: bool) -> None:
        if before:
            self.preset = QtWidgets.QComboBox()
            self.preset.addItems([*PRESETS, CUSTOM_PRESET])
            self.preset.setToolTip("Ready-made pairs of classes: 'two bumps' overlap, 'far apart' barely touch.")
            self.preset.activated.connect(self._preset_chosen)
            form.addRow("preset", self.preset)
            return
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

    def _add_model_extras(self, form: QtWidgets.QFormLayout, before: bool) -> None:
        if before:
            self.loss = QtWidgets.QComboBox()
            self.loss.addItem("binary cross-entropy", "bce")
            self.loss.addItem("mean squared error", "mse")
            self.loss.setToolTip("Cross-entropy pairs with the sigmoid: its gradient is simply (ŷ − y)·x.\n"
                                 "Squared error keeps a factor ŷ(1 − ŷ) that stalls learning when ŷ saturates.")
            self.loss.activated.connect(self._edited)
            form.addRow("loss", self.loss)

    def _add_training_extras(self, form: QtWidgets.QFormLayout, before: bool) -> None:
        if before:
            self.optimizer = QtWidgets.QComboBox()
            self.optimizer.addItem("SGD, one sample per update", "sgd")
            self.optimizer.addItem("mini-batch", "minibatch")
            self.optimizer.addItem("full batch, one update per epoch", "batch")
            self.optimizer.setToolTip("How many samples each update averages its gradient over.")
            self.optimizer.activated.connect(self._edited)
            form.addRow("optimizer", self.optimizer)
        else:
            self.lr_limit_label = QtWidgets.QLabel()
            self.lr_limit_label.setObjectName("lrLimit")
            self.lr_limit_label.setWordWrap(True)
            self.lr_limit_label.setToolTip("Near the optimum, full-batch gradient descent settles only for η < η_max = "
                                           "2 / λ_max, λ_max the largest curvature of the loss there. Larger steps "
                                           "overshoot by more each time: the loss oscillates or runs away.")
            form.addRow(self.lr_limit_label)
            self.shuffle = QtWidgets.QCheckBox("shuffle every epoch")
            self.shuffle.setToolTip("Visit the samples in a new random order each epoch.")
            self.shuffle.toggled.connect(self._edited)
            form.addRow(self.shuffle)

    def _add_animation_extras(self, form: QtWidgets.QFormLayout, before: bool) -> None:
        if before:
            return
        self.speed = QtWidgets.QComboBox()
        for value, text in SPEEDS:
            self.speed.addItem(text, value)
        self.speed.setToolTip("How fast Play trains. Slow speeds show single updates moving the curves.")
        self.speed.activated.connect(self._edited)
        form.addRow("speed", self.speed)
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
            if settings.lr > 0:
                self.lr_slider.setValue(round(math.log10(settings.lr) * LR_SLIDER_STEPS_PER_DECADE))
            self.loss.setCurrentIndex(self.loss.findData(settings.loss))
            self.optimizer.setCurrentIndex(self.optimizer.findData(settings.optimizer))
            self.shuffle.setChecked(settings.shuffle)
            speed = self.speed.findData(settings.speed)
            self.speed.setCurrentIndex(speed if speed >= 0 else len(SPEEDS) - 1)
            self._show_data_source(settings)
            self._show_lr_limit()
            self._mark({})
        finally:
            self._updating = False

    def settings(self) -> Settings:
        return self._settings

    def set_problem(self, problem: Problem) -> None:
        """Mark η_max on the learning-rate slider and say in words, with the engine's verdict, where η stands."""
        self._problem = problem
        limit = problem.lr_limit
        mark = None if limit is None or limit <= 0 else round(math.log10(limit) * LR_SLIDER_STEPS_PER_DECADE)
        inside = mark is not None and self.lr_slider.minimum() <= mark <= self.lr_slider.maximum()
        self.lr_slider.set_mark(mark if inside else None)
        self._show_lr_limit()

    def _show_lr_limit(self) -> None:
        diagnosis = diagnose(self._problem, self._settings.lr)
        if diagnosis.verdict == Verdict.NO_OPTIMUM:
            self.lr_limit_label.setText("η_max: needs an exact optimum (cross-entropy, overlapping classes or λ > 0).")
            self.lr_limit_label.setStyleSheet("color: #666666;")
        elif diagnosis.verdict == Verdict.STABLE:
            self.lr_limit_label.setText(f"Stable near the optimum for η < η_max = {self._problem.lr_limit:.4g} "
                                        "(the mark).")
            self.lr_limit_label.setStyleSheet("color: #2E6B3A;")
        else:
            self.lr_limit_label.setText(diagnosis.text)
            self.lr_limit_label.setStyleSheet("color: #B03A00; font-weight: bold;")

    def display_options(self) -> DisplayOptions:
        return DisplayOptions(self.at_label.isChecked(), self.histograms.isChecked(), self.every_point.isChecked())

    def _display_toggled(self) -> None:
        self.displayChanged.emit(self.display_options())

    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    def _show_data_source(self, settings: Settings) -> None:
        path = settings.data_path
        self.file_label.setText(Path(path).name if path else "none: samples are drawn from the Gaussians")
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
            parsed = _parse(edit.text(), SPECS[name].whole)
            if parsed is None:
                typing_problems[name] = "Enter a whole number." if SPECS[name].whole else "Enter a number."
            else:
                values[name] = parsed
        values.update(loss=self.loss.currentData(), optimizer=self.optimizer.currentData(),
                      shuffle=self.shuffle.isChecked(), speed=self.speed.currentData())
        self._emit(self._settings.replace(**values), typing_problems)

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
            edit.setToolTip(message or SPECS[name].tooltip)


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
