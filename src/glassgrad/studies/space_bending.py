r"""space-bending (seed 002, question 1.2): how does an MLP separate classes that no line
separates?

The exam's answer: the network "bends" the space so that a linear separation splits the
two classes. Here the last hidden layer has two tanh units, so its space can be drawn:
the output layer is linear on it, so the classes are separable by a straight line in that
plane exactly when the network classifies them correctly. Snapshots over training show
the inner circle being pulled away from the ring until a line separates them.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import circles

from . import study
from .common import mlp
from .result import StudyResult


def hidden_and_accuracy(model, X, y):
    with glassgrad.no_grad():
        h = model[:-1](glassgrad.tensor(X)).array  # everything but the last Linear
        acc = float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())
    return h, acc


@study("space-bending", "How does a hidden layer bend the plane so that a line separates the circles?", "002")
def run(quick=False, seed=0, progress=False):
    epochs = 40 if quick else 200
    X, y = circles(n=600, noise=0.05, seed=seed)
    X, y = X.array, y.array
    model = mlp([2, 16, 2, 2], "tanh", "default", seed=seed)
    opt = glassgrad.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(seed)
    marks = [0, 1, 2, 5, epochs]  # the bending happens in the first epochs
    snaps = {}
    for epoch in range(epochs + 1):
        if epoch in marks:
            snaps[epoch] = hidden_and_accuracy(model, X, y)
        if epoch == epochs:
            break
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 20):
            loss = nn.functional.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    numbers = {"epochs": marks, "accuracy": [snaps[e][1] for e in marks]}
    result = StudyResult(numbers=numbers, settings=dict(model="2-16-2-2 tanh (a 2-D last hidden layer)",
                                                        optimizer="Adam lr 0.01 batch 20", data="circles n=600"))
    for e in marks:
        result.find(f"epoch {e}: training accuracy (= linear separation of the 2-D hidden codes)",
                    snaps[e][1], "")
    result.add_figure("snapshots", lambda: _figure(snaps, y))
    return result


def _figure(snaps, y):
    from .plot import figure

    fig, axes = figure(ncols=len(snaps), width=2.6, height=2.8)
    for ax, (epoch, (h, acc)) in zip(axes, snaps.items()):
        for label, colour, marker in ((0, "#E69F00", "o"), (1, "#0072B2", "^")):
            ax.scatter(*h[y == label].T, s=5, color=colour, marker=marker, rasterized=True)
        ax.set_title(f"epoch {epoch}: accuracy {acc:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_ylabel("hidden unit 2")
    axes[0].set_xlabel("hidden unit 1")
    return fig
