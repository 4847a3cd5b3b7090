"""The wave-3 activation modules against their torch.nn twins: forward and backward in
float64 and float32, __repr__, PReLU's parameter (state_dict name, init, gradient, training
steps), errors for bad arguments, and the gradient conventions at the kinks (the exact
points where the op table keeps away)."""

import math
import warnings

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from nn_helpers import assert_close, backward_with, copy_weights_to_torch, pair

torch = pytest.importorskip("torch")
tnn = torch.nn

DTYPES = ["float64", "float32"]

# (constructor taking the nn namespace, input shape); inputs are kept off the kinks
MODULES = {
    "GELU": (lambda m: m.GELU(), (4, 5)),
    "GELU(tanh)": (lambda m: m.GELU(approximate="tanh"), (4, 5)),
    "SiLU": (lambda m: m.SiLU(), (4, 5)),
    "ELU": (lambda m: m.ELU(), (4, 5)),
    "ELU(0.3)": (lambda m: m.ELU(alpha=0.3), (2, 3, 4)),
    "SELU": (lambda m: m.SELU(), (4, 5)),
    "CELU(2)": (lambda m: m.CELU(alpha=2.0), (4, 5)),
    "LogSigmoid": (lambda m: m.LogSigmoid(), (4, 5)),
    "Softsign": (lambda m: m.Softsign(), (4, 5)),
    "Hardtanh": (lambda m: m.Hardtanh(), (4, 5)),
    "Hardtanh(-2,0.5)": (lambda m: m.Hardtanh(-2.0, 0.5), (4, 5)),
    "ReLU6": (lambda m: m.ReLU6(), (4, 5)),
    "Hardsigmoid": (lambda m: m.Hardsigmoid(), (4, 5)),
    "Hardswish": (lambda m: m.Hardswish(), (4, 5)),
    "Mish": (lambda m: m.Mish(), (4, 5)),
    "Softmin(1)": (lambda m: m.Softmin(dim=1), (4, 5)),
    "Softmin(-1)": (lambda m: m.Softmin(dim=-1), (2, 3, 4)),
    "PReLU": (lambda m: m.PReLU(), (4, 5)),
    "PReLU(3)": (lambda m: m.PReLU(num_parameters=3, init=0.1), (2, 3, 4, 4)),
    "GLU": (lambda m: m.GLU(), (4, 6)),
    "GLU(0)": (lambda m: m.GLU(dim=0), (4, 3)),
    "Hardshrink": (lambda m: m.Hardshrink(), (4, 5)),
    "Softshrink(2.5)": (lambda m: m.Softshrink(2.5), (4, 5)),
    "Tanhshrink": (lambda m: m.Tanhshrink(), (4, 5)),
    "Threshold": (lambda m: m.Threshold(1.0, -5.0), (4, 5)),
}


def _input(shape, dtype, seed=0):
    """Values spread over [-8, 8], none within 0.05 of a kink (0, +-0.5, +-1, +-2, +-3, 6)."""
    x = np.random.default_rng(seed).uniform(-8, 8, shape)
    for kink in (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 6.0):
        near = np.abs(x - kink) < 0.05
        x[near] = kink + 0.1
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MODULES))
def test_module_forward_backward_vs_torch(name, dtype):
    make, shape = MODULES[name]
    ours, theirs = make(nn), make(tnn)
    if dtype == "float64":
        ours.double()
        theirs.double()
    copy_weights_to_torch(ours, theirs)
    x_ours, x_theirs = pair(_input(shape, dtype))
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    assert out_ours.dtype == np.dtype(dtype)
    assert_close(out_ours, out_theirs, dtype)
    backward_with(out_ours, out_theirs)
    assert_close(x_ours.grad, x_theirs.grad, dtype)
    for (key, p), (t_key, t_p) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert key == t_key
        assert p.grad.array.dtype == np.dtype(dtype)
        assert_close(p.grad, t_p.grad, dtype)


REPRS = [
    lambda m: m.GELU(), lambda m: m.GELU("tanh"), lambda m: m.SiLU(), lambda m: m.SiLU(True),
    lambda m: m.ELU(), lambda m: m.ELU(0.5, True), lambda m: m.SELU(), lambda m: m.SELU(True),
    lambda m: m.CELU(), lambda m: m.CELU(2.0), lambda m: m.LogSigmoid(), lambda m: m.Softsign(),
    lambda m: m.Hardtanh(), lambda m: m.Hardtanh(-2, 3), lambda m: m.Hardtanh(-1.0, 1.0, True),
    lambda m: m.ReLU6(), lambda m: m.ReLU6(True), lambda m: m.Hardsigmoid(),
    lambda m: m.Hardswish(), lambda m: m.Mish(), lambda m: m.Softmin(), lambda m: m.Softmin(1),
    lambda m: m.PReLU(), lambda m: m.PReLU(3, 0.1), lambda m: m.GLU(), lambda m: m.GLU(1),
    lambda m: m.Hardshrink(), lambda m: m.Softshrink(0.3), lambda m: m.Tanhshrink(),
    lambda m: m.Threshold(0.1, 20), lambda m: m.Threshold(0.1, 20.0, True),
    lambda m: m.Sequential(m.Linear(3, 4), m.GELU(), m.PReLU(4), m.Linear(4, 2)),
]


