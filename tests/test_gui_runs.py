"""Several runs side by side: the run set's limit, colours, selection, hiding and removal, and lockstep play."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_helpers import SMALL, bring_to_front, open_window
from PySide6 import QtCore, QtWidgets

from gui.base.style import RUN_COLOURS, lighter
from gui.runs.lockstep import SLACK, Lockstep
from gui.runs.run import MAX_RUNS, RunLimitError
from gui.runs.worker import TrainingWorker, WorkerThread
from gui.views.plots import sigmoid_points
from gui.window.compare_control import PREFIX_EPOCHS
from model.data import generate
from model.neuron import sigmoid
from model.race import best_lr, compare
from model.session import load_runs
from model.trainer import Trainer


def epoch_of(run) -> int:
    return -1 if run.state is None or run.state.view is None else run.state.view.epoch


def test_six_runs_fit_each_in_a_colour_of_its_own_and_a_seventh_is_refused_in_words(qtbot, window):
    for lr in (0.1, 0.2, 0.3, 0.4, 0.5):
        window.runs.make(SMALL.replace(lr=lr))
    assert len(window.runs.runs) == MAX_RUNS == 6
    assert sorted(run.colour for run in window.runs.runs) == list(range(6))
    assert len({RUN_COLOURS[run.colour] for run in window.runs.runs}) == 6
    with pytest.raises(RunLimitError, match="At most 6 runs"):
        window.runs.make(SMALL)


def test_the_selected_run_is_drawn_fully_in_its_colour_and_the_other_lighter(qtbot, window):
    first = window.run
    second = window.runs.make(SMALL.replace(lr=0.5))
    qtbot.waitUntil(lambda: epoch_of(second) == 0)
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(first) == 1 and epoch_of(second) == 1)
    qtbot.waitUntil(lambda: id(second) in window.canvas.others.views)
    window.runs.select(second)
    assert window.run is second
    view = second.state.view
    assert window.canvas.last_view is view
    x, y_hat = window.canvas.neuron.sigmoid.getData()
    np.testing.assert_allclose(y_hat, sigmoid(view.w * x + view.b))
    assert window.canvas.neuron.sigmoid.opts["pen"].color().name() == RUN_COLOURS[second.colour].lower()
    qtbot.waitUntil(lambda: id(first) in window.canvas.others.views)
    assert id(second) not in window.canvas.others.views
    marks = window.canvas.others._marks[id(first)]
    assert marks.sigmoid.opts["pen"].color().name() == lighter(RUN_COLOURS[first.colour])
    x, y_other = marks.sigmoid.getData()
    first_view = first.state.view
    np.testing.assert_allclose(y_other, sigmoid(first_view.w * x + first_view.b))
    epochs, losses = marks.loss.getData()
    np.testing.assert_array_equal(epochs, first_view.history.epoch)
    np.testing.assert_allclose(losses, first_view.history.loss)

    bring_to_front(qtbot, window, "snapshotPane")
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.canvas.others.views[id(first)][1].epoch == 2)
    assert len(marks.loss.getData()[0]) == 2, "behind the snapshots' tab, the loss curves wait"
    bring_to_front(qtbot, window, "lossPane")
    np.testing.assert_array_equal(marks.loss.getData()[0], [0, 1, 2])


def test_a_hidden_run_is_not_drawn_nor_trained_and_the_last_run_cannot_be_removed(qtbot, window):
    first = window.run
    second = window.runs.make(SMALL.replace(lr=0.5))
    qtbot.waitUntil(lambda: id(second) in window.canvas.others.views)
    window.runs.set_hidden(first, True)
    assert not first.hidden, "the selected run stays shown"
    window.runs.set_hidden(second, True)
    assert id(second) not in window.canvas.others.views
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(first) == 1)
    assert epoch_of(second) == 0
    window.runs.rename(second, "  faster  ")
    assert second.name == "faster"
    assert window.runs.remove(second)
    assert window.runs.runs == (first,)
    assert not window.runs.remove(first)


def _two_playing_workers() -> tuple[Lockstep, TrainingWorker, TrainingWorker]:
    """Two workers playing flat out in one lockstep, on this thread: turns are given by calling tick()."""
    lockstep = Lockstep()
    settings = SMALL.replace(speed=0.0, epochs=1000)
    slow, fast = TrainingWorker(lockstep), TrainingWorker(lockstep)
    for worker in (slow, fast):
        worker.start_from(0, Trainer(settings, generate(settings)))
        worker.play()
    return lockstep, slow, fast


def test_a_run_never_trains_past_the_slowest_playing_run_by_more_than_its_quantum():
    """Two workers playing in one lockstep, given their turns by hand (no event loop runs their timers): the fast
    one stops at the slow one's epoch + SLACK, then + the epochs the slow one trains per turn once it says so, and
    goes on once the slow one pauses."""
    lockstep, slow, fast = _two_playing_workers()
    for _ in range(5):
        fast.tick()
    assert fast.trainer.epoch == SLACK
    slow.trainer.run_epochs(3)
    lockstep.report(id(slow), 3, quantum=4)
    fast.tick()
    assert fast.trainer.epoch == 3 + 4, "as far ahead as the slow run trains in a tick"
    slow.pause()
    fast.tick()
    assert fast.trainer.epoch > 3 + SLACK
    fast.pause()


def test_a_halted_lockstep_stops_every_run_at_the_furthest_epoch_one_may_reach():
    """Given their turns by hand: the fast run stands at the ceiling, the slow one behind; after halt neither trains
    past that epoch, and pausing brings the slow one up to it."""
    lockstep, slow, fast = _two_playing_workers()
    for worker in (slow, fast):
        worker.trainer.run_epochs(3)
        lockstep.report(id(worker), 3, quantum=4)
    fast.tick()
    assert (slow.trainer.epoch, fast.trainer.epoch) == (3, 3 + 4)
    lockstep.halt()
    assert lockstep.halted_at() == 7
    fast.tick()
    assert fast.trainer.epoch == 7
    slow.pause()
    fast.pause()
    assert slow.trainer.epoch == fast.trainer.epoch == 7
    assert lockstep.halted_at() is None, "once every run has stopped, the next Play starts afresh"


class _Commands(QtCore.QObject):
    """Commands for workers on their own threads, queued as the window's runs send them."""

    start = QtCore.Signal(int, object)
    play = QtCore.Signal()


