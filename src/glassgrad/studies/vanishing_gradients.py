r"""vanishing-gradients (seed 002, exam question 1.3): does ReLU fight vanishing gradients?

The exam's answer: the derivative of the activation is below one, so the chain rule's
product over layers shrinks the gradient exponentially; ReLU, with derivative 0 or 1,
solves it. Backpropagation through layer l multiplies the upstream gradient by
W_l^T diag(sigma'(a_l)); sigmoid' <= 1/4, so with weights of PyTorch's default scale
(|w| <= 1/sqrt(fan_in)) every layer shrinks it. The study measures ||dL/dW_l|| per layer
for deep MLPs with sigmoid, tanh and ReLU, under PyTorch's default init, Xavier and
Kaiming, at initialisation and while training, and shows that the activation alone is not
the whole answer: the initialisation's scale decides too (ReLU with the default init
shrinks by about 1/sqrt(3) per layer, since Var(w) fan_in = 1/3 and ReLU keeps half).
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import spirals

from . import study
from .common import mlp, weight_grad_norms
from .progress import Steps
from .result import StudyResult

ACTS = ("sigmoid", "tanh", "relu")
INITS = ("default", "xavier", "kaiming")
TRAINED = (("sigmoid", "default"), ("tanh", "xavier"), ("relu", "default"), ("relu", "kaiming"))


def _data(n, seed):
    X, y = spirals(n=n, classes=3, noise=0.05, seed=seed)
    # in the default dtype, as the model's parameters are (float32 unless set otherwise)
    return X.array.astype(glassgrad.get_default_dtype()), y.array


def _grad_norms(model, X, y):
    model.zero_grad()
    loss = nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y))
    loss.backward()
    return weight_grad_norms(model), float(loss.item())


def _train(model, X, y, epochs, lr, batch, rng):
    """Plain SGD; per epoch the loss, the accuracy and the per-layer gradient norms (full batch)."""
    opt = glassgrad.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = []
    for _ in range(epochs):
        norms, loss = _grad_norms(model, X, y)
        with glassgrad.no_grad():
            acc = float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())
        history.append((loss, acc, norms))
        order = rng.permutation(len(X))
        for i in range(0, len(X), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx])).backward()
            opt.step()
    norms, loss = _grad_norms(model, X, y)
    with glassgrad.no_grad():
        acc = float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())
    history.append((loss, acc, norms))
    return history


@study("vanishing-gradients",
       "Does the gradient vanish through deep sigmoid nets, and do ReLU and the initialisation stop it?",
       "002")
def run(quick=False, seed=0, progress=False):
    depths = (10,) if quick else (10, 20)
    width = 32 if quick else 64
    reps = 5 if quick else 10
    epochs = 30 if quick else 100
    n = 600 if quick else 1500
    X, y = _data(n, seed)
    settings = dict(depths=depths, width=width, repetitions=reps, epochs=epochs, examples=n,
                    data="spirals, 3 classes", loss="cross-entropy", optimizer="SGD lr 0.05 momentum 0.9 batch 32")
    result = StudyResult(settings=settings)
    at_init = {}
    total = len(depths) * len(ACTS) * len(INITS) * reps + len(TRAINED)
    with Steps(total, "vanishing-gradients", progress) as steps:
        for depth in depths:
            sizes = [2] + [width] * (depth - 1) + [3]  # depth Linear layers
            for act in ACTS:
                for init in INITS:
                    norms = []
                    for r in range(reps):
                        norms.append(_grad_norms(mlp(sizes, act, init, seed=1000 * seed + r), X, y)[0])
                        steps.advance()
                    # geometric mean over repetitions: norms spread over orders of magnitude
                    at_init[(depth, act, init)] = np.exp(np.log(norms).mean(0))
        trained = {}
        depth = depths[0]
        sizes = [2] + [width] * (depth - 1) + [3]
        for act, init in TRAINED:
            rng = np.random.default_rng(seed)
            trained[(act, init)] = _train(mlp(sizes, act, init, seed=1000 * seed), X, y, epochs, 0.05, 32, rng)
            steps.advance()

    numbers = {"at_init": {}, "training": {}}
    for (depth, act, init), norms in at_init.items():
        ratio = float(norms[0] / norms[-1])
        numbers["at_init"][f"depth{depth}/{act}/{init}"] = {"norms": norms, "first_to_last": ratio}
    for (act, init), hist in trained.items():
        numbers["training"][f"{act}/{init}"] = {
            "loss": [h[0] for h in hist], "accuracy": [h[1] for h in hist],
            "first_to_last": [float(h[2][0] / h[2][-1]) for h in hist]}
    result.numbers = numbers

    d = depths[0]
    for act in ACTS:
        for init in INITS:
            r = numbers["at_init"][f"depth{d}/{act}/{init}"]["first_to_last"]
            result.find(f"{d} layers, {act}, {init} init: ||dW_1|| / ||dW_{d}||", r,
                        "vanishes" if r < 1e-3 else ("shrinks" if r < 1e-1 else "stays"))
    if len(depths) > 1:
        D = depths[-1]
        for act, init in (("sigmoid", "default"), ("relu", "default"), ("relu", "kaiming")):
            r = numbers["at_init"][f"depth{D}/{act}/{init}"]["first_to_last"]
            result.find(f"{D} layers, {act}, {init} init: ||dW_1|| / ||dW_{D}||", r, "")
    for (act, init), hist in trained.items():
        result.find(f"{d} layers, {act}, {init}: training accuracy after {epochs} epochs",
                    hist[-1][1], "chance is 0.33")

    result.add_figure("norms-at-init", lambda: _figure_at_init(at_init, depths))
    result.add_figure("training", lambda: _figure_training(trained, depths[0]))
    return result


def _figure_at_init(at_init, depths):
    from .plot import figure, integer_ticks, legend_outside, log_axis, LINESTYLES

    fig, axes = figure(ncols=len(INITS), nrows=len(depths), width=3.6, height=3.0, sharey="row")
    axes = np.atleast_2d(axes)
    for row, depth in enumerate(depths):
        for col, init in enumerate(INITS):
            ax = axes[row, col]
            for i, act in enumerate(ACTS):
                norms = at_init[(depth, act, init)]
                ax.plot(np.arange(1, len(norms) + 1), norms, LINESTYLES[i], marker="o", ms=3, label=act)
            log_axis(ax, "y")
            integer_ticks(ax, "x")
            ax.set_title(f"{init} init, {depth} layers")
            ax.set_xlabel("layer (1 = input side)")
            if col == 0:
                ax.set_ylabel("||dL/dW|| at initialisation")
        legend_outside(axes[row, -1], title="activation")
    return fig


def _figure_training(trained, depth):
    from .plot import figure, integer_ticks, legend_outside, log_axis, LINESTYLES

    fig, (ax1, ax2) = figure(ncols=2, width=4.2, height=3.2)
    for i, ((act, init), hist) in enumerate(trained.items()):
        epochs = np.arange(len(hist))
        label = f"{act}, {init}"
        ax1.plot(epochs, [h[0] for h in hist], LINESTYLES[i % 4], label=label)
        ax2.plot(epochs, [h[2][0] / h[2][-1] for h in hist], LINESTYLES[i % 4], label=label)
    ax1.set_ylabel("training loss")
    ax2.set_ylabel("||dW_1|| / ||dW_last||")
    log_axis(ax2, "y")
    for ax in (ax1, ax2):
        ax.set_xlabel("epoch")
        integer_ticks(ax, "x")
    ax1.set_title(f"{depth}-layer MLP on spirals")
    legend_outside(ax2)
    return fig