@pytest.mark.parametrize("make", REPRS, ids=lambda make: repr(make(tnn)))
def test_repr_is_torchs(make):
    assert repr(make(nn)) == repr(make(tnn))


def test_prelu_parameter_state_dict_and_init():
    ours, theirs = nn.PReLU(3, init=0.1), tnn.PReLU(3, init=0.1)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    w = ours.state_dict()["weight"]
    assert tuple(w.shape) == (3,) and w.array.dtype == np.float32  # torch's default dtype
    np.testing.assert_array_equal(w.array, theirs.weight.detach().numpy())
    assert [n for n, _ in ours.named_parameters()] == ["weight"]
    assert ours.weight.requires_grad
    # load_state_dict, then reset_parameters goes back to init
    ours.load_state_dict({"weight": gg.tensor([0.5, -0.5, 2.0])})
    np.testing.assert_array_equal(ours.weight.array, np.float32([0.5, -0.5, 2.0]))
    ours.reset_parameters()
    np.testing.assert_array_equal(ours.weight.array, np.float32([0.1, 0.1, 0.1]))
    assert nn.PReLU(dtype=gg.float64).weight.array.dtype == np.float64


def test_prelu_trains_like_torch_over_three_sgd_steps():
    def make(m):
        return m.Sequential(m.Linear(4, 3), m.PReLU(3), m.Linear(3, 2), m.PReLU())

    ours, theirs = make(nn), make(tnn)
    ours.double()
    theirs.double()
    copy_weights_to_torch(ours, theirs)
    opt_ours = gg.optim.SGD(ours.parameters(), lr=0.1)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.standard_normal((8, 4))
        x_ours, x_theirs = pair(x, requires_grad=False)
        loss_ours = (ours(x_ours) ** 2).mean()
        loss_theirs = (theirs(x_theirs) ** 2).mean()
        for opt in (opt_ours, opt_theirs):
            opt.zero_grad()
        loss_ours.backward()
        loss_theirs.backward()
        opt_ours.step()
        opt_theirs.step()
        assert_close(loss_ours, loss_theirs, "float64")
    for (key, p), t_p in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(p, t_p, "float64")


def test_softmin_without_dim_warns_and_uses_torchs_legacy_dim():
    x = _input((2, 3), "float64")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = nn.Softmin()(gg.tensor(x))
    assert any("Implicit dimension" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = tnn.Softmin()(torch.tensor(x))
    assert_close(out, expected, "float64")


# ---------------------------------------------------------------- the kinks themselves
# The exact points the table avoids: PyTorch's value and one-sided gradient choice there.
KINK_POINTS = {
    "elu": ([-1.0, -0.0, 0.0, 1.0], {"alpha": 2.0}),
    "selu": ([-1.0, -0.0, 0.0, 1.0], {}),
    "celu": ([-1.0, -0.0, 0.0, 1.0], {"alpha": 2.0}),
    "hardtanh": ([-1.0, -0.0, 0.0, 1.0, -2.0, 2.0], {}),
    "relu6": ([-0.0, 0.0, 6.0, 3.0, 7.0], {}),
    "hardsigmoid": ([-3.0, 3.0, 0.0, -0.0], {}),
    "hardswish": ([-3.0, 3.0, 0.0, -0.0], {}),
    "softsign": ([-0.0, 0.0], {}),
    "logsigmoid": ([-0.0, 0.0, -np.inf, np.inf, -800.0, 800.0], {}),
    # (no -0.0 nor underflowing -40: torch's float32 kernel gives +0.0 there, float64 -0.0)
    "gelu": ([0.0, 1e-30, -1e-30], {}),
    "silu": ([-0.0, 0.0, 800.0], {}),
    "mish": ([-0.0, 0.0, 800.0, -800.0], {}),
    "hardshrink": ([-0.5, 0.5, -0.0, 0.0, 0.7, -0.3], {}),
    # (softshrink: not -0.0 nor values inside the band: torch's float64 kernel returns +0.0
    # there on some lengths and x * 0 = -0.0 on others)
    "softshrink": ([-0.5, 0.5, 0.7, -0.7], {}),
    "threshold": ([0.1, 0.2, -0.0, -5.0], {"threshold": 0.1, "value": 20.0}),
    "tanhshrink": ([0.0, -0.0, 3.0, -30.0], {}),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(KINK_POINTS))
def test_value_and_gradient_at_kinks_and_extremes_match_torch(name, dtype):
    values, kwargs = KINK_POINTS[name]
    x = np.array(values, dtype=dtype)
    ours, theirs = pair(x)
    out = getattr(gg.nn.functional, name)(ours, **kwargs)
    t_out = getattr(torch.nn.functional, name)(theirs, **kwargs)
    got, expected = out.array, t_out.detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-7 if dtype == "float64" else 1e-6, atol=0)
    assert np.array_equal(np.signbit(got), np.signbit(expected)), "signed zeros differ"
    out.sum().backward()
    t_out.sum().backward()
    # hardsigmoid: torch multiplies by float32(1/6) even in float64 (3e-8 off); we use 1/6
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-7, atol=0)


