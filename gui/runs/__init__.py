"""A run's control and its threads: they never import a view."""
