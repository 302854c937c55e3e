"""Standardise x: training on (x − mean)/sd reaches the same optimum in the data's own units, much sooner on
unscaled data such as the O-rings, and everything written keeps the data's own units."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.cli import run_train
from model.csv_io import load_csv
from model.data import Dataset, standardised
from model.examples import example
from model.optimum import exact_optimum
from model.problem import study
from model.session import load_session, save_session, session_of
from model.settings import Batching, Settings
from model.sources import dataset_for
from model.trainer import Trainer

ORINGS = Settings(data_path=str(example("challenger-orings").path))


def test_standardised_samples_have_mean_0_and_spread_1_and_remember_where_they_came_from():
    raw = Dataset([1.0, 3.0, 5.0, 7.0], [0, 0, 1, 1])
    data = standardised(raw)
    sd = np.sqrt(5.0)
    np.testing.assert_allclose(data.x, [-3 / sd, -1 / sd, 1 / sd, 3 / sd], rtol=1e-15)
    assert (data.scale.mean, data.scale.sd) == (4.0, sd)
    assert data.original is raw and raw.original is raw
    # z = w·u + b = w·(x − 4)/√5 + b: w = 2√5, b = 1 is w = 2 and b = 1 − 8 in x.
    assert data.scale.weights_in_data_units(2 * sd, 1.0) == pytest.approx((2.0, -7.0), rel=1e-15)


def test_samples_that_do_not_spread_are_only_centred():
    data = standardised(Dataset([2.0, 2.0], [0, 1]))
    assert data.x.tolist() == [0.0, 0.0] and data.scale.sd == 1.0


@pytest.mark.parametrize("name", ["challenger-orings", "breast-cancer", "penguins-bill"])
def test_the_optimum_on_standardised_x_is_the_raw_optimum_in_data_units(name):
    raw = load_csv(example(name).path)
    scaled = standardised(raw)
    on_raw, on_scaled = exact_optimum(raw), exact_optimum(scaled)
    w, b = scaled.scale.weights_in_data_units(on_scaled.w, on_scaled.b)
    assert (w, b) == pytest.approx((on_raw.w, on_raw.b), rel=1e-8)
    assert on_scaled.loss == pytest.approx(on_raw.loss, rel=1e-12)


def test_the_o_ring_optimum_is_the_published_fit():
    # Dalal, Fowlkes and Hoadley's logistic fit of any O-ring distress: logit = 15.043 − 0.2322·T.
    data = dataset_for(ORINGS.replace(standardise=True))
    optimum = exact_optimum(data)
    w, b = data.scale.weights_in_data_units(optimum.w, optimum.b)
    assert (round(w, 4), round(b, 3)) == (-0.2322, 15.043)


def _loss_after(settings: Settings, epochs: int) -> float:
    trainer = Trainer(settings.replace(epochs=epochs), dataset_for(settings))
    trainer.run_epochs(epochs)
    return trainer.view().loss


def test_the_o_rings_train_much_faster_per_epoch_standardised():
    optimum = exact_optimum(dataset_for(ORINGS)).loss
    # The same settings (SGD, η = 0.01) on x near 70: the raw run is thrown about, the standardised one settles.
    assert _loss_after(ORINGS, 100) > 2 * optimum
    assert _loss_after(ORINGS.replace(standardise=True), 100) == pytest.approx(optimum, rel=0.01)
    # Full batch, each at 0.9 of its own η_max: the raw valley is so narrow that 100 epochs barely move the loss.
    for standardise, reached in ((False, False), (True, True)):
        settings = ORINGS.replace(standardise=standardise, optimizer=Batching.BATCH)
        limit = study(dataset_for(settings), "bce", 0.0).lr_limit
        loss = _loss_after(settings.replace(lr=0.9 * limit), 100)
        assert (loss == pytest.approx(optimum, rel=1e-6)) is reached
        assert loss < 0.7


def test_result_and_samples_keep_the_data_s_own_units(tmp_path, capsys):
    assert run_train(["--example", "challenger-orings", "--standardise", "--optimizer", "batch", "--lr", "5",
                      "--epochs", "300", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    raw = load_csv(example("challenger-orings").path)
    on_raw = exact_optimum(raw)
    units = result["data_units"]
    assert units["mean"] == pytest.approx(np.mean(raw.x)) and units["sd"] == pytest.approx(np.std(raw.x))
    assert (units["optimum"]["w"], units["optimum"]["b"]) == pytest.approx((on_raw.w, on_raw.b), rel=1e-8)
    assert units["optimum"]["boundary"] == pytest.approx(-on_raw.b / on_raw.w, rel=1e-8)
    assert units["final"]["w"] == pytest.approx(on_raw.w, rel=1e-4)
    assert units["final"]["boundary"] == pytest.approx(units["mean"] + units["sd"] * result["final"]["boundary"])
    assert (result["data"]["x_min"], result["data"]["x_max"]) == (53.0, 81.0)
    assert load_csv(tmp_path / "samples.csv") == raw
    assert "standardised, (x - 69.56521739130434) / 6.9019599419076" in result["sklearn_equivalent"]["note"]
    assert "in the data's units" in capsys.readouterr().out
    raw_out = tmp_path / "raw"
    assert run_train(["--example", "challenger-orings", "--epochs", "1", "--quiet", "--out", str(raw_out)]) == 0
    assert "data_units" not in json.loads((raw_out / "result.json").read_text())


def test_a_session_keeps_the_raw_samples_and_reopens_the_same_standardised_run(tmp_path):
    settings = ORINGS.replace(standardise=True, epochs=7)
    trainer = Trainer(settings, dataset_for(settings))
    trainer.run_epochs(3)
    save_session(session_of(trainer), tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["data"]["x"][0] == 53.0
    reopened = load_session(tmp_path / "s.json")
    assert reopened.data == trainer.data and reopened.data.scale == trainer.data.scale
    again = reopened.trainer()
    trainer.run_epochs(4)
    again.run_epochs(4)
    assert (again.w, again.b) == (trainer.w, trainer.b)
