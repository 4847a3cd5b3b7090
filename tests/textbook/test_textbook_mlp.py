"""The textbook MLP (delta recursion by hand) equals the autograd engine to 1e-12 in
float64 on random networks of random depth, activations and losses, and equals PyTorch."""

import numpy as np
import pytest

from glassgrad.textbook import MLP, engine_gradients
from glassgrad.textbook.losses import LOSSES

HIDDEN = ["tanh", "sigmoid", "relu", "identity"]


def random_case(seed, loss):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))  # 1 to 4 layers
    sizes = [int(rng.integers(1, 6))] + [int(rng.integers(2, 7)) for _ in range(depth)]
    if loss == "logistic":
        sizes[-1] = 1
        last = "sigmoid"
    elif loss in ("cross_entropy", "softmax_hinge"):
        sizes[-1] = max(sizes[-1], 3)
        last = "softmax"
    else:
        last = str(rng.choice(["identity", "tanh", "sigmoid", "softmax"]))
    acts = [str(rng.choice(HIDDEN)) for _ in range(depth - 1)] + [last]
    W = [rng.normal(0, 0.8, size=(sizes[l + 1], sizes[l])) for l in range(depth)]
    b = [rng.normal(0, 0.3, size=sizes[l + 1]) if rng.random() < 0.7 else None for l in range(depth)]
    N = int(rng.integers(1, 6))
    X = rng.normal(size=(sizes[0], N))
    # keep ReLU pre-activations away from the kink: nudge the inputs until none is near 0
    mlp = MLP(W, b, acts)
    for _ in range(20):
        fwd = mlp.forward(X)
        if all(np.min(np.abs(s)) > 1e-6 for s in fwd.S[1:]):
            break
        X = X + 1e-3 * rng.normal(size=X.shape)
    K = sizes[-1]
    if loss == "cross_entropy":
        Y = np.eye(K)[:, rng.integers(0, K, N)]
    elif loss == "softmax_hinge":
        Y = rng.integers(0, K, N)
    elif loss == "logistic":
        Y = rng.integers(0, 2, (1, N)).astype(float)
    else:
        Y = rng.normal(size=(K, N))
    reduction = str(rng.choice(["sum", "mean"]))
    return mlp, X, Y, reduction


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("seed", range(12))
def test_textbook_equals_engine(loss, seed):
    mlp, X, Y, reduction = random_case(seed, loss)
    opts = {"margin": 0.3} if loss == "softmax_hinge" else {}
    fwd, bwd = mlp.gradients(X, Y, loss, reduction, **opts)
    e_loss, e_dW, e_db = engine_gradients(mlp, X, Y, loss, reduction, **opts)
    assert fwd.loss == pytest.approx(e_loss, rel=1e-12, abs=1e-12)
    for l in range(mlp.depth):
        np.testing.assert_allclose(bwd.dW[l + 1], e_dW[l], rtol=1e-12, atol=1e-12)
        if mlp.b[l] is not None:
            np.testing.assert_allclose(bwd.db[l + 1], e_db[l], rtol=1e-12, atol=1e-12)


TORCH_LOSSES = ["squared_error", "mse", "cross_entropy", "softmax_hinge", "logistic"]


