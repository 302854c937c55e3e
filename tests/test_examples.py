"""The real example data shipped with the app: each file loads, says where it comes from, and has an exact optimum,
except iris, whose classes are separable."""

from __future__ import annotations

import json
import math

import pytest

from model.cli import run_train
from model.csv_io import load_csv
from model.examples import NAMES, example
from model.optimum import exact_optimum

SEPARABLE = {"iris-setosa"}


@pytest.mark.parametrize("name", NAMES)
def test_each_example_loads_and_says_where_it_comes_from(name):
    shipped = example(name)
    data = load_csv(shipped.path)
    assert len(data.of_class(0)) > 0 and len(data.of_class(1)) > 0
    for part in ("x: ", "label 1: ", "label 0: ", "Source: ", "Licence: ", "What it teaches: "):
        assert part in shipped.header
    optimum = exact_optimum(data)
    if name in SEPARABLE:
        assert not optimum.exists and "separable" in optimum.reason
        assert exact_optimum(data, "bce", 0.01).exists
    else:
        assert optimum.exists and all(math.isfinite(v) for v in (optimum.w, optimum.b, optimum.loss))


def test_the_o_ring_data_are_the_23_flights_before_challenger():
    data = load_csv(example("challenger-orings").path)
    assert len(data) == 23 and int(data.y.sum()) == 7
    assert data.x_range == (53.0, 81.0)
    assert exact_optimum(data).w < 0


def test_train_example_trains_on_the_shipped_file(tmp_path):
    assert run_train(["--example", "challenger-orings", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["data"]["source"] == "file" and result["data"]["file"] == str(example("challenger-orings").path)
    assert (result["data"]["n0"], result["data"]["n1"]) == (16, 7)
    assert "true_boundaries" not in result


@pytest.mark.parametrize("args, words", [
    (["--example", "titanic"], "--example: Unknown example 'titanic'; choose one of challenger-orings"),
    (["--example", "iris-setosa", "--data", "x.csv"], "--example cannot be combined with --data"),
    (["--example", "iris-setosa", "--mu0", "1"], "--example cannot be combined with --mu0"),
])
def test_bad_example_options_give_one_line(capsys, args, words):
    assert run_train(args) == 2
    assert words in capsys.readouterr().err


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="choose one of challenger-orings, penguins-flipper"):
        example("titanic")
