r"""dropout (seed 002, question 1.4): what does (inverted) dropout do, and why 1 / (1 - p)?

During training each unit is zeroed with probability p and the survivors are multiplied
by 1 / (1 - p): E[y_i] = (1 - p) x_i / (1 - p) = x_i, so the expected output during
training equals the output at evaluation, where dropout does nothing. The study checks
that expectation numerically, then trains the same wide MLP on a small MNIST subset with
and without dropout: without it the network memorises the training set (train accuracy
1.0) while test accuracy stalls; with it the gap narrows.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
import glassgrad.nn.functional as F

from . import study
from .common import mnist_arrays
from .progress import Steps
from .result import StudyResult


def expectation(p, draws, seed):
    """Mean over ``draws`` training-mode passes of Dropout(p) on a fixed x, against x."""
    glassgrad.manual_seed(seed)
    layer = nn.Dropout(p)
    x = glassgrad.tensor(np.linspace(0.5, 2.0, 50, dtype=np.float32))
    layer.train()
    outs = np.stack([layer(x).array for _ in range(draws)])
    layer.eval()
    eval_out = layer(x).array
    kept = outs != 0
    return {"p": p, "max_mean_error": float(np.abs(outs.mean(0) - x.array).max()),
            "standard_error": float((outs.std(0) / np.sqrt(draws)).max()),
            "kept_fraction": float(kept.mean()),
            "survivor_scale": float((outs[kept] / np.broadcast_to(x.array, outs.shape)[kept]).mean()),
            "eval_equals_input": bool(np.array_equal(eval_out, x.array))}


def net(p):
    layers = [nn.Flatten(), nn.Linear(784, 512), nn.ReLU()]
    if p:
        layers.append(nn.Dropout(p))
    layers += [nn.Linear(512, 512), nn.ReLU()]
    if p:
        layers.append(nn.Dropout(p))
    return nn.Sequential(*layers, nn.Linear(512, 10))


def accuracy(model, X, y):
    model.eval()
    with glassgrad.no_grad():
        acc = float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())
    model.train()
    return acc


@study("dropout", "Does inverted dropout keep the expected output, and does it reduce overfitting?", "002")
def run(quick=False, seed=0, progress=False):
    draws = 2000 if quick else 20000
    exp = expectation(0.5, draws, seed)
    n_train, epochs = (500, 20) if quick else (1000, 100)
    X, y = mnist_arrays("train", n=n_train)
    Xte, yte = mnist_arrays("test", n=1000 if quick else None)
    curves = {}
    with Steps(2 * epochs, "dropout", progress) as steps:
        for p in (0.0, 0.5):
            glassgrad.manual_seed(seed)
            model = net(p)
            opt = glassgrad.optim.Adam(model.parameters(), lr=1e-3)
            rng = np.random.default_rng(seed)
            train_acc, test_acc = [], []
            for _ in range(epochs):
                for idx in np.array_split(rng.permutation(len(X)), len(X) // 50):
                    loss = F.cross_entropy(model(glassgrad.tensor(X[idx])), glassgrad.tensor(y[idx]))
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                train_acc.append(accuracy(model, X, y))
                test_acc.append(accuracy(model, Xte, yte))
                steps.advance()
            curves[f"p={p:g}"] = {"train": train_acc, "test": test_acc}
    result = StudyResult(numbers={"expectation": exp, "curves": curves}, settings=dict(
        draws=draws, model="784-512-512-10 ReLU, dropout after each hidden layer", train_images=n_train,
        test_images=len(Xte), epochs=epochs, optimizer="Adam lr 1e-3 batch 50"))
    result.find(f"Dropout(0.5), {draws} draws: max |mean output - x|", exp["max_mean_error"],
                f"within sampling error (standard error {exp['standard_error']:.2g})")
    result.find("share of units kept / survivors' scale", f"{exp['kept_fraction']:.3f} / {exp['survivor_scale']:.3f}",
                "1 - p = 0.5 / 1 / (1 - p) = 2")
    result.find("eval mode: output equals input", exp["eval_equals_input"], "dropout is off at evaluation")
    for name, c in curves.items():
        result.find(f"{name}: final train / test accuracy", f"{c['train'][-1]:.3f} / {c['test'][-1]:.3f}",
                    f"gap {c['train'][-1] - c['test'][-1]:.3f}")
    result.add_figure("curves", lambda: _figure(curves))
    return result


def _figure(curves):
    from .plot import colour, figure, integer_ticks, legend_outside

    fig, ax = figure(width=5.2, height=3.4)
    for i, (name, c) in enumerate(curves.items()):
        epochs = np.arange(1, len(c["train"]) + 1)
        ax.plot(epochs, c["train"], "-", color=colour(i), label=f"{name}, train")
        ax.plot(epochs, c["test"], "--", color=colour(i), label=f"{name}, test")
    integer_ticks(ax)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    legend_outside(ax)
    return fig
