"""Settings: every rule with a message a learner understands, and a strict JSON round trip."""

from __future__ import annotations

import json

import pytest

from model.settings import (
    DATA_FIELDS,
    LIVE_FIELDS,
    PRESETS,
    Settings,
    SettingsError,
    apply_preset,
    classify_change,
    effective_batch_size,
)


@pytest.mark.parametrize("field, value, words", [
    ("n0", 0, "Class 0 samples must be a whole number from 1 to 1,000,000"), ("n1", -3, "Class 1 samples"),
    ("n0", 2.5, "whole number"), ("sigma0", 0.0, "greater than 0"), ("sigma1", -1.0, "greater than 0"),
    ("mu0", float("nan"), "finite"), ("mu1", float("inf"), "finite"),
    ("seed", -1, "Seed must be a whole number, 0 or more"),
    ("lr", 0.0, "Learning rate η must be a finite number greater than 0"), ("lr", -0.1, "Learning rate"),
    ("epochs", 0, "Epochs must be a whole number from 1 to 1,000,000"),
    ("batch_size", 0, "Batch size must be a whole number, 1 or more"),
    ("every", 0, "Snapshot interval must be a whole number, 1 or more"),
    ("l2", -0.5, "L2"), ("l2", 1e308, "from 0 to 1,000"), ("l2", 1000.5, "from 0 to 1,000"),
    ("mu0", 1e303, "from -1,000,000 to 1,000,000"), ("mu1", -1_000_001.0, "from -1,000,000 to 1,000,000"),
    ("sigma0", 1e308, "at most 1,000,000"), ("sigma1", 1_000_000.5, "at most 1,000,000"),
    ("loss", "hinge", "bce, mse"), ("optimizer", "adam", "sgd, minibatch, batch"),
    ("init_w", float("nan"), "Initial w must be a finite number from -1,000,000 to 1,000,000, or random"),
    ("speed", -1.0, "Speed must be a finite number, 0 or more"), ("shuffle", "yes", "true or false"),
])
def test_each_invalid_field_is_named_with_a_readable_message(field, value, words):
    problems = Settings().replace(**{field: value}).problems()
    assert list(problems) == [field]
    assert words in problems[field]
    with pytest.raises(SettingsError):
        Settings().replace(**{field: value}).validated()


def test_defaults_are_valid_and_round_trip_through_json():
    settings = Settings(init_w=0.25, data_path="samples.csv", shuffle=False)
    assert settings.problems() == {}
    assert Settings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings


@pytest.mark.parametrize("raw, field", [
    ({"n0": "ten"}, "n0"), ({"shuffle": 1}, "shuffle"), ({"lr": True}, "lr"), ({"colour": "red"}, "colour"),
    ({"loss": None}, "loss"), ({"epochs": 2.0}, "epochs"),
])
def test_from_dict_refuses_unknown_keys_and_wrong_types(raw, field):
    with pytest.raises(SettingsError) as caught:
        Settings.from_dict(raw)
    assert field in caught.value.problems


def test_presets_reproduce_the_tutorials():
    bumps = apply_preset(Settings(), "two bumps")
    assert (bumps.mu0, bumps.sigma0, bumps.n0, bumps.mu1, bumps.sigma1, bumps.n1) == (-1.5, 1.0, 100, 1.5, 1.0, 100)
    far = apply_preset(Settings(data_path="x.csv"), "far apart")
    assert (far.mu0, far.sigma0, far.n0, far.mu1, far.sigma1, far.n1) == (0.0, 1.0, 500, 5.0, 0.5, 500)
    assert far.data_path is None
    assert set(PRESETS) == {"two bumps", "far apart"}


def test_effective_batch_size_per_optimizer():
    assert effective_batch_size(Settings(optimizer="sgd", batch_size=8), 100) == 1
    assert effective_batch_size(Settings(optimizer="minibatch", batch_size=8), 100) == 8
    assert effective_batch_size(Settings(optimizer="minibatch", batch_size=800), 100) == 100
    assert effective_batch_size(Settings(optimizer="batch"), 100) == 100


def test_the_largest_allowed_values_are_valid():
    extreme = Settings(mu0=-1e6, mu1=1e6, sigma0=1e6, sigma1=1e-6, l2=1e3, lr=1e3, init_w=-1e6, init_b=1e6)
    assert extreme.problems() == {}


def test_the_field_groups_are_the_ones_the_window_and_trainer_share():
    assert {"mu0", "sigma0", "n0", "mu1", "sigma1", "n1", "seed", "data_path", "standardise"} == DATA_FIELDS
    assert {"lr", "epochs", "every", "speed"} == LIVE_FIELDS
    assert set(Settings().to_dict()) >= DATA_FIELDS | LIVE_FIELDS


def test_no_change_is_nothing_to_do():
    change = classify_change(Settings(), Settings())
    assert change.changed == frozenset()
    assert (change.none, change.data, change.restart, change.live) == (True, False, False, False)


@pytest.mark.parametrize("changes", [{"lr": 0.5}, {"epochs": 7, "speed": 0.0}, {"every": 3}])
def test_live_changes_apply_while_training(changes):
    change = classify_change(Settings(), Settings().replace(**changes))
    assert change.changed == frozenset(changes)
    assert (change.none, change.data, change.restart, change.live) == (False, False, False, True)


@pytest.mark.parametrize("changes", [{"l2": 0.1}, {"loss": "mse"}, {"optimizer": "batch"}, {"init_w": 0.5},
                                     {"batch_size": 4}, {"shuffle": False}, {"l2": 0.1, "lr": 0.5}])
def test_model_and_training_changes_restart_on_the_same_samples(changes):
    change = classify_change(Settings(), Settings().replace(**changes))
    assert change.changed == frozenset(changes)
    assert (change.none, change.data, change.restart, change.live) == (False, False, True, False)


@pytest.mark.parametrize("changes", [{"mu0": 0.0}, {"n1": 5}, {"seed": 9}, {"data_path": "x.csv"},
                                     {"sigma1": 2.0, "lr": 0.5}])
def test_data_changes_need_new_samples_and_a_restart(changes):
    change = classify_change(Settings(), Settings().replace(**changes))
    assert change.changed == frozenset(changes)
    assert (change.none, change.data, change.restart, change.live) == (False, True, True, False)
