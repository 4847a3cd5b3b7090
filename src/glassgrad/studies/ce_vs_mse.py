r"""ce-vs-mse (seed 004, questions 8-9): why cross-entropy rather than squared error for
classification?

With softmax outputs y_hat = softmax(z) and a one-hot target y:

- cross-entropy L = -log y_hat_c has dL/dz = y_hat - y: for a confidently wrong
  prediction (y_hat_c ~ 0) the gradient at the true logit is ~ -1, as large as it gets;
- squared error L = 1/2 ||y_hat - y||^2 has dL/dz = J^T (y_hat - y), with the softmax
  Jacobian J = diag(y_hat) - y_hat y_hat^T: every term carries a factor y_hat_k, so when
  the model is confidently wrong (y_hat_c ~ 0, y_hat_wrong ~ 1) the gradient vanishes and
  the model barely learns from its worst mistakes.

The study computes both gradients through glassgrad's autograd for a growing logit
margin in favour of a wrong class, and trains the same MLP on MNIST with each loss.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
import glassgrad.nn.functional as F

from . import study
from .common import mlp, mnist_arrays
from .progress import Steps
from .result import StudyResult


def logit_gradients(margin, classes=10):
    """||dL/dz|| under CE and under squared error on softmax, when a wrong class's logit
    exceeds the others by ``margin`` (true class 0, wrong class 1)."""
    z0 = np.zeros(classes)
    z0[1] = margin
    out = {}
    for name in ("ce", "mse"):
        z = glassgrad.tensor(z0[None], dtype=glassgrad.float64, requires_grad=True)
        target = np.zeros((1, classes))
        target[0, 0] = 1
        if name == "ce":
            loss = F.cross_entropy(z, glassgrad.tensor([0]))
        else:
            p = F.softmax(z, dim=1)
            loss = 0.5 * ((p - glassgrad.tensor(target, dtype=glassgrad.float64)) ** 2).sum()
        loss.backward()
        out[name] = float(np.linalg.norm(z.grad.array))
    return out


def train(loss_name, X, y, Xte, yte, epochs, seed, steps):
    model = mlp([784, 128, 10], "relu", "default", seed=seed)
    opt = glassgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(seed)
    eye = np.eye(10, dtype=np.float32)
    curve = []
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 64):
            z = model(glassgrad.tensor(X[idx]))
            if loss_name == "ce":
                loss = F.cross_entropy(z, glassgrad.tensor(y[idx]))
            else:
                loss = 0.5 * ((F.softmax(z, dim=1) - glassgrad.tensor(eye[y[idx]])) ** 2).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with glassgrad.no_grad():
            curve.append(float((model(glassgrad.tensor(Xte)).array.argmax(1) == yte).mean()))
        steps.advance()
    return curve


@study("ce-vs-mse", "Why train a classifier with cross-entropy rather than squared error on its softmax?", "004")
def run(quick=False, seed=0, progress=False):
    margins = np.arange(0, 13)
    grads = [logit_gradients(float(m)) for m in margins]
    n_train, epochs = (5000, 4) if quick else (60000, 10)
    X, y = mnist_arrays("train", n=n_train)
    Xte, yte = mnist_arrays("test", n=2000 if quick else None)
    with Steps(2 * epochs, "ce-vs-mse", progress) as steps:
        curves = {name: train(name, X, y, Xte, yte, epochs, seed, steps) for name in ("ce", "mse")}
    numbers = {"margins": margins, "grad_ce": [g["ce"] for g in grads], "grad_mse": [g["mse"] for g in grads],
               "test_accuracy": curves}
    result = StudyResult(numbers=numbers, settings=dict(
        model="784-128-10 ReLU MLP", optimizer="SGD lr 0.1 momentum 0.9 batch 64", train_images=n_train,
        epochs=epochs, mse="1/2 ||softmax(z) - onehot||^2, mean over the batch"))
    for m in (0, 4, 8, 12):
        g = grads[m]
        result.find(f"||dL/dz||, wrong class ahead by {m}: CE / MSE", f"{g['ce']:.3g} / {g['mse']:.3g}",
                    "CE stays ~1.4, MSE vanishes" if m == 12 else "")
    for name, c in curves.items():
        result.find(f"{name}: test accuracy after epoch 1 / {epochs}", f"{c[0]:.3f} / {c[-1]:.3f}", "")
    result.add_figure("gradients", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import figure, integer_ticks, legend_outside, log_axis

    fig, (a1, a2) = figure(ncols=2, width=3.8, height=3.0)
    a1.plot(numbers["margins"], numbers["grad_ce"], marker="o", ms=3, label="cross-entropy")
    a1.plot(numbers["margins"], numbers["grad_mse"], "--", marker="s", ms=3, label="squared error")
    log_axis(a1, "y")
    integer_ticks(a1)
    a1.set_xlabel("logit margin of the wrong class")
    a1.set_ylabel("||dL/dz||")
    for i, (name, c) in enumerate(numbers["test_accuracy"].items()):
        a2.plot(np.arange(1, len(c) + 1), c, ["-", "--"][i], marker="o", ms=3,
                label={"ce": "cross-entropy", "mse": "squared error"}[name])
    integer_ticks(a2)
    a2.set_xlabel("epoch")
    a2.set_ylabel("test accuracy")
    legend_outside(a2)
    return fig
