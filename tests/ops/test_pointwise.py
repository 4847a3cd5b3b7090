"""Pointwise math, predicates, prod / cumsum / cumprod / norm: the cases a table row
cannot say. Hand-derived gradients at zeros (prod, cumprod, norm), PyTorch's conventions
(clamp at the bound, round half to even, step ops in the graph with zero gradient),
answers that are Python bools (allclose, equal), dtype rules, Tensor methods, and bad
input. The forward/backward comparisons with PyTorch on random inputs are the rows of
table_pointwise.py."""

import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import gradcheck
from glassgrad.ops.arithmetic import ShapeError


def leaf(values, dtype=gg.float64):
    return gg.tensor(np.array(values, dtype=dtype), requires_grad=True)


# ---------------------------------------------------------------- prod at zeros
def test_prod_one_zero_gets_the_product_of_the_others():
    x = leaf([2.0, 0.0, 3.0, -1.5])
    gg.prod(x).backward()
    # d/dx_j prod = prod_{i != j} x_i: only the zero's "others" hold no zero
    np.testing.assert_array_equal(x.grad.array, [0.0, 2.0 * 3.0 * -1.5, 0.0, 0.0])


def test_prod_two_zeros_give_zero_gradient_everywhere():
    x = leaf([2.0, 0.0, 3.0, 0.0])
    gg.prod(x).backward()
    np.testing.assert_array_equal(x.grad.array, np.zeros(4))
    assert not np.isnan(x.grad.array).any()


def test_prod_along_a_dim_with_zeros_in_some_rows():
    x = leaf([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.5, -2.0, 0.5]])
    x.prod(dim=1).backward(gg.tensor([1.0, 1.0, 2.0], dtype=gg.float64))
    expected = [[0.0, 6.0, 0.0],                     # one zero: the others' product
                [0.0, 0.0, 0.0],                     # two zeros
                [2 * -2.0 * 0.5, 2 * 1.5 * 0.5, 2 * 1.5 * -2.0]]  # no zero, upstream 2
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-15)


@pytest.mark.parametrize("values, dim", [
    ([2.0, 0.0, 3.0, -1.5], None),
    ([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.5, -2.0, 0.5]], 1),
    ([[2.0, 0.0], [0.0, 5.0], [1.5, 0.0]], 0),
])
def test_prod_with_zeros_agrees_with_finite_differences(values, dim):
    # a product is linear in each element, so finite differences are exact at zeros too
    assert gradcheck(lambda x: gg.prod(x) if dim is None else gg.prod(x, dim), (leaf(values),))


# ---------------------------------------------------------------- cumprod at zeros
def test_cumprod_one_zero_by_hand():
    x = leaf([2.0, 0.0, 3.0, 4.0])
    gg.cumprod(x, 0).backward(gg.tensor([1.0, 2.0, 3.0, 4.0], dtype=gg.float64))
    # out = [x0, x0 x1, x0 x1 x2, x0 x1 x2 x3]; every product through x1 = 0 is 0 except
    # its derivative in x1: d/dx0 = 1 (the others hold x1); d/dx1 = 2 x0 + 3 x0 x2 + 4 x0 x2 x3
    np.testing.assert_array_equal(x.grad.array, [1.0, 2 * 2 + 3 * 2 * 3 + 4 * 2 * 3 * 4, 0, 0])


