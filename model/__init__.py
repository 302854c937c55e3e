"""Neuron Lab's engine: data, the single neuron, its optimizers and training state, in pure numpy."""
