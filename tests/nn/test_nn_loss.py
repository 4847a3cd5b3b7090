"""Losses, as functions and Modules, against torch (or a hand derivation where torch has
no twin): values and gradients for every reduction, float64 and float32, and the input
checks."""

import math

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn.functional as F
from glassgrad import nn
from nn_helpers import assert_close, backward_with, pair

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = ["float64", "float32"]
REDUCTIONS = ["mean", "sum", "none"]


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- MSELoss
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 3), (5,), (2, 3, 4), ()])
def test_mse_matches_torch(dtype, reduction, shape):
    a, b = _rng().standard_normal(shape).astype(dtype), _rng(2).standard_normal(shape).astype(dtype)
    (a1, a2), (b1, b2) = pair(a), pair(b)
    ours = nn.MSELoss(reduction=reduction)(a1, b1)
    theirs = torch.nn.MSELoss(reduction=reduction)(a2, b2)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    assert_close(a1.grad, a2.grad, dtype)
    assert_close(b1.grad, b2.grad, dtype)


def test_mse_promotes_mixed_precision_like_torch():
    a = _rng().standard_normal(4).astype(np.float32)
    b = _rng(1).standard_normal(4)
    (a1, a2), (b1, b2) = pair(a), pair(b)
    ours, theirs = F.mse_loss(a1, b1), TF.mse_loss(a2, b2)
    assert ours.dtype == np.float64 and theirs.dtype == torch.float64
    assert_close(ours, theirs)
    ours.backward()
    theirs.backward()
    assert a1.grad.dtype == np.float32
    assert_close(a1.grad, a2.grad, "float32")


# ---------------------------------------------------------------- SquaredError (seeds)
@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_error_is_half_the_sum_of_squares(dtype):
    yhat, y = _rng().standard_normal((4, 3)).astype(dtype), _rng(1).standard_normal((4, 3)).astype(dtype)
    (a1, a2), (b1, b2) = pair(yhat, requires_grad=True), pair(y)
    loss = nn.SquaredError()(a1, b1)  # default reduction='sum'
    assert_close(loss, 0.5 * np.sum((yhat.astype(np.float64) - y) ** 2), dtype)
    assert_close(loss, 0.5 * TF.mse_loss(a2, b2, reduction="sum"), dtype)  # torch as a second witness
    loss.backward()
    assert_close(a1.grad, yhat - y, dtype)  # the 1/2 makes the gradient exactly y_hat - y
    assert_close(b1.grad, y - yhat, dtype)


@pytest.mark.parametrize("shape", [(4, 3), (5,), (2, 3, 2)])
def test_squared_error_mean_and_none_are_per_example(shape):
    yhat, y = _rng().standard_normal(shape), _rng(1).standard_normal(shape)
    n = shape[0]
    per_example = 0.5 * ((yhat - y) ** 2).reshape(n, -1).sum(axis=1)
    a = gg.tensor(yhat, requires_grad=True)
    none = F.squared_error(a, gg.tensor(y), reduction="none")
    assert none.shape == (n,)
    np.testing.assert_allclose(none.array, per_example, rtol=1e-12)
    mean = F.squared_error(a, gg.tensor(y), reduction="mean")
    np.testing.assert_allclose(mean.array, per_example.mean(), rtol=1e-12)
    mean.backward()
    np.testing.assert_allclose(a.grad.array, (yhat - y) / n, rtol=1e-12)  # mean of per-example gradients
    a.grad = None
    weights = _rng(3).standard_normal(n)
    none.backward(gg.tensor(weights))
    np.testing.assert_allclose(a.grad.array, (yhat - y) * weights.reshape((n,) + (1,) * (len(shape) - 1)), rtol=1e-12)


