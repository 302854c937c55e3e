"""The composed canvas: the neuron view with each sample's pull on the gradient under it, the parameter view of the
loss over (w, b), the loss curve and the growing snapshot grid, in resizable panes that the window remembers.
Legends sit under their plots, never over the data.

The canvas makes the neuron view at once and the other panes (gui.views.side_panes) once the neuron view has painted its
first view, or as soon as anything asks for them; until then it keeps what they are to show and hands it to them
when made. The window thus appears without waiting for two thirds of its construction."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.base.state import RunState
from gui.base.style import GUESS_COLOUR, brush, number, pen
from gui.base.surface_picture import SurfacePicture
from gui.views.other_runs import OtherRuns
from gui.views.plots import NeuronView, input_label, legend_below, neuron_title
from gui.views.side_panes import HOVER_RATE, SidePanes
from gui.views.update_views import SharesView
from model.anatomy import UpdateStep
from model.diagnosis import Diagnosis
from model.neuron import sigmoid
from model.problem import Problem, Window
from model.trainer import DIVERGED, TrainerView
from model.truth import TrueAnswer

SPLITTERS = ("columnSplitter", "sideSplitter")
PANES = ("neuron", "parameters", "loss", "snapshots")
"""The panes a lesson may show, by the names lessons give them (model.lesson.PANES)."""
SIDE_PANES_LATEST_MS = 300
LEFT_AXIS_WIDTH = 64
"""The neuron view's and the shares' left axes are as wide as each other, so each stem stands under its sample."""
OTHER_RUNS_INTERVAL_MS = 33
"""Other runs' views are drawn together at most this often: five of them arriving one by one would otherwise each
cost a frame of their own."""
TURN_MS_PER_RUN = 8
"""While training plays, the side panes take turns at most every this many ms per run drawn: one run, every frame
(about 60 turns a second); six, every 48 ms, since each pane then draws six curves, and drawing all of them every
frame would leave the neuron view far fewer frames."""
TURN_LATEST_MS = 100
"""A side pane's turn waits for the neuron view to paint, but no longer than this (should it not paint at all)."""