def test_runs_playing_together_take_turns_to_train(qtbot):
    """Two runs playing flat out on their own threads never train at the same moment: together they keep to one
    core, and leave the other to the window."""
    lockstep = Lockstep()
    settings = SMALL.replace(n0=1000, n1=1000, speed=0.0, epochs=100_000)
    threads = [WorkerThread(lockstep=lockstep) for _ in range(2)]
    inside, most = [0], [0]
    guard = threading.Lock()

    def watched(train):
        def training(*args, **kwargs):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            try:
                return train(*args, **kwargs)
            finally:
                with guard:
                    inside[0] -= 1
        return training

    commands = _Commands()
    for thread in threads:
        trainer = Trainer(settings, generate(settings))
        for name in ("run_epochs", "step_epoch", "step_samples"):
            setattr(trainer, name, watched(getattr(trainer, name)))
        commands.start.connect(thread.worker.start_from)
        commands.play.connect(thread.worker.play)
        with qtbot.waitSignal(thread.worker.viewReady):
            commands.start.emit(0, trainer)
        commands.start.disconnect(thread.worker.start_from)
    commands.play.emit()
    qtbot.waitUntil(lambda: min(thread.worker.trainer.epoch for thread in threads) >= 30, timeout=30000)
    for thread in threads:
        assert thread.stop()
    assert most[0] == 1


def test_the_run_list_selects_hides_renames_and_removes_runs(qtbot, window):
    first = window.run
    second = window.runs.make(SMALL.replace(lr=0.5))
    table = window.run_list.table
    assert table.rowCount() == 2
    assert [table.item(row, 0).text() for row in range(2)] == ["run 1", "run 2"]
    table.selectRow(1)
    assert window.run is second
    table.item(0, 0).setCheckState(QtCore.Qt.CheckState.Unchecked)
    assert first.hidden
    table.item(0, 0).setCheckState(QtCore.Qt.CheckState.Checked)
    assert not first.hidden
    table.item(1, 0).setText("fast one")
    assert second.name == "fast one"
    table.setFocus()
    qtbot.keyClick(table, QtCore.Qt.Key.Key_Delete)
    assert window.runs.runs == (first,)
    assert table.rowCount() == 1 and window.run is first
    assert not window.run_list.remove_button.isEnabled()
    with qtbot.waitSignal(window.run_list.refused) as refusal:
        qtbot.keyClick(table, QtCore.Qt.Key.Key_Delete)
    assert window.runs.runs == (first,)
    assert "last run cannot be removed" in refusal.args[0]


