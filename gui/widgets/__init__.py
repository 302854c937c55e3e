"""Panels and controls the learner edits."""