def test_cumprod_two_zeros_by_hand():
    x = leaf([2.0, 0.0, 3.0, 0.0, 5.0])
    gg.cumprod(x, 0).sum().backward()
    # d/dx1 = x0 + x0 x2 (later products also hold the second zero); after x1: 0
    np.testing.assert_array_equal(x.grad.array, [1.0, 2.0 + 2.0 * 3.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("values, dim", [
    ([2.0, 0.0, 3.0, 0.0, 5.0], 0),
    ([[0.0, 2.0, 3.0], [1.5, 2.0, 0.0], [1.0, -2.0, 3.0]], 1),
    ([[0.0, 0.0, 3.0], [1.5, 0.0, 0.0], [2.0, 0.5, 0.0]], 0),
])
def test_cumprod_with_zeros_agrees_with_finite_differences(values, dim):
    assert gradcheck(lambda x: gg.cumprod(x, dim), (leaf(values),))


def test_scans_of_float32_accumulate_in_float64_as_torch():
    torch = pytest.importorskip("torch")
    values = np.array([3e38, 3e38, -3e38], dtype=np.float32)
    x = gg.tensor(values, requires_grad=True)
    gg.cumsum(x, 0).backward(gg.tensor(values))
    t = torch.tensor(values, requires_grad=True)
    torch.cumsum(t, 0).backward(torch.tensor(values))
    # 3e38 + 3e38 overflows float32 but not the float64 running sum: [3e38, inf, 3e38]
    np.testing.assert_array_equal(gg.cumsum(x, 0).array, torch.cumsum(t, 0).detach().numpy())
    np.testing.assert_array_equal(x.grad.array, t.grad.numpy())
    small = np.array([1e30, 1e30, 1e-30], dtype=np.float32)
    np.testing.assert_array_equal(gg.cumprod(gg.tensor(small), 0).array,
                                  torch.cumprod(torch.tensor(small), 0).numpy())


# ---------------------------------------------------------------- norm at zero
@pytest.mark.parametrize("p", [2, "fro", 1, 3, 1.5, 0.5, -1.0, math.inf, -math.inf])
def test_norm_gradient_at_zero_is_zero_not_nan(p):
    x = leaf([0.0, 0.0, 0.0])
    y = gg.norm(x, p=p)
    y.backward()
    assert y.item() == 0.0
    np.testing.assert_array_equal(x.grad.array, np.zeros(3))


def test_norm_zero_row_and_nonzero_row_by_hand():
    x = leaf([[0.0, 0.0], [3.0, -4.0]])
    gg.norm(x, dim=1).sum().backward()
    np.testing.assert_allclose(gg.norm(x, dim=1).array, [0.0, 5.0])
    np.testing.assert_allclose(x.grad.array, [[0.0, 0.0], [3 / 5, -4 / 5]], rtol=1e-15)


def test_norm_p0_counts_nonzeros_and_has_no_gradient_as_torch():
    x = leaf([[0.0, 2.0, -1.0], [0.0, 0.0, 5.0]])
    y = gg.norm(x, p=0, dim=1)
    np.testing.assert_array_equal(y.array, [2.0, 1.0])
    assert y.requires_grad  # torch: in the graph ...
    y.sum().backward()
    assert x.grad is None  # ... with no gradient at all


def test_norm_inf_ties_share_the_gradient():
    x = leaf([1.0, -3.0, 3.0])
    gg.norm(x, p=math.inf).backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, -0.5, 0.5])


# ---------------------------------------------------------------- PyTorch's conventions
def test_clamp_min_and_max_pass_the_gradient_at_the_bound():
    x = leaf([-1.0, 0.5, 1.0])
    gg.clamp_min(x, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 1.0])
    x.grad = None
    x.clamp_max(0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 1.0, 0.0])


def test_round_halves_to_even_and_decimals():
    x = gg.tensor([0.5, 1.5, 2.5, -0.5, -2.5, 0.51])
    np.testing.assert_array_equal(gg.round(x).array, [0.0, 2.0, 2.0, -0.0, -2.0, 1.0])
    np.testing.assert_allclose(gg.round(gg.tensor([1.2345, -0.125]), decimals=2).array,
                               [1.23, -0.12])
    np.testing.assert_array_equal(gg.round(gg.tensor([1250.0, 1351.0]), decimals=-2).array,
                                  [1200.0, 1400.0])


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc"])
def test_step_ops_stay_in_the_graph_with_zero_gradient(name):
    x = leaf([-1.7, -0.2, 0.3, 2.5])
    y = getattr(gg, name)(x)
    assert y.requires_grad and y.grad_fn is not None
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.zeros(4))


def test_frac_has_gradient_one_and_keeps_the_sign():
    x = leaf([-1.5, 2.25, -0.0])
    y = gg.frac(x)
    np.testing.assert_array_equal(y.array, [-0.5, 0.25, 0.0])
    y.backward(gg.tensor([1.0, 2.0, 3.0], dtype=gg.float64))
    np.testing.assert_array_equal(x.grad.array, [1.0, 2.0, 3.0])


def test_sign_of_nan_and_negative_zero_as_torch():
    y = gg.sign(gg.tensor([float("nan"), -0.0, 0.0, -3.0]))
    np.testing.assert_array_equal(y.array, [0.0, 0.0, 0.0, -1.0])
    assert not np.signbit(y.array[1])  # torch's (0 < a) - (a < 0): +0.0


def test_nan_to_num_gradient_is_zero_where_replaced():
    x = leaf([float("nan"), float("inf"), -float("inf"), 1.5])
    y = gg.nan_to_num(x, nan=1.0, posinf=2.0)
    np.testing.assert_array_equal(y.array, [1.0, 2.0, np.finfo(np.float64).min, 1.5])
    y.backward(gg.tensor([5.0, 6.0, 7.0, 8.0], dtype=gg.float64))
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0, 8.0])


