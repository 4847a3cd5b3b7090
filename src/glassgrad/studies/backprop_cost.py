r"""backprop-cost (seed 004, question 12): why compute gradients by backpropagation rather
than by finite differences?

A finite difference (L(w + h e_i) - L(w - h e_i)) / 2h needs two forward passes *per
parameter*: 2P forwards for the whole gradient, O(P) times the cost of one forward, so
O(P^2) work for a network whose forward costs O(P). Backpropagation gets every partial
derivative from one forward and one backward pass, which costs about two forwards: the
same order as evaluating the loss once. The study times both, in float64, for MLPs of
growing width, and checks that they agree.
"""

import time

import numpy as np

import glassgrad
import glassgrad.nn as nn

from . import study
from .common import mlp
from .result import StudyResult


def _loss(model, X, y):
    return nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y))


def compare(width, X, y, seed, h=1e-6):
    """(parameters, forwards used by FD, CPU seconds FD, CPU seconds backprop, max relative difference)."""
    model = mlp([X.shape[1], width, width, 3], "tanh", "default", seed=seed)
    params = list(model.parameters())
    t0 = time.process_time()
    model.zero_grad()
    _loss(model, X, y).backward()
    backprop = np.concatenate([p.grad.array.ravel() for p in params])
    t_bp = time.process_time() - t0
    t0 = time.process_time()
    fd, forwards = [], 0
    with glassgrad.no_grad():
        for p in params:
            flat = p.array.reshape(-1)  # a view: writing it changes the weight
            for i in range(flat.size):
                keep = flat[i]
                flat[i] = keep + h
                up = float(_loss(model, X, y).item())
                flat[i] = keep - h
                down = float(_loss(model, X, y).item())
                flat[i] = keep
                fd.append((up - down) / (2 * h))
                forwards += 2
    t_fd = time.process_time() - t0
    fd = np.array(fd)
    rel = float(np.abs(fd - backprop).max() / max(np.abs(backprop).max(), 1e-300))
    return backprop.size, forwards, t_fd, t_bp, rel


@study("backprop-cost", "How much cheaper is one backward pass than finite differences, as the network grows?", "004")
def run(quick=False, seed=0, progress=False):
    widths = (2, 4, 8, 16) if quick else (2, 4, 8, 16, 32, 64)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((64, 4))
    y = rng.integers(0, 3, 64)
    previous = glassgrad.get_default_dtype()
    glassgrad.set_default_dtype(glassgrad.float64)
    try:
        rows = [compare(w, X, y, seed) for w in widths]
    finally:
        glassgrad.set_default_dtype(previous)
    numbers = {"widths": widths, "parameters": [r[0] for r in rows], "fd_forwards": [r[1] for r in rows],
               "fd_cpu_seconds": [r[2] for r in rows], "backprop_cpu_seconds": [r[3] for r in rows],
               "max_relative_difference": [r[4] for r in rows]}
    result = StudyResult(numbers=numbers, settings=dict(model="4-W-W-3 tanh MLP, float64", batch=64,
                                                        finite_difference="central, h = 1e-6", time="CPU seconds"))
    for w, (P, forwards, t_fd, t_bp, rel) in zip(widths, rows):
        result.find(f"width {w}: {P} parameters, FD {forwards} forwards / backprop 1 forward + 1 backward",
                    f"{t_fd:.3g} s / {t_bp:.2g} s", f"FD {t_fd / max(t_bp, 1e-9):.0f}x slower; agree to {rel:.1e}")
    result.add_figure("cost", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import figure, legend_outside, log_axis

    fig, ax = figure(width=5.0, height=3.4)
    P = numbers["parameters"]
    ax.plot(P, numbers["fd_cpu_seconds"], marker="o", label="finite differences (2P forwards)")
    ax.plot(P, numbers["backprop_cpu_seconds"], "--", marker="s", label="backprop (1 forward + 1 backward)")
    log_axis(ax, "x")
    log_axis(ax, "y")
    ax.set_xlabel("parameters P")
    ax.set_ylabel("CPU seconds for the whole gradient")
    legend_outside(ax)
    return fig