def test_squared_error_reproduces_seed_001_forward():
    """Seed 001: a 4-4-3-3 tanh network, every weight and bias 0.1, x = [1 0 1 0], y = [0 1 0].

    By hand: z1 = 0.1 * 2 + 0.1 = 0.3, h1 = tanh(0.3); z2 = 0.4 h1 + 0.1 (the seed's
    0.2165); h2 = tanh(z2); z3 = 0.3 h2 + 0.1 = 0.16396 (the seed writes 0.16936, a
    transposition slip; its loss 0.376 is computed from the right value);
    L = 1/2 (2 z3^2 + (1 - z3)^2).
    """
    h1 = math.tanh(0.3)
    z2 = 0.4 * h1 + 0.1
    z3 = 0.3 * math.tanh(z2) + 0.1
    expected = 0.5 * (2 * z3**2 + (1 - z3) ** 2)
    assert round(z2, 4) == 0.2165 and round(z3, 5) == 0.16396 and round(expected, 3) == 0.376

    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 3)).double()
    for p in model.parameters():
        nn.init.constant_(p, 0.1)
    x, y = gg.tensor([[1.0, 0.0, 1.0, 0.0]], dtype=gg.float64), gg.tensor([[0.0, 1.0, 0.0]], dtype=gg.float64)
    yhat = model(x)
    loss = nn.SquaredError()(yhat, y)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-12)
    loss.backward()
    # Output layer: dL/dW3 = (y_hat - y) h2^T, with h2 = tanh(z2) in all three entries.
    delta = np.array([z3, z3 - 1, z3])
    np.testing.assert_allclose(model[4].weight.grad.array, np.outer(delta, [math.tanh(z2)] * 3), rtol=1e-12)
    np.testing.assert_allclose(model[4].bias.grad.array, delta, rtol=1e-12)


def test_squared_error_docstring_says_why_it_differs_from_mse():
    doc = F.squared_error.__doc__
    assert "1/2" in doc and "1/N" in doc and "mse_loss" in doc


# ---------------------------------------------------------------- BCE
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(dtype, reduction, weighted):
    p = _rng().uniform(0.05, 0.95, (6, 4)).astype(dtype)
    y = _rng(1).uniform(0, 1, (6, 4)).astype(dtype)
    (p1, p2), (y1, y2) = pair(p), pair(y)
    w = _rng(2).uniform(0.5, 2, 4).astype(dtype) if weighted else None
    ours = nn.BCELoss(weight=None if w is None else gg.tensor(w), reduction=reduction)(p1, y1)
    theirs = torch.nn.BCELoss(weight=None if w is None else torch.tensor(w), reduction=reduction)(p2, y2)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    assert_close(p1.grad, p2.grad, dtype)
    assert_close(y1.grad, y2.grad, dtype)


def test_bce_at_probabilities_zero_and_one_is_clamped_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-12, 1 - 1e-9])
    y = np.array([0.5, 0.5, 0.0, 1.0, 0.0, 0.0])
    (p1, p2), (y1, y2) = pair(p), pair(y)
    ours, theirs = F.binary_cross_entropy(p1, y1, reduction="none"), TF.binary_cross_entropy(p2, y2, reduction="none")
    assert_close(ours, theirs)  # log clamped at -100: 0.5 * 100 = 50, not inf
    ours.sum().backward()
    theirs.sum().backward()
    assert_close(p1.grad, p2.grad)
    np.testing.assert_array_equal(y1.grad.array[:2], y2.grad.numpy()[:2])  # +-inf, as torch
    assert_close(y1.grad.array[4:], y2.grad[4:])


