"""nn.init: gains and fans against torch, and the drawn distributions against the formulas.

The statistical checks use 200,000 draws. For a uniform U(-b, b) the sample standard
deviation has a relative standard error of about sqrt(0.8 / n) / 2 = 0.1 %, for a normal
1 / sqrt(2n) = 0.16 %: the 1 % tolerance below is 6 to 10 standard errors wide (a real
formula error, e.g. a missing sqrt(3) or gain, moves it by far more), so the tests neither
flake nor wave a wrong formula through. The bounds of a uniform are checked exactly
(every draw inside) and tightly (the largest draw within 0.1 % of the bound: the chance
that 200,000 draws all miss the top 0.05 % is e^-100).
"""

import math
import warnings

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.nn import init

torch = pytest.importorskip("torch")
tinit = torch.nn.init

SHAPES = [(400, 500), (50, 80, 7, 7), (1000, 200)]


# ---------------------------------------------------------------- gains and fans vs torch
@pytest.mark.parametrize(
    "nonlinearity, param",
    [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
     ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("leaky_relu", 0), ("selu", None)],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(tinit.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (16, 3, 5, 5), (2, 3, 4), (7, 1)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(gg.zeros(*shape)) == tinit._calculate_fan_in_and_fan_out(torch.zeros(shape))


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(gg.zeros(5))


# ---------------------------------------------------------------- distributions
def _fans(shape):
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _check_uniform(values, bound):
    values = values.ravel()
    assert np.all(values >= -bound) and np.all(values <= bound)
    assert values.max() > bound * (1 - 1e-3) and values.min() < -bound * (1 - 1e-3)
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert abs(values.mean()) < 5 * bound / math.sqrt(3) / math.sqrt(values.size)


def _check_normal(values, mean, std):
    values = values.ravel()
    assert values.std() == pytest.approx(std, rel=0.01)
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(values.size)


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_uniform_bound(shape):
    fan_in, fan_out = _fans(shape)
    for gain in (1.0, 5 / 3):
        t = init.xavier_uniform_(gg.empty(*shape), gain=gain)
        _check_uniform(t.array, gain * math.sqrt(6.0 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_normal_std(shape):
    fan_in, fan_out = _fans(shape)
    t = init.xavier_normal_(gg.empty(*shape, dtype=gg.float64), gain=2.0)
    _check_normal(t.array, 0.0, 2.0 * math.sqrt(2.0 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "a, mode, nonlinearity, gain",
    [(0, "fan_in", "leaky_relu", math.sqrt(2)), (math.sqrt(5), "fan_in", "leaky_relu", math.sqrt(1 / 3)),
     (0, "fan_out", "relu", math.sqrt(2)), (0.1, "fan_out", "leaky_relu", math.sqrt(2 / 1.01)),
     (0, "fan_in", "tanh", 5 / 3)],
)
def test_kaiming_uniform_and_normal(shape, a, mode, nonlinearity, gain):
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    t = init.kaiming_uniform_(gg.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    _check_uniform(t.array, gain * math.sqrt(3.0 / fan))
    t = init.kaiming_normal_(gg.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    _check_normal(t.array, 0.0, gain / math.sqrt(fan))


@pytest.mark.parametrize("shape", SHAPES)
def test_same_bounds_as_torch_draws(shape):
    """torch's own draws as a second, independent witness of the bound."""
    ours = init.kaiming_uniform_(gg.empty(*shape), a=math.sqrt(5)).array
    theirs = tinit.kaiming_uniform_(torch.empty(shape), a=math.sqrt(5)).numpy()
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=2e-3)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)


def test_uniform_normal_constant():
    t = init.uniform_(gg.empty(500, 400, dtype=gg.float64), a=-2.0, b=3.0)
    assert t.array.min() >= -2.0 and t.array.max() <= 3.0
    assert t.array.mean() == pytest.approx(0.5, abs=5 * 5 / math.sqrt(12) / math.sqrt(t.array.size))
    assert t.array.std() == pytest.approx(5 / math.sqrt(12), rel=0.01)
    _check_normal(init.normal_(gg.empty(500, 400), mean=3.0, std=0.5).array, 3.0, 0.5)
    assert np.all(init.constant_(gg.empty(3, 2), 0.25).array == 0.25)
    assert np.all(init.zeros_(gg.ones(3)).array == 0) and np.all(init.ones_(gg.zeros(3)).array == 1)


def test_init_is_in_place_without_graph_and_keeps_dtype():
    layer = nn.Linear(3, 4)
    weight = layer.weight
    version = weight._version
    out = init.xavier_uniform_(weight)
    assert out is weight and weight.grad_fn is None and weight.requires_grad and weight.is_leaf
    assert weight._version == version + 1 and weight.dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        init.normal_(gg.zeros(3, dtype=gg.int64))


def test_global_seed_and_generator_make_draws_reproducible():
    gg.manual_seed(7)
    a = init.kaiming_normal_(gg.empty(20, 30)).array.copy()
    gg.manual_seed(7)
    b = init.kaiming_normal_(gg.empty(20, 30)).array.copy()
    np.testing.assert_array_equal(a, b)
    c = init.uniform_(gg.empty(10), generator=gg.Generator(3)).array.copy()
    d = init.uniform_(gg.empty(10), generator=gg.Generator(3)).array.copy()
    np.testing.assert_array_equal(c, d)
    gg.manual_seed(1)
    first = nn.Linear(5, 5).weight.array.copy()
    gg.manual_seed(1)
    np.testing.assert_array_equal(nn.Linear(5, 5).weight.array, first)


def test_zero_element_tensor_is_a_warned_no_op():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init.kaiming_uniform_(gg.empty(0, 3))
    assert any("zero-element" in str(w.message) for w in caught)


def test_bad_mode():
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_normal_(gg.empty(2, 2), mode="fan_avg")
