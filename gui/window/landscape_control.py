"""Keeps the parameter view's surface in step with what the learner looks at: a surface framing the start and the
optimum once the data are studied, a new one when Fit frames the whole path or when panning and zooming leave the
computed grid, and the contours of a single update's own batch loss. All surfaces are computed on the analysis
thread; the window never waits for one."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import numpy as np
from PySide6 import QtCore

from gui.base.surface_picture import SurfacePicture, picture_of
from gui.runs.run import Run
from gui.views.canvas import Canvas
from model.anatomy import UpdateStep
from model.data import Dataset
from model.landscape import Surface, loss_surface, within_plane
from model.problem import Window, path_window

SURFACE_SIZE = 200
BATCH_SURFACE_SIZE = 120
RANGE_DELAY_MS = 400
"""A new surface for a panned or zoomed view is asked for this long after the view stops moving."""
FINER = 4.0
"""Zooming in until the view is this many times narrower than the surface asks for a finer one."""
SURFACE_THREADS = max(1, (os.cpu_count() or 1) - 1)
"""Surfaces are computed on every core but one, which the window and training keep: going back through a run in a
window still computing its first surfaces took 121 ms (p99) on 2 cores with both in use, 70 ms with one."""


class LandscapeControl(QtCore.QObject):
    """Asks the run's analysis for the surfaces the canvas's parameter view needs, and hands them to the run."""

    def __init__(self, canvas: Canvas, run: Run):
        super().__init__(canvas)
        self._canvas = canvas
        self._run = run
        self._analysis = run.analysis
        self.compute_surface: Callable[..., Surface] = functools.partial(loss_surface, threads=SURFACE_THREADS)
        """How every surface is computed, with loss_surface's arguments: replaceable, for instance by one that
        waits to be let go."""
        self._range_timer = QtCore.QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(RANGE_DELAY_MS)
        self._range_timer.timeout.connect(self._follow_view)
        canvas.parametersMoved.connect(self._range_timer.start)
        canvas.fitRequested.connect(self.fit)
        self._listen(run, True)

    def follow(self, run: Run) -> None:
        """Serve another run (the selection moved): its analysis computes, its surfaces are handed to it."""
        self._listen(self._run, False)
        self._run, self._analysis = run, run.analysis
        self._listen(run, True)

    def _listen(self, run: Run, on: bool) -> None:
        """An update taken apart gets its batch's contours; so does a new surface while one is shown (an update
        taken apart before the first surface arrived would otherwise never get them)."""
        for signal, slot in ((run.stepChanged, self.show_batch_loss), (run.surfaceChanged, self._surface_changed)):
            (signal.connect if on else signal.disconnect)(slot)

    def _surface_changed(self, _picture: SurfacePicture) -> None:
        state = self._run.state
        if state is not None and state.step is not None:
            self.show_batch_loss(state.step)

    def fit(self) -> None:
        """Frame the start, the whole path so far and the optimum, with a surface to match."""
        state = self._run.state
        if state is None or state.view is None:
            return
        window = path_window(state.data, state.view, state.problem, self._canvas.recent_points())
        self._canvas.frame_parameters(window)
        if not _covers(state.picture, window):
            self.request(window)

    def request(self, window: Window) -> None:
        state = self._run.state
        if state is None:
            return
        data, loss, l2 = state.data, state.settings.loss, state.settings.l2
        self._analysis.request(
            "loss surface", f"Computing the loss surface over {len(data):,} samples…",
            lambda superseded: picture_of(self.compute_surface(data, loss, l2, window[0], window[1], SURFACE_SIZE,
                                                               cancelled=superseded)),
            lambda picture: self._run.adopt_picture(data, loss, l2, picture))

    def show_batch_loss(self, step: UpdateStep | None) -> None:
        """Contours of the loss on the update's own samples over the surface shown: the bowl SGD really descends."""
        state = self._run.state
        if step is None or state is None or state.picture is None or state.settings.optimizer == "batch":
            return
        batch = Dataset(step.update.x, step.update.y)
        surface = state.picture.surface
        window = ((surface.w[0], surface.w[-1]), (surface.b[0], surface.b[-1]))
        loss, l2 = state.settings.loss, state.settings.l2
        self._analysis.request(
            "update's own loss", "",
            lambda superseded: picture_of(self.compute_surface(batch, loss, l2, window[0], window[1],
                                                               BATCH_SURFACE_SIZE, cancelled=superseded)),
            lambda picture: self._batch_loss_arrived(step, picture))

    def _batch_loss_arrived(self, step: UpdateStep, picture: SurfacePicture) -> None:
        state = self._run.state
        if state is not None and state.step is step:
            self._canvas.show_batch_loss(picture)

    def _follow_view(self) -> None:
        state = self._run.state
        if state is None or state.picture is None:
            return
        (w_low, w_high), (b_low, b_high) = self._canvas.parameter_range()
        margin_w, margin_b = 0.1 * (w_high - w_low), 0.1 * (b_high - b_low)
        window = within_plane(((w_low - margin_w, w_high + margin_w), (b_low - margin_b, b_high + margin_b)))
        if not _covers(state.picture, window) or _coarse(state.picture, window):
            self.request(window)


def _covers(picture: SurfacePicture | None, window: Window) -> bool:
    if picture is None:
        return False
    w, b = picture.surface.w, picture.surface.b
    return bool(w[0] <= window[0][0] and window[0][1] <= w[-1] and b[0] <= window[1][0] and window[1][1] <= b[-1])


def _coarse(picture: SurfacePicture, window: Window) -> bool:
    span_w = float(np.ptp(picture.surface.w))
    span_b = float(np.ptp(picture.surface.b))
    return span_w > FINER * (window[0][1] - window[0][0]) or span_b > FINER * (window[1][1] - window[1][0])
