"""The composed canvas: the neuron view with each sample's pull on the gradient under it, the parameter view of the
loss over (w, b), the loss curve and the growing snapshot grid, in resizable panes that the window remembers.
Legends sit under their plots, never over the data."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.parameter_view import ParameterView
from gui.picking import PickingViewBox
from gui.state import DisplayOptions
from gui.style import number
from gui.surface_picture import SurfacePicture
from gui.update_views import SharesView
from gui.views import LossView, NeuronView, SnapshotGrid, legend_below, neuron_title
from model.anatomy import UpdateStep, card
from model.data import Dataset
from model.neuron import sigmoid
from model.problem import Problem
from model.trainer import TrainerView

SNAPSHOT_ROW_HEIGHT = 190
SPLITTERS = ("canvasSplitter", "topSplitter", "bottomSplitter")
PREBUILD_INTERVAL_MS = 40
CARD_HINT = "One update, worked out with its numbers, appears here after Shift+Right."


class Canvas(QtWidgets.QWidget):
    """Draws TrainerViews. It holds no training state beyond what it was last given to draw.

    startPicked(w, b): the learner clicked or dragged in the parameter view. fitRequested: frame the whole path.
    """

    startPicked = QtCore.Signal(float, float)
    fitRequested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.last_view: TrainerView | None = None
        self._every = 1
        self._partial: list[tuple[float, float]] = []
        self._partial_epoch = -1
        self._last_updates = -1
        self._panes = ("parameters", "loss", "snapshots")
        self._stale: set[str] = set()
        self._turn = 0
        self._recent = np.empty((0, 2))

        self.main_plot = pg.GraphicsLayoutWidget()
        layout = self.main_plot.ci
        neuron_plot = layout.addPlot(row=0, col=0)
        legend_below(layout, neuron_plot, row=1, columns=3)
        self.neuron = NeuronView(neuron_plot)
        shares_plot = layout.addPlot(row=2, col=0)
        legend_below(layout, shares_plot, row=3, columns=3)
        shares_plot.setXLink(neuron_plot)
        self.shares = SharesView(shares_plot)
        layout.layout.setRowStretchFactor(0, 3)
        layout.layout.setRowStretchFactor(2, 1)
        self.readout = QtWidgets.QLabel("Hover over the plot to read ŷ at any x.")
        self.readout.setObjectName("readout")

        self.param_widget = pg.GraphicsLayoutWidget()
        picking = PickingViewBox()
        picking.picked.connect(self.startPicked)
        param_plot = pg.PlotItem(viewBox=picking)
        self.param_widget.addItem(param_plot, row=0, col=0)
        legend_below(self.param_widget.ci, param_plot, row=1, columns=3)
        self.parameters = ParameterView(param_plot)
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
        self.fit_button.clicked.connect(self.fitRequested)
        self.param_readout = QtWidgets.QLabel("Hover to read w, b and the loss.")
        self.param_readout.setObjectName("paramReadout")
        self.card = QtWidgets.QPlainTextEdit()
        self.card.setObjectName("updateCard")
        self.card.setReadOnly(True)
        self.card.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.card.setMaximumHeight(124)
        self.card.setPlaceholderText(CARD_HINT)

        self.loss_plot = pg.GraphicsLayoutWidget()
        loss_plot = self.loss_plot.ci.addPlot(row=0, col=0)
        legend_below(self.loss_plot.ci, loss_plot, row=1, columns=2)
        self.loss = LossView(loss_plot)
        self.snapshot_widget = pg.GraphicsLayoutWidget()
        self.snapshots = SnapshotGrid(self.snapshot_widget.ci)
        self.snapshot_widget.setMinimumHeight(round(self.snapshots.fix_row_height(SNAPSHOT_ROW_HEIGHT)))
        self.snapshot_label = QtWidgets.QLabel()
        self._lay_out()
        self.main_plot.scene().sigMouseMoved.connect(self._hover)
        self.param_widget.scene().sigMouseMoved.connect(self._hover_parameters)
        self._prebuild_timer = QtCore.QTimer(self)
        self._prebuild_timer.setInterval(PREBUILD_INTERVAL_MS)
        self._prebuild_timer.timeout.connect(self._prebuild)

    def _lay_out(self) -> None:
        main_box = _column(self.main_plot, self.readout)
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(self.param_readout, 1)
        controls.addWidget(self.log_colours)
        controls.addWidget(self.fit_button)
        param_box = _column(self.param_widget)
        param_box.layout().addLayout(controls)
        param_box.layout().addWidget(self.card)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.snapshot_widget)
        self._snapshot_viewport = scroll.viewport()
        self._snapshot_viewport.installEventFilter(self)
        snapshot_box = _column(self.snapshot_label, scroll)
        top = _splitter("topSplitter", QtCore.Qt.Orientation.Horizontal, [main_box, param_box], [540, 460])
        bottom = _splitter("bottomSplitter", QtCore.Qt.Orientation.Horizontal, [self.loss_plot, snapshot_box],
                           [400, 600])
        self.splitter = _splitter("canvasSplitter", QtCore.Qt.Orientation.Vertical, [top, bottom], [640, 230])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Columns follow the width the scroll area shows, not the grid's own: fixed columns make the grid at least
        as wide as they are, so taking their width from the grid could never let it narrow again."""
        if watched is self._snapshot_viewport and event.type() == QtCore.QEvent.Type.Resize:
            self.snapshots.fit_width(self._snapshot_viewport.width())
        return super().eventFilter(watched, event)

    def save_layout(self, store: QtCore.QSettings) -> None:
        for splitter in self.findChildren(QtWidgets.QSplitter):
            if splitter.objectName() in SPLITTERS:
                store.setValue(f"canvas/{splitter.objectName()}", splitter.saveState())

    def restore_layout(self, store: QtCore.QSettings) -> None:
        for splitter in self.findChildren(QtWidgets.QSplitter):
            state = store.value(f"canvas/{splitter.objectName()}")
            if isinstance(state, QtCore.QByteArray):
                splitter.restoreState(state)

    def set_data(self, data: Dataset, loss: str, every: int, display: DisplayOptions) -> None:
        """New samples or display options: redraw the samples and start the snapshot grid again."""
        self.neuron.set_data(data, display)
        self.show_update(None)
        self.shares.place_hint(data.x_range)
        self.snapshots.clear()
        self.snapshots.set_data(data, display)
        self.loss.set_loss_name(loss)
        self.set_snapshot_interval(every)
        if self.last_view is not None:
            self.show_view(self.last_view)

    def set_problem(self, problem: Problem) -> None:
        optimum = problem.optimum
        self.loss.set_optimum(optimum.loss if optimum.exists else None)
        self.neuron.set_optimum(optimum)
        self.parameters.set_optimum(optimum, problem.ray)
        self.card.setPlaceholderText(self.parameters.reason if problem.ray is not None else CARD_HINT)
        self.card.viewport().update()

    def set_picture(self, picture: SurfacePicture | None) -> None:
        if picture is not None and self.parameters.picture is None:
            self.log_colours.setChecked(picture.spans_decades)
        self.parameters.set_picture(picture)

    def show_view(self, view: TrainerView, in_turn: bool = False) -> None:
        """Draw a view on every pane, or, `in_turn` (while training plays), on the neuron view and on just one of
        the others, taking turns: each frame then paints about half as much, and every pane still moves many times
        a second. catch_up() brings the panes left behind up to date."""
        if self.last_view is None:
            self._prebuild_timer.start()
        self.last_view = view
        self.neuron.show(view.w, view.b, neuron_title(view.epoch, view.loss, view.accuracy))
        self._recent = self._recent_path(view)
        self._stale = set(self._panes)
        if in_turn:
            self._turn = (self._turn + 1) % len(self._panes)
            self._show_pane(self._panes[self._turn])
        else:
            self.catch_up()

    def catch_up(self) -> None:
        """Draw the last view on the panes a turn-taking draw left behind."""
        for pane in self._panes:
            if pane in self._stale:
                self._show_pane(pane)

    def _show_pane(self, pane: str) -> None:
        view = self.last_view
        self._stale.discard(pane)
        if pane == "loss":
            self.loss.show(view.history, view.total_epochs)
        elif pane == "snapshots":
            self.snapshots.show(view.snapshots)
            self._label_snapshots(view)
        else:
            self.parameters.show_path(view.history.w, view.history.b, self._recent)

    def show_update(self, step: UpdateStep | None, data: Dataset | None = None) -> None:
        """Take the last single update apart on every view, or clear that when training moves on otherwise."""
        if step is None or data is None:
            self.neuron.show_update(None)
            self.shares.show(None)
            self.parameters.show_update(None)
            self.card.clear()
            return
        update = step.update
        self.neuron.show_update((update.w, update.b), update.x, update.y)
        self.shares.show(update, data.x, data.y, step.share_w, step.share_b)
        self.parameters.show_update(update)
        self.card.setPlainText("\n".join(card(update)))

    def _prebuild(self) -> None:
        """Make the snapshot cells a few at a time after the window opens, so none is made while training runs."""
        if not self.snapshots.prebuild():
            self._prebuild_timer.stop()

    def set_snapshot_interval(self, every: int) -> None:
        self._every = every
        if self.last_view is not None:
            self._label_snapshots(self.last_view)

    def _recent_path(self, view: TrainerView) -> np.ndarray:
        """Every (w, b) drawn since the last epoch ended, as rows: with the history's one point per epoch, stepping
        and slow speeds show each update while fast training shows one point per epoch."""
        if view.updates < self._last_updates or view.epoch != self._partial_epoch:
            self._partial = []
            self._partial_epoch = view.epoch
        self._last_updates = view.updates
        if view.position > 0:
            self._partial.append((view.w, view.b))
        return np.array(self._partial, dtype=float).reshape(-1, 2)

    def _label_snapshots(self, view: TrainerView) -> None:
        shown, taken = len(self.snapshots.cells), len(view.snapshots)
        text = f"Snapshots every {self._every} epochs, like the tutorial's grid of figures"
        if shown < taken:
            text += f" (showing {shown} of {taken}, evenly spaced)"
        self.snapshot_label.setText(text)

    def _hover(self, position: QtCore.QPointF) -> None:
        plot = self.neuron.plot
        if self.last_view is None or not plot.sceneBoundingRect().contains(position):
            return
        x = plot.vb.mapSceneToView(position).x()
        z = self.last_view.w * x + self.last_view.b
        y_hat = float(sigmoid(z))
        self.readout.setText(
            f"x = {x:.3f}   z = w·x + b = {number(z, 3)}   ŷ = σ(z) = {y_hat:.3f}   → class {int(y_hat > 0.5)}")

    def _hover_parameters(self, position: QtCore.QPointF) -> None:
        plot = self.parameters.plot
        if not plot.sceneBoundingRect().contains(position):
            return
        point = plot.vb.mapSceneToView(position)
        w, b = point.x(), point.y()
        value = self.parameters.value_at(w, b)
        loss = "outside the computed surface" if value is None else f"loss ≈ {number(value)}"
        self.param_readout.setText(f"w = {number(w, 3)}   b = {number(b, 3)}   {loss}")


def _column(*widgets: QtWidgets.QWidget) -> QtWidgets.QWidget:
    box = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, pg.GraphicsView | QtWidgets.QScrollArea) else 0)
    return box


def _splitter(name: str, orientation: QtCore.Qt.Orientation, widgets: list[QtWidgets.QWidget],
              sizes: list[int]) -> QtWidgets.QSplitter:
    splitter = QtWidgets.QSplitter(orientation)
    splitter.setObjectName(name)
    splitter.setChildrenCollapsible(False)
    for widget in widgets:
        splitter.addWidget(widget)
    splitter.setSizes(sizes)
    return splitter