def test_bce_weight_gradient_is_the_unweighted_loss():
    p, y, w = _rng().uniform(0.1, 0.9, 5), _rng(1).uniform(0, 1, 5), _rng(2).uniform(0.5, 2, 5)
    wt = gg.tensor(w, requires_grad=True)
    F.binary_cross_entropy(gg.tensor(p), gg.tensor(y), weight=wt, reduction="sum").backward()
    np.testing.assert_allclose(wt.grad.array, -(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-12)


def test_bce_refuses_values_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(gg.tensor([0.5, 1.5]), gg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(gg.tensor([0.5, float("nan")]), gg.tensor([0.0, 1.0]))


# ---------------------------------------------------------------- BCE with logits
EXTREME_Z = [1e4, -1e4, 50.0, -50.0, 0.0, 3.0, -0.7]


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_finite_and_exact_at_extreme_logits(dtype):
    z = np.repeat(EXTREME_Z, 3).astype(dtype)
    y = np.tile([0.0, 1.0, 0.25], len(EXTREME_Z)).astype(dtype)
    (z1, z2), (y1, y2) = pair(z), pair(y)
    ours = F.binary_cross_entropy_with_logits(z1, y1, reduction="none")
    theirs = TF.binary_cross_entropy_with_logits(z2, y2, reduction="none")
    assert np.all(np.isfinite(ours.array))
    assert_close(ours, theirs, dtype)
    # Hand values: at z = 1e4 and y = 1 the loss is 0; at y = 0 it is z itself.
    assert ours.array[0] == 1e4 and ours.array[1] == 0 and ours.array[3] == 0 and ours.array[4] == 1e4
    assert ours.array[12] == pytest.approx(math.log(2), rel=1e-6)  # z = 0: log 2 for any y
    backward_with(ours, theirs, seed=1)
    assert np.all(np.isfinite(z1.grad.array))
    assert_close(z1.grad, z2.grad, dtype)
    assert_close(y1.grad, y2.grad, dtype)


def test_bce_with_logits_gradient_is_sigmoid_minus_target():
    z, y = _rng().standard_normal(7) * 4, _rng(1).uniform(0, 1, 7)
    zt = gg.tensor(z, requires_grad=True)
    F.binary_cross_entropy_with_logits(zt, gg.tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(zt.grad.array, 1 / (1 + np.exp(-z)) - y, rtol=1e-12)  # seed 002
    loss = F.binary_cross_entropy_with_logits(gg.tensor(z), gg.tensor(y), reduction="none")
    np.testing.assert_allclose(loss.array, -y * z + np.log1p(np.exp(z)), rtol=1e-12)


def test_bce_with_logits_is_one_fused_node():
    z = gg.tensor([0.5, -1.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, gg.tensor([1.0, 0.0]))
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyWithLogits"
    assert all(edge is None or edge is z for edge in loss.grad_fn.next_functions)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_weight_and_pos_weight_match_torch(dtype, reduction):
    z = (_rng().standard_normal((5, 3)) * 3).astype(dtype)
    z[0] = [1e4, -1e4, 50.0]
    y = _rng(1).uniform(0, 1, (5, 3)).astype(dtype)
    y[0] = [0.0, 1.0, 0.5]
    (z1, z2), (y1, y2) = pair(z), pair(y)
    w = _rng(2).uniform(0.5, 2, (5, 1)).astype(dtype)
    w1, w2 = gg.tensor(w, requires_grad=True), torch.tensor(w)  # torch has no gradient for weight
    pw = _rng(3).uniform(0.5, 3, 3).astype(dtype)
    pw1, pw2 = gg.tensor(pw, requires_grad=True), torch.tensor(pw)  # nor for pos_weight
    ours = nn.BCEWithLogitsLoss(weight=w1, reduction=reduction, pos_weight=pw1)(z1, y1)
    theirs = torch.nn.BCEWithLogitsLoss(weight=w2, reduction=reduction, pos_weight=pw2)(z2, y2)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    for a, b in [(z1, z2), (y1, y2)]:
        assert_close(a.grad, b.grad, dtype)
    # d(loss)/d(weight): each row's unweighted losses, summed over the row (weight is (5, 1)).
    unweighted = TF.binary_cross_entropy_with_logits(z2, y2, reduction="none", pos_weight=pw2).detach()
    upstream = torch.from_numpy(_rng(1).standard_normal(tuple(ours.shape)).astype(dtype))
    scale = {"mean": upstream / z.size, "sum": upstream, "none": upstream}[reduction]
    assert_close(w1.grad, (unweighted * scale).sum(dim=1, keepdim=True), dtype)
    # d(loss)/d(pos_weight_c) = sum over rows of w * y * log(1 + e^{-z}) (the positive term).
    positive_term = w2 * y2.detach() * TF.softplus(-z2.detach())
    assert_close(pw1.grad, (positive_term * scale).sum(dim=0), dtype)


# ---------------------------------------------------------------- CrossEntropyLoss, NLLLoss modules
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [{}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.1}, {"weight": True, "label_smoothing": 0.2}],
    ids=["plain", "weight", "ignore", "smooth", "weight+smooth"],
)
def test_cross_entropy_module_matches_torch_with_index_targets(dtype, reduction, options):
    z = _rng().standard_normal((7, 4)).astype(dtype)
    y = np.array([0, 2, 1, 3, 2, 0, 1])
    kwargs = dict(options)
    w = _rng(2).uniform(0.5, 2, 4).astype(dtype)
    ours_kw = {**kwargs, **({"weight": gg.tensor(w)} if kwargs.get("weight") else {})}
    theirs_kw = {**kwargs, **({"weight": torch.tensor(w)} if kwargs.get("weight") else {})}
    (z1, z2) = pair(z)
    ours = nn.CrossEntropyLoss(reduction=reduction, **ours_kw)(z1, gg.tensor(y))
    theirs = torch.nn.CrossEntropyLoss(reduction=reduction, **theirs_kw)(z2, torch.tensor(y))
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    assert_close(z1.grad, z2.grad, dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_module_with_probability_targets(reduction):
    z = _rng().standard_normal((5, 3))
    q = _rng(1).uniform(0, 1, (5, 3))
    q /= q.sum(axis=1, keepdims=True)
    (z1, z2) = pair(z)
    ours = nn.CrossEntropyLoss(reduction=reduction)(z1, gg.tensor(q))
    theirs = torch.nn.CrossEntropyLoss(reduction=reduction)(z2, torch.tensor(q))
    assert_close(ours, theirs)
    backward_with(ours, theirs, seed=1)
    assert_close(z1.grad, z2.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_module_matches_torch(reduction):
    logp = np.log(_rng().dirichlet(np.ones(4), size=6))
    y = np.array([3, 0, 1, 1, 2, 0])
    w = _rng(2).uniform(0.5, 2, 4)
    (x1, x2) = pair(logp)
    ours = nn.NLLLoss(weight=gg.tensor(w), reduction=reduction, ignore_index=1)(x1, gg.tensor(y))
    theirs = torch.nn.NLLLoss(weight=torch.tensor(w), reduction=reduction, ignore_index=1)(x2, torch.tensor(y))
    assert_close(ours, theirs)
    backward_with(ours, theirs, seed=1)
    assert_close(x1.grad, x2.grad)


def test_weighted_losses_keep_weight_as_a_buffer_like_torch():
    w = [1.0, 2.0, 3.0]
    assert list(nn.CrossEntropyLoss(weight=gg.tensor(w)).state_dict()) == list(
        torch.nn.CrossEntropyLoss(weight=torch.tensor(w)).state_dict())
    assert list(nn.BCEWithLogitsLoss(pos_weight=gg.tensor(w)).state_dict()) == list(
        torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w)).state_dict())
    assert list(nn.MSELoss().state_dict()) == []


# ---------------------------------------------------------------- MultiMarginLoss
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, margin, weighted", [(1, 1.0, False), (2, 1.0, False), (1, 0.3, True), (2, 2.0, True)])
def test_multi_margin_matches_torch(dtype, reduction, p, margin, weighted):
    x = (_rng().standard_normal((8, 5)) * 1.5).astype(dtype)
    y = np.array([0, 4, 2, 2, 1, 3, 0, 4])
    w = _rng(2).uniform(0.5, 2, 5).astype(dtype) if weighted else None
    (x1, x2) = pair(x)
    ours = nn.MultiMarginLoss(p=p, margin=margin, weight=None if w is None else gg.tensor(w), reduction=reduction)(x1, gg.tensor(y))
    theirs = torch.nn.MultiMarginLoss(p=p, margin=margin, weight=None if w is None else torch.tensor(w),
                                      reduction=reduction)(x2, torch.tensor(y))
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    assert_close(x1.grad, x2.grad, dtype)


def test_multi_margin_single_example_and_hand_value():
    x = np.array([0.1, 0.8, 0.5])  # y = 1: terms max(0, 1 - 0.8 + 0.1) + max(0, 1 - 0.8 + 0.5)
    (x1, x2) = pair(x)
    ours = F.multi_margin_loss(x1, gg.tensor(1))
    theirs = TF.multi_margin_loss(x2.unsqueeze(0), torch.tensor([1]))
    np.testing.assert_allclose(ours.item(), (0.3 + 0.7) / 3, rtol=1e-12)
    assert_close(ours, theirs.reshape(()))
    ours.backward()
    np.testing.assert_allclose(x1.grad.array, [1 / 3, -2 / 3, 1 / 3], rtol=1e-12)


def test_multi_margin_weight_gradient_by_finite_differences():
    x, y = _rng().standard_normal((6, 4)), np.array([0, 1, 3, 3, 2, 0])
    w = _rng(1).uniform(0.5, 2, 4)
    wt = gg.tensor(w, requires_grad=True)
    F.multi_margin_loss(gg.tensor(x), gg.tensor(y), p=2, weight=wt).backward()
    h = 1e-6
    for c in range(4):
        up, down = w.copy(), w.copy()
        up[c] += h
        down[c] -= h
        numeric = (F.multi_margin_loss(gg.tensor(x), gg.tensor(y), p=2, weight=gg.tensor(up)).item()
                   - F.multi_margin_loss(gg.tensor(x), gg.tensor(y), p=2, weight=gg.tensor(down)).item()) / (2 * h)
        np.testing.assert_allclose(wt.grad.array[c], numeric, rtol=1e-6)


# ---------------------------------------------------------------- SoftmaxHingeLoss (seed 003)
def _torch_softmax_hinge(o, y, margin, reduction):
    """The loss composed from torch ops: softmax, gather, clamp, and a mask for j != y."""
    p = torch.softmax(o, dim=1)
    p_y = p.gather(1, y[:, None])
    terms = (p - p_y + margin).clamp(min=0) * (1 - TF.one_hot(y, o.shape[1]).to(o.dtype))
    per_example = terms.sum(dim=1)
    return {"mean": per_example.mean(), "sum": per_example.sum(), "none": per_example}[reduction]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.05, 0.2, 1.0])
