r"""gd-variants (seed 004, question 10; seed 000): online, mini-batch or full-batch gradient descent?

An *epoch* is one pass over the n training examples; an *iteration* (update) is one step
of the optimizer. With batches of B examples an epoch makes ceil(n / B) updates: n for
online learning (B = 1), 1 for full-batch gradient descent. Per epoch, online learning
makes many cheap, noisy steps; full batch makes one exact, expensive one. The study trains
the same network on circles all three ways, counts the updates, and plots the loss
against epochs, updates and time.
"""

import math
import time

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import circles

from . import study
from .common import mlp
from .result import StudyResult

BATCHES = {"online (B = 1)": 1, "mini-batch (B = 32)": 32, "full batch": None}


def train(X, y, batch, epochs, lr, seed):
    model = mlp([2, 16, 2], "tanh", "default", seed=seed)
    opt = glassgrad.optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    B = batch or len(X)
    losses, updates, seconds = [], [], []
    count, start = 0, time.process_time()
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(X)), math.ceil(len(X) / B)):
            loss = nn.functional.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            count += 1
        with glassgrad.no_grad():
            losses.append(float(nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y)).item()))
        updates.append(count)
        seconds.append(time.process_time() - start)
    return {"loss": losses, "updates": updates, "cpu_seconds": seconds}


@study("gd-variants", "Online, mini-batch or full-batch: how many updates per epoch, and which learns fastest?", "004")
def run(quick=False, seed=0, progress=False):
    n, epochs = (300, 15) if quick else (1000, 60)
    lr = 0.1
    X, y = circles(n=n, noise=0.05, seed=seed)
    X, y = X.array, y.array
    runs = {name: train(X, y, B, epochs, lr, seed) for name, B in BATCHES.items()}
    result = StudyResult(numbers=runs, settings=dict(examples=n, epochs=epochs, lr=lr, optimizer="plain SGD",
                                                     model="2-16-2 tanh on circles", time="CPU seconds"))
    for name, r in runs.items():
        result.find(f"{name}: updates per epoch", r["updates"][0], f"ceil({n} / B)")
    for name, r in runs.items():
        result.find(f"{name}: training loss after 1 / {epochs} epochs", f"{r['loss'][0]:.3f} / {r['loss'][-1]:.3f}",
                    f"{r['updates'][-1]} updates, {r['cpu_seconds'][-1]:.2f} s CPU")
    result.add_figure("loss", lambda: _figure(runs))
    return result


def _figure(runs):
    from .plot import LINESTYLES, figure, integer_ticks, legend_outside, log_axis

    fig, axes = figure(ncols=3, width=3.2, height=3.0, sharey=True)
    for i, (name, r) in enumerate(runs.items()):
        epochs = np.arange(1, len(r["loss"]) + 1)
        for ax, x in zip(axes, (epochs, r["updates"], r["cpu_seconds"])):
            ax.plot(x, r["loss"], LINESTYLES[i], marker="o", ms=2, label=name)
    axes[0].set_xlabel("epoch")
    integer_ticks(axes[0])
    axes[1].set_xlabel("updates")
    log_axis(axes[1], "x")
    axes[2].set_xlabel("CPU seconds")
    axes[0].set_ylabel("training loss")
    legend_outside(axes[2])
    return fig
