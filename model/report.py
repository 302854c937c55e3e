"""What a finished run leaves behind: the history table and the result summary, as text ready to save."""

from __future__ import annotations

import json

from model.history import HistoryView
from model.problem import Problem
from model.settings import Settings
from model.trainer import TrainerView

HISTORY_HEADER = "epoch,w,b,loss,accuracy,boundary"


def history_csv(history: HistoryView) -> str:
    """One row per epoch; the boundary cell is empty when w = 0."""
    lines = [HISTORY_HEADER]
    for record in history.records():
        boundary = "" if record.boundary is None else repr(record.boundary)
        lines.append(f"{record.epoch},{record.w!r},{record.b!r},{record.loss!r},{record.accuracy!r},{boundary}")
    return "\n".join(lines) + "\n"


def result_json(settings: Settings, view: TrainerView, problem: Problem) -> str:
    """Settings, the final neuron, the exact optimum (or why there is none) and the learning-rate limit η_max of
    full-batch descent (null without an optimum), as indented JSON.

    Always valid JSON: NaN or Infinity, which many readers reject, raise ValueError instead of being written (the
    trainer and the optimum never hand them out).
    """
    result = {
        "settings": settings.to_dict(),
        "final": {
            "epoch": view.epoch, "w": view.w, "b": view.b, "loss": view.loss, "accuracy": view.accuracy,
            "boundary": view.boundary, "status": view.status, "message": view.message,
        },
        "optimum": problem.optimum.to_dict(),
        "lr_limit": problem.lr_limit,
    }
    return json.dumps(result, indent=2, allow_nan=False) + "\n"
