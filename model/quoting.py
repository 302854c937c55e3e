"""Quoting a user's value inside a message: only the start of it, so a multi-megabyte cell cannot freeze the window
that shows the message."""

from __future__ import annotations

QUOTE_LIMIT = 40
"""Characters of a bad value a message repeats."""


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The text, or its first `limit` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"