def test_log1p_and_expm1_keep_the_digits_of_tiny_inputs():
    x = gg.tensor([1e-12], dtype=gg.float64)
    # log(1 + 1e-12) = 1e-12 - 5e-25 + ...: log1p gets every digit; log(1 + x) gets 4
    np.testing.assert_allclose(gg.log1p(x).array, [1e-12 - 5e-25], rtol=1e-15)
    np.testing.assert_allclose(gg.expm1(x).array, [1e-12 + 5e-25], rtol=1e-15)


def test_lerp_is_exact_at_both_ends():
    a, b = gg.tensor([0.1, -3.3]), gg.tensor([7.7, 1e-8])
    np.testing.assert_array_equal(gg.lerp(a, b, 0.0).array, a.array)
    np.testing.assert_array_equal(gg.lerp(a, b, 1.0).array, b.array)


# ---------------------------------------------------------------- Python-bool answers
def test_allclose_and_equal_return_python_bools_as_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        ([1.0, 2.0], [1.0, 2.0 + 1e-6]),
        ([1.0, 2.0], [1.0, 2.1]),
        ([1.0, float("nan")], [1.0, float("nan")]),
        ([float("inf"), 0.0], [float("inf"), 1e-9]),
    ]
    for a, b in pairs:
        ga, gb = gg.tensor(a), gg.tensor(b)
        ta, tb = torch.tensor(a), torch.tensor(b)
        for kwargs in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
            got = gg.allclose(ga, gb, **kwargs)
            assert type(got) is bool
            assert got == torch.allclose(ta, tb, **kwargs), (a, b, kwargs)
            assert ga.allclose(gb, **kwargs) == got
        got = gg.equal(ga, gb)
        assert type(got) is bool and got == torch.equal(ta, tb), (a, b)
    assert gg.equal(gg.ones(2), gg.ones(3)) is False  # different shapes: not equal
    assert gg.equal(gg.ones(2), gg.ones(2, dtype=gg.float64)) is torch.equal(
        torch.ones(2), torch.ones(2, dtype=torch.float64))


def test_any_all_of_uint8_stay_uint8_as_torch():
    x = gg.tensor(np.array([[0, 3], [0, 0]], dtype=np.uint8))
    assert gg.any(x).dtype == gg.uint8
    assert gg.all(x, dim=1).dtype == gg.uint8
    assert gg.any(gg.tensor([0.0, 2.0])).dtype == gg.bool_