@pytest.mark.parametrize("loss", TORCH_LOSSES)
@pytest.mark.parametrize("seed", range(4))
def test_textbook_equals_torch(loss, seed):
    torch = pytest.importorskip("torch")
    mlp, X, Y, reduction = random_case(100 + seed, loss)
    margin = 0.3
    fwd, bwd = mlp.gradients(X, Y, loss, reduction, **({"margin": margin} if loss == "softmax_hinge" else {}))

    Ws = [torch.tensor(W, requires_grad=True) for W in mlp.W]
    bs = [None if b is None else torch.tensor(b, requires_grad=True) for b in mlp.b]
    h = torch.tensor(X.T)  # rows = examples in torch
    s = None
    for W, b, act in zip(Ws, bs, mlp.activations):
        s = h @ W.T + (b if b is not None else 0)
        h = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
             "identity": lambda t: t, "softmax": lambda t: torch.softmax(t, dim=1)}[act](s)
    N = X.shape[1]
    if loss == "squared_error":
        per = 0.5 * ((h - torch.tensor(Y.T)) ** 2).sum(dim=1)
    elif loss == "mse":
        per = torch.nn.functional.mse_loss(h, torch.tensor(Y.T), reduction="none").mean(dim=1)
    elif loss == "cross_entropy":
        per = torch.nn.functional.cross_entropy(s, torch.tensor(Y.T), reduction="none")
    elif loss == "softmax_hinge":
        y = torch.tensor(Y)
        p_true = h[torch.arange(N), y]
        terms = torch.clamp(h - p_true[:, None] + margin, min=0)
        terms[torch.arange(N), y] = 0
        per = terms.sum(dim=1)
    else:
        per = torch.nn.functional.binary_cross_entropy_with_logits(s, torch.tensor(Y.T), reduction="none").sum(dim=1)
    total = per.sum() if reduction == "sum" else per.mean()
    total.backward()
    assert fwd.loss == pytest.approx(total.item(), rel=1e-10, abs=1e-12)
    for l in range(mlp.depth):
        np.testing.assert_allclose(bwd.dW[l + 1], Ws[l].grad.numpy(), rtol=1e-9, atol=1e-12)
        if bs[l] is not None:
            np.testing.assert_allclose(bwd.db[l + 1], bs[l].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_batch_gradient_is_the_sum_or_mean_of_per_example_gradients():
    # seed 001: "the grad of the sum is the sum of the grads"
    mlp, X, Y, _ = random_case(7, "squared_error")
    X = np.random.default_rng(0).normal(size=(X.shape[0], 4))
    Y = np.random.default_rng(1).normal(size=(mlp.sizes[-1], 4))
    _, total = mlp.gradients(X, Y, "squared_error", "sum")
    _, mean = mlp.gradients(X, Y, "squared_error", "mean")
    per = [mlp.gradients(X[:, [i]], Y[:, [i]], "squared_error", "sum")[1] for i in range(4)]
    for l in range(1, mlp.depth + 1):
        summed = sum(p.dW[l] for p in per)
        np.testing.assert_allclose(total.dW[l], summed, rtol=1e-13)
        np.testing.assert_allclose(mean.dW[l], summed / 4, rtol=1e-13)


def test_step_is_gradient_descent():
    mlp = MLP([np.array([[0.5, -0.5]])], [np.array([0.1])], ["identity"])
    fwd, bwd = mlp.gradients(np.array([[1.0], [2.0]]), np.array([[1.0]]), "squared_error")
    # s = 0.5 - 1 + 0.1 = -0.4; delta = s - y = -1.4; dW = delta x^T = [-1.4, -2.8]; db = -1.4
    np.testing.assert_allclose(bwd.dW[1], [[-1.4, -2.8]])
    mlp.step(bwd, 0.1)
    np.testing.assert_allclose(mlp.W[0], [[0.64, -0.22]])
    np.testing.assert_allclose(mlp.b[0], [0.24])


@pytest.mark.parametrize("kwargs,message", [
    (dict(weights=[np.ones((3, 2)), np.ones((2, 4))]), "W2 has shape"),
    (dict(weights=[np.ones((3, 2))], biases=[np.ones(2)]), "b1 has shape"),
    (dict(weights=[np.ones((3, 2))], activations=["swish"]), "unknown activation"),
    (dict(weights=[np.ones((3, 2))], activations=["tanh", "tanh"]), "one of each per layer"),
])
def test_bad_networks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_loss_checks():
    mlp = MLP([np.ones((3, 2))], None, ["tanh"])
    with pytest.raises(ValueError, match="softmax output"):
        mlp.gradients(np.ones((2, 1)), np.eye(3)[:, :1], "cross_entropy")
    with pytest.raises(ValueError, match="one sigmoid output"):
        mlp.gradients(np.ones((2, 1)), np.ones((1, 1)), "logistic")
    with pytest.raises(ValueError, match="features per example"):
        mlp.forward(np.ones((5, 1)))
    with pytest.raises(ValueError, match="softmax is not elementwise"):
        MLP([np.ones((3, 2)), np.ones((2, 3))], None, ["softmax", "identity"]).gradients(
            np.ones((2, 1)), np.ones((2, 1)))
