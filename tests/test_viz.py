"""glassgrad.viz: every figure is written as PNG and SVG, and what it draws is the data.

The drawn values are read back from the matplotlib artists (line data, scatter offsets,
image arrays, the rendered pixels of the class regions) and compared with values computed
here by hand with NumPy.
"""

import subprocess
import sys

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn
from glassgrad import viz
from glassgrad.train import History

pytest.importorskip("matplotlib")


def history(n=5, spread=1.0):
    return History([
        {"epoch": e, "train_loss": spread / e, "val_loss": spread / e + 0.1, "train_accuracy": 0.5 + e / 20,
         "val_accuracy": 0.45 + e / 20, "lr": 0.1, "time": 0.0, "iterations": 3, "step": 3 * e, "examples": 30}
        for e in range(1, n + 1)
    ], monitor="val_loss", best_epoch=4)


def two_d_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    return X, y


def small_net(hidden=2, seed=0):
    gg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))


# ------------------------------------------------------------------------------ files
FIGURES = {
    "history": lambda p: viz.plot_history(history(), p),
    "histories": lambda p: viz.plot_histories({"lr=0.1": history(), "lr=1": history(spread=5)}, p),
    "boundary": lambda p: viz.plot_decision_boundary(small_net(), *two_d_data(), p, resolution=50),
    "boundaries": lambda p: viz.plot_decision_boundaries(
        {"net": small_net(), "rule": lambda a: (a[:, 1] > 0).astype(int)}, *two_d_data(), p, resolution=50),
    "hidden": lambda p: viz.plot_hidden_space(small_net(4), *two_d_data(), p),
    "confusion": lambda p: viz.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), p),
    "weights": lambda p: viz.plot_weights(np.random.default_rng(0).normal(size=(6, 784)), p),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_writes_a_png(name, tmp_path):
    png = tmp_path / f"{name}.png"
    FIGURES[name](png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == [png.name]  # no temp file left


@pytest.mark.parametrize("name", ["history", "hidden"])
def test_an_svg_suffix_writes_svg(name, tmp_path):
    # every function saves through the same save_figure: two of them stand for all
    svg = tmp_path / f"{name}.svg"
    FIGURES[name](svg)
    assert "<svg" in svg.read_text()[:400]
    assert [p.name for p in tmp_path.iterdir()] == [svg.name]


def test_bad_paths_are_refused_before_drawing(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        viz.plot_history(history(), tmp_path / "curves.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.plot_history(history(), tmp_path / "missing" / "curves.png")
    assert list(tmp_path.iterdir()) == []


def test_a_figure_is_written_as_pdf_for_latex(tmp_path):
    viz.plot_history(history(), tmp_path / "curves.pdf")
    assert (tmp_path / "curves.pdf").read_bytes().startswith(b"%PDF-")


def test_import_glassgrad_does_not_import_matplotlib():
    code = "import sys, glassgrad, glassgrad.viz, glassgrad.train; print('matplotlib' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# ------------------------------------------------------------------------------ curves
def test_history_curves_plot_the_recorded_values():
    fig = viz.plot_history(history(spread=100.0))
    loss_ax, acc_ax = fig.axes[:2]
    lines = {line.get_label(): line for line in loss_ax.get_lines() if not line.get_label().startswith("_")}
    np.testing.assert_allclose(lines["training"].get_ydata(), [100 / e for e in range(1, 6)])
    np.testing.assert_allclose(lines["validation"].get_ydata(), [100 / e + 0.1 for e in range(1, 6)])
    np.testing.assert_array_equal(lines["training"].get_xdata(), [1, 2, 3, 4, 5])
    assert loss_ax.get_yscale() == "linear"  # 100 down to 20: a linear axis reads well
    acc = {line.get_label(): line for line in acc_ax.get_lines() if not line.get_label().startswith("_")}
    np.testing.assert_allclose(acc["validation"].get_ydata(), [0.45 + e / 20 for e in range(1, 6)])
    # the kept epoch is marked
    assert any(np.allclose(line.get_xdata(), 4) for line in loss_ax.get_lines())


def test_losses_spanning_decades_get_a_log_axis():
    h = History([{"epoch": e, "train_loss": 10.0 ** (1 - e), "val_loss": None} for e in range(1, 6)])
    assert viz.plot_history(h).axes[0].get_yscale() == "log"  # 10 down to 0.001


def test_history_without_accuracy_has_one_panel():
    h = History([{"epoch": 1, "train_loss": 1.0, "val_loss": None, "train_accuracy": None, "val_accuracy": None}])
    assert len(viz.plot_history(h).axes) == 1


def test_histories_draw_one_curve_per_run_and_skip_diverged_epochs():
    diverged = History([{"epoch": 1, "train_loss": 2.0, "val_accuracy": 0.5},
                        {"epoch": 2, "train_loss": None, "val_accuracy": 0.1}])
    fig = viz.plot_histories({"lr=0.1": history(), "lr=10": diverged})
    loss_ax = fig.axes[0]
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(lines) == {"lr=0.1", "lr=10"}
    np.testing.assert_array_equal(lines["lr=10"].get_xdata(), [1])
    with pytest.raises(ValueError, match="at least one"):
        viz.plot_histories({})


# ------------------------------------------------------------------------------ boundaries
def _pixel(fig, ax, x, y):
    """RGB of the rendered figure at data point (x, y) of ax."""
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return img[img.shape[0] - int(round(py)), int(round(px)), :3] / 255


def test_decision_regions_are_where_the_classifier_says():
    from matplotlib.colors import to_rgb

    X, y = two_d_data()
    rule = lambda a: (a[:, 0] > 0).astype(np.int64)  # noqa: E731 - right half is class 1
    fig = viz.plot_decision_boundary(rule, X, y)
    ax = fig.axes[0]
    left, right = _pixel(fig, ax, -1.1, -1.12), _pixel(fig, ax, 1.1, -1.12)  # corners: no point, no legend
    np.testing.assert_allclose(left, to_rgb(viz._REGION_COLOURS[0]), atol=0.02)
    np.testing.assert_allclose(right, to_rgb(viz._REGION_COLOURS[1]), atol=0.02)
    # the data are drawn on top, each class at its own points
    offsets = [c.get_offsets() for c in ax.collections if c.get_label().startswith("class")]
    np.testing.assert_array_equal(offsets[0], X[y == 0])
    np.testing.assert_array_equal(offsets[1], X[y == 1])


def test_a_glassgrad_model_decides_by_argmax():
    from matplotlib.colors import to_rgb

    X, y = two_d_data()
    model = nn.Sequential(nn.Linear(2, 2))
    with gg.no_grad():  # score_1 - score_0 = 2 * x_2: the upper half is class 1
        model[0].weight.array[...] = [[0.0, -1.0], [0.0, 1.0]]
        model[0].bias.array[...] = 0.0
    fig = viz.plot_decision_boundary(model, X, y, resolution=60)
    ax = fig.axes[0]
    np.testing.assert_allclose(_pixel(fig, ax, 0.0, -1.1), to_rgb(viz._REGION_COLOURS[0]), atol=0.02)
    np.testing.assert_allclose(_pixel(fig, ax, 0.0, 1.1), to_rgb(viz._REGION_COLOURS[1]), atol=0.02)


def test_boundaries_need_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        viz.plot_decision_boundary(lambda a: a[:, 0] > 0, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="5 points but 4 labels"):
        viz.plot_decision_boundary(lambda a: a[:, 0] > 0, np.zeros((5, 2)), np.zeros(4))


# ------------------------------------------------------------------------------ hidden space
def _class_offsets(ax):
    return [c.get_offsets() for c in ax.collections if c.get_label().startswith("class")]


def test_two_hidden_units_are_drawn_as_they_are_with_the_output_line():
    X, y = two_d_data()
    model = small_net(hidden=2)
    W1, b1 = model[0].weight.array.astype(np.float64), model[0].bias.array.astype(np.float64)
    W2, b2 = model[2].weight.array.astype(np.float64), model[2].bias.array.astype(np.float64)
    H = np.tanh(X @ W1.T + b1)  # the hidden activations, by hand
    fig = viz.plot_hidden_space(model, X, y)
    hidden_ax = fig.axes[1]
    got = _class_offsets(hidden_ax)
    np.testing.assert_allclose(got[0], H[y == 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], H[y == 1], rtol=1e-5, atol=1e-6)
    # the drawn line is where the two class scores are equal
    (line,) = [ln for ln in hidden_ax.get_lines() if ln.get_label() == "output layer's boundary"]
    a, c = W2[0] - W2[1], b2[0] - b2[1]
    for px, py in zip(line.get_xdata(), line.get_ydata()):
        assert a[0] * px + a[1] * py + c == pytest.approx(0, abs=1e-9)


def test_more_hidden_units_are_projected_on_the_output_direction():
    X, y = two_d_data(60)
    model = small_net(hidden=5, seed=3)
    W1, b1 = model[0].weight.array.astype(np.float64), model[0].bias.array.astype(np.float64)
    W2, b2 = model[2].weight.array.astype(np.float64), model[2].bias.array.astype(np.float64)
    H = np.tanh(X @ W1.T + b1)
    a, c = W2[0] - W2[1], b2[0] - b2[1]
    fig = viz.plot_hidden_space(model, X, y)
    hidden_ax = fig.axes[1]
    got = _class_offsets(hidden_ax)
    # first coordinate: the component of h along a
    np.testing.assert_allclose(got[0][:, 0], (H[y == 0] @ a) / np.linalg.norm(a), rtol=1e-5, atol=1e-6)
    # the boundary is the vertical line at -c / |a|, and the model's decision is which side
    (line,) = [ln for ln in hidden_ax.get_lines() if ln.get_label() == "output layer's boundary"]
    np.testing.assert_allclose(line.get_xdata(), -c / np.linalg.norm(a), rtol=1e-6)


def test_hidden_space_needs_a_hidden_layer():
    X, y = two_d_data()
    with pytest.raises(ValueError, match="hidden layer"):
        viz.plot_hidden_space(nn.Sequential(nn.Linear(2, 2)), X, y)


# ------------------------------------------------------------------------------ confusion, weights
def test_confusion_matrix_shows_counts_and_row_fractions():
    m = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 4]])
    fig = viz.plot_confusion_matrix(m, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts == {(0, 0): "5", (0, 1): "1", (1, 0): "2", (1, 1): "7", (1, 2): "1", (2, 2): "4"}
    np.testing.assert_allclose(ax.images[0].get_array(), m / m.sum(1, keepdims=True))
    assert "80.00%" in ax.get_title()  # (5 + 7 + 4) / 20
    with pytest.raises(ValueError, match="square"):
        viz.plot_confusion_matrix(np.zeros((2, 3)))


def test_weights_are_tiled_as_28_by_28_images():
    w = np.random.default_rng(1).normal(size=(10, 784))
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU(), nn.Linear(10, 3))
    with gg.no_grad():
        model[1].weight.array[...] = w
    fig = viz.plot_weights(model, max_tiles=6)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6
    np.testing.assert_allclose(images[2].get_array(), w[2].reshape(28, 28), rtol=1e-6)
    lo, hi = images[2].get_clim()
    assert lo == -hi == pytest.approx(-np.abs(w[2]).max(), rel=1e-6)  # symmetric: 0 is white
    with pytest.raises(ValueError, match="28x28"):
        viz.plot_weights(np.zeros((3, 100)))
