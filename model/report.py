"""What a finished run leaves behind: the history table and the result summary, as text ready to save."""

from __future__ import annotations

import json
from typing import Any

from model.data import Dataset, Scale
from model.declaration import declared
from model.diagnosis import diagnose_view
from model.history import HistoryView
from model.neuron import boundary
from model.problem import Problem
from model.settings import Settings
from model.trainer import TrainerView
from model.truth import TrueAnswer

GENERATOR_FIELDS = ("mu0", "sigma0", "mu1", "sigma1")
"""The Gaussians' parameters, recorded only for generated samples; their counts n0, n1 are recorded for any."""
DATA_SETTINGS = frozenset({*GENERATOR_FIELDS, "n0", "n1", "data_path"})
"""Settings recorded under "data" rather than "settings", as what was trained on."""

WINDOW_ONLY = frozenset(item.name for item in declared(Settings) if item.option is None)
"""Settings the command line has no option for (the window's speed): they mean nothing to a headless run."""

HISTORY_HEADER = "epoch,w,b,loss,accuracy,boundary"


def history_csv(history: HistoryView) -> str:
    """One row per epoch; the boundary cell is empty when w = 0."""
    lines = [HISTORY_HEADER]
    for record in history.records():
        boundary = "" if record.boundary is None else repr(record.boundary)
        lines.append(f"{record.epoch},{record.w!r},{record.b!r},{record.loss!r},{record.accuracy!r},{boundary}")
    return "\n".join(lines) + "\n"


def result_json(settings: Settings, data: Dataset, view: TrainerView, problem: Problem) -> str:
    """The training settings, the samples trained on (see data_summary), the final neuron, the exact optimum (or why
    there is none), the scikit-learn calls that return it (model.library_equivalent), the learning-rate limit η_max
    of full-batch descent (null without an optimum) and the engine's verdict on the run, as indented JSON. For samples
    drawn from the Gaussians, "true_boundaries" lists the x where the true P(class 1 | x) is ½ (model.truth); samples
    from a file have no known truth and no such key. Trained on standardised x, "data_units" gives the mean and sd
    used and the final neuron and the optimum in the data's own units (see data_units).

    Always valid JSON: NaN or Infinity, which many readers reject, raise ValueError instead of being written (the
    trainer and the optimum never hand them out).
    """
    result = {
        "settings": {name: value for name, value in settings.to_dict().items() if name not in DATA_SETTINGS
                     and name not in WINDOW_ONLY},
        "data": data_summary(settings, data),
        "final": {
            "epoch": view.epoch, "w": view.w, "b": view.b, "loss": view.loss, "accuracy": view.accuracy,
            "boundary": view.boundary, "status": view.status, "message": view.message,
        },
        "optimum": problem.optimum.to_dict(),
        "sklearn_equivalent": None if problem.library is None else problem.library.to_dict(),
        "lr_limit": problem.lr_limit,
        "diagnosis": diagnose_view(problem, settings.lr, view, settings.rule, settings.momentum).to_dict(),
    }
    truth = TrueAnswer.of(settings)
    if truth is not None:
        result["true_boundaries"] = truth.boundaries()
    if data.scale is not None:
        result["data_units"] = data_units(data.scale, view, problem)
    return json.dumps(result, indent=2, allow_nan=False) + "\n"


def data_units(scale: Scale, view: TrainerView, problem: Problem) -> dict[str, Any]:
    """The standardisation (mean, sd) and, in the data's own units, the final neuron and the optimum (null without
    one): w/sd, b − w·mean/sd and the boundary mean + sd·x*."""
    optimum = problem.optimum
    return {"mean": scale.mean, "sd": scale.sd, "final": scale.neuron_in_data_units(view.w, view.b, view.boundary),
            "optimum": scale.neuron_in_data_units(optimum.w, optimum.b, boundary(optimum.w, optimum.b))
            if optimum.exists else None}


def data_summary(settings: Settings, data: Dataset) -> dict[str, Any]:
    """What the run trained on: the file as it was named, or the Gaussians that drew the samples (their seed is the
    run's, under settings); for both, the samples counted per class and their extent."""
    if settings.data_path:
        source: dict[str, Any] = {"source": "file", "file": settings.data_path}
    else:
        source = {"source": "gaussians", **{name: getattr(settings, name) for name in GENERATOR_FIELDS}}
    x_min, x_max = data.original.x_range
    return {**source, "n0": len(data.of_class(0)), "n1": len(data.of_class(1)), "x_min": x_min, "x_max": x_max}