def test_softmax_hinge_matches_torch_composition(dtype, reduction, margin):
    o = (_rng().standard_normal((9, 4)) * 2).astype(dtype)
    y = np.array([0, 1, 2, 3, 3, 2, 1, 0, 2])
    (o1, o2) = pair(o)
    ours = nn.SoftmaxHingeLoss(margin=margin, reduction=reduction)(o1, gg.tensor(y))
    theirs = _torch_softmax_hinge(o2, torch.tensor(y), margin, reduction)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs, seed=1)
    assert_close(o1.grad, o2.grad, dtype)


def test_softmax_hinge_gradient_by_hand_for_margin_one():
    """margin >= 1 makes every term active (p_j - p_y > -1), so L = 1 - k p_y + (k-1) m
    and dL/do = -k p_y (e_y - p), as derived in the docstring."""
    o, y, k = _rng(4).standard_normal(5), 3, 5
    p = np.exp(o - o.max())
    p /= p.sum()
    ot = gg.tensor(o, requires_grad=True)
    loss = F.softmax_hinge_loss(ot, gg.tensor(y), margin=1.0)
    np.testing.assert_allclose(loss.item(), 1 - k * p[y] + (k - 1) * 1.0, rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(ot.grad.array, -k * p[y] * (np.eye(k)[y] - p), rtol=1e-10)


def test_softmax_hinge_inactive_terms_cost_nothing():
    o = np.array([[5.0, 0.0, 0.0]])  # p_0 ~ 0.987: beats the others by more than 0.5
    ot = gg.tensor(o, requires_grad=True)
    loss = F.softmax_hinge_loss(ot, gg.tensor([0]), margin=0.5)
    assert loss.item() == 0
    loss.backward()
    np.testing.assert_array_equal(ot.grad.array, np.zeros((1, 3)))


# ---------------------------------------------------------------- input checks
def test_regression_losses_refuse_mismatched_shapes_naming_both():
    for fn in (F.mse_loss, F.squared_error, F.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match=r"input has shape \(4, 1\) but target has shape \(4,\)"):
            fn(gg.zeros(4, 1), gg.zeros(4))


def test_mse_loss_refuses_a_weight_of_another_shape():
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        TF.mse_loss(torch.zeros(4, 2), torch.zeros(4, 2), weight=torch.ones(4, 1))
    with pytest.raises(ValueError, match=r"weight of shape \(4, 1\) must have the input's "
                                         r"shape \(4, 2\)"):
        F.mse_loss(gg.zeros(4, 2), gg.zeros(4, 2), weight=gg.ones(4, 1))


def test_regression_losses_refuse_integer_targets():
    with pytest.raises(TypeError, match="target must be a floating-point tensor, got dtype int64"):
        F.mse_loss(gg.zeros(3), gg.tensor([0, 1, 1]))


@pytest.mark.parametrize("fn", [F.multi_margin_loss, F.softmax_hinge_loss])
def test_class_losses_check_target_dtype_shape_and_range(fn):
    x = gg.zeros(4, 3)
    with pytest.raises(TypeError, match="class indices .* got dtype float32"):
        fn(x, gg.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"input of shape \(4, 3\) and target of shape \(3,\)"):
        fn(x, gg.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="target 3 is out of bounds for 3 classes"):
        fn(x, gg.tensor([0, 1, 3, 1]))
    with pytest.raises(IndexError, match="target -1 is out of bounds"):
        fn(x, gg.tensor([0, -1, 2, 1]))


def test_bad_reduction_and_options_are_refused_early():
    for make in (nn.MSELoss, nn.SquaredError, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss,
                 nn.NLLLoss, nn.MultiMarginLoss, nn.SoftmaxHingeLoss):
        with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
            make(reduction="avg")
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match=r"one entry per class, shape \(3,\)"):
        F.multi_margin_loss(gg.zeros(2, 3), gg.tensor([0, 1]), weight=gg.ones(4))
    with pytest.raises(ValueError, match="does not broadcast"):
        F.binary_cross_entropy_with_logits(gg.zeros(2, 3), gg.zeros(2, 3), pos_weight=gg.ones(2))