class Canvas(QtWidgets.QWidget):
    """Draws TrainerViews. It holds no training state beyond what it was last given to draw.

    startPicked(w, b): the learner clicked or dragged in the parameter view. fitRequested: frame the whole path.
    parametersMoved: the learner panned or zoomed the parameter view. panesMade: the panes made after the first
    frame (`side`) exist now. dataClicked(x): the learner clicked in the neuron view at x.
    """

    startPicked = QtCore.Signal(float, float)
    fitRequested = QtCore.Signal()
    parametersMoved = QtCore.Signal()
    panesMade = QtCore.Signal()
    dataClicked = QtCore.Signal(float)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.last_view: TrainerView | None = None
        """The view drawn last (what the learner sees), not the run's state, which the run alone holds."""
        self._state: Callable[[], RunState | None] = lambda: None
        self._partial: list[tuple[float, float]] = []
        self._partial_epoch = -1
        self._last_updates = -1
        self._panes = ("parameters", "loss", "snapshots")
        self._stale: set[str] = set()
        self._turn = 0
        self._taking_turns = False
        """Whether the selected run's frames take turns among the panes (it plays): other runs' moves then leave their
        panes to those turns."""
        self._last_turn = QtCore.QElapsedTimer()
        self._turn_timer = QtCore.QTimer(self)
        self._turn_timer.setSingleShot(True)
        self._turn_timer.timeout.connect(self._take_turn)
        self._waiting: TrainerView | None = None
        self._after_turn = QtCore.QTimer(self)
        """Active from a side pane's turn to the end of that pass of the event loop: a frame of the neuron view that
        comes meanwhile waits for the next pass, after the pane has painted."""
        self._after_turn.setSingleShot(True)
        self._after_turn.setInterval(0)
        self._after_turn.timeout.connect(self._show_waiting)
        self._rescale_timer = QtCore.QTimer(self)
        self._rescale_timer.setSingleShot(True)
        self._rescale_timer.setInterval(0)
        self._rescale_timer.timeout.connect(self._parameters_rescaled)
        self._recent = np.empty((0, 2))
        self._side: SidePanes | None = None
        self._diagnosis: Diagnosis | None = None
        self._tab_before_update = 0
        self._frame: Window | None = None
        self._guess_line: pg.InfiniteLine | None = None
        self._guess_point: pg.ScatterPlotItem | None = None
        self._accent: str | None = None

        self.main_plot = pg.GraphicsLayoutWidget()
        layout = self.main_plot.ci
        neuron_plot = layout.addPlot(row=0, col=0)
        legend_below(layout, neuron_plot, row=1, columns=3)
        self.neuron = NeuronView(neuron_plot)
        self.others = OtherRuns(neuron_plot)
        self._other_pending: dict[int, tuple[str, TrainerView]] = {}
        self._other_timer = QtCore.QTimer(self)
        self._other_timer.setSingleShot(True)
        self._other_timer.setInterval(OTHER_RUNS_INTERVAL_MS)
        self._other_timer.timeout.connect(self._draw_others)
        shares_plot = layout.addPlot(row=2, col=0)
        legend_below(layout, shares_plot, row=3, columns=3)
        shares_plot.setXLink(neuron_plot)
        self.shares = SharesView(shares_plot)
        for plot in (neuron_plot, shares_plot):
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        layout.layout.setRowStretchFactor(0, 15)
        layout.layout.setRowStretchFactor(2, 13)
        self.readout = QtWidgets.QLabel("Hover over the plot to read ŷ at any x.")
        self.readout.setObjectName("readout")
        self._boxes = tuple(_column(name=name) for name in ("parameterPane", "lossPane", "snapshotPane", "cardPane"))
        self._lay_out()
        self._hover_proxy = pg.SignalProxy(self.main_plot.scene().sigMouseMoved, rateLimit=HOVER_RATE,
                                           slot=self._hover)
        self._side_timer = QtCore.QTimer(self)
        self._side_timer.setSingleShot(True)
        self._side_timer.setInterval(SIDE_PANES_LATEST_MS)
        self._side_timer.timeout.connect(self._make_side)
        self.main_plot.viewport().installEventFilter(self)
        self.main_plot.scene().sigMouseClicked.connect(self._clicked)

    def _lay_out(self) -> None:
        """Two columns that fit a 1366 × 768 laptop with room for a slim row under them: the neuron view over the
        shares (x-linked, so each stem stands under its sample), and the parameter view over tabs for the panes
        one looks at in turn: the loss curve, the snapshots and the worked update."""
        main_box = self.main_column = _column(self.main_plot, self.readout)
        """The neuron view's column: a notice over it (the window's banner) leaves the other column's plots
        their height."""
        param_box, loss_box, snapshot_box, card_box = self._boxes
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("paneTabs")
        self.tabs.setDocumentMode(True)
        for box, title in ((loss_box, "Loss per epoch"), (snapshot_box, "Snapshots"),
                           (card_box, "One update, worked out")):
            self.tabs.addTab(box, title)
        self.tabs.currentChanged.connect(self.catch_up)
        side = _splitter("sideSplitter", QtCore.Qt.Orientation.Vertical, [param_box, self.tabs], [340, 320])
        self.splitter = _splitter("columnSplitter", QtCore.Qt.Orientation.Horizontal, [main_box, side], [540, 450])
        self._pane_boxes = dict(zip(PANES, (main_box, param_box, loss_box, snapshot_box), strict=True))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def show_panes(self, names: tuple[str, ...] | list[str]) -> None:
        """Show only these panes (the neuron view always): the parameter view above the tabs only if named, of the
        tabs only the named ones and the worked update, and the side column only if it holds a named pane.
        show_all_panes() brings every pane back."""
        shown = {"neuron", *names}
        self._pane_boxes["parameters"].setVisible("parameters" in shown)
        for name in ("loss", "snapshots"):
            self.tabs.setTabVisible(self.tabs.indexOf(self._pane_boxes[name]), name in shown)
        first = next((name for name in ("loss", "snapshots") if name in shown), None)
        if first is not None:
            self.tabs.setCurrentWidget(self._pane_boxes[first])
        self.tabs.parentWidget().setVisible(bool(shown - {"neuron"}))
        self.catch_up()

    def show_all_panes(self) -> None:
        """The full canvas again: every pane and every tab."""
        self.tabs.parentWidget().setVisible(True)
        self._pane_boxes["parameters"].setVisible(True)
        for index in range(self.tabs.count()):
            self.tabs.setTabVisible(index, True)
        self.catch_up()

    def shown_panes(self) -> tuple[str, ...]:
        """The panes a learner can see now, by their lesson names."""
        visible = {"neuron": True, "parameters": self._on_show("parameters"),
                   **{name: self.tabs.isTabVisible(self.tabs.indexOf(self._pane_boxes[name]))
                      for name in ("loss", "snapshots")}}
        return tuple(name for name in PANES if visible[name])

    def mark_guess(self, guess: float | tuple[float, float] | None) -> None:
        """A lesson's guess beside the truth the views then show: a dashed line at x in the neuron view, a cross at
        (w, b) in the parameter view; None takes both away."""
        if self._guess_line is None:
            self._guess_line = pg.InfiniteLine(angle=90, pen=pen(GUESS_COLOUR, 2, dashed=True), label="your guess",
                                               labelOpts={"position": 0.92, "color": GUESS_COLOUR})
            self.neuron.plot.addItem(self._guess_line, ignoreBounds=True)
            self._guess_point = pg.ScatterPlotItem(size=16, symbol="x", brush=brush(GUESS_COLOUR, 255), pen=None)
            self.side.parameters.plot.addItem(self._guess_point, ignoreBounds=True)
        at_x = isinstance(guess, float | int)
        self._guess_line.setVisible(at_x)
        if at_x:
            self._guess_line.setValue(float(guess))
        self._guess_point.setData(*([[guess[0]], [guess[1]]] if isinstance(guess, tuple) else [[], []]))

    @property
    def marked_guess(self) -> float | tuple[float, float] | None:
        """The guess the views show now, read back from what they draw."""
        if self._guess_line is None:
            return None
        if self._guess_line.isVisible():
            return float(self._guess_line.value())
        w, b = self._guess_point.getData()
        return (float(w[0]), float(b[0])) if len(w) else None

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.main_plot.viewport() and event.type() == QtCore.QEvent.Type.Paint:
            self._neuron_painting()
        return super().eventFilter(watched, event)

    def _neuron_painting(self) -> None:
        """What waits for the neuron view to paint comes on the next turn of the event loop. The other panes are
        made after it has painted its first view (or SIDE_PANES_LATEST_MS after its first paint, should no view
        come): the window is on screen by then. Later, a side pane whose turn has come paints after the neuron
        view instead of in the same pass of the event loop, which held the window's thread for up to 45 ms with
        six runs racing."""
        if self._side is not None:
            if self._turn_timer.isActive():
                self._turn_timer.start(0)
        elif self.last_view is not None:
            self._side_timer.start(0)
        elif not self._side_timer.isActive():
            self._side_timer.start()

    @property
    def panes_made(self) -> bool:
        return self._side is not None

    @property
    def side(self) -> SidePanes:
        """The parameter view, loss curve and snapshot grid, made now if they were not yet."""
        if self._side is None:
            self._make_side()
        return self._side

    def _make_side(self) -> None:
        """Make the other panes and show on them the run as it stands now."""
        if self._side is not None:
            return
        self._side_timer.stop()
        side = self._side = SidePanes(*self._boxes, picked=self.startPicked, fit=self.fitRequested)
        side.rangeMoved.connect(self.parametersMoved)
        side.parameters.plot.vb.sigTransformChanged.connect(self._rescale_timer.start)
        self.others.attach_side(side.loss.plot, side.parameters.plot)
        side.set_accent(self._accent)
        state = self._state()
        if state is not None:
            side.set_data(state.data, state.settings.loss, state.display, state.settings.planned_snapshots)
            side.set_problem(state.problem)
            side.set_picture(state.picture)
            side.show_update(state.step)
        if self._diagnosis is not None:
            side.show_diagnosis(self._diagnosis)
        if self._frame is not None:
            side.frame(self._frame)
        self.label_snapshots()
        self.catch_up()
        self.panesMade.emit()

    def read_state_from(self, state: Callable[[], RunState | None]) -> None:
        """Where the run's state is read when the canvas needs more than a signal carried (panes made late, the
        samples of an update taken apart, the hover read-out)."""
        self._state = state

    def save_layout(self, store: QtCore.QSettings) -> None:
        for splitter in self.findChildren(QtWidgets.QSplitter):
            if splitter.objectName() in SPLITTERS:
                store.setValue(f"canvas/{splitter.objectName()}", splitter.saveState())

    def restore_layout(self, store: QtCore.QSettings) -> None:
        for splitter in self.findChildren(QtWidgets.QSplitter):
            state = store.value(f"canvas/{splitter.objectName()}")
            if isinstance(state, QtCore.QByteArray):
                splitter.restoreState(state)

    def show_data(self, state: RunState) -> None:
        """New samples or display options: redraw the samples and start the snapshot grid again."""
        self.neuron.set_data(state.data, state.display)
        truth = TrueAnswer.of(state.settings) if state.display.true_answer else None
        self.neuron.set_truth(None if truth is None else truth.in_units_of(state.data.scale))
        self.neuron.label_x(state.data.scale)
        self.shares.plot.setLabel("bottom", input_label(state.data.scale))
        self.show_update(None)
        if self._side is not None:
            self._side.set_data(state.data, state.settings.loss, state.display, state.settings.planned_snapshots)
        self.label_snapshots()
        if self.last_view is not None:
            self.show_view(self.last_view)

    def redraw(self, state: RunState | None) -> None:
        """Draw another run from scratch (the selection moved to it): its samples, problem, surface, update and
        newest view."""
        self._partial, self._partial_epoch, self._last_updates = [], -1, -1
        self.last_view = None
        if state is None:
            return
        self.show_data(state)
        self.set_problem(state.problem)
        self.set_picture(state.picture)
        self.show_update(state.step)
        if state.view is not None:
            self.show_view(state.view)

    def set_accent(self, colour: str | None) -> None:
        """The selected run's colour among several (None: the single run's look)."""
        self._accent = colour
        self.neuron.set_accent(colour)
        if self._side is not None:
            self._side.set_accent(colour)

    def show_other(self, key: int, colour: str, view: TrainerView) -> None:
        """Another run's newest view, drawn lighter with the next batch of other runs' views, or with the selected
        run's next frame if that comes first (while it plays): the neuron view then paints once for both."""
        self._other_pending[key] = (colour, view)
        if not self._other_timer.isActive():
            self._other_timer.start()

    def drop_other(self, key: int) -> None:
        self._other_pending.pop(key, None)
        self.others.drop(key)
        self._others_moved()

    def _draw_others(self) -> None:
        pending, self._other_pending = self._other_pending, {}
        for key, (colour, view) in pending.items():
            self.others.show(key, colour, view, self.neuron.grid)
        self._others_moved()

    def _others_moved(self) -> None:
        """Other runs' loss curves and paths lag behind: the loss pane (whose axis frames every run's losses) and the
        parameter pane are drawn again, in turn with the selected run's frames while it plays, else at once."""
        if self.last_view is None:
            return
        self._stale |= {"loss", "parameters"}
        if not self._taking_turns:
            self.catch_up()

    def _parameters_rescaled(self) -> None:
        """The parameter view was zoomed, panned or resized: its paths, drawn through a point per half pixel, are
        drawn again at the new scale (at once when paused, in turn while training plays)."""
        if self.last_view is None:
            return
        self._stale.add("parameters")
        self.others.rescaled()
        if not self._taking_turns:
            self.catch_up()

    def set_problem(self, problem: Problem) -> None:
        self.neuron.set_optimum(problem.optimum)
        if self._side is not None:
            self._side.set_problem(problem)

    def set_picture(self, picture: SurfacePicture | None) -> None:
        if self._side is not None:
            self._side.set_picture(picture)

    def show_view(self, view: TrainerView, in_turn: bool = False) -> None:
        """Draw a view on every pane on show, or, `in_turn` (while training plays), on the neuron view and on just
        one of the other panes on show, taking turns: each frame then paints about half as much, and every pane
        still moves many times a second. catch_up() brings the panes left behind up to date; a hidden pane is
        brought up to date when it is shown. A frame that comes in the pass of the event loop in which a side pane
        took its turn is drawn in the next pass, after that pane's paint (posted events come before timers), so
        one pass never paints both: together they held the window's thread for 30–40 ms with six runs racing."""
        self._recent = self._recent_path(view)
        if in_turn and self._after_turn.isActive():
            self._waiting = view
            return
        self._draw_view(view, in_turn)

    def _draw_view(self, view: TrainerView, in_turn: bool) -> None:
        """Draw the view now (show_view says how)."""
        self._waiting = None
        self.last_view = view
        if in_turn and self._other_pending:
            self._other_timer.stop()
            self._draw_others()
        self.neuron.show(view.w, view.b, neuron_title(view.epoch, view.loss, view.accuracy))
        self._stale = set(self._panes)
        self._taking_turns = in_turn
        if not in_turn:
            self.catch_up()
            return
        if self._turn_due():
            self._turn_timer.start(TURN_LATEST_MS)

    def _take_turn(self) -> None:
        """Draw the next side pane on show, once the neuron view's frame has painted: the window's other work (a
        timer, a click) can come in between the two."""
        shown = [pane for pane in self._panes if self._on_show(pane)]
        if shown:
            self._turn = (self._turn + 1) % len(shown)
            self._show_pane(shown[self._turn])
            self._after_turn.start()

    def _show_waiting(self) -> None:
        """The pass of the event loop in which a side pane took its turn is over: draw the frame that waited."""
        if self._waiting is not None:
            self._draw_view(self._waiting, self._taking_turns)

    def _turn_due(self) -> bool:
        """Whether a side pane's turn has come (TURN_MS_PER_RUN); if so, the next one starts counting now."""
        interval = TURN_MS_PER_RUN * (1 + len(self.others.views))
        if self._last_turn.isValid() and self._last_turn.elapsed() < interval:
            return False
        self._last_turn.start()
        return True

    def stop_turns(self) -> None:
        """The selected run stopped playing: draw the panes its turns left behind, and draw other runs' moves at
        once from now on."""
        self._taking_turns = False
        self._turn_timer.stop()
        self._after_turn.stop()
        if self._waiting is None:
            self.catch_up()
        else:
            self._draw_view(self._waiting, False)

    def catch_up(self) -> None:
        """Draw the last view on the panes a turn-taking draw left behind (once they are made)."""
        for pane in self._panes:
            if pane in self._stale:
                self._show_pane(pane)

    def _show_pane(self, pane: str) -> None:
        """Draw a pane, unless it is hidden (behind another tab, or left out by a lesson): it stays stale, and is
        drawn when it is shown. Going back through a run redraws a dozen snapshot cells each time otherwise."""
        side, view = self._side, self.last_view
        if side is None or not self._on_show(pane):
            return
        self._stale.discard(pane)
        if pane == "loss":
            side.show_loss(view.history, view.total_epochs, view.status == DIVERGED, self.others.losses())
            self.others.show_losses()
        elif pane == "snapshots":
            side.show_snapshots(view.snapshots)
            self.label_snapshots()
        else:
            pixel = side.parameters.pixel_size()
            side.parameters.show_path(view.history.w, view.history.b, self._recent, pixel)
            self.others.show_paths(pixel)

    def _on_show(self, pane: str) -> bool:
        """Whether a learner can see the pane: not behind another tab, nor left out by a lesson."""
        return self._pane_boxes[pane].isVisibleTo(self)

    def show_update(self, step: UpdateStep | None) -> None:
        """Take the last single update apart on every view, or clear that when training moves on otherwise."""
        state = self._state()
        if step is None or state is None:
            self.neuron.show_update(None)
            self.shares.show(None)
            step = None
        else:
            update = step.update
            self.neuron.show_update((update.w, update.b), update.x, update.y)
            self.shares.show(update, state.data.x, state.data.y, step.share_w, step.share_b)
        if self._side is not None:
            self._side.show_update(step)
        self._show_card_tab(step is not None)

    def _show_card_tab(self, on: bool) -> None:
        """An update taken apart brings its worked card to the front; once training moves on, the tab in front
        before comes back."""
        card_tab = self.tabs.indexOf(self._boxes[3])
        if on and self.tabs.currentIndex() != card_tab:
            self._tab_before_update = self.tabs.currentIndex()
            self.tabs.setCurrentIndex(card_tab)
        elif not on and self.tabs.currentIndex() == card_tab:
            self.tabs.setCurrentIndex(self._tab_before_update)

    def show_diagnosis(self, diagnosis: Diagnosis) -> None:
        """The run's verdict, for the worked update's card."""
        self._diagnosis = diagnosis
        if self._side is not None:
            self._side.show_diagnosis(diagnosis)

    def show_batch_loss(self, picture: SurfacePicture) -> None:
        """Iso-lines of the shown update's own batch loss, coloured as the surface is."""
        self.side.show_batch_loss(picture)

    def frame_parameters(self, window: Window) -> None:
        """Show this (w, b) window in the parameter view."""
        self._frame = window
        if self._side is not None:
            self._side.frame(window)

    def parameter_range(self) -> Window:
        """The (w, b) window the parameter view shows."""
        return self.side.parameter_range()

    def recent_points(self) -> list[tuple[float, float]]:
        """The (w, b) of each update drawn since the last epoch ended: the path's points beyond the history's."""
        return [(float(w), float(b)) for w, b in self._recent]

    def label_snapshots(self) -> None:
        state = self._state()
        if self.last_view is not None and self._side is not None and state is not None:
            self._side.label_snapshots(self.last_view, state.settings.every)

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

    def _clicked(self, event) -> None:
        plot = self.neuron.plot
        position = event.scenePos()
        if event.button() == QtCore.Qt.MouseButton.LeftButton and plot.sceneBoundingRect().contains(position):
            self.dataClicked.emit(float(plot.vb.mapSceneToView(position).x()))

    def _hover(self, moved: tuple[QtCore.QPointF]) -> None:
        """The read-out under the mouse (moved: the scene position, as pg.SignalProxy passes it)."""
        position = moved[0]
        plot = self.neuron.plot
        state = self._state()
        if state is None or state.view is None or not plot.sceneBoundingRect().contains(position):
            return
        x = plot.vb.mapSceneToView(position).x()
        z = state.view.w * x + state.view.b
        y_hat = float(sigmoid(z))
        self.readout.setText(
            f"x = {x:.3f}   z = w·x + b = {number(z, 3)}   ŷ = σ(z) = {y_hat:.3f}   → class {int(y_hat > 0.5)}")


def _column(*widgets: QtWidgets.QWidget, name: str = "") -> QtWidgets.QWidget:
    box = QtWidgets.QWidget()
    box.setObjectName(name)
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
