"""Padding layers, CosineSimilarity, PairwiseDistance and Softmax2d against torch's
(values, gradients, repr); meshgrid, broadcast_tensors, the sampling functions, and the
grad-mode managers set_grad_enabled and inference_mode."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(3)

PADS = [("ZeroPad1d", (2,), 3), ("ZeroPad2d", ((1, 0, 2, 1),), 4), ("ConstantPad1d", (2, 3.5), 3),
        ("ConstantPad2d", ((1, 2, 0, 1), -1.0), 4), ("ReflectionPad1d", ((2, 1),), 3),
        ("ReflectionPad2d", (1,), 4), ("ReplicationPad1d", (2,), 3),
        ("ReplicationPad2d", ((1, 0, 2, 1),), 4), ("CircularPad1d", (1,), 3),
        ("CircularPad2d", ((1, 2, 1, 0),), 4)]


def check(ours, theirs, arrays, **kwargs):
    """Forward and gradient of every input, against torch (float64)."""
    g = [gg.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = ours(*g, **kwargs), theirs(*t, **kwargs)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = RNG.standard_normal(tout.shape)
    (out * gg.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for a, b in zip(g, t):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name, args, ndim", PADS, ids=[p[0] for p in PADS])
def test_padding_layers_match_torch(name, args, ndim):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    check(ours, theirs, [RNG.standard_normal((2, 3, 4, 5)[4 - ndim:])])


def test_distance_layers_and_softmax2d_match_torch():
    a, b = RNG.standard_normal((4, 6)), RNG.standard_normal((4, 6))
    check(nn.PairwiseDistance(), torch.nn.PairwiseDistance(), [a, b])
    check(nn.PairwiseDistance(p=1.0, keepdim=True), torch.nn.PairwiseDistance(p=1.0, keepdim=True),
          [a, b])
    check(nn.CosineSimilarity(dim=1), torch.nn.CosineSimilarity(dim=1), [a, b])
    check(nn.Softmax2d(), torch.nn.Softmax2d(), [RNG.standard_normal((2, 3, 4, 5))])
    assert repr(nn.Softmax2d()) == repr(torch.nn.Softmax2d())


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch_with_gradients(indexing):
    arrays = [RNG.standard_normal(3), RNG.standard_normal(2), RNG.standard_normal(4)]
    g = [gg.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = gg.meshgrid(*g, indexing=indexing), torch.meshgrid(*t, indexing=indexing)
    total, ttotal = 0, 0
    for k, (o, th) in enumerate(zip(ours, theirs)):
        np.testing.assert_array_equal(o.array, th.detach().numpy())
        total, ttotal = total + o * (k + 1.0), ttotal + th * (k + 1.0)
    total.sum().backward()
    ttotal.sum().backward()
    for a, b in zip(g, t):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-12)


def test_broadcast_tensors_and_shapes_match_torch():
    a, b = RNG.standard_normal((3, 1)), RNG.standard_normal(4)
    check(lambda x, y: gg.broadcast_tensors(x, y)[0] * gg.broadcast_tensors(x, y)[1],
          lambda x, y: torch.broadcast_tensors(x, y)[0] * torch.broadcast_tensors(x, y)[1], [a, b])
    assert gg.broadcast_shapes((2, 1), (3,), (1, 1)) == tuple(torch.broadcast_shapes((2, 1), (3,), (1, 1)))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        gg.broadcast_shapes((2,), (3,))


def test_sampling_functions_draw_what_they_should():
    gg.manual_seed(0)
    draws = gg.normal(2.0, 0.5, (20_000,))
    assert draws.dtype == np.float32 and abs(draws.array.mean() - 2) < 0.02
    per_element = gg.normal(gg.tensor([0.0, 10.0]), gg.tensor([1.0, 0.0]))
    assert per_element.array[1] == 10.0
    coins = gg.bernoulli(gg.full((20_000,), 0.25))
    assert set(np.unique(coins.array)) <= {0.0, 1.0} and abs(coins.array.mean() - 0.25) < 0.02
    picks = gg.multinomial(gg.tensor([0.0, 1.0, 3.0]), 20_000, replacement=True)
    counts = np.bincount(picks.array, minlength=3)
    assert picks.dtype == np.int64 and counts[0] == 0 and abs(counts[2] / counts[1] - 3) < 0.2
    rows = gg.multinomial(gg.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 5.0]]), 2)
    assert rows.shape == (2, 2) and sorted(rows.array[0].tolist()) == [0, 1]
    with pytest.raises(ValueError, match="without replacement"):
        gg.multinomial(gg.tensor([0.0, 1.0]), 2)
    gg.manual_seed(5)
    a = gg.multinomial(gg.ones(10), 3)
    gg.manual_seed(5)
    assert gg.multinomial(gg.ones(10), 3).tolist() == a.tolist()


def test_small_helpers():
    x = gg.ones(2, 3)
    assert gg.is_tensor(x) and not gg.is_tensor(x.array) and gg.numel(x) == 6
    assert gg.empty_like(x).shape == (2, 3) and gg.empty_like(x).dtype == x.dtype


def test_set_grad_enabled_is_a_call_a_context_and_a_decorator_as_in_torch():
    x = gg.ones(2, requires_grad=True)
    with gg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad  # restored
    gg.set_grad_enabled(False)
    try:
        assert not gg.is_grad_enabled()
    finally:
        gg.set_grad_enabled(True)

    @gg.set_grad_enabled(False)
    def frozen():
        return (x * 2).requires_grad

    assert gg.is_grad_enabled() and frozen() is False and gg.is_grad_enabled()


def test_inference_mode_records_nothing():
    x = gg.ones(2, requires_grad=True)
    with gg.inference_mode():
        assert not (x * 2).requires_grad
    with gg.inference_mode(False):
        assert (x * 2).requires_grad

    @gg.inference_mode()
    def predict():
        return (x * 2).requires_grad

    assert predict() is False and (x * 2).requires_grad