def branch_with(qtbot, window, **texts: str):
    """Branch here with these fields edited, through the dialog as a learner would."""
    window.branch_action.trigger()
    dialog = window.branching.dialog
    qtbot.waitUntil(dialog.isVisible)
    for name, text in texts.items():
        dialog.fields[name].setText(text)
    count = len(window.runs.runs)
    qtbot.mouseClick(dialog.findChild(QtWidgets.QDialogButtonBox).buttons()[0], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.runs.runs) == count + 1)
    return window.runs.runs[-1]


def step_to(qtbot, window, epoch: int, *runs) -> None:
    """Step every run shown, an epoch at a time, until `runs` (all at one epoch) stand at `epoch`."""
    for _ in range(epoch - epoch_of(runs[0])):
        window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: all(epoch_of(run) == epoch for run in runs))


def test_branch_here_with_a_new_rate_makes_a_second_run_that_shares_the_history_up_to_the_fork(qtbot, window):
    parent = window.run
    window.step_epoch_action.trigger()
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(parent) == 2)
    before = parent.state.view
    branch = branch_with(qtbot, window, lr="0.2")
    assert branch.name == "η = 0.2"
    assert window.run is branch
    qtbot.waitUntil(lambda: epoch_of(branch) == 2)
    assert branch.state.settings == parent.state.settings.replace(lr=0.2)
    assert branch.state.data is parent.state.data
    forked = branch.state.view
    for column in ("epoch", "w", "b", "loss", "accuracy"):
        np.testing.assert_array_equal(getattr(forked.history, column), getattr(before.history, column))
    assert (forked.w, forked.b) == (before.w, before.b)
    assert window.run_list.table.item(1, 0).text() == "η = 0.2"


def test_going_back_before_a_fork_shows_the_branch_as_its_parent_and_training_on_moves_the_fork(qtbot, window):
    """The history slider takes a branch back before its fork with the others: it shows the parent's moment there.
    Stepping on from there trains the branch with its own rate from that moment (the fork moves), and the parent
    with its own."""
    parent = window.run
    step_to(qtbot, window, 3, parent)
    branch = branch_with(qtbot, window, lr="0.5")
    step_to(qtbot, window, 5, parent, branch)
    window.history.slider.setValue(1)
    qtbot.waitUntil(lambda: epoch_of(parent) == 1 and epoch_of(branch) == 1)
    then, shown = parent.state.view, branch.state.view
    assert (shown.w, shown.b, len(shown.history)) == (then.w, then.b, 2)
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(parent) == 2 and epoch_of(branch) == 2)
    assert branch.state.settings.lr == 0.5 and parent.state.settings.lr == SMALL.lr
    forked = Trainer(SMALL, parent.state.data)
    forked.step_epoch()
    forked.update_settings(SMALL.replace(lr=0.5))
    forked.step_epoch()
    assert (branch.state.view.w, branch.state.view.b) == (forked.w, forked.b)
    assert (parent.state.view.w, parent.state.view.b) != (forked.w, forked.b)


def test_stepping_back_moves_every_run_shown_and_a_branch_starts_at_the_moment_shown(qtbot, window):
    """A branch made at an earlier moment goes on from there; the parent keeps its future after a branch from the
    past."""
    parent = window.run
    step_to(qtbot, window, 3, parent)
    branch = branch_with(qtbot, window, lr="0.2")
    step_to(qtbot, window, 6, parent, branch)
    window.back_epoch_action.trigger()
    window.back_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(parent) == 4 and epoch_of(branch) == 4)
    at_four = parent.state.view
    window.runs.select(parent)
    second = branch_with(qtbot, window, lr="0.3")
    qtbot.waitUntil(lambda: epoch_of(second) == 4)
    forked = second.state.view
    assert (forked.w, forked.b, len(forked.history)) == (at_four.w, at_four.b, 5)
    window.runs.select(parent)
    qtbot.waitUntil(lambda: window.history.readout.text() == "epoch 4 of epoch 6")


