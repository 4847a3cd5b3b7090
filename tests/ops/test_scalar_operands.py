"""A Python float next to a tensor: glassgrad hands NumPy a cached 0-d array of the
tensor's dtype instead of the float (twice as fast on small arrays). The results must be
bit for bit what NumPy's own rule for a Python float gives (round the float to the
tensor's dtype, compute in that dtype), the sign of zero included, in both operand
orders, forward and backward."""

import operator

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.ops._kernels import operands as elementwise

VALUES = [0.5, 0.1, -2.75, 1.0 / 3.0, 1e-40, 1e-45, 3.0e38, -0.0, 0.0, float("inf"),
          float("-inf"), float("nan"), 7.0]
OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


def bits(array):
    return array.view(np.uint32 if array.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("scalar_first", [False, True], ids=["tensor_op_float", "float_op_tensor"])
def test_result_and_gradient_are_numpys_own(dtype, op, value, scalar_first):
    fn = OPS[op]
    data = np.array([1.5, -0.0, 0.0, -3.25, 2e-39, 1e30], dtype=dtype)
    upstream = np.array([1.0, -1.0, 0.5, -2.0, 3.0, 1e-3], dtype=dtype)
    x = gg.tensor(data, requires_grad=True)
    with np.errstate(all="ignore"):
        out = fn(value, x) if scalar_first else fn(x, value)
        expected = fn(value, data) if scalar_first else fn(data, value)
        out.backward(gg.tensor(upstream))
        # d/dx by hand: 1 for add, +-1 for sub, the float for mul, 1/value or -value/x^2
        if op == "add":
            grad = upstream
        elif op == "sub":
            grad = -upstream if scalar_first else upstream
        elif op == "mul":
            grad = upstream * value
        elif scalar_first:  # value / x
            grad = -upstream * ((value / data) / data)
        else:  # x / value
            grad = upstream / value
    assert out.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(bits(out.array), bits(expected))
    np.testing.assert_array_equal(bits(x.grad.array), bits(np.asarray(grad, dtype=dtype)))


def test_many_distinct_floats_do_not_grow_the_cache_without_bound():
    x = gg.ones(3)
    for k in range(5000):
        x * (1.0 + k / 8192)
    assert all(len(cache) <= 1025 for cache in elementwise._SCALARS.values())


def test_cached_scalars_cannot_be_written_to():
    x = gg.ones(2)
    x * 0.625
    cached = elementwise._SCALARS[np.dtype("float32")][0.625]
    with pytest.raises(ValueError):
        cached[...] = 1.0
