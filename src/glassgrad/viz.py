"""Figures for a course: training curves, decision boundaries, the hidden space, confusion
matrices and first-layer weights.

matplotlib is imported inside the functions (``import glassgrad`` needs NumPy only), and
only its object-oriented API is used: a ``Figure`` drawn on the Agg canvas, never pyplot,
so no global backend is switched and no window opens. Each function returns the Figure and,
given ``path``, writes it there as PNG or SVG (chosen by the suffix), atomically.
"""

import os

from .atomic import atomic_open
from .backend import xp
from .tensor import Tensor

__all__ = [
    "plot_history", "plot_histories", "plot_decision_boundary", "plot_decision_boundaries",
    "plot_hidden_space", "plot_confusion_matrix", "plot_weights", "save_figure",
]

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}  # vector beside raster, for LaTeX
# Class colours: light for regions, strong for points (colour-blind friendly pairs).
_POINT_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                  "#7f7f7f", "#bcbd22", "#17becf"]
_REGION_COLOURS = ["#c6dbef", "#fcbba1", "#c7e9c0", "#fdd0a2", "#dadaeb", "#e7d4cf", "#f9d2ea",
                   "#e0e0e0", "#eeeebb", "#c2eef2"]


# ------------------------------------------------------------------------------ plumbing
def _figure(width, height):
    # A Figure that a notebook draws inline when a cell returns it (display/figure.py)
    try:
        from .display.figure import NotebookFigure
    except ImportError as exc:
        if "matplotlib" not in str(exc):
            raise
        raise ImportError("glassgrad.viz draws with matplotlib, which is not installed: "
                          "pip install 'glassgrad[viz]'") from None

    return NotebookFigure(figsize=(width, height), dpi=100, layout="constrained")


def _check_path(path):
    if path is None:
        return None
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in _FORMATS:
        raise ValueError(f"cannot write a figure to {path!r}: the name must end in .png, .svg or .pdf")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    return path


def save_figure(fig, path, dpi=100, **options):
    """Write ``fig`` to ``path`` (.png, .svg or .pdf) atomically (glassgrad.atomic); ``options``
    go to matplotlib's ``savefig`` (e.g. ``metadata``)."""
    path = _check_path(path)
    fmt = _FORMATS[os.path.splitext(path)[1].lower()]
    with atomic_open(path) as f:
        fig.savefig(f, format=fmt, dpi=dpi, **options)
    return path


