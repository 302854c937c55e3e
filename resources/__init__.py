"""Files the app loads at run time (the window icon), found through importlib.resources so an installed app has them."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(name: str) -> Path:
    """The path of a packaged resource file, e.g. resource_path("icon.svg")."""
    return Path(str(files(__name__) / name))
