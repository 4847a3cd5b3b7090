"""inplace=True and the x.op_() methods, against PyTorch: the result is written into the
input (which is returned), values and gradients equal the out-of-place op's, the version
moves on (so a node that saved the input refuses backward, with torch's version numbers),
and a leaf that requires grad is refused. (The in-place hazard, ReLU(inplace=True) over a
sigmoid's saved output, is in tests/autograd/test_engine.py with the other in-place edits.)

Gradients are compared bit for bit with glassgrad's out-of-place op (the op tables test
those against torch at rtol 1e-7), and with torch at rtol 1e-6: on these inputs torch's
own celu and hardsigmoid gradients in float64 are 1e-7 to 4e-7 away from glassgrad's, in
its in-place and out-of-place forms alike.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassgrad as gg
import glassgrad.nn as nn
import glassgrad.nn.functional as F

# a grid that keeps clear of every kink below (0, 6, +-3, -0.5, 0.8, 0.1, +-1)
VALUES = np.linspace(-5.05, 7.07, 24).reshape(4, 6)
WEIGHTS = np.random.default_rng(0).standard_normal(VALUES.shape)

ACTIVATIONS = {  # name -> keyword arguments (the same in both libraries)
    "relu": {}, "leaky_relu": {"negative_slope": 0.2}, "silu": {}, "elu": {"alpha": 0.7},
    "selu": {}, "celu": {"alpha": 1.3}, "hardtanh": {"min_val": -0.5, "max_val": 0.8},
    "relu6": {}, "hardsigmoid": {}, "hardswish": {}, "mish": {},
    "threshold": {"threshold": 0.1, "value": -2.0},
}


def pair(values=VALUES, requires_grad=True):
    return (gg.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_in_a_graph_same_values_and_gradient_as_torch(name):
    kwargs = ACTIVATIONS[name]
    x, tx = pair()
    h, th = x * 1.0, tx * 1.0  # non-leaves: in-place is allowed on them
    out = getattr(F, name)(h, **kwargs, inplace=True)
    tout = getattr(TF, name)(th, **kwargs, inplace=True)
    assert out is h and tout is th
    np.testing.assert_allclose(h.array, th.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert h._version == th._version
    (out * gg.tensor(WEIGHTS)).sum().backward()
    (tout * torch.tensor(WEIGHTS)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-6, atol=1e-10)
    out_of_place = pair()[0]
    (getattr(F, name)(out_of_place, **kwargs) * gg.tensor(WEIGHTS)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, out_of_place.grad.array)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_outside_a_graph_the_memory_is_written_and_views_see_it(name):
    kwargs = ACTIVATIONS[name]
    x, tx = pair(requires_grad=False)
    row, trow = x[1], tx[1]  # views taken before the change
    element, telement = x[2, 3], tx[2, 3]
    assert getattr(F, name)(x, **kwargs, inplace=True) is x
    getattr(TF, name)(tx, **kwargs, inplace=True)
    np.testing.assert_allclose(x.array, tx.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(row.array, trow.numpy(), rtol=1e-12, atol=1e-15)
    assert element.item() == pytest.approx(telement.item(), rel=1e-12, abs=1e-15)
    assert x._version == tx._version == 1


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_a_leaf_that_requires_grad_is_refused_and_left_alone(name):
    kwargs = ACTIVATIONS[name]
    x, tx = pair()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(TF, name)(tx, **kwargs, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as info:
        getattr(F, name)(x, **kwargs, inplace=True)
    assert "no_grad" in str(info.value)
    np.testing.assert_array_equal(x.array, VALUES)
    assert x._version == 0
    with gg.no_grad():  # allowed there, as in torch
        getattr(F, name)(x, **kwargs, inplace=True)
    assert x._version == 1


MODULES = [
    (lambda m: m.ReLU(inplace=True)), (lambda m: m.LeakyReLU(0.2, inplace=True)),
    (lambda m: m.SiLU(inplace=True)), (lambda m: m.ELU(0.7, inplace=True)),
    (lambda m: m.SELU(inplace=True)), (lambda m: m.CELU(1.3, inplace=True)),
    (lambda m: m.Hardtanh(-0.5, 0.8, inplace=True)), (lambda m: m.ReLU6(inplace=True)),
    (lambda m: m.Hardsigmoid(inplace=True)), (lambda m: m.Hardswish(inplace=True)),
    (lambda m: m.Mish(inplace=True)), (lambda m: m.Threshold(0.1, -2.0, inplace=True)),
]


@pytest.mark.parametrize("make", MODULES)
def test_modules_with_inplace_true_match_torch_inside_a_model(make):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), make(torch.nn), torch.nn.Linear(5, 3))
    theirs.double()
    ours = nn.Sequential(nn.Linear(6, 5), make(nn), nn.Linear(5, 3)).double()
    ours.load_state_dict({k: gg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours[1]) == repr(theirs[1])
    x, tx = pair(requires_grad=False)
    hidden = ours[0](x)
    assert ours[1](hidden) is hidden
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-6, atol=1e-10,
                                   err_msg=name)


def test_dropout_in_place_draws_the_same_mask():
    x, _ = pair()
    gg.manual_seed(3)
    expected = F.dropout(x * 1.0, 0.4)
    expected.sum().backward()
    expected_grad = x.grad.array.copy()
    x.grad = None
    gg.manual_seed(3)
    h = x * 1.0
    assert F.dropout(h, 0.4, inplace=True) is h
    np.testing.assert_array_equal(h.array, expected.array)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.array, expected_grad)
    layer = nn.Dropout(0.4, inplace=True)
    h2 = x * 1.0
    assert layer(h2) is h2
    images = gg.randn(2, 3, 4, 4)
    assert F.dropout2d(images, 0.5, inplace=True) is images
    assert nn.Dropout2d(0.5, inplace=True)(images) is images


TENSOR_METHODS = [
    "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "neg", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "asinh", "atanh", "log1p", "expm1", "log2", "log10",
    "square", "rsqrt", "reciprocal", "erf", "erfc", "sign", "floor", "ceil", "trunc", "frac",
    "round",
]


@pytest.mark.parametrize("name", TENSOR_METHODS + ["acosh"])
def test_tensor_methods_match_torch(name):
    values = np.linspace(0.15, 0.85, 12).reshape(3, 4) + (1.0 if name == "acosh" else 0.0)
    x, tx = pair(values)
    h = x * 1.0
    assert getattr(h, name + "_")() is h
    in_place = torch.tensor(values)
    getattr(in_place, name + "_")()
    np.testing.assert_allclose(h.array, in_place.numpy(), rtol=1e-12)
    # the gradient against torch's out-of-place op (torch has no backward for some of its
    # in-place methods, acosh_ among them)
    (h * gg.tensor(values)).sum().backward()
    (getattr(tx, name)() * torch.tensor(values)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_methods_with_arguments_and_the_functional_spellings():
    x, tx = pair()
    h, th = x * 1.0, tx * 1.0
    h.pow_(2).clamp_min_(1.5).clamp_max_(20.0)
    th.pow_(2).clamp_min_(1.5).clamp_max_(20.0)
    np.testing.assert_allclose(h.array, th.detach().numpy(), rtol=1e-12)
    for name, args in [("relu_", ()), ("leaky_relu_", (0.2,)), ("elu_", (0.7,)), ("selu_", ()),
                       ("celu_", (1.3,)), ("hardtanh_", (-0.5, 0.8)), ("threshold_", (0.1, -2.0))]:
        g, t = gg.tensor(VALUES), torch.tensor(VALUES)
        assert getattr(F, name)(g, *args) is g
        getattr(TF, name)(t, *args)
        np.testing.assert_allclose(g.array, t.numpy(), rtol=1e-12, err_msg=name)


def test_a_result_the_tensor_cannot_hold_is_refused_before_any_change():
    counts = gg.tensor([1, 4])
    with pytest.raises(RuntimeError, match="can't be cast") as info:
        counts.pow_(0.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1, 4]).pow_(0.5)
    assert "int64" in str(info.value) and ".float()" in str(info.value)
    np.testing.assert_array_equal(counts.array, [1, 4])
    assert counts._version == 0
