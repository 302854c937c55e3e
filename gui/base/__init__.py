"""Plain values and helpers every wing may use: a run's state, surface pictures, the style, error reporting."""
