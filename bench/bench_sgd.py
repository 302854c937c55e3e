"""Per-sample SGD speed: the tutorial's loop against Neuron Lab's kernel, same data, same order, one process.

Run: python bench/bench_sgd.py [--epochs N] [--tutorial-epochs M]
The tutorial loop (which also records each sample's error, as the tutorial does) is slow, so it runs fewer epochs
(M); every loop is timed per sample update, so the ratios compare like with like. Before timing, all loops run the
same M epochs and must agree on w and b.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.data import generate
from model.kernel import PYTHON_KERNEL, Kernel, compiled_kernel
from model.settings import PRESETS, Settings

ETA = 0.001


def tutorial_loop(x: np.ndarray, y: np.ndarray, orders: list[np.ndarray], w0: float, b0: float) -> tuple[float, float]:
    """The tutorial's training loop as written: numpy scalars, np.exp and its two derivative functions."""
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def derivative_cross_entropy(y_hat, target):
        return -1 / y_hat if target == 1 else 1 / (1 - y_hat)

    def derivative_sigmoid(s):
        return s * (1 - s)

    def cross_entropy(y_hat, target):
        return -np.log(y_hat) if target == 1 else -np.log(1 - y_hat)

    w, b = np.array([w0]), np.array([b0])
    errors = []
    for order in orders:
        epoch_errors = []
        for i in order:
            y_hat = sigmoid(w * x[i] + b)
            epoch_errors.append(cross_entropy(y_hat, y[i]))
            d_w = derivative_cross_entropy(y_hat, y[i]) * derivative_sigmoid(y_hat) * x[i]
            d_b = derivative_cross_entropy(y_hat, y[i]) * derivative_sigmoid(y_hat)
            w = w - ETA * d_w
            b = b - ETA * d_b
        errors.append(np.mean(epoch_errors))
    return float(w[0]), float(b[0])


def kernel_loop(kernel: Kernel, x: np.ndarray, y: np.ndarray, orders: list[np.ndarray], w: float,
                b: float) -> tuple[float, float]:
    xs, ys = kernel.prepare(x), kernel.prepare(y)
    for order in orders:
        result = kernel.run(xs, ys, kernel.prepare(order), 0, len(order), w, b, ETA, 0.0, "bce", 1)
        w, b = result.w, result.b
    return w, b


def timed(function: Callable[..., tuple[float, float]], *args: object) -> tuple[float, tuple[float, float]]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="epochs for the engine's kernels (default 200)")
    parser.add_argument("--tutorial-epochs", type=int, default=20, help="epochs for the tutorial loop (default 20)")
    args = parser.parse_args()

    data = generate(Settings(**PRESETS["far apart"], seed=0))
    rng = np.random.default_rng(0)
    orders = [rng.permutation(len(data)) for _ in range(max(args.epochs, args.tutorial_epochs))]
    w0, b0 = 0.004, -0.007
    short = orders[: args.tutorial_epochs]

    started = time.perf_counter()
    compiled = compiled_kernel()
    compile_seconds = time.perf_counter() - started if compiled is not None else None

    reference = tutorial_loop(data.x, data.y, short, w0, b0)
    contenders = [("plain Python kernel", PYTHON_KERNEL)] + ([("numba kernel", compiled)] if compiled else [])
    for name, kernel in contenders:
        got = kernel_loop(kernel, data.x, data.y, short, w0, b0)
        if not all(math.isclose(a, e, rel_tol=1e-9) for a, e in zip(got, reference, strict=True)):
            print(f"MISMATCH: {name} gave w, b = {got}, the tutorial loop {reference}")
            return 1

    seconds, _ = timed(tutorial_loop, data.x, data.y, short, w0, b0)
    per_update = {"tutorial loop": seconds / (len(data) * len(short))}
    for name, kernel in contenders:
        seconds, _ = timed(kernel_loop, kernel, data.x, data.y, orders[: args.epochs], w0, b0)
        per_update[name] = seconds / (len(data) * args.epochs)

    print(f"data: 'far apart' preset, {len(data)} samples; tutorial {len(short)} epochs, kernels {args.epochs} epochs")
    print("all loops agree on w and b (rel 1e-9) over the same epochs and order")
    if compile_seconds is not None:
        print(f"numba first call (compile or load from cache): {compile_seconds:.3f} s")
    base = per_update["tutorial loop"]
    for name, seconds in per_update.items():
        print(f"{name:22s} {seconds * 1e6:9.3f} µs per update   {base / seconds:8.1f}× the tutorial loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
