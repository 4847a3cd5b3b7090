"""LazyLinear, LazyConv1d, LazyConv2d as torch's: repr before and after the first call,
the class they become, the input size read from the first batch, the same random draws as
the plain layer, an optimizer made before the first call, the refusals."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")

CASES = [
    ("LazyLinear", (5,), {}, (4, 3), "Linear"),
    ("LazyLinear", (5,), {"bias": False}, (2, 6, 3), "Linear"),
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 6, 9), "Conv1d"),
    ("LazyConv2d", (4, 3), {"stride": 2, "groups": 2}, (1, 2, 7, 7), "Conv2d"),
    ("LazyConv2d", (4, (3, 2)), {"bias": False}, (3, 6, 5), "Conv2d"),  # unbatched
]


@pytest.mark.parametrize("name, args, kwargs, shape, becomes", CASES)
def test_lazy_layers_like_torch(name, args, kwargs, shape, becomes):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert ours.has_uninitialized_params() and theirs.has_uninitialized_params()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = ours(gg.tensor(x))
    tout = theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ == becomes
    assert type(ours) is getattr(nn, becomes)
    assert repr(ours) == repr(theirs)
    assert not any(isinstance(p, nn.UninitializedParameter) for p in ours.parameters())
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert type(p) is nn.Parameter and tuple(p.shape) == tuple(tp.shape)
    # with torch's parameters loaded, the same output
    ours.load_state_dict({k: gg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    out = ours(gg.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lazy, plain, shape", [
    (lambda: nn.LazyLinear(5), lambda: nn.Linear(3, 5), (4, 3)),
    (lambda: nn.LazyConv2d(4, 3), lambda: nn.Conv2d(2, 4, 3), (1, 2, 6, 6)),
])
def test_first_call_draws_what_the_plain_layer_draws(lazy, plain, shape):
    """Building the lazy layer draws nothing; the first call draws as the plain layer does."""
    gg.manual_seed(3)
    layer = lazy()
    layer(gg.zeros(*shape))
    gg.manual_seed(3)
    reference = plain()
    for p, q in zip(layer.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_optimizer_made_before_the_first_call_trains_the_parameters():
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
    opt = gg.optim.SGD(model.parameters(), lr=0.1)
    x, y = gg.randn(8, 3), gg.randn(8, 1)
    loss = ((model(x) - y) ** 2).mean()
    before = [p.detach().numpy().copy() for p in model.parameters()]
    loss.backward()
    opt.step()
    params = list(model.parameters())
    assert all(p is q for p, q in zip(params, opt.param_groups[0]["params"]))
    for p, old in zip(params, before):
        np.testing.assert_allclose(p.detach().numpy(), old - 0.1 * p.grad.numpy(), rtol=1e-6)


def test_an_uninitialized_parameter_has_no_shape_yet():
    layer = nn.LazyLinear(5)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        layer.weight.shape
    assert repr(layer.weight) == "<UninitializedParameter>"


def test_dtype_chosen_before_the_first_call_is_kept():
    layer = nn.LazyLinear(2).double()
    layer(gg.zeros(1, 3, dtype=gg.float64))
    assert layer.weight.dtype == gg.float64


def test_refusals():
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input "
                                           "to LazyConv2d"):
        nn.LazyConv2d(4, 3)(gg.zeros(5, 5))
    with pytest.raises(ValueError, match="the input has 3 channels, which groups=2 does not divide"):
        nn.LazyConv1d(4, 3, groups=2)(gg.zeros(1, 3, 8))
    with pytest.raises(ValueError, match="out_features must be an integer >= 0"):
        nn.LazyLinear(-1)
    with pytest.raises((ValueError, RuntimeError), match="runs on the CPU only"):
        nn.LazyLinear(3, device="cuda")


def test_a_copy_of_a_lazy_layer_is_still_lazy():
    import copy

    layer = nn.LazyLinear(3)
    twin = copy.deepcopy(layer)
    assert isinstance(twin.weight, nn.UninitializedParameter) and twin.weight is not layer.weight
    twin(gg.zeros(2, 5))
    assert type(twin) is nn.Linear and twin.in_features == 5
    assert type(layer) is nn.LazyLinear  # the original still waits for its first batch