# ---------------------------------------------------------------- dtype rules
@pytest.mark.parametrize("name", [
    "sin", "cos", "tan", "atan", "sinh", "cosh", "log1p", "expm1", "log2", "log10", "rsqrt",
    "reciprocal", "square", "sign", "floor", "ceil", "round", "trunc", "isnan", "isfinite",
    "nan_to_num", "logical_not",
])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_and_bool_inputs_get_torchs_dtype(name, dtype):
    torch = pytest.importorskip("torch")
    values = np.array([1, 0, 3], dtype=dtype)
    try:
        expected = getattr(torch, name)(torch.tensor(values))
    except RuntimeError:  # torch refuses this dtype (floor of bool, ...): so must glassgrad
        with pytest.raises((TypeError, RuntimeError)):
            getattr(gg, name)(gg.tensor(values))
        return
    got = getattr(gg, name)(gg.tensor(values))
    assert got.dtype == expected.numpy().dtype
    np.testing.assert_allclose(got.array, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["prod", "cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_integer_products_and_sums_are_int64(name, dtype):
    x = gg.tensor(np.array([1, 1, 0], dtype=dtype))
    out = gg.prod(x) if name == "prod" else getattr(gg, name)(x, 0)
    assert out.dtype == gg.int64


# ---------------------------------------------------------------- Tensor methods
METHOD_NAMES = [
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "asinh", "arcsinh", "atanh", "arctanh",
    "log1p", "expm1", "log2", "log10", "square", "rsqrt", "reciprocal", "sign", "floor",
    "ceil", "round", "trunc", "fix", "frac", "nan_to_num", "isnan", "isinf", "isposinf",
    "isneginf", "isfinite", "logical_not", "any", "all", "prod", "norm",
]


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_unary_tensor_methods_agree_with_torchs(name):
    torch = pytest.importorskip("torch")
    values = np.array([[0.3, -0.6], [0.9, 0.2]])
    got = getattr(gg.tensor(values), name)()
    expected = getattr(torch.tensor(values), name)()
    np.testing.assert_allclose(got.array, expected.numpy(), rtol=1e-12)


def test_tensor_methods_with_arguments():
    torch = pytest.importorskip("torch")
    values = np.array([[0.3, -0.6, 1.2], [0.9, 0.2, -0.4]])
    g, t = gg.tensor(values), torch.tensor(values)
    calls = [
        lambda x, L: x.prod(dim=1), lambda x, L: x.prod(0, keepdim=True),
        lambda x, L: x.cumsum(0), lambda x, L: x.cumsum(dim=-1), lambda x, L: x.cumprod(1),
        lambda x, L: x.norm(), lambda x, L: x.norm(p=1, dim=1), lambda x, L: x.norm(3, 0, True),
        lambda x, L: x.any(dim=1), lambda x, L: x.all(0, keepdim=True),
        lambda x, L: x.clamp_min(0.0), lambda x, L: x.clamp_max(0.25),
        lambda x, L: x.atan2(x + 2), lambda x, L: x.arctan2(x - 2), lambda x, L: x.lerp(x * 2, 0.3),
        lambda x, L: x.round(decimals=1), lambda x, L: x.isclose(x + 1e-9),
        lambda x, L: x.logical_and(x > 0), lambda x, L: x.logical_or(x > 0),
        lambda x, L: x.logical_xor(x > 0), lambda x, L: x.nan_to_num(nan=1.0),
    ]
    for call in calls:
        got, expected = call(g, gg), call(t, torch)
        np.testing.assert_allclose(got.array, expected.numpy(), rtol=1e-12)
    assert g.equal(gg.tensor(values)) is True
    assert g.allclose(gg.tensor(values + 1e-9)) is True


# ---------------------------------------------------------------- bad input
def test_norm_refuses_unknown_p_and_integer_tensors():
    x = gg.randn(3, 4)
    with pytest.raises(NotImplementedError, match="nuclear norm"):
        gg.norm(x, p="nuc")
    with pytest.raises(ValueError, match=r"p must be a number, 'fro' or 'nuc', got 'max'"):
        gg.norm(x, p="max")
    with pytest.raises(ValueError, match=r"at most two dims.*dim=\(0, 1, 2\)"):
        gg.norm(gg.randn(2, 3, 4), dim=(0, 1, 2))
    with pytest.raises(TypeError, match="norm expects a floating-point tensor, got dtype int64"):
        gg.norm(gg.tensor([1, 2]))
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        gg.norm(x, dim=2)


def test_prod_cumsum_dims_are_checked():
    x = gg.randn(3, 4)
    with pytest.raises(TypeError, match=r"prod: dim must be a single int, got \(0, 1\)"):
        gg.prod(x, dim=(0, 1))
    with pytest.raises(IndexError, match=r"cumsum: dimension out of range"):
        gg.cumsum(x, 2)
    with pytest.raises(IndexError, match=r"cumprod: dimension out of range"):
        gg.cumprod(x, -3)
    with pytest.raises(TypeError, match="keepdim needs a dim"):
        gg.prod(x, keepdim=True)


def test_isclose_refuses_mixed_dtypes_and_negative_tolerances():
    a, b = gg.ones(2), gg.ones(2, dtype=gg.float64)
    with pytest.raises(TypeError, match="same dtype, got float32 and float64"):
        gg.isclose(a, b)
    with pytest.raises(ValueError, match="rtol must be greater than or equal to zero, but got -1"):
        gg.allclose(a, a, rtol=-1)
    with pytest.raises(ValueError, match="atol must be greater than or equal to zero"):
        gg.isclose(a, a, atol=-1e-3)
    with pytest.raises(ShapeError, match=r"isclose: shapes \(2,\) and \(3,\)"):
        gg.isclose(a, gg.ones(3))


def test_lerp_refuses_integer_tensors_and_a_number_end_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError):  # torch: "lerp_kernel_scalar" not for 'Long'
        torch.lerp(torch.tensor([1, 2]), torch.tensor([3, 4]), 0.3)
    # (computed, it would be rounded back to integers: lerp(1, 3, 0.3) = 1, not 1.6)
    with pytest.raises(TypeError, match="lerp expects floating-point tensors, got input of "
                                        "dtype glassgrad.int64"):
        gg.lerp(gg.tensor([1, 2]), gg.tensor([3, 4]), 0.3)
    with pytest.raises(TypeError, match="got weight of dtype glassgrad.int64"):
        gg.lerp(gg.tensor([1.0, 2.0]), gg.tensor([3.0, 4.0]), gg.tensor([1, 0]))
    with pytest.raises(TypeError, match="expected a Tensor as end, got float"):
        gg.lerp(gg.tensor([1.0, 2.0]), 3.0, 0.3)


def test_round_frac_and_logical_ops_name_the_problem():
    with pytest.raises(TypeError, match="decimals=2 needs a floating-point tensor, got dtype glassgrad.int64"):
        gg.round(gg.tensor([1, 2]), decimals=2)
    with pytest.raises(TypeError, match="decimals must be an int, got 1.5"):
        gg.round(gg.randn(2), decimals=1.5)
    for name in ("floor", "ceil", "trunc", "round"):  # torch: not implemented for 'Bool'
        with pytest.raises(TypeError, match=f"{name} is not defined for bool tensors"):
            getattr(gg, name)(gg.tensor([True, False]))
    with pytest.raises(TypeError, match="frac expects a floating-point tensor, got dtype glassgrad.int64"):
        gg.frac(gg.tensor([1, 2]))
    with pytest.raises(ShapeError, match=r"logical_and: shapes \(2,\) and \(3,\)"):
        gg.logical_and(gg.ones(2), gg.ones(3))
    with pytest.raises(TypeError, match="sin: expected a Tensor as input, got list"):
        gg.sin([1.0, 2.0])
    with pytest.raises(IndexError, match="any: dimension out of range"):
        gg.any(gg.ones(2), dim=1)


# ---------------------------------------------------------------- special values vs torch
INF, NAN = float("inf"), float("nan")
SPECIAL_ROWS = [[-INF, 1.0, 2.0], [INF, 0.5, -1.0], [NAN, 1.0, 2.0], [0.0, -0.0, 3.0],
                [1e30, 1e30, 2.0], [1e-40, 2.0, -1.0], [INF, 0.0, 1.0], [INF, INF, -1.0],
                [0.0, NAN, 0.0], [2.0, 0.0, INF]]
UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
         "atanh", "log1p", "expm1", "log2",
         "log10", "square", "rsqrt", "reciprocal", "sign", "floor", "ceil", "trunc", "round",
         "frac", "nan_to_num", "isnan", "isinf", "isfinite", "isposinf", "isneginf"]
