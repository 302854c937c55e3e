"""Neuron Lab's window: panels, canvas, worker thread and export. Draws what model/ computes."""
