"""The composed canvas: the neuron view, the loss curve and the growing snapshot grid, with a hover read-out."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.state import DisplayOptions
from gui.style import number
from gui.views import LossView, NeuronView, SnapshotGrid, neuron_title
from model.data import Dataset
from model.neuron import sigmoid
from model.optimum import Optimum
from model.trainer import TrainerView

SNAPSHOT_ROW_HEIGHT = 190


class Canvas(QtWidgets.QWidget):
    """Draws TrainerViews. It holds no training state beyond the last view it was given."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.main_plot = pg.PlotWidget()
        self.main_plot.setToolTip("")
        self.neuron = NeuronView(self.main_plot.getPlotItem())
        self.loss_plot = pg.PlotWidget()
        self.loss = LossView(self.loss_plot.getPlotItem())
        self.snapshot_widget = pg.GraphicsLayoutWidget()
        self.snapshots = SnapshotGrid(self.snapshot_widget.ci)
        self.readout = QtWidgets.QLabel("Hover over the plot to read ŷ at any x.")
        self.readout.setObjectName("readout")
        self.snapshot_label = QtWidgets.QLabel()
        self.last_view: TrainerView | None = None
        self._every = 1

        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.snapshot_widget)
        snapshot_box = QtWidgets.QWidget()
        snapshot_layout = QtWidgets.QVBoxLayout(snapshot_box)
        snapshot_layout.setContentsMargins(0, 0, 0, 0)
        snapshot_layout.addWidget(self.snapshot_label)
        snapshot_layout.addWidget(scroll)
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        main_box = QtWidgets.QWidget()
        main_layout = QtWidgets.QVBoxLayout(main_box)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.main_plot, 1)
        main_layout.addWidget(self.readout)
        top.addWidget(main_box)
        top.addWidget(self.loss_plot)
        top.setSizes([640, 360])
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.splitter.setObjectName("canvasSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(snapshot_box)
        self.splitter.setSizes([520, 300])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.main_plot.scene().sigMouseMoved.connect(self._hover)
        self.snapshot_widget.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.snapshot_widget and event.type() == QtCore.QEvent.Type.Resize:
            self.snapshots.fit_width(self.snapshot_widget.width())
        return super().eventFilter(watched, event)

    def set_data(self, data: Dataset, loss: str, every: int, display: DisplayOptions) -> None:
        """New samples or display options: redraw the samples and start the snapshot grid again."""
        self.neuron.set_data(data, display.samples_at_label, display.histograms)
        self.snapshots.clear()
        self.snapshots.set_data(data, display.samples_at_label)
        self.loss.set_loss_name(loss)
        self.set_snapshot_interval(every)
        if self.last_view is not None:
            self.show_view(self.last_view)

    def set_optimum(self, optimum: Optimum) -> None:
        self.loss.set_optimum(optimum.loss if optimum.exists else None)
        self.neuron.set_optimum(optimum)

    def show_view(self, view: TrainerView) -> None:
        self.last_view = view
        self.neuron.show(view.w, view.b, neuron_title(view.epoch, view.loss, view.accuracy))
        self.loss.show(view.history, view.total_epochs)
        self.snapshots.show(view.snapshots)
        self.snapshot_widget.setMinimumHeight(self.snapshots.rows * SNAPSHOT_ROW_HEIGHT)
        self._label_snapshots(view)

    def set_snapshot_interval(self, every: int) -> None:
        self._every = every
        if self.last_view is not None:
            self._label_snapshots(self.last_view)

    def _label_snapshots(self, view: TrainerView) -> None:
        shown, taken = len(self.snapshots.cells), len(view.snapshots)
        text = f"Snapshots every {self._every} epochs, like the tutorial's grid of figures"
        if shown < taken:
            text += f" (showing {shown} of {taken}, evenly spaced)"
        self.snapshot_label.setText(text)

    def _hover(self, position: QtCore.QPointF) -> None:
        plot = self.main_plot.getPlotItem()
        if self.last_view is None or not plot.sceneBoundingRect().contains(position):
            return
        x = plot.vb.mapSceneToView(position).x()
        z = self.last_view.w * x + self.last_view.b
        y_hat = float(sigmoid(z))
        self.readout.setText(
            f"x = {x:.3f}   z = w·x + b = {number(z, 3)}   ŷ = σ(z) = {y_hat:.3f}   → class {int(y_hat > 0.5)}")
