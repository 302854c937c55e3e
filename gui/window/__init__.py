"""The window: wires widgets and views to the selected run; the app's start."""
