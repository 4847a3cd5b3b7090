r"""latent-size (seed 002, advanced question 3.4): how does the size of an autoencoder's
latent space trade compression against reconstruction?

The exam: "if compression is important we may want a small size, whereas if we care
about reconstruction quality a bigger space may be necessary". The study trains the same
MLP autoencoder with bottlenecks from 2 to 64 numbers and measures the test
reconstruction error against the compression 784 / d, shows reconstructions side by
side, and draws the 2-D code coloured by digit.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn

from . import study
from .autoencoder_outliers import scores, train_autoencoder
from .common import mnist_arrays
from .progress import Steps
from .result import StudyResult


def autoencoder(latent, hidden=128):
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, latent),
                         nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid())


@study("latent-size", "How does the bottleneck size trade compression against reconstruction error?", "002")
def run(quick=False, seed=0, progress=False):
    sizes = (2, 8, 32) if quick else (2, 4, 8, 16, 32, 64)
    n_train, epochs = (3000, 4) if quick else (60000, 15)
    X, _ = mnist_arrays("train", n=n_train)
    Xte, yte = mnist_arrays("test", n=1000 if quick else None)
    errors, recons, codes = {}, {}, None
    with Steps(len(sizes) * epochs, "latent-size", progress) as steps:
        for d in sizes:
            glassgrad.manual_seed(seed)
            model = autoencoder(d)
            train_autoencoder(model, X, epochs, 64, 1e-3, seed, steps)
            errors[d] = float(scores(model, Xte).mean())
            with glassgrad.no_grad():
                recons[d] = model(glassgrad.tensor(Xte[:8])).array.reshape(-1, 28, 28)
                if d == 2:
                    codes = model[:3](glassgrad.tensor(Xte)).array
    numbers = {"sizes": sizes, "compression": [784 / d for d in sizes], "test_mse": [errors[d] for d in sizes]}
    result = StudyResult(numbers=numbers, settings=dict(model="784-128-d-128-784 (ReLU, linear code, sigmoid out)",
                                                        train_images=n_train, epochs=epochs, test_images=len(Xte),
                                                        optimizer="Adam lr 1e-3 batch 64"))
    for d in sizes:
        result.find(f"code of {d} numbers ({784 / d:.0f}x compression): test reconstruction MSE", errors[d], "")
    result.add_figure("error", lambda: _figure_error(numbers))
    result.add_figure("reconstructions", lambda: _figure_recons(Xte[:8].reshape(-1, 28, 28), recons))
    if codes is not None:
        result.add_figure("latent-2d", lambda: _figure_codes(codes, yte))
    return result


def _figure_error(numbers):
    from .plot import figure, log_axis

    fig, ax = figure(width=4.6, height=3.2)
    ax.plot(numbers["sizes"], numbers["test_mse"], marker="o")
    log_axis(ax, "x")
    ax.set_xticks(numbers["sizes"], [str(d) for d in numbers["sizes"]])
    ax.set_xlabel("code size d (compression 784 / d)")
    ax.set_ylabel("test reconstruction MSE")
    return fig


def _figure_recons(originals, recons):
    from .plot import figure, image_grid

    fig, axes = figure(nrows=len(recons) + 1, width=4.8, height=0.9)
    image_grid(axes[0], originals, 8, "test digits")
    for ax, (d, r) in zip(axes[1:], recons.items()):
        image_grid(ax, r, 8, f"reconstructed from {d} numbers")
    return fig


def _figure_codes(codes, labels):
    from .plot import OKABE_ITO, figure, legend_outside

    colours = OKABE_ITO[:7] + ["#999999", "#000000", "#882255"]
    fig, ax = figure(width=5.0, height=4.0)
    for digit in range(10):
        c = codes[labels == digit]
        ax.scatter(c[:, 0], c[:, 1], s=5, color=colours[digit], marker="o^sDv<>ph*"[digit], label=str(digit),
                   rasterized=True)
    ax.set_xlabel("code 1")
    ax.set_ylabel("code 2")
    legend_outside(ax, title="digit", markerscale=2.5)
    return fig
