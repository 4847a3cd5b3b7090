"""utils.checkpoint: same gradients as without it (vs PyTorch too), nothing kept, RNG replayed."""

import gc
import weakref

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import backend
from glassgrad.autograd import BackwardError, gradcheck
from glassgrad.utils.checkpoint import Checkpoint, checkpoint, checkpoint_sequential

from autograd_helpers import random_scale, tanh

torch = pytest.importorskip("torch")


def params(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W1": (3, 5), "b1": (5,), "W2": (5, 2)}
    return {k: rng.normal(size=s) * 0.7 for k, s in shapes.items()}


def glassgrad_loss(p, x, use_checkpoint, preserve=True):
    W1, b1, W2 = p["W1"], p["b1"], p["W2"]

    def block(h):
        return random_scale(tanh(h @ W1 + b1))

    h = checkpoint(block, x, preserve_rng_state=preserve) if use_checkpoint else block(x)
    # W1 is used inside the block and outside it: its two gradients must add up.
    return (h @ W2).sum() + 0.5 * (x @ W1).sum()


def torch_loss(p, x, mask):
    W1, b1, W2 = p["W1"], p["b1"], p["W2"]
    h = torch.tanh(x @ W1 + b1) * mask
    return (h @ W2).sum() + 0.5 * (x @ W1).sum()


def run_glassgrad(x_requires_grad, use_checkpoint):
    gg.manual_seed(7)
    p = {k: gg.tensor(v, requires_grad=True) for k, v in params().items()}
    x = gg.tensor(np.random.default_rng(3).normal(size=(4, 3)), requires_grad=x_requires_grad)
    loss = glassgrad_loss(p, x, use_checkpoint)
    loss.backward()
    after = gg.rand(3, dtype=gg.float64).array  # where the random stream stands afterwards
    return loss, p, x, after


def run_torch(x_requires_grad):
    # The mask glassgrad draws: the first (4, 5) uniforms of PCG64 seeded 7.
    mask = np.random.Generator(np.random.PCG64(7)).random((4, 5))
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params().items()}
    x = torch.tensor(np.random.default_rng(3).normal(size=(4, 3)), requires_grad=x_requires_grad)
    loss = torch_loss(p, x, torch.tensor(mask))
    loss.backward()
    return loss, p, x


