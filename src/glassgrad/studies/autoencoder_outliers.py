r"""autoencoder-outliers (seed 002, exam questions 3.4 and 3.5): can an autoencoder trained
on normal data find the outliers by its reconstruction error?

An autoencoder x -> encoder -> z (small) -> decoder -> x_hat learns to reconstruct what it
was trained on. The anomaly score of an input is its reconstruction error
||x - x_hat||^2 / d: inputs unlike the training data reconstruct badly and score high. The
study trains an MLP autoencoder (and, in full mode, a convolutional one) in two setups:
on 0s only (outliers: the other nine digits, the one-class benchmark of Ruff et al., 2018)
and on nine digits (outliers: the held-out tenth, 2), plus Fashion-MNIST clothes as
outliers where that dataset is installed. It reports the ROC curve and its area (AUROC), the score
histograms, the most and least anomalous test images, and a threshold fixed on
validation inliers (their 95th percentile) with the detection rate it gives on the test set.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn

from . import study
from .common import mnist_arrays
from .progress import Steps
from .result import StudyResult
from .roc import auroc, roc_curve

HELD_OUT = 2  # a digit whose strokes the other nine classes do not compose (see the docs)


def mlp_autoencoder(latent=16, hidden=128):
    return nn.Sequential(
        nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, latent), nn.ReLU(),
        nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid())


def conv_autoencoder():
    """28x28 -> 8x14x14 -> 16x7x7 -> 32 -> back up with transposed convolutions."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
        nn.Linear(16 * 7 * 7, 32), nn.ReLU(), nn.Linear(32, 16 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (16, 7, 7)),
        nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())


