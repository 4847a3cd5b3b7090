r"""linear-stack (seed 004, question 3): what do k linear layers without activation compute?

W_k (... (W_2 (W_1 x + b_1) + b_2) ...) + b_k = (W_k ... W_1) x + b: a product of matrices
is one matrix, so a stack of linear layers is one linear map, however deep, and it can
only draw a straight decision boundary. On circles (one class inside a ring of the other)
that is no better than chance-level structure allows; the same stack with tanh between
the layers bends the space and separates them.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import circles

from . import study
from .common import linear_layers, mlp
from .result import StudyResult


def collapse(model):
    """The one (W, b) that a stack of Linear layers equals: W = W_k ... W_1, b folded in."""
    W = np.eye(linear_layers(model)[0].in_features)
    b = np.zeros(W.shape[0])
    for lin in linear_layers(model):
        A, c = lin.weight.array.astype(np.float64), lin.bias.array.astype(np.float64)
        W, b = A @ W, A @ b + c
    return W, b


def fit(model, X, y, epochs, seed):
    opt = glassgrad.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 32):
            loss = nn.functional.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def accuracy(model, X, y):
    with glassgrad.no_grad():
        return float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())


@study("linear-stack", "Are k linear layers without activation more than one linear layer?", "004")
def run(quick=False, seed=0, progress=False):
    epochs = 20 if quick else 100
    X, y = circles(n=1000, noise=0.05, seed=seed)
    X, y = X.array, y.array
    Xtr, ytr, Xte, yte = X[:800], y[:800], X[800:], y[800:]
    nets = {"1 linear layer": ([2, 2], "identity"), "4 linear layers, no activation": ([2, 16, 16, 16, 2], "identity"),
            "4 layers with tanh": ([2, 16, 16, 16, 2], "tanh")}
    models = {name: fit(mlp(sizes, act, "default", seed=seed), Xtr, ytr, epochs, seed) for name, (sizes, act) in nets.items()}
    acc = {name: accuracy(m, Xte, yte) for name, m in models.items()}
    stack = models["4 linear layers, no activation"]
    W, b = collapse(stack)
    with glassgrad.no_grad():
        deep_out = stack(glassgrad.tensor(Xte)).array.astype(np.float64)
    one_map = Xte.astype(np.float64) @ W.T + b
    gap = float(np.abs(deep_out - one_map).max())
    result = StudyResult(numbers={"test_accuracy": acc, "collapsed_W": W, "collapsed_b": b,
                                  "max_output_difference": gap, "output_scale": float(np.abs(deep_out).max())},
                         settings=dict(epochs=epochs, data="circles n=1000 noise 0.05, 800 train / 200 test",
                                       optimizer="Adam lr 0.01 batch 32"))
    result.find("max |stack(x) - (W x + b)|, W = W_4 W_3 W_2 W_1", gap,
                "float32 rounding: the stack is one linear map")
    for name, a in acc.items():
        result.find(f"{name}: test accuracy", a, "")
    result.add_figure("boundaries", lambda: _figure(models, Xte, yte))
    return result


def _figure(models, X, y):
    from .plot import figure

    fig, axes = figure(ncols=len(models), width=3.0, height=3.0)
    xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 150), np.linspace(-1.5, 1.5, 150))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
    for ax, (name, m) in zip(axes, models.items()):
        with glassgrad.no_grad():
            z = m(glassgrad.tensor(grid)).array.argmax(1).reshape(xx.shape)
        regions = ax.contourf(xx, yy, z, levels=[-0.5, 0.5, 1.5], colors=["#FBE3C2", "#CFE8F6"])
        regions.set_rasterized(True)  # a pixel grid: as an image, not thousands of vector paths
        for label, colour, marker in ((0, "#E69F00", "o"), (1, "#0072B2", "^")):
            ax.scatter(*X[y == label].T, s=8, color=colour, marker=marker)
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    return fig