def _finish(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def _array(x):
    if isinstance(x, Tensor):
        return x.array
    return xp.asarray(x)


def _labels(y):
    """Class labels as int64 (one-hot / probability targets become their argmax)."""
    y = _array(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(1)
    return xp.rint(y.reshape(-1)).astype(xp.int64)


def _history_dict(history):
    """Accept a History, its to_dict(), or a list of per-epoch records."""
    if hasattr(history, "epochs") and not isinstance(history, dict):
        return list(history.epochs)
    if isinstance(history, dict):
        return list(history["epochs"])
    return list(history)


def _series(records, key):
    xs = [r["epoch"] for r in records if r.get(key) is not None]
    ys = [r[key] for r in records if r.get(key) is not None]
    return xs, ys


# ------------------------------------------------------------------------------ curves
def plot_history(history, path=None, title=None):
    """Loss and accuracy per epoch, training against validation, side by side.

    The gap between the two curves is what the validation set is for: a validation loss
    that rises while the training loss falls is overfitting.
    """
    path = _check_path(path)
    records = _history_dict(history)
    has_acc = any(r.get("train_accuracy") is not None or r.get("val_accuracy") is not None for r in records)
    fig = _figure(10 if has_acc else 5.5, 4)
    axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
    panels = [("loss", "loss")] + ([("accuracy", "accuracy")] if has_acc else [])
    for ax, (metric, ylabel) in zip(axes, panels):
        for split, style in (("train", "-"), ("val", "--")):
            xs, ys = _series(records, f"{split}_{metric}")
            if ys:
                label = "training" if split == "train" else "validation"
                ax.plot(xs, ys, style, marker="o" if len(xs) <= 30 else None, ms=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend()
        if metric == "loss" and _positive(records, "train_loss") and _spans_decades(records):
            ax.set_yscale("log")
    best = history.get("best_epoch") if isinstance(history, dict) else getattr(history, "best_epoch", None)
    if best:
        for ax in axes:
            ax.axvline(best, color="grey", lw=0.8, ls=":")
        axes[0].annotate("best (kept)", (best, 1), xycoords=("data", "axes fraction"),
                         ha="center", va="bottom", fontsize=8, color="grey")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def _positive(records, key):
    values = [r.get(key) for r in records if r.get(key) is not None]
    return bool(values) and min(values) > 0


def _spans_decades(records):
    values = [r[k] for r in records for k in ("train_loss", "val_loss") if r.get(k)]
    return bool(values) and max(values) / min(values) > 30


def plot_histories(histories, path=None, title=None, metrics=("train_loss", "val_accuracy")):
    """Several runs on the same axes: ``histories`` maps a label (``"lr=0.1"``) to a History.

    This is the learning-rate picture of seed 004 (question 11): too small crawls, too large
    oscillates or diverges; a diverged run's curve simply stops where its loss became inf.
    """
    path = _check_path(path)
    if not histories:
        raise ValueError("plot_histories needs at least one history")
    fig = _figure(5 * len(metrics), 4)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, key in zip(axes, metrics):
        for label, history in histories.items():
            xs, ys = _series(_history_dict(history), key)
            ax.plot(xs, ys, marker="o" if len(xs) <= 30 else None, ms=3, label=str(label))
        ax.set_xlabel("epoch")
        ax.set_ylabel(key.replace("_", " ").replace("val", "validation").replace("train", "training"))
        if key.endswith("loss") and all(
            min(_series(_history_dict(h), key)[1] or [1]) > 0 for h in histories.values()
        ):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


# ------------------------------------------------------------------------------ boundaries
def _grid(X, resolution, margin=0.15):
    lo, hi = X.min(0), X.max(0)
    pad = (hi - lo) * margin + 1e-9
    gx = xp.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    gy = xp.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = xp.meshgrid(gx, gy)
    return xx, yy, xp.column_stack([xx.ravel(), yy.ravel()])


def _classify(classifier, points, dtype):
    """Class labels for ``points`` from a glassgrad model or any function of an array."""
    if hasattr(classifier, "parameters") and hasattr(classifier, "eval"):  # a glassgrad Module
        from .train import predict_classes

        return predict_classes(classifier, points.astype(dtype, copy=False))
    out = classifier(points)
    out = _array(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(1)
    if out.dtype.kind == "f":  # one score per point: its sign
        return (out.reshape(-1) > 0).astype(xp.int64)
    return out.reshape(-1).astype(xp.int64)


def _draw_boundary(ax, classifier, X, y, resolution, title):
    from matplotlib.colors import ListedColormap

    xx, yy, points = _grid(X, resolution)
    dtype = X.dtype if X.dtype.kind == "f" else xp.float32
    classes = _classify(classifier, points, dtype).reshape(xx.shape)
    k = int(max(classes.max(), y.max())) + 1
    ax.contourf(xx, yy, classes, levels=xp.arange(k + 1) - 0.5, cmap=ListedColormap(_REGION_COLOURS[:k]))
    if k == 2:  # the boundary itself, as a line
        ax.contour(xx, yy, classes, levels=[0.5], colors="k", linewidths=1)
    for c in range(k):
        mask = y == c
        ax.scatter(X[mask, 0], X[mask, 1], s=_marker_size(len(X)), color=_POINT_COLOURS[c % 10], edgecolor="white",
                   linewidth=0.3, label=f"class {c}")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)


def _check_2d(X, y):
    X = _array(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs 2-D inputs of shape (N, 2), got shape {tuple(X.shape)}")
    y = _labels(y)
    if len(y) != len(X):
        raise ValueError(f"{len(X)} points but {len(y)} labels")
    return X, y


def plot_decision_boundary(model, X, y, path=None, title=None, resolution=300):
    """The regions a 2-D classifier assigns to each class, with the data on top.

    ``model`` is a glassgrad model (its outputs' argmax, or the sign of a single logit, is
    the class) or any function from an (N, 2) array to labels or scores.
    """
    path = _check_path(path)
    X, y = _check_2d(X, y)
    fig = _figure(5, 4.6)
    ax = fig.subplots()
    _draw_boundary(ax, model, X, y, resolution, title)
    ax.legend(loc="best", fontsize=8)
    return _finish(fig, path)


def plot_decision_boundaries(classifiers, X, y, path=None, title=None, resolution=300):
    """Several classifiers' regions side by side: ``classifiers`` maps a panel title
    (e.g. ``"SVM (RBF): 99.5 %"``) to a model or a predict function."""
    path = _check_path(path)
    X, y = _check_2d(X, y)
    if not classifiers:
        raise ValueError("plot_decision_boundaries needs at least one classifier")
    fig = _figure(4.6 * len(classifiers), 4.6)
    axes = fig.subplots(1, len(classifiers), squeeze=False)[0]
    for ax, (name, clf) in zip(axes, classifiers.items()):
        _draw_boundary(ax, clf, X, y, resolution, name)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


# ------------------------------------------------------------------------------ hidden space
def _layers(model):
    layers = list(model.children()) if hasattr(model, "children") else []
    if not layers:
        raise ValueError("plot_hidden_space needs a Sequential model (a list of layers)")
    return layers


def _is_linear(layer):
    return type(layer).__name__ == "Linear"


def _hidden_cut(layers, layer):
    """How many leading layers make the hidden representation: by default everything up to
    (not including) the last Linear layer, i.e. the input of the output layer."""
    if layer is not None:
        if not -len(layers) <= layer < len(layers):
            raise ValueError(f"layer={layer} is out of range for a model of {len(layers)} layers")
        return layer % len(layers) + 1
    linear = [i for i, m in enumerate(layers) if _is_linear(m)]
    if len(linear) < 2:
        raise ValueError("plot_hidden_space needs a hidden layer: at least two Linear layers")
    return linear[-1]


def _run(layers, data):
    from .autograd.grad_mode import no_grad

    with no_grad():
        t = Tensor._wrap(data)
        for m in layers:
            t = m(t)
    return t.array


def plot_hidden_space(model, X, y, path=None, layer=None, title=None, grid_lines=21):
    """"The network bends the space" (seed 002): the data in the input plane, next to the
    same points as the hidden layer sees them.

    A thin grid drawn over the input plane is pushed through the same layers, so one sees
    how the plane is stretched and folded. In the hidden space the classes become linearly
    separable: the output layer is linear, and with 2 hidden units its decision boundary
    is drawn as a straight line there. With H > 2 hidden units the points and the grid are
    projected onto the two principal directions of the hidden activations (PCA), so the
    line is not drawn.

    ``layer`` picks the representation: the output of the layer at that index of the
    Sequential model (default: the input of the last Linear layer).
    """
    path = _check_path(path)
    X, y = _check_2d(X, y)
    layers = _layers(model)
    cut = _hidden_cut(layers, layer)
    dtype = X.dtype if X.dtype.kind == "f" else xp.float32
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        H = _run(layers[:cut], X.astype(dtype, copy=False))
        # The deformed grid: each line of the input plane, sampled finely, through the layers.
        xx, yy, _ = _grid(X, grid_lines, margin=0.1)
        t = xp.linspace(0, 1, 200, dtype=dtype)[:, None]
        lines = []
        for v in xx[0]:
            lines.append(xp.column_stack([xp.full(200, v), yy[0, 0] + t[:, 0] * (yy[-1, 0] - yy[0, 0])]))
        for v in yy[:, 0]:
            lines.append(xp.column_stack([xx[0, 0] + t[:, 0] * (xx[0, -1] - xx[0, 0]), xp.full(200, v)]))
        lines = xp.stack(lines).astype(dtype)
        mapped = _run(layers[:cut], lines.reshape(-1, 2)).reshape(len(lines), 200, -1)
    finally:
        model.train(was_training)
    if H.ndim != 2:
        raise ValueError(f"the chosen layer gives activations of shape {H.shape}; expected (N, features)")

    width = H.shape[1]
    head = _linear_head(layers[cut:])
    if width == 2:
        project = lambda a: a  # noqa: E731
        axis_names = ("$h_1$", "$h_2$")
        how = ""
        line = head
    elif head is not None:
        # Axis 1: the direction the output layer looks along (a, with a . h + c = 0 the
        # boundary); axis 2: the widest spread of what is left. The boundary is then the
        # vertical line at -c / |a|, however many hidden units there are.
        a, c = head
        u = a / xp.linalg.norm(a)
        rest = (H - H.mean(0)) - xp.outer((H - H.mean(0)) @ u, u)
        v = xp.linalg.svd(rest, full_matrices=False)[2][0]
        basis = xp.column_stack([u, v])
        project = lambda m: m @ basis  # noqa: E731
        axis_names = ("the output layer's direction $a \\cdot h$", "widest other direction")
        how = ", projected"
        line = (xp.array([1.0, 0.0]) * xp.linalg.norm(a), c)
    else:
        mean = H.mean(0)
        _, _, vt = xp.linalg.svd(H - mean, full_matrices=False)
        basis = vt[:2].T if width > 1 else xp.eye(1, 2)
        project = lambda m: (m - mean) @ basis  # noqa: E731
        axis_names = ("principal direction 1", "principal direction 2")
        how = ", PCA"
        line = None
    P = project(H)
    fig = _figure(10, 4.6)
    ax_in, ax_h = fig.subplots(1, 2)
    for grid_line in lines:
        ax_in.plot(grid_line[:, 0], grid_line[:, 1], color="0.85", lw=0.5, zorder=0)
    for grid_line in mapped:
        pl = project(grid_line)
        ax_h.plot(pl[:, 0], pl[:, 1], color="0.85", lw=0.5, zorder=0)
    size = _marker_size(len(X))
    for ax, pts in ((ax_in, X), (ax_h, P)):
        for k in range(int(y.max()) + 1):
            m = y == k
            ax.scatter(pts[m, 0], pts[m, 1], s=size, color=_POINT_COLOURS[k % 10], edgecolor="white",
                       linewidth=0.3, label=f"class {k}", zorder=2)
    ax_in.set_title("input space")
    ax_in.set_xlabel("$x_1$")
    ax_in.set_ylabel("$x_2$")
    ax_in.set_aspect("equal", adjustable="datalim")
    ax_h.set_title(f"hidden space ({width} units{how})")
    ax_h.set_xlabel(axis_names[0])
    ax_h.set_ylabel(axis_names[1])
    if line is not None:
        _draw_line(ax_h, line, P)
    # One legend for both panels, under them: inside an axis it would hide points.
    handles, labels = ax_h.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def _linear_head(rest):
    """With a linear output layer, the class boundary in its input space is the set where
    the two class scores are equal: (w_0 - w_1) . h + (b_0 - b_1) = 0, or w . h + b = 0
    for a single logit. Returns (a, c) of that line a . h + c = 0, or None when the layers
    after the hidden representation are not one Linear (plus a softmax) with 1 or 2 outputs."""
    harmless = ("Identity", "Softmax", "LogSoftmax", "Sigmoid")
    linear = [m for m in rest if _is_linear(m)]
    if len(linear) != 1 or any(not _is_linear(m) and type(m).__name__ not in harmless for m in rest):
        return None
    w = linear[0].weight.array.astype(xp.float64)
    bias = getattr(linear[0], "bias", None)
    b = bias.array.astype(xp.float64) if bias is not None else xp.zeros(w.shape[0])
    if w.shape[0] == 2:
        return w[0] - w[1], b[0] - b[1]
    if w.shape[0] == 1:
        return w[0], b[0]
    return None


def _draw_line(ax, line, P):
    """Draw a . p + c = 0 across the points P (in the plotted coordinates)."""
    a, c = line
    x0, x1 = P[:, 0].min(), P[:, 0].max()
    y0, y1 = P[:, 1].min(), P[:, 1].max()
    pad = 0.1 * max(x1 - x0, y1 - y0, 1e-6)
    if abs(a[1]) > abs(a[0]):
        xs = xp.array([x0 - pad, x1 + pad])
        ys = -(a[0] * xs + c) / a[1]
    else:
        ys = xp.array([y0 - pad, y1 + pad])
        xs = -(a[1] * ys + c) / a[0]
    ax.plot(xs, ys, "k-", lw=1.2, label="output layer's boundary", zorder=3)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)


def _marker_size(n):
    return 40 if n < 50 else 10


# ------------------------------------------------------------------------------ confusion
def plot_confusion_matrix(matrix, path=None, class_names=None, title=None):
    """Rows are the true classes, columns the predicted ones; the colour is the fraction of
    the row (so rare classes show as clearly as common ones), the number is the count."""
    path = _check_path(path)
    m = _array(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {tuple(m.shape)}")
    k = m.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    if len(names) != k:
        raise ValueError(f"{len(names)} class names for a {k}x{k} matrix")
    rows = m.sum(1, keepdims=True)
    frac = m / xp.maximum(rows, 1)
    size = max(4.0, 0.45 * k + 2)
    fig = _figure(size + 1, size)
    ax = fig.subplots()
    im = ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            if m[i, j]:
                ax.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=8 if k > 6 else 10,
                        color="white" if frac[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = m.sum()
    acc = xp.trace(m) / total if total else 0.0
    ax.set_title(title or f"confusion matrix (accuracy {acc:.2%})")
    fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of the true class")
    return _finish(fig, path)


# ------------------------------------------------------------------------------ weights
def plot_weights(weight, path=None, image_shape=(28, 28), max_tiles=64, title=None):
    """The first layer's weights as images: row i of a Linear weight (out, in) is the
    template that hidden unit i compares each input image with (its pre-activation is the
    dot product). Red is positive, blue negative, each tile on its own symmetric scale.

    ``weight`` is a Linear layer, a Parameter/Tensor of shape (out, in) with
    in = prod(image_shape), or a model (its first Linear layer is used).
    """
    path = _check_path(path)
    w = _first_weight(weight)
    h, wd = image_shape
    if w.ndim != 2 or w.shape[1] != h * wd:
        raise ValueError(
            f"weights of shape {tuple(w.shape)} cannot be shown as {h}x{wd} images: "
            f"expected (units, {h * wd})"
        )
    n = min(len(w), max_tiles)
    cols = int(xp.ceil(xp.sqrt(n)))
    rows = int(xp.ceil(n / cols))
    fig = _figure(cols * 0.9 + 0.5, rows * 0.9 + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i < n:
            tile = w[i].reshape(h, wd)
            lim = float(abs(tile).max()) or 1.0
            ax.imshow(tile, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    fig.suptitle(title or f"first-layer weights ({n} of {len(w)} units)")
    return _finish(fig, path)


def _first_weight(obj):
    if isinstance(obj, Tensor) or isinstance(obj, xp.ndarray):
        return _array(obj)
    if _is_linear(obj):
        return obj.weight.array
    if hasattr(obj, "modules"):
        for m in obj.modules():
            if _is_linear(m):
                return m.weight.array
    raise ValueError("plot_weights needs a weight matrix, a Linear layer or a model containing one")
