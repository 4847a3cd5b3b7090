"""Tensor basics against PyTorch: dtype rules, factories, conversions, properties, seeds."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")

TORCH_TO_NUMPY = {
    torch.float32: np.float32, torch.float64: np.float64, torch.int64: np.int64,
    torch.bool: np.bool_, torch.int32: np.int32,
}


@pytest.mark.parametrize(
    "data",
    [1.5, 3, True, [1.0, 2.0], [1, 2], [1, 2.5], [[True, False]], np.array([1.0, 2.0]),
     np.array([1, 2], dtype=np.int32), np.float64(2.0)],
    ids=repr,
)
def test_tensor_dtype_rules_match_torch(data):
    g = gg.tensor(data)
    t = torch.tensor(data)
    assert g.dtype == TORCH_TO_NUMPY[t.dtype]
    np.testing.assert_array_equal(g.array, t.numpy())


def test_tensor_copies_and_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t = gg.tensor(a)
    f = gg.from_numpy(a)
    a[0] = 9.0
    assert t.array[0] == 1.0  # tensor() copies, as torch.tensor
    assert f.array[0] == 9.0  # from_numpy shares, as torch.from_numpy
    assert f.dtype == np.float64
    with pytest.raises(TypeError, match="numpy.ndarray"):
        gg.from_numpy([1.0])


def test_explicit_dtype_and_requires_grad_rules():
    assert gg.tensor([1, 2], dtype=gg.float64).dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        gg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("zeros", (2, 3), {}), ("ones", ((2, 3),), {}), ("zeros", (4,), {"dtype": gg.float64}),
        ("full", ((2, 2), 7.0), {}), ("full", ((2,), 7), {}), ("eye", (3,), {}),
        ("eye", (2, 3), {}), ("arange", (5,), {}), ("arange", (1, 2, 0.25), {}),
        ("arange", (0.0, 3), {}), ("linspace", (0, 1, 5), {}),
    ],
)
def test_factories_match_torch(name, args, kwargs):
    g = getattr(gg, name)(*args, **kwargs)
    tkwargs = {"dtype": torch.float64} if "dtype" in kwargs else {}  # only float64 is used
    t = getattr(torch, name)(*args, **tkwargs)
    assert g.dtype == TORCH_TO_NUMPY[t.dtype], (g.dtype, t.dtype)
    assert g.shape == tuple(t.shape)
    np.testing.assert_allclose(g.array, t.numpy(), rtol=1e-7)


def test_like_factories():
    base = gg.tensor(np.ones((2, 3), dtype=np.float64))
    z, o = gg.zeros_like(base), gg.ones_like(base)
    assert z.shape == o.shape == (2, 3) and z.dtype == o.dtype == np.float64
    assert (z.array == 0).all() and (o.array == 1).all()
    assert gg.zeros_like(base, dtype=gg.float32).dtype == np.float32


def test_random_factories_and_manual_seed():
    gg.manual_seed(42)
    a, b = gg.rand(3, 4), gg.randn(3, 4)
    gg.manual_seed(42)
    a2, b2 = gg.rand(3, 4), gg.randn(3, 4)
    np.testing.assert_array_equal(a.array, a2.array)
    np.testing.assert_array_equal(b.array, b2.array)
    assert a.dtype == b.dtype == np.float32 and a.shape == (3, 4)
    assert ((a.array >= 0) & (a.array < 1)).all()
    gg.manual_seed(43)
    assert not np.array_equal(gg.rand(3, 4).array, a.array)
    # Independent check of the stream: the global generator is PCG64 seeded with the seed.
    gg.manual_seed(7)
    expected = np.random.Generator(np.random.PCG64(7)).random((5,), dtype=np.float32)
    np.testing.assert_array_equal(gg.rand(5).array, expected)
    # get/set_rng_state replays the stream.
    state = gg.get_rng_state()
    r1 = gg.randn(4).array
    gg.set_rng_state(state)
    np.testing.assert_array_equal(gg.randn(4).array, r1)
    with pytest.raises(TypeError):
        gg.manual_seed(1.5)


def test_big_randn_statistics():
    gg.manual_seed(0)
    r = gg.randn(200_000, dtype=gg.float64).array
    assert abs(r.mean()) < 0.01 and abs(r.std() - 1) < 0.01


def test_conversions_and_properties():
    g = gg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert g.shape == tuple(t.shape) == g.size() and g.size(1) == t.size(1) == 3
    assert g.numel() == t.numel() == 6 and g.ndim == t.ndim == 2 and g.dim() == 2
    assert g.tolist() == t.tolist()
    assert gg.tensor(2.5).item() == torch.tensor(2.5).item() == 2.5
    assert type(gg.tensor([3]).item()) is type(torch.tensor([3]).item()) is int
    assert g.numpy() is g.array
    with pytest.raises(ValueError, match="one element"):
        g.item()
    with pytest.raises(RuntimeError, match="detach"):
        gg.tensor([1.0], requires_grad=True).numpy()
    assert len(g) == 2


def test_leaf_and_grad_fn_repr():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.exp()
    assert x.is_leaf and not y.is_leaf and x.grad_fn is None
    assert repr(y.grad_fn) == "<ExpBackward>"
    assert "grad_fn=<ExpBackward>" in repr(y)
    assert "requires_grad=True" in repr(x) and "dtype=glassgrad.float64" in repr(x)
    assert repr(gg.tensor([1.0, 2.0])) == "tensor([1., 2.])"  # default dtype not shown
    assert y.grad_fn.next_functions[0] is x  # the edge to the leaf, as torch's AccumulateGrad