REDUCTIONS = {
    "prod(dim=1)": lambda L, x: L.prod(x, 1), "prod()": lambda L, x: L.prod(x),
    "cumsum": lambda L, x: L.cumsum(x, 1), "cumprod": lambda L, x: L.cumprod(x, 1),
    **{f"norm(p={p})": (lambda L, x, p=p: L.norm(x, p=p, dim=1))
       for p in [2, 1, 3, 1.5, 0.5, INF, -INF]},
}


def _same(got, expected, dtype, what):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, what
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg=what)
    rtol, atol = (1e-6, 1e-44) if dtype == "float32" else (1e-12, 0)
    np.testing.assert_allclose(np.nan_to_num(got, nan=0.0), np.nan_to_num(expected, nan=0.0),
                               rtol=rtol, atol=atol, err_msg=what)


def _both(torch, fn, values, upstream_seed):
    """fn on both libraries, backward with the same random upstream; (outs, grads)."""
    t = torch.tensor(values, requires_grad=True)
    g = gg.tensor(values, requires_grad=True)
    to, go = fn(torch, t), fn(gg, g)
    if to.requires_grad:
        up = np.random.default_rng(upstream_seed).standard_normal(to.shape).astype(values.dtype)
        to.backward(torch.tensor(up))
        go.backward(gg.tensor(up))
    tg = None if t.grad is None else t.grad.numpy()
    gr = None if g.grad is None else g.grad.array
    return (go.array, to.detach().numpy()), (gr, tg)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY + list(REDUCTIONS))
def test_special_values_agree_with_torch(name, dtype):
    """inf, nan, +-0, huge and subnormal inputs: the same values, the same nans, in forward
    and backward (prod/cumprod through zeros and infinities, norm's sign of nan = 0)."""
    torch = pytest.importorskip("torch")
    values = np.array(SPECIAL_ROWS, dtype=dtype)
    fn = REDUCTIONS.get(name) or (lambda L, x: getattr(L, name)(x))
    for seed in (0, 1):
        (got, expected), (grad, grad_expected) = _both(torch, fn, values, seed)
        assert got.dtype == expected.dtype, name
        _same(got, expected, dtype, f"{name} forward")
        assert (grad is None) == (grad_expected is None), name
        if grad is not None:
            _same(grad, grad_expected, dtype, f"{name} backward, upstream seed {seed}")