def train_autoencoder(model, X, epochs, batch, lr, seed, steps=None):
    """Adam on the mean squared reconstruction error; returns the loss of each epoch."""
    opt = glassgrad.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in np.array_split(rng.permutation(len(X)), max(1, len(X) // batch)):
            x = glassgrad.tensor(X[idx])
            loss = nn.functional.mse_loss(model(x), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.item()) * len(idx)
        losses.append(total / len(X))
        if steps is not None:
            steps.advance()
    return losses


def scores(model, X, batch=1000):
    """Reconstruction error per image: mean over pixels of (x - x_hat)^2."""
    out = []
    with glassgrad.no_grad():
        for i in range(0, len(X), batch):
            x = X[i:i + batch]
            rec = model(glassgrad.tensor(x)).array
            out.append(((rec - x) ** 2).reshape(len(x), -1).mean(1))
    return np.concatenate(out)


def _fashion(n):
    from glassgrad.data import DatasetIntegrityError, DatasetNotFoundError, fashion_mnist

    try:
        return fashion_mnist("test").tensors[0].array[:n]
    except (DatasetNotFoundError, DatasetIntegrityError):
        return None


# Two ways to pose "normal": one digit only (the one-class benchmark of Ruff et al., 2018),
# and nine digits with the tenth held out. Each names the digits trained on and the outliers.
SETUPS = {
    "one-class": dict(normal=[0], label="trained on 0s; outliers: digits 1-9"),
    "held-out": dict(normal=[d for d in range(10) if d != HELD_OUT],
                     label=f"trained on the other nine digits; outliers: {HELD_OUT}s"),
}


@study("autoencoder-outliers",
       "Does an autoencoder's reconstruction error single out inputs unlike its training data?",
       "002")
def run(quick=False, seed=0, progress=False):
    n_train = {"one-class": 3000, "held-out": 5000} if quick else {"one-class": 5000, "held-out": 20000}
    epochs = 5 if quick else 10  # full mode: what a shared 2-core machine runs in about half an hour
    models = {"mlp": mlp_autoencoder} if quick else {"mlp": mlp_autoencoder, "conv": conv_autoencoder}
    Xtr_all, ytr_all = mnist_arrays("train", flat=False)
    Xte, yte = mnist_arrays("test", flat=False)
    n_test = 2000 if quick else len(Xte)
    Xte, yte = Xte[:n_test], yte[:n_test]
    fashion = _fashion(n_test // 5)
    settings = dict(setups={k: v["label"] for k, v in SETUPS.items()}, train_images=n_train,
                    validation_images=1000, test_images=len(Xte), epochs=epochs,
                    optimizer="Adam lr 1e-3 batch 64", loss="mean squared error",
                    score="mean squared reconstruction error per image",
                    fashion_mnist=fashion is not None, models=list(models))
    result = StudyResult(settings=settings)
    numbers = {}
    rng = np.random.default_rng(seed)
    with Steps(epochs * len(models) * len(SETUPS), "autoencoder-outliers", progress) as steps:
        for setup, spec in SETUPS.items():
            normal = np.isin(ytr_all, spec["normal"])
            Xn = Xtr_all[normal][rng.permutation(normal.sum())]
            Xval, Xtr = Xn[:1000], Xn[1000:1000 + n_train[setup]]
            outlier = ~np.isin(yte, spec["normal"])
            for kind, make in models.items():
                glassgrad.manual_seed(seed)
                model = make()
                shape = (lambda X: X.reshape(len(X), -1)) if kind == "mlp" else (lambda X: X)
                losses = train_autoencoder(model, shape(Xtr), epochs, 64, 1e-3, seed, steps)
                s_test, s_val = scores(model, shape(Xte)), scores(model, shape(Xval))
                threshold = float(np.quantile(s_val, 0.95))
                e = {"train_loss": losses, "auroc": auroc(s_test, outlier), "threshold": threshold,
                     "outliers_detected": float((s_test[outlier] > threshold).mean()),
                     "inliers_flagged": float((s_test[~outlier] > threshold).mean()),
                     "scores_inliers": s_test[~outlier], "scores_outliers": s_test[outlier],
                     "roc": roc_curve(s_test, outlier)[:2]}
                if fashion is not None:
                    s_f = scores(model, shape(fashion))
                    labels = np.r_[np.zeros((~outlier).sum(), bool), np.ones(len(s_f), bool)]
                    e["auroc_fashion"] = auroc(np.r_[s_test[~outlier], s_f], labels)
                    e["scores_fashion"] = s_f
                    e["fashion_detected"] = float((s_f > threshold).mean())
                    e["roc_fashion"] = roc_curve(np.r_[s_test[~outlier], s_f], labels)[:2]
                order = np.argsort(s_test)
                e["least_anomalous"], e["most_anomalous"] = order[:8], order[::-1][:8]
                numbers[f"{setup}/{kind}"] = e
                result.find(f"{setup}, {kind}: AUROC", e["auroc"], spec["label"])
                if fashion is not None:
                    result.find(f"{setup}, {kind}: AUROC, Fashion-MNIST as outliers", e["auroc_fashion"], "")
                result.find(f"{setup}, {kind}: outliers above the threshold", e["outliers_detected"],
                            "threshold = 95th percentile of validation inliers")
                result.find(f"{setup}, {kind}: test inliers above the threshold", e["inliers_flagged"],
                            "false alarms (about 0.05 by construction)")
    result.numbers = {k: {n: v for n, v in e.items() if not n.startswith("scores_")} for k, e in numbers.items()}
    result.numbers["fashion_mnist_present"] = fashion is not None
    result.add_figure("roc", lambda: _figure_roc(numbers))
    result.add_figure("scores", lambda: _figure_scores(numbers))
    result.add_figure("extremes", lambda: _figure_extremes(numbers, Xte))
    return result


def _figure_roc(numbers):
    """One panel per kind of outlier: the held-out digits, and Fashion-MNIST when present."""
    from .plot import LINESTYLES, figure

    panels = [("roc", "auroc", "outliers: digits")]
    if any("roc_fashion" in e for e in numbers.values()):
        panels.append(("roc_fashion", "auroc_fashion", "outliers: Fashion-MNIST"))
    fig, axes = figure(ncols=len(panels), width=4.2, height=4.6)  # room for title and label beside the square axes
    for ax, (curve, area, title) in zip(np.atleast_1d(axes), panels):
        for i, (kind, e) in enumerate(numbers.items()):
            fpr, tpr = _corners(*e[curve])
            ax.plot(fpr, tpr, LINESTYLES[i % 4], label=f"{kind}: AUROC {e[area]:.3f}")
        ax.plot([0, 1], [0, 1], ":", color="grey", label="chance")
        ax.set_xlabel("false-positive rate (inliers flagged)")
        ax.set_ylabel("true-positive rate (outliers caught)")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)  # below the diagonal: no curve of a detector there
        ax.set_aspect("equal")
    return fig


def _corners(fpr, tpr):
    """The ROC staircase without the points inside its straight vertical and horizontal
    runs: the same drawn line from a few hundred points instead of one per test image
    (a small SVG)."""
    fpr, tpr = np.asarray(fpr), np.asarray(tpr)
    inner = ((fpr[1:-1] == fpr[:-2]) & (fpr[1:-1] == fpr[2:])) | ((tpr[1:-1] == tpr[:-2]) & (tpr[1:-1] == tpr[2:]))
    keep = np.r_[True, ~inner, True]
    return fpr[keep], tpr[keep]


def _figure_scores(numbers):
    from .plot import colour, figure, legend_outside

    fig, axes = figure(ncols=len(numbers), width=3.4, height=2.8)
    for ax, (kind, e) in zip(np.atleast_1d(axes), numbers.items()):
        groups = [("inliers", e["scores_inliers"]), ("outlier digits", e["scores_outliers"])]
        if "scores_fashion" in e:
            groups.append(("Fashion-MNIST", e["scores_fashion"]))
        bins = np.linspace(0, np.quantile(np.concatenate([g[1] for g in groups]), 0.995), 50)
        for i, (label, s) in enumerate(groups):
            ax.hist(s, bins=bins, density=True, histtype="step", linewidth=1.6, color=colour(i), label=label)
        ax.axvline(e["threshold"], color="black", linestyle="--", label="threshold (validation 95 %)")
        ax.set_xlabel("reconstruction error")
        ax.set_ylabel("density")
        ax.set_title(kind)
    legend_outside(np.atleast_1d(axes)[-1])
    return fig


def _figure_extremes(numbers, X):
    from .plot import figure, image_grid

    fig, axes = figure(nrows=2 * len(SETUPS), width=4.8, height=1.3)
    for i, setup in enumerate(SETUPS):
        e = numbers[f"{setup}/mlp"]
        image_grid(axes[2 * i], X[e["least_anomalous"], 0], 8, f"{setup}: least anomalous test images")
        image_grid(axes[2 * i + 1], X[e["most_anomalous"], 0], 8, f"{setup}: most anomalous test images")
    return fig
