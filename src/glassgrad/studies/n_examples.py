r"""n-examples (seed 004, question 2): how does the number of training examples change
training and test accuracy?

With few examples a network fits them all (training accuracy near 1) but has seen too
little of the digits' variety, so test accuracy is low: a large generalisation gap. More
examples make the training set harder to memorise and more like the test set: training
accuracy falls a little, test accuracy rises, and the gap closes. The study trains the
same MLP for the same number of updates on growing subsets of MNIST.
"""

import numpy as np

import glassgrad
import glassgrad.nn.functional as F

from . import study
from .common import mlp, mnist_arrays
from .progress import Steps
from .result import StudyResult


def accuracy(model, X, y):
    with glassgrad.no_grad():
        return float((model(glassgrad.tensor(X)).array.argmax(1) == y).mean())


@study("n-examples", "How do training and test accuracy change with the number of training examples?", "004")
def run(quick=False, seed=0, progress=False):
    sizes = (100, 300, 1000, 3000) if quick else (100, 300, 1000, 3000, 10000, 30000, 60000)
    updates, batch = (400, 32) if quick else (6000, 64)
    X, y = mnist_arrays("train")
    Xte, yte = mnist_arrays("test", n=1000 if quick else None)
    rows = {}
    with Steps(len(sizes), "n-examples", progress) as steps:
        for n in sizes:
            Xn, yn = X[:n], y[:n]
            model = mlp([784, 128, 10], "relu", "default", seed=seed)
            opt = glassgrad.optim.Adam(model.parameters(), lr=1e-3)
            rng = np.random.default_rng(seed)
            for _ in range(updates):
                idx = rng.choice(n, min(batch, n), replace=False)
                loss = F.cross_entropy(model(glassgrad.tensor(Xn[idx])), glassgrad.tensor(yn[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            rows[n] = {"train": accuracy(model, Xn[:5000], yn[:5000]), "test": accuracy(model, Xte, yte)}
            steps.advance()
    numbers = {"sizes": sizes, "train": [rows[n]["train"] for n in sizes], "test": [rows[n]["test"] for n in sizes]}
    result = StudyResult(numbers=numbers, settings=dict(model="784-128-10 ReLU", optimizer=f"Adam lr 1e-3 batch {batch}",
                                                        updates=updates, test_images=len(Xte),
                                                        train_accuracy="on the training subset (first 5000)"))
    for n in sizes:
        r = rows[n]
        result.find(f"{n} examples: train / test accuracy", f"{r['train']:.3f} / {r['test']:.3f}",
                    f"gap {r['train'] - r['test']:.3f}")
    result.add_figure("accuracy", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import figure, legend_outside, log_axis

    fig, ax = figure(width=5.0, height=3.4)
    ax.plot(numbers["sizes"], numbers["train"], marker="o", label="train")
    ax.plot(numbers["sizes"], numbers["test"], "--", marker="s", label="test")
    ax.fill_between(numbers["sizes"], numbers["test"], numbers["train"], color="#999999", alpha=0.2, label="gap")
    log_axis(ax, "x")
    ax.set_xlabel("training examples")
    ax.set_ylabel("accuracy")
    legend_outside(ax)
    return fig
