"""Where a run's samples come from: the user's file when one is set, otherwise the seeded Gaussians."""

from __future__ import annotations

from model.csv_io import load_csv
from model.data import Dataset, generate
from model.settings import Settings


def dataset_for(settings: Settings) -> Dataset:
    """The samples the settings describe. Raises DataFileError for a bad file."""
    if settings.data_path:
        return load_csv(settings.data_path)
    return generate(settings)
