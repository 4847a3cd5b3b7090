r"""xor (seed 000, Goodfellow et al., Deep Learning, section 6.1): why does XOR need a hidden layer?

With the squared error on the four points, the best linear model f(x) = x^T w + b is
w = 0, b = 1/2 (it predicts 0.5 everywhere, MSE 0.25): no line separates XOR. Goodfellow's
network h = max(0, W^T x + c), f = w^T h + b with W = [[1, 1], [1, 1]], c = [0, -1],
w = [1, -2], b = 0 computes XOR exactly: the ReLU layer maps (0, 1) and (1, 0) onto the
same point, where one line does separate the classes. The study evaluates both in
glassgrad and trains a small network beside them.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn

from . import study
from .common import mlp
from .result import StudyResult

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y = np.array([0, 1, 1, 0], dtype=np.float64)


def best_linear():
    """Least squares on [x, 1]: the linear model with the smallest mean squared error."""
    A = np.c_[X, np.ones(4)]
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    return coef, float(((A @ coef - Y) ** 2).mean())


def goodfellow():
    """The exact solution of section 6.1, evaluated by glassgrad."""
    x = glassgrad.tensor(X)
    W = glassgrad.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=glassgrad.float64)
    c = glassgrad.tensor([0.0, -1.0], dtype=glassgrad.float64)
    w = glassgrad.tensor([1.0, -2.0], dtype=glassgrad.float64)
    h = (x @ W + c).relu()
    out = h @ w + 0.0
    return h.numpy(), out.numpy()


@study("xor", "Can a linear model fit XOR, and what does a ReLU hidden layer change?", "000")
def run(quick=False, seed=0, progress=False):
    steps = 500 if quick else 5000
    coef, linear_mse = best_linear()
    coef = np.round(coef, 12) + 0.0  # lstsq leaves 1e-16 residues where the answer is 0
    hidden, exact = goodfellow()
    previous = glassgrad.get_default_dtype()
    glassgrad.set_default_dtype(glassgrad.float64)
    try:
        model = mlp([2, 4, 1], "tanh", "default", seed=seed)
        opt = glassgrad.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        losses = []
        for _ in range(steps):
            loss = nn.functional.mse_loss(model(glassgrad.tensor(X))[:, 0], glassgrad.tensor(Y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
        with glassgrad.no_grad():
            trained = model(glassgrad.tensor(X)).numpy()[:, 0]
    finally:
        glassgrad.set_default_dtype(previous)
    numbers = {"linear": {"w": coef[:2], "b": coef[2], "mse": linear_mse},
               "goodfellow": {"hidden": hidden, "output": exact, "mse": float(((exact - Y) ** 2).mean())},
               "trained": {"output": trained, "mse": losses[-1], "loss": losses}}
    result = StudyResult(numbers=numbers, settings=dict(steps=steps, trained="2-4-1 tanh, SGD lr 0.5 momentum 0.9, MSE, float64"))
    result.find("best linear model: w, b", f"[{coef[0]:.3g}, {coef[1]:.3g}], {coef[2]:.3g}", "predicts 0.5 everywhere")
    result.find("best linear model: MSE", linear_mse, "0.25: no line fits XOR")
    result.find("Goodfellow's ReLU net: hidden codes of (0,0) (0,1) (1,0) (1,1)",
                " ".join(f"({a:g},{b:g})" for a, b in hidden), "(0,1) and (1,0) meet")
    result.find("Goodfellow's ReLU net: outputs", " ".join(f"{v:g}" for v in exact), "exactly 0 1 1 0")
    result.find(f"trained 2-4-1 tanh net after {steps} steps: outputs", " ".join(f"{v:.3f}" for v in trained),
                f"MSE {losses[-1]:.2e}")
    result.add_figure("hidden-space", lambda: _figure(hidden))
    return result


def _figure(hidden):
    from .plot import figure

    fig, (a1, a2) = figure(ncols=2, width=3.2, height=3.0)
    for ax, pts, title in ((a1, X, "input x"), (a2, hidden, "hidden h = max(0, W^T x + c)")):
        for p, label in zip(pts, Y):
            ax.scatter(*p, s=120, marker="o" if label else "X", color="#0072B2" if label else "#D55E00", zorder=3)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-0.5, 2.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
    a2.plot([0, 2.5], [-0.25, 1.0], ":", color="grey")  # w^T h = 1/2, i.e. h2 = (h1 - 1/2) / 2, separates
    a2.annotate("XOR = 1", (1, 0), textcoords="offset points", xytext=(8, -14), fontsize=8)
    return fig
