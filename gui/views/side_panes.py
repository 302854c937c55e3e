"""The panes around the neuron view: the parameter view with its controls and the update card, the loss curve and the
snapshot grid. They are two thirds of the window's construction, so the canvas makes them once its neuron view has
painted the first view (or as soon as anything asks for them): the window appears without waiting for them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.base.state import DisplayOptions
from gui.base.style import VERDICT_WORDS, number
from gui.base.surface_picture import SurfacePicture
from gui.views.hints import FrameHint
from gui.views.parameter_view import TITLE as PARAMETER_TITLE
from gui.views.parameter_view import ParameterView
from gui.views.picking import PickingViewBox
from gui.views.plots import LossView, SnapshotGrid, legend_below
from model.anatomy import UpdateStep, card
from model.data import Dataset, Scale
from model.diagnosis import Diagnosis
from model.history import EpochRecord, HistoryView
from model.neuron import boundary
from model.optimum import Optimum
from model.problem import Problem, Window
from model.trainer import TrainerView

SNAPSHOT_ROW_HEIGHT = 204
PREBUILD_INTERVAL_MS = 40
CARD_HINT = "One update, worked out with its numbers, appears here after Shift+Right."
LOSS_HINT = "Play or Space trains; the loss after each epoch appears here."
LOSS_DIVERGED_HINT = "The run diverged before its first epoch ended, so there is no loss to draw. Ctrl+R resets it."


HOVER_RATE = 60
"""Hover read-outs follow the mouse at most this many times a second."""

class SidePanes(QtCore.QObject):
    """Fills the three empty pane boxes the canvas laid out. Draws only what it is given.

    rangeMoved: the learner panned or zoomed the parameter view."""

    rangeMoved = QtCore.Signal()

    def __init__(self, parameter_box: QtWidgets.QWidget, loss_box: QtWidgets.QWidget,
                 snapshot_box: QtWidgets.QWidget, card_box: QtWidgets.QWidget, picked: QtCore.SignalInstance,
                 fit: QtCore.SignalInstance):
        super().__init__(parameter_box)
        self.param_widget = pg.GraphicsLayoutWidget()
        picking = PickingViewBox()
        picking.picked.connect(picked)
        param_plot = pg.PlotItem(viewBox=picking)
        self.param_widget.addItem(param_plot, row=0, col=0)
        legend_below(self.param_widget.ci, param_plot, row=1, columns=3)
        self.parameters = ParameterView(param_plot, titled=False)
        picking.sigRangeChangedManually.connect(self.rangeMoved)
        self.param_widget.setToolTip("Click or drag to start training there; Shift+drag pans, the wheel zooms.")
        self.log_colours = QtWidgets.QCheckBox("log colours")
        self.log_colours.setObjectName("logColours")
        self.log_colours.setToolTip("Colour the loss on a log scale, so its low valley shows detail.")
        self.log_colours.setChecked(True)
        self.log_colours.toggled.connect(self.parameters.set_log_colours)
        self.fit_button = QtWidgets.QPushButton("Fit")
        self.fit_button.setObjectName("fitButton")
        self.fit_button.setToolTip("Frame the start, the whole path and the optimum (F)")
        self.fit_button.setShortcut(QtGui.QKeySequence("F"))
        self.fit_button.clicked.connect(fit)
        self.param_readout = QtWidgets.QLabel(f"{PARAMETER_TITLE}: hover to read it.")
        self.param_readout.setObjectName("paramReadout")
        self.param_readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                         QtWidgets.QSizePolicy.Policy.Preferred)
        """A long read-out never widens its column at the neuron view's cost."""
        self.card = QtWidgets.QPlainTextEdit()
        self.card.setObjectName("updateCard")
        self.card.setReadOnly(True)
        self.card.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.card.setPlaceholderText(CARD_HINT)

        self.loss_plot = pg.GraphicsLayoutWidget()
        loss_plot = self.loss_plot.ci.addPlot(row=0, col=0)
        legend_below(self.loss_plot.ci, loss_plot, row=1, columns=2)
        self.loss = LossView(loss_plot, titled=False)
        self.loss_hint = FrameHint(loss_plot, LOSS_HINT)
        self._diagnosis: Diagnosis | None = None
        self._step: UpdateStep | None = None
        self.snapshot_widget = pg.GraphicsLayoutWidget()
        self.snapshots = SnapshotGrid(self.snapshot_widget.ci)
        self.snapshots.fix_row_height(SNAPSHOT_ROW_HEIGHT)
        self._fit_snapshot_rows()
        self.snapshot_label = QtWidgets.QLabel()
        self._scale: Scale | None = None
        """How the samples shown were standardised, for the optimum's card."""
        self.snapshot_label.setWordWrap(True)
        """Wrapped, a long label (a thinned grid's) never widens its pane at the neuron view's cost."""
        self._fill(parameter_box, loss_box, snapshot_box)
        card_box.layout().addWidget(self.card)
        self._hover_proxy = pg.SignalProxy(self.param_widget.scene().sigMouseMoved, rateLimit=HOVER_RATE,
                                           slot=self._hover)
        self._prebuild_timer = QtCore.QTimer(self)
        self._prebuild_timer.setInterval(PREBUILD_INTERVAL_MS)
        self._prebuild_timer.timeout.connect(self._prebuild)
        self._prebuild_timer.start()

    def _fill(self, parameter_box: QtWidgets.QWidget, loss_box: QtWidgets.QWidget,
              snapshot_box: QtWidgets.QWidget) -> None:
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(self.param_readout, 1)
        controls.addWidget(self.log_colours)
        controls.addWidget(self.fit_button)
        parameter_box.layout().addWidget(self.param_widget, 1)
        parameter_box.layout().addLayout(controls)
        loss_box.layout().addWidget(self.loss_plot)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.snapshot_widget)
        self.snapshot_viewport = scroll.viewport()
        self.snapshot_viewport.installEventFilter(self)
        snapshot_box.layout().addWidget(self.snapshot_label)
        snapshot_box.layout().addWidget(scroll, 1)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Columns follow the width the scroll area shows, not the grid's own: fixed columns make the grid at least
        as wide as they are, so taking their width from the grid could never let it narrow again."""
        if watched is self.snapshot_viewport and event.type() == QtCore.QEvent.Type.Resize:
            self.snapshots.fit_width(self.snapshot_viewport.width())
        return super().eventFilter(watched, event)

    def set_data(self, data: Dataset, loss: str, display: DisplayOptions, snapshots: int) -> None:
        """New samples: the grid starts again, with cells made ahead for the `snapshots` the run will take."""
        self._scale = data.scale
        self.snapshots.clear()
        self._fit_snapshot_rows()
        self.snapshots.set_data(data, display, snapshots)
        self._prebuild_timer.start()
        self.loss.set_loss_name(loss)

    def show_loss(self, history: HistoryView, total_epochs: int, diverged: bool,
                  others: Sequence[np.ndarray] = ()) -> None:
        """The loss curve (framing the other runs' losses too), or what to do while no epoch has been trained."""
        self.loss.show(history, total_epochs, others)
        self.loss_hint.set_text(LOSS_DIVERGED_HINT if diverged else LOSS_HINT)
        self.loss_hint.show(history.epoch.size < 2)

    def show_snapshots(self, snapshots: Sequence[EpochRecord]) -> None:
        self.snapshots.show(snapshots)
        self._fit_snapshot_rows()

    def _fit_snapshot_rows(self) -> None:
        """The grid is as tall as its rows on show (one at least): one row fits its pane without scrolling, and
        only a second row brings the scroll bar. The height changes only when a row is added or taken away."""
        height = SNAPSHOT_ROW_HEIGHT * max(1, self.snapshots.rows)
        if self.snapshot_widget.minimumHeight() != height:
            self.snapshot_widget.setMinimumHeight(height)

    def set_problem(self, problem: Problem) -> None:
        optimum = problem.optimum
        self.loss.set_optimum(optimum)
        self.parameters.set_optimum(optimum, problem.ray)
        text = optimum_card(problem, self.parameters.reason, self._scale)
        self.card.setPlaceholderText(text)
        self.card.setToolTip(text)
        self.card.viewport().update()

    def set_picture(self, picture: SurfacePicture | None) -> None:
        if picture is not None and self.parameters.picture is None:
            self.log_colours.setChecked(picture.spans_decades)
        self.parameters.set_picture(picture)

    def set_accent(self, colour: str | None) -> None:
        self.loss.set_accent(colour)
        self.parameters.set_accent(colour)
        self.snapshots.set_accent(colour)

    def show_update(self, step: UpdateStep | None) -> None:
        self._step = step
        self.parameters.show_update(None if step is None else step.update)
        self._write_card()

    def show_diagnosis(self, diagnosis: Diagnosis) -> None:
        """The run's verdict, which the worked update ends with."""
        self._diagnosis = diagnosis
        self._write_card()

    def _write_card(self) -> None:
        if self._step is None:
            self.card.clear()
            return
        lines = card(self._step.update)
        if self._diagnosis is not None:
            lines += ["", f"Verdict: {VERDICT_WORDS[self._diagnosis.verdict]}. {self._diagnosis.text}"]
        self.card.setPlainText("\n".join(lines))

    def show_batch_loss(self, picture: SurfacePicture) -> None:
        self.parameters.show_batch_contours(picture.contour_lines(self.log_colours.isChecked()))

    def frame(self, window: Window) -> None:
        self.parameters.plot.setRange(xRange=window[0], yRange=window[1], padding=0)

    def parameter_range(self) -> Window:
        w_range, b_range = self.parameters.plot.vb.viewRange()
        return tuple(w_range), tuple(b_range)

    def label_snapshots(self, view: TrainerView, every: int) -> None:
        shown, taken = len(self.snapshots.cells), len(view.snapshots)
        interval = "every epoch" if every == 1 else f"every {every} epochs"
        text = f"Snapshots {interval}, like the tutorial's grid of figures"
        if shown < taken:
            text += f" (showing {shown} of {taken}, evenly spaced)"
        self.snapshot_label.setText(text)

    def _prebuild(self) -> None:
        """Make the snapshot cells a few at a time once the window is up, so none is made while training runs."""
        if not self.snapshots.prebuild():
            self._prebuild_timer.stop()

    def _hover(self, moved: tuple[QtCore.QPointF]) -> None:
        """The read-out under the mouse (moved: the scene position, as pg.SignalProxy passes it)."""
        position = moved[0]
        plot = self.parameters.plot
        if not plot.sceneBoundingRect().contains(position):
            return
        point = plot.vb.mapSceneToView(position)
        w, b = point.x(), point.y()
        value = self.parameters.value_at(w, b)
        loss = "outside the computed surface" if value is None else f"loss ≈ {number(value)}"
        self.param_readout.setText(f"w = {number(w, 3)}   b = {number(b, 3)}   {loss}")


def _in_data_units(optimum: Optimum, scale: Scale | None) -> str:
    if scale is None:
        return ""
    units = scale.neuron_in_data_units(optimum.w, optimum.b, boundary(optimum.w, optimum.b))
    return f" (in x: w = {number(units['w'], sign=True)}, b = {number(units['b'], sign=True)})"


def optimum_card(problem: Problem, reason: str, scale: Scale | None = None) -> str:
    """What the card says until an update is taken apart: why there is no optimum (reason, when the loss keeps
    falling), or the exact optimum with the scikit-learn calls that return it, or that squared error has none; then
    the hint."""
    if problem.ray is not None:
        return "\n".join([reason, CARD_HINT])
    library, optimum = problem.library, problem.optimum
    if library is None:
        return CARD_HINT
    if library.exists and not optimum.exists:
        return "\n".join([optimum.reason, CARD_HINT])
    lines = library.lines()
    if optimum.exists:
        lines.insert(0, f"Exact optimum w = {number(optimum.w, sign=True)}, b = {number(optimum.b, sign=True)}"
                        f"{_in_data_units(optimum, scale)}, as scikit-learn finds it:")
    return "\n".join([*lines, CARD_HINT])
