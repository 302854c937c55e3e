"""Views: they draw what they are given and never reach for a run."""