@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_gradients_match_unchecked_run_and_torch(x_requires_grad):
    loss_c, p_c, x_c, after_c = run_glassgrad(x_requires_grad, use_checkpoint=True)
    loss_u, p_u, x_u, after_u = run_glassgrad(x_requires_grad, use_checkpoint=False)
    loss_t, p_t, x_t = run_torch(x_requires_grad)
    assert loss_c.item() == pytest.approx(loss_t.item(), rel=1e-12)
    for k in p_t:  # parameters captured by the block's closure get their gradients too
        assert p_c[k].grad is not None, k
        np.testing.assert_allclose(p_c[k].grad.array, p_t[k].grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_array_equal(p_c[k].grad.array, p_u[k].grad.array)
    if x_requires_grad:
        np.testing.assert_allclose(x_c.grad.array, x_t.grad.numpy(), rtol=1e-10)
        np.testing.assert_array_equal(x_c.grad.array, x_u.grad.array)
    else:
        assert x_c.grad is None
    # The recomputation replayed the random numbers without moving the caller's stream.
    np.testing.assert_array_equal(after_c, after_u)


def test_without_preserved_rng_the_recomputed_mask_differs():
    gg.manual_seed(7)
    p = {k: gg.tensor(v, requires_grad=True) for k, v in params().items()}
    x = gg.tensor(np.random.default_rng(3).normal(size=(4, 3)))
    glassgrad_loss(p, x, use_checkpoint=True, preserve=False).backward()
    _, p_t, _ = run_torch(False)
    # W2 sees the forward value; b1 sees the mask of the recomputation, a new draw.
    np.testing.assert_allclose(p["W2"].grad.array, p_t["W2"].grad.numpy(), rtol=1e-10)
    assert not np.allclose(p["b1"].grad.array, p_t["b1"].grad.numpy())


def test_real_dropout_inside_block():
    dropout = getattr(gg, "dropout", None)
    if dropout is None:
        pytest.skip("glassgrad.dropout not written yet")
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 6))
    x0 = rng.normal(size=(5, 6))
    grads = []
    for use in (True, False):
        gg.manual_seed(3)
        w = gg.tensor(W, requires_grad=True)
        x = gg.tensor(x0, requires_grad=True)

        def block(h):
            return dropout((h @ w).exp(), p=0.5)

        out = checkpoint(block, x) if use else block(x)
        (out * out).sum().backward()
        grads.append((w.grad.array.copy(), x.grad.array.copy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    assert (grads[0][1] == 0).any() or (grads[0][0] != 0).any()


def test_one_node_and_no_intermediate_kept():
    gc.disable()
    try:
        kept = []
        w = gg.tensor(np.ones((3, 3)), requires_grad=True)
        x = gg.tensor(np.ones((2, 3)), requires_grad=True)

        def block(h):
            inner = (h @ w).exp()
            kept.append(weakref.ref(inner))
            return inner * 2.0

        y = checkpoint(block, x)
        assert isinstance(y.grad_fn, Checkpoint)
        assert kept[0]() is None  # the forward's intermediate is already gone
        assert all(e is None or isinstance(e, gg.Tensor) for e in y.grad_fn.next_functions)
        y.sum().backward()
        assert kept[1]() is None  # and so is the recomputation's, after backward
    finally:
        gc.enable()
    # Hand derivation: y = 2 exp(x w), with x w = 3 everywhere.
    np.testing.assert_allclose(x.grad.array, np.full((2, 3), 2 * 3 * np.exp(3.0)), rtol=1e-12)
    np.testing.assert_allclose(w.grad.array, np.full((3, 3), 2 * 2 * np.exp(3.0)), rtol=1e-12)


def test_finite_differences_through_checkpoint():
    rng = np.random.default_rng(2)
    x = gg.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    w = gg.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    assert gradcheck(lambda x, w: checkpoint(lambda a, b: random_scale(tanh(a @ b)), x, w), (x, w))


def test_nothing_requires_grad_gives_plain_tensor():
    x = gg.tensor(np.ones(3))
    y = checkpoint(lambda a: a * 2.0, x)
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.array, [2.0, 2.0, 2.0])


def test_under_no_grad_just_runs():
    x = gg.tensor(np.ones(3), requires_grad=True)
    with gg.no_grad():
        y = checkpoint(lambda a: a * 2.0, x)
    assert y.grad_fn is None and not y.requires_grad


def test_retain_graph_recomputes_twice():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = checkpoint(lambda a: a * a, x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.array, 2 * 2 * np.array([1.0, 2.0]))  # 2x, twice


def test_input_changed_in_place_is_caught():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 1.0
    y = checkpoint(lambda a: a.exp(), h).sum()
    with gg.no_grad():
        h.array[0] = 5.0
        h._bump()
    with pytest.raises(BackwardError, match="in-place"):
        y.backward()


def test_non_tensor_arguments_and_errors():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = checkpoint(lambda a, k: a * k, x, 3.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    with pytest.raises(TypeError, match="a Tensor or a tuple of Tensors, got float"):
        checkpoint(lambda a: 1.0, x)
    with pytest.raises(TypeError, match=r"share one float dtype, got \['float32', 'float64'\]"):
        checkpoint(lambda a: (a, a.float()), x)
    with pytest.raises(TypeError, match="callable"):
        checkpoint(x, x)


@pytest.mark.parametrize("container", [tuple, list])
@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_tuple_outputs_match_torch(x_requires_grad, container):
    """A block with two outputs of different shapes, one used twice downstream; with x
    not requiring grad only the weight inside the block gets a gradient."""
    rng = np.random.default_rng(5)
    x0, w0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    grads = {}
    for lib in ("gg", "torch"):
        make = gg.tensor if lib == "gg" else torch.tensor
        x, w = make(x0, requires_grad=x_requires_grad), make(w0, requires_grad=True)

        def block(x, w):
            h = (x @ w).tanh()
            return container((h, (h * h).sum(1)))

        if lib == "gg":
            a, b = checkpoint(block, x, w)
        else:
            from torch.utils.checkpoint import checkpoint as torch_checkpoint

            a, b = torch_checkpoint(block, x, w, use_reentrant=False)
        (a.sum() * 2 + (b * b).sum() + (a * b[:, None]).sum()).backward()
        grads[lib] = [t.grad for t in (x, w)]
    for ours, theirs in zip(grads["gg"], grads["torch"]):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_checkpoint_sequential_matches_torch():
    rng = np.random.default_rng(5)
    Ws = [rng.normal(size=(4, 4)) * 0.5 for _ in range(5)]
    x0 = rng.normal(size=(3, 4))

    gw = [gg.tensor(W, requires_grad=True) for W in Ws]
    x = gg.tensor(x0, requires_grad=True)
    layers = [(lambda h, w=w: tanh(h @ w)) for w in gw]
    checkpoint_sequential(layers, 2, x).sum().backward()

    tw = [torch.tensor(W, requires_grad=True) for W in Ws]
    tx = torch.tensor(x0, requires_grad=True)
    h = tx
    for w in tw:
        h = torch.tanh(h @ w)
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-10)
    for a, b in zip(gw, tw):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="segments"):
        checkpoint_sequential(layers, 0, x)
