"""Where a run's samples come from: the user's file when one is set, otherwise the seeded Gaussians."""

from __future__ import annotations

from model.csv_io import load_csv
from model.data import Dataset, generate, standardised
from model.settings import Settings


def dataset_for(settings: Settings) -> Dataset:
    """The samples the settings describe, standardised when they ask for it. Raises DataFileError for a bad file."""
    data = load_csv(settings.data_path) if settings.data_path else generate(settings)
    return standardised(data) if settings.standardise else data
