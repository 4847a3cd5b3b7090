r"""invariance (seed 002, advanced question 3.1): when should a network be convolutional,
and what do convolution and pooling give for shifts?

- Convolution is *equivariant* to translation: shift the input by k pixels and the feature
  map shifts by k pixels, conv(shift(x)) = shift(conv(x)) (checked numerically).
- Max pooling adds a *partial invariance*: a shift by the pool size moves the pooled map
  by one cell, but a 1-pixel shift changes part of the pooled values.
- So a CNN trained on centred digits still reads digits shifted by a few pixels, while an
  MLP, whose weights are tied to pixel positions, loses accuracy fast.
- The exam's alternative: keep the MLP and augment the data with random shifts
  (``RandomCrop(28, padding=4)`` from ``glassgrad.data.transforms``): the MLP learns the
  invariance from data.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
import glassgrad.nn.functional as F
from glassgrad.data import DataLoader, TensorDataset
from glassgrad.data.transforms import RandomCrop, TransformDataset

from . import study
from .common import mnist_arrays
from .progress import Steps
from .result import StudyResult


def shift(images, dy, dx):
    """Move the content of (..., H, W) images by (dy, dx) pixels, zeros coming in."""
    out = np.zeros_like(images)
    h, w = images.shape[-2:]
    src = images[..., max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[..., max(0, dy):max(0, dy) + src.shape[-2], max(0, dx):max(0, dx) + src.shape[-1]] = src
    return out


def cnn():
    """28 -> conv5 -> 24 -> pool -> 12 -> conv5 -> 8, then the largest value of each of the
    16 feature maps wherever it is (global max pooling): a shift that keeps the digit in the
    picture moves the maps but not their maxima, so the classifier sees no change."""
    return nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 5), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                         nn.Linear(16, 10))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def train(model, loader, epochs, lr, steps):
    opt = glassgrad.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        steps.advance()
    return model


def accuracy(model, X, y):
    with glassgrad.no_grad():
        pred = np.concatenate([model(glassgrad.tensor(X[i:i + 500])).array.argmax(1) for i in range(0, len(X), 500)])
    return float((pred == y).mean())


def equivariance(image, k, seed):
    """Largest |conv(shift(x)) - shift(conv(x))| over the interior, and the pooling numbers."""
    glassgrad.manual_seed(seed)
    conv = nn.Conv2d(1, 4, 5, padding=2, bias=False)  # padding 2 keeps the size: shifts line up
    # on a canvas with an empty margin wider than the shift plus the kernel's reach, no ink
    # leaves the picture, so both sides see the same pixels
    image = np.pad(image, ((0, 0), (k + 2, k + 2), (k + 2, k + 2)))
    with glassgrad.no_grad():
        a = conv(glassgrad.tensor(shift(image, k, k)[None])).array[0]
        b = shift(conv(glassgrad.tensor(image[None])).array[0], k, k)
        scale = float(np.abs(b).max())
        eq = float(np.abs(a - b).max())
        pool = lambda m: F.max_pool2d(glassgrad.tensor(m[None]), 2).array[0]  # noqa: E731
        fmap = conv(glassgrad.tensor(image[None])).array[0]
        p0 = pool(fmap)
        p1, p2 = pool(shift(fmap, 1, 1)), pool(shift(fmap, 2, 2))
        live = np.abs(p0) > 1e-6 * scale
    return {"max_difference": eq, "feature_scale": scale,
            "pool_unchanged_after_1px": float((np.isclose(p1, p0, rtol=1e-5, atol=1e-6 * scale) & live).sum() / live.sum()),
            "pool_shifted_by_one_cell_after_2px": float(np.abs(p2 - shift(p0, 1, 1)).max())}


@study("invariance", "Is convolution equivariant to shifts, and does it (or augmentation) make a classifier shift-robust?",
       "002")
def run(quick=False, seed=0, progress=False):
    n_train = 4000 if quick else 60000
    epochs = 3  # full mode too: 60,000 digits three times is what a shared 2-core machine runs in half an hour
    n_test = 2000 if quick else 10000
    shifts = [0, 1, 2, 3, 4, 5, 6]
    Xtr, ytr = mnist_arrays("train", n=n_train, flat=False)
    Xte, yte = mnist_arrays("test", n=n_test, flat=False)
    settings = dict(train_images=n_train, test_images=n_test, epochs=epochs, optimizer="Adam lr 1e-3 batch 64",
                    shifts="k pixels right and k down, zeros coming in", augmentation="RandomCrop(28, padding=4)")
    result = StudyResult(settings=settings)
    eq = equivariance(Xte[0], 3, seed)
    models = {}
    with Steps(3 * epochs, "invariance", progress) as steps:
        for name, make, augment in (("MLP", mlp, False), ("CNN", cnn, False), ("MLP + random shifts", mlp, True)):
            glassgrad.manual_seed(seed)
            data = TensorDataset(glassgrad.tensor(Xtr), glassgrad.tensor(ytr))
            if augment:
                data = TransformDataset(data, transform=RandomCrop(28, padding=4))
            loader = DataLoader(data, batch_size=64, shuffle=True, generator=glassgrad.Generator(seed))
            models[name] = train(make(), loader, epochs, 1e-3, steps)
    acc = {name: [accuracy(m, shift(Xte, k, k), yte) for k in shifts] for name, m in models.items()}
    result.numbers = {"equivariance": eq, "shifts": shifts, "accuracy": acc}
    result.find("max |conv(shift(x)) - shift(conv(x))|, 3 px", eq["max_difference"],
                f"0 up to rounding (feature values up to {eq['feature_scale']:.2g}): equivariant")
    result.find("pooled values unchanged by a 1 px shift", eq["pool_unchanged_after_1px"], "partial invariance")
    result.find("max |pool(shift 2 px) - pooled map moved 1 cell|", eq["pool_shifted_by_one_cell_after_2px"],
                "0: pooling turns a 2 px shift into a 1-cell shift")
    for name, a in acc.items():
        result.find(f"{name}: test accuracy, shift 0 / 3 / 6 px", f"{a[0]:.3f} / {a[3]:.3f} / {a[6]:.3f}", "")
    result.add_figure("shift-accuracy", lambda: _figure(shifts, acc))
    result.add_figure("feature-maps", lambda: _figure_maps(Xte[0]))
    return result


def _figure(shifts, acc):
    from .plot import LINESTYLES, figure, integer_ticks, legend_outside

    fig, ax = figure(width=5.0, height=3.4)
    for i, (name, a) in enumerate(acc.items()):
        ax.plot(shifts, a, LINESTYLES[i], marker="o", ms=4, label=name)
    ax.set_xlabel("shift of the test digits (pixels right and down)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1)
    integer_ticks(ax)
    legend_outside(ax)
    return fig


def _figure_maps(image):
    from .plot import figure

    glassgrad.manual_seed(0)
    conv = nn.Conv2d(1, 1, 5, padding=2, bias=False)
    with glassgrad.no_grad():
        maps = [conv(glassgrad.tensor(x[None])).array[0, 0] for x in (image, shift(image, 3, 3))]
    fig, axes = figure(ncols=4, width=2.0, height=2.2)
    for ax, img, title in zip(axes, [image[0], shift(image, 3, 3)[0], maps[0], maps[1]],
                              ["digit", "shifted 3 px", "feature map", "feature map of shifted"]):
        ax.imshow(img, cmap="gray_r" if title.startswith(("digit", "shifted")) else "PuOr", interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