def test_a_branch_the_engine_refuses_keeps_the_dialog_open_and_says_why(qtbot, window):
    window.branch_action.trigger()
    dialog = window.branching.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.fields["lr"].setText("-1")
    qtbot.mouseClick(dialog.findChild(QtWidgets.QDialogButtonBox).buttons()[0], QtCore.Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "greater than 0" in dialog.problem.text()
    assert len(window.runs.runs) == 1


def test_branching_a_seventh_run_says_six_is_the_limit(qtbot, window):
    for lr in (0.1, 0.2, 0.3, 0.4, 0.5):
        window.runs.make(SMALL.replace(lr=lr))
    window.branch_action.trigger()
    assert window.branching.dialog is None
    assert "At most 6 runs" in window.statusBar().currentMessage()


def test_play_advances_both_runs_in_lockstep_by_epoch(qtbot, monkeypatch):
    """SGD and full batch cost differently per epoch; neither trains more than SLACK epochs past the other. (The
    views drawn may lag their run by a frame or more on a busy machine, so the runs' own epochs are compared.)"""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    window = open_window(qtbot, SMALL.replace(epochs=100_000, speed=20.0))
    first = window.run
    second = window.runs.make(SMALL.replace(epochs=100_000, speed=20.0, optimizer="batch"))
    qtbot.waitUntil(lambda: epoch_of(second) == 0)
    trained = [run.worker_thread.worker for run in (first, second)]
    spread: list[int] = []
    for run in (first, second):
        run.viewChanged.connect(lambda *_: spread.append(abs(trained[0].trainer.epoch - trained[1].trainer.epoch)))
    window.play_action.trigger()
    qtbot.waitUntil(lambda: first.playing and second.playing)
    qtbot.waitUntil(lambda: epoch_of(first) >= 5 and epoch_of(second) >= 5, timeout=20000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    assert max(spread) <= SLACK, "each run's own epoch, read as the views arrive"
    window.close()


def test_runs_paused_while_racing_flat_out_stand_at_one_epoch(qtbot):
    """Racing flat out, runs may be a tick's worth of epochs apart; Pause stops every one of them at the epoch the
    furthest had reached, in the views as in the trainers."""
    window = open_window(qtbot, SMALL.replace(epochs=1_000_000))
    runs = [window.run, window.runs.make(SMALL.replace(epochs=1_000_000, optimizer="batch")),
            window.runs.make(SMALL.replace(epochs=1_000_000, optimizer="minibatch", batch_size=8))]
    qtbot.waitUntil(lambda: all(epoch_of(run) == 0 for run in runs))
    window.play_action.trigger()
    qtbot.waitUntil(lambda: all(epoch_of(run) >= 300 for run in runs), timeout=30000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.playing)
    trained = {run.worker_thread.worker.trainer.epoch for run in runs}
    assert len(trained) == 1
    qtbot.waitUntil(lambda: {epoch_of(run) for run in runs} == trained)
    window.close()


def test_the_compare_table_shows_each_run_against_the_optimum(qtbot, monkeypatch):
    """Epochs to within 1 % of the optimum's loss, loss, accuracy and distance, worked out here from the views."""
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    overlapping = SMALL.replace(mu0=-0.5, mu1=0.5)
    window = open_window(qtbot, overlapping)
    second = window.runs.make(overlapping.replace(lr=2.0))
    for _ in range(4):
        window.step_epoch_action.trigger()
    runs = window.runs.runs
    qtbot.waitUntil(lambda: all(epoch_of(run) == 4 and run.state.problem.optimum.exists for run in runs))
    window.compare.refresh()
    table = window.run_list.table
    for row, run in enumerate(runs):
        view, optimum = run.state.view, run.state.problem.optimum
        close = np.flatnonzero(view.history.loss <= optimum.loss * 1.01)
        reached = str(int(view.history.epoch[close[0]])) if close.size else "not yet"
        distance = np.hypot(view.w - optimum.w, view.b - optimum.b)
        shown = [table.item(row, column).text() for column in range(1, 5)]
        assert shown == [reached, f"{view.loss:.4f}", f"{view.accuracy:.1%}", f"{distance:.3f}"]
        row_of_engine = compare(run.name, view, optimum)
        assert (row_of_engine.reached, row_of_engine.final_loss) == (reached, view.loss)
    assert table.item(0, 1).text() == "not yet", "η = 0.05 is far from the optimum after 4 epochs"
    assert second.state.view.loss < window.runs.runs[0].state.view.loss
    window.close()


def test_best_eta_for_each_run_tries_the_grid_off_the_window_thread_and_gives_each_its_pick(qtbot, window):
    second = window.runs.make(SMALL.replace(optimizer="batch"))
    qtbot.waitUntil(lambda: epoch_of(second) == 0)
    expected = {}
    for run in window.runs.runs:
        settings, data = run.state.settings, run.state.data
        expected[run.name] = best_lr(Trainer(settings, data).state(), settings, data, {}, PREFIX_EPOCHS).pick
    with qtbot.waitSignal(window.compare.searchFinished, timeout=60000) as finished:
        qtbot.mouseClick(window.compare.best_button, QtCore.Qt.MouseButton.LeftButton)
        assert not window.compare.best_button.isEnabled()
    picks = finished.args[0]
    assert {name: found.pick for name, found in picks.items()} == expected
    for run in window.runs.runs:
        qtbot.waitUntil(lambda run=run: run.state.settings.lr == expected[run.name])
        assert f"{run.name} → {expected[run.name]:g}" in window.compare.picked.text()
        assert f"{run.name}: best η = {expected[run.name]:g}" in window.compare.picked.toolTip()
    assert window.compare.best_button.isEnabled()


def test_a_session_of_three_runs_mid_epoch_saves_and_reopens_every_run(qtbot, window, tmp_path):
    window.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(window.run) == 1)
    fast = branch_with(qtbot, window, lr="0.2")
    qtbot.waitUntil(lambda: epoch_of(fast) == 1)
    window.runs.select(window.runs.runs[0])
    batch = branch_with(qtbot, window, batch_size="4")
    window.runs.rename(fast, "quick")
    window.step_batch_action.trigger()
    qtbot.waitUntil(lambda: batch.state is not None and batch.state.view.position == 1)
    states = {run.name: (run.colour, run.worker_thread.worker.trainer.state()) for run in window.runs.runs}
    path = tmp_path / "three.json"
    with qtbot.waitSignal(window.sessionSaved, timeout=10000):
        window.save_session(str(path))
    assert [(run.name, run.colour, run.session.state) for run in load_runs(path).runs] == \
        [(name, colour, state) for name, (colour, state) in states.items()]

    reopened = open_window(qtbot)
    reopened.runs.make(SMALL.replace(lr=0.3))
    reopened.open_session(str(path))
    qtbot.waitUntil(lambda: [run.name for run in reopened.runs.runs] == list(states))
    assert reopened.run.name == "batch size 4"
    for run in reopened.runs.runs:
        qtbot.waitUntil(lambda run=run: run.state is not None and run.state.view is not None)
        colour, state = states[run.name]
        assert run.colour == colour
        assert run.worker_thread.worker.trainer.state() == state
    assert [reopened.run_list.table.item(row, 0).text() for row in range(3)] == list(states)
    reopened.close()


def test_selecting_a_run_that_has_no_loss_surface_yet_computes_one_for_it(qtbot, window):
    second = window.runs.make(SMALL.replace(l2=0.5))
    qtbot.waitUntil(lambda: epoch_of(second) == 0 and second.state.problem.optimum.exists)
    assert second.state.picture is None
    window.runs.select(second)
    qtbot.waitUntil(lambda: second.state.picture is not None, timeout=20000)
    assert window.canvas.side.parameters.picture is second.state.picture


def test_a_finished_run_does_not_hold_the_others_back_when_all_run_to_the_end(qtbot, monkeypatch):
    monkeypatch.setenv("NEURON_LAB_PURE_PYTHON", "1")
    larger = SMALL.replace(n0=1000, n1=1000, epochs=2)
    window = open_window(qtbot, larger)
    window.run_to_end_action.trigger()
    qtbot.waitUntil(lambda: epoch_of(window.run) == 2)
    longer = window.runs.make(larger.replace(epochs=6))
    qtbot.waitUntil(lambda: epoch_of(longer) == 0)
    qtbot.waitUntil(window.run_to_end_action.isEnabled)
    window.run_to_end_action.trigger()
    qtbot.waitUntil(lambda: longer.state.view.status == "finished", timeout=20000)
    assert epoch_of(longer) == 6
    window.close()


@pytest.mark.parametrize(("per_unit", "most"), [(2, 50), (4, 74)])
@pytest.mark.parametrize(("w", "b"), [(0.0, 0.3), (1.0, 0.0), (-3.0, 2.0), (40.0, -7.0), (5000.0, 1234.5), (1e-4, 0.2)])
def test_a_sigmoid_is_drawn_within_a_pixel_through_few_points(w, b, per_unit, most):
    """Drawn as straight lines between its points, a run's sigmoid (another run's at 2 points per unit of z, the
    selected run's at 4) stays within 0.003 (a pixel of a 330 px tall plot) of σ(w·x + b) evaluated at 200,001
    points, however steep, through at most 50 or 74 points."""
    x = sigmoid_points(-5.0, 5.0, w, b, per_unit)
    assert x[0] == -5.0 and x[-1] == 5.0 and np.all(np.diff(x) > 0) and x.size <= most
    dense = np.linspace(-5.0, 5.0, 200_001)
    drawn = np.interp(dense, x, sigmoid(w * x + b))
    assert np.max(np.abs(drawn - sigmoid(w * dense + b))) < 0.003
