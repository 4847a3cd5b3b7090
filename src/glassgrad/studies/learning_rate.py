r"""learning-rate (seed 004, question 11): what does the learning rate change?

Gradient descent steps w <- w - eta g. Too small an eta and the loss barely moves in the
time given; a good eta descends quickly; too large an eta overshoots the valley and the
loss rises or explodes (divergence). The study sweeps eta over five orders of magnitude
on the same network, data and batches and plots each loss curve.
"""

import math

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import circles

from . import study
from .common import mlp
from .result import StudyResult

RATES = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def train(X, y, lr, epochs, seed):
    model = mlp([2, 16, 2], "tanh", "default", seed=seed)
    opt = glassgrad.optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    with glassgrad.no_grad():
        losses.append(float(nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y)).item()))
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 20):
            loss = nn.functional.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        with glassgrad.no_grad():
            losses.append(float(nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y)).item()))
    return losses


@study("learning-rate", "What does the learning rate do: too small, right, too large?", "004")
def run(quick=False, seed=0, progress=False):
    n, epochs = (300, 20) if quick else (1000, 60)
    X, y = circles(n=n, noise=0.05, seed=seed)
    X, y = X.array, y.array
    curves = {lr: train(X, y, lr, epochs, seed) for lr in RATES}
    result = StudyResult(numbers={"rates": RATES, "loss": {f"{lr:g}": c for lr, c in curves.items()}},
                         settings=dict(examples=n, epochs=epochs, batch=20, optimizer="plain SGD",
                                       model="2-16-2 tanh on circles", loss="cross-entropy on all n after each epoch"))
    for lr, c in curves.items():
        final = c[-1]
        verdict = ("diverged (inf/NaN)" if not math.isfinite(final) else
                   "diverged: worse than it started" if final > c[0] else
                   "barely moved" if final > 0.9 * c[0] else "learned")
        result.find(f"lr = {lr:g}: training loss at start -> after {epochs} epochs",
                    f"{c[0]:.3f} -> {final:.3g}", verdict)
    result.add_figure("curves", lambda: _figure(curves))
    return result


def _figure(curves):
    from .plot import LINESTYLES, figure, integer_ticks, legend_outside, log_axis

    fig, ax = figure(width=5.2, height=3.4)
    for i, (lr, c) in enumerate(curves.items()):
        c = np.array(c, dtype=float)
        c[~np.isfinite(c)] = np.nan  # a diverged run stops where it left the numbers
        ax.plot(np.arange(len(c)), c, LINESTYLES[i % 4], label=f"lr = {lr:g}")
    log_axis(ax, "y")
    integer_ticks(ax)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    legend_outside(ax)
    return fig