def test_prelu_gradient_at_zero_takes_the_slope_side():
    x = gg.tensor([0.0, -0.0, 2.0, -2.0], dtype=gg.float64, requires_grad=True)
    w = gg.tensor([0.3], dtype=gg.float64, requires_grad=True)
    gg.nn.functional.prelu(x, w).sum().backward()
    # torch: s > 0 ? g : a g, and d/da = s > 0 ? 0 : s g
    np.testing.assert_array_equal(x.grad.array, [0.3, 0.3, 1.0, 0.3])
    np.testing.assert_array_equal(w.grad.array, [-2.0])


# ---------------------------------------------------------------- bad arguments
def test_bad_arguments_are_refused_with_clear_errors():
    F = gg.nn.functional
    x = gg.randn(2, 3)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(x, approximate="fast")
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="alpha cannot be 0"):
        F.celu(x, alpha=0.0)
    with pytest.raises(ValueError, match=r"min_val \(2.0\) cannot be greater than max_val \(1.0\)"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(ValueError, match=r"max_val \(1.0\) must be greater than min_val \(2.0\)"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(ValueError, match="weight has 4 slopes but .* has 3 channel"):
        F.prelu(x, gg.ones(4))
    with pytest.raises(ValueError, match="1-D tensor .* got a 2-D tensor"):
        F.prelu(x, gg.ones(3, 1))
    with pytest.raises(TypeError, match="same dtype"):
        F.prelu(x.double(), gg.ones(3))
    with pytest.raises(TypeError, match="must be Tensors"):
        F.prelu(x, 0.25)
    with pytest.raises(ValueError, match="num_parameters must be a positive int"):
        nn.PReLU(0)
    with pytest.raises(ValueError, match="size of dim 1 must be even.*got 3"):
        F.glu(x, dim=1)
    with pytest.raises(ValueError, match="0-d tensor"):
        F.glu(gg.tensor(1.0))
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        F.glu(x, dim=2)
    with pytest.raises(TypeError, match="softmin\\(\\) needs dim="):
        F.softmin(x)
    with pytest.raises(TypeError, match="floating-point"):
        F.gelu(gg.tensor([1, 2]))
    with pytest.raises(ValueError, match="lambd must be >= 0"):
        F.softshrink(x, -1.0)


def test_prelu_error_leaves_the_weight_untouched():
    layer = nn.PReLU(4)
    before = layer.weight.array.copy()
    with pytest.raises(ValueError):
        layer(gg.randn(2, 3))
    np.testing.assert_array_equal(layer.weight.array, before)
    assert layer.weight.grad is None


# ---------------------------------------------------------------- accuracy of the formulas
def _ulps(got, expected, dtype):
    spacing = np.spacing(np.abs(expected).astype(dtype)).astype(np.float64)
    return np.abs(got.astype(np.float64) - expected) / spacing


@pytest.mark.parametrize("dtype", DTYPES)
def test_elu_keeps_the_digits_of_e_to_the_s_minus_1(dtype):
    """elu's e^s - 1 (no NumPy expm1 inside) against math.expm1, from s = -1e-300, where
    e^s - 1 would round to 0, to s = -800, where e^s underflows."""
    x = -np.geomspace(1e-300, 800, 4001).astype(dtype)
    got = gg.nn.functional.elu(gg.tensor(x)).array
    expected = np.array([math.expm1(float(v)) for v in x])
    assert _ulps(got, expected, dtype).max() <= 4


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsigmoid_keeps_its_digits_for_every_s(dtype):
    x = np.concatenate([-np.geomspace(1e-30, 700, 2001), np.geomspace(1e-30, 700, 2001)])
    x = x.astype(dtype)
    got = gg.nn.functional.logsigmoid(gg.tensor(x)).array
    # log sigma(s) = -log(1 + e^{-s}), written per sign so that the reference is exact too
    expected = np.array([-math.log1p(math.exp(-v)) if v > 0 else v - math.log1p(math.exp(v))
                         for v in map(float, x)])
    assert _ulps(got, expected, dtype).max() <= 4
