"""Drawing at scale: density strips that show the same counts as the samples, snapshot cells made once and reused."""

from __future__ import annotations

import numpy as np
from gui_helpers import SMALL, open_window, wait_for_view

import gui.views
from gui.views import DENSE_ABOVE, STRIP_COLUMNS, thin


def test_many_samples_are_drawn_as_strips_with_the_samples_counts(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(n0=7000, n1=5000))
    assert len(window.state.data) > DENSE_ABOVE
    neuron = window.canvas.neuron
    low, high = neuron._grid[0], neuron._grid[-1]
    for label in (0, 1):
        xs = window.state.data.of_class(label)
        assert neuron.samples[label].getData()[0].size == 0
        assert neuron.strips[label].isVisible()
        counts = neuron.strip_counts[label]
        assert counts.size == STRIP_COLUMNS and counts.sum() == xs.size
        np.testing.assert_array_equal(counts, np.histogram(xs, bins=STRIP_COLUMNS, range=(low, high))[0])
        alpha = neuron.strips[label].image[0, :, 3]
        assert np.array_equal(alpha > 0, counts > 0)
    window.panel.every_point.click()
    for label in (0, 1):
        assert neuron.samples[label].getData()[0].size == window.state.data.of_class(label).size
        assert not neuron.strips[label].isVisible()
    window.close()


def test_snapshot_cells_are_made_once_and_show_the_right_epochs_as_the_thinning_moves(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    made = []

    class Counted(gui.views.NeuronView):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(gui.views, "NeuronView", Counted)
    window = open_window(qtbot, SMALL.replace(every=1, epochs=60))
    grid = window.canvas.snapshots
    for epoch in range(1, 31):
        window.step_epoch_action.trigger()
        view = wait_for_view(qtbot, window, lambda v, e=epoch: v.epoch == e)
        chosen = thin(view.snapshots, grid.max_cells)
        titles = [cell.plot.titleLabel.text for cell in grid.cells]
        assert [f"Epoch {record.epoch} ·" in title for record, title in zip(chosen, titles, strict=True)] == \
            [True] * len(chosen)
    assert len(made) == grid.max_cells
    window.reset_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.epoch == 0 and len(grid.cells) == 1)
    window.run_to_end_action.trigger()
    wait_for_view(qtbot, window, lambda v: v.status == "finished")
    assert len(made) == grid.max_cells
    window.close()
