"""Bad input gets a clear error that names what was wrong and what was expected."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.ops.arithmetic import ShapeError


def t(*shape, dtype=None):
    return gg.randn(*shape, dtype=dtype)


# ---------------------------------------------------------------- matmul and linear
@pytest.mark.parametrize("sa, sb, inner", [
    ((2, 3), (4, 5), "(3 != 4)"),
    ((3,), (4,), "(3 != 4)"),
    ((2, 3), (4,), "(3 != 4)"),
    ((5,), (4, 2), "(5 != 4)"),
    ((6, 2, 3), (6, 4, 5), "(3 != 4)"),
])
def test_matmul_shape_mismatch_names_both_shapes(sa, sb, inner):
    with pytest.raises(ShapeError) as info:
        gg.matmul(t(*sa), t(*sb))
    msg = str(info.value)
    assert f"shapes {sa} and {sb} cannot be multiplied {inner}" in msg


def test_matmul_operator_and_batch_mismatch():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        t(2, 3) @ t(4, 5)
    with pytest.raises(RuntimeError, match=r"batch dimensions \(2,\) .* \(3,\)"):
        gg.matmul(t(2, 4, 5), t(3, 5, 6))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        gg.matmul(t(), t(3))


def test_linear_shape_mismatch():
    with pytest.raises(ValueError, match=r"input of shape \(5, 3\) and weight of shape \(4, 2\)"):
        gg.linear(t(5, 3), t(4, 2))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\).*expected \(4,\)"):
        gg.linear(t(5, 3), t(4, 3), t(3))


# ---------------------------------------------------------------- broadcasting
@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    gg.maximum, gg.minimum, gg.pow, lambda a, b: gg.where(gg.ones(2, 3) > 0, a, b),
])
def test_broadcast_mismatch_names_both_shapes(op):
    with pytest.raises(ShapeError, match=r"\(2, 3\) and \(4,\) cannot be broadcast.*3 vs 4"):
        op(t(2, 3), t(4))


def test_broadcast_error_is_a_value_error_and_a_runtime_error():
    # NumPy users catch ValueError, PyTorch users RuntimeError: both work.
    for kind in (ValueError, RuntimeError):
        with pytest.raises(kind):
            t(2, 3) * t(3, 2)


def test_a_failed_op_records_nothing():
    a = gg.randn(2, 3, requires_grad=True)
    with pytest.raises(ShapeError):
        a * t(3, 2)
    (a * 2).sum().backward()  # the failed op left no node behind
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 3), 2.0, dtype=np.float32))


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("fn", [gg.exp, gg.log, gg.sqrt, gg.tanh, gg.sigmoid, gg.softplus,
                                gg.mean, gg.var, gg.std, gg.logsumexp])
def test_float_ops_refuse_integer_tensors(fn):
    x = gg.tensor([1, 2, 3])
    with pytest.raises(TypeError, match=r"floating-point.*int64.*\.float\(\)"):
        fn(x)


def test_requires_grad_on_an_integer_tensor():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        gg.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(TypeError, match="int64"):
        gg.tensor([1, 2, 3]).requires_grad_()


def test_where_needs_a_boolean_condition():
    with pytest.raises(TypeError, match="boolean.*float32"):
        gg.where(t(3), t(3), t(3))


def test_index_with_float_tensor():
    with pytest.raises(IndexError, match="long, int or bool.*float32"):
        t(3, 4)[gg.tensor([0.0, 1.0])]


def test_int_to_negative_int_power():
    with pytest.raises(ValueError, match="negative integer powers.*float"):
        gg.tensor([1, 2]) ** -1


# ---------------------------------------------------------------- backward
def test_backward_on_non_scalar_without_gradient():
    y = gg.randn(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(2, 3\)"):
        y.backward()


# ---------------------------------------------------------------- dims and shapes
@pytest.mark.parametrize("fn", [
    lambda x: x.sum(dim=2), lambda x: x.mean(dim=-3), lambda x: x.max(dim=5),
    lambda x: x.amax(dim=(0, 2)), lambda x: x.var(dim=2), lambda x: x.logsumexp(dim=2),
    lambda x: x.unsqueeze(3), lambda x: x.transpose(0, 2), lambda x: x.squeeze(2),
    lambda x: gg.cat([x, x], dim=2), lambda x: gg.stack([x, x], dim=-4),
])
def test_dim_out_of_range(fn):
    with pytest.raises(IndexError, match=r"expected to be in range of \[-\d, \d\], but got -?\d"):
        fn(t(2, 3))


def test_repeated_dim():
    with pytest.raises(ValueError, match="same dimension twice"):
        t(2, 3).sum(dim=(1, -1))


def test_reshape_and_view():
    with pytest.raises(ValueError, match=r"shape \(4, 2\) is invalid for an input of shape \(2, 3\)"):
        t(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match=r"view.*not compatible.*use \.reshape"):
        t(2, 3).t().view(6)


def test_permute_needs_a_permutation():
    with pytest.raises(ValueError, match=r"permute: dims \(0, 0\)"):
        t(2, 3).permute(0, 0)


def test_cat_and_stack_shapes():
    with pytest.raises(ValueError, match=r"tensor 0 has shape \(2, 3\), tensor 1 has shape \(2, 4\)"):
        gg.cat([t(2, 3), t(2, 4)])
    with pytest.raises(ValueError, match=r"\(2, 3\) at entry 0 and \(3, 2\) at entry 1"):
        gg.stack([t(2, 3), t(3, 2)])
    with pytest.raises(TypeError, match="list or tuple of tensors"):
        gg.cat(t(2, 3))


def test_expand_and_broadcast_to():
    with pytest.raises(ValueError, match=r"shape \(3, 2\) cannot be expanded to shape \(3, 4\)"):
        t(3, 2).expand(3, 4)
    with pytest.raises(ValueError, match="-1 is not allowed"):
        t(3).expand(-1, 3)


def test_pad_arguments():
    with pytest.raises(ValueError, match="even length"):
        gg.pad(t(2, 3), (1, 2, 3))
    with pytest.raises(ValueError, match="'constant', 'reflect', 'replicate' or 'circular', got 'mirror'"):
        gg.pad(t(2, 3), (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"reflect padding of \(3, 1\) does not fit dim 1 of size 3.*at most 2"):
        gg.pad(t(2, 3), (3, 1), mode="reflect")
    with pytest.raises(ValueError, match=r"circular padding of \(1, 4\) .* at most 3"):
        gg.pad(t(2, 3), (1, 4), mode="circular")
    with pytest.raises(ValueError, match="non-negative"):
        gg.pad(t(2, 3), (-1, 1), mode="replicate")
    with pytest.raises(ValueError, match="only used by mode 'constant'"):
        gg.pad(t(2, 3), (1, 1), mode="replicate", value=2.0)


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="at least one of 'min' or 'max'"):
        t(3).clamp()


def test_t_needs_at_most_two_dims():
    with pytest.raises(ValueError, match=r"<= 2 dimensions.*\(2, 3, 4\)"):
        t(2, 3, 4).t()


def test_index_put_value_shape():
    x = gg.randn(4, 5, requires_grad=True).clone()
    with pytest.raises(ValueError, match=r"value of shape \(3,\).*region of shape \(2, 5\)"):
        x[1:3] = gg.randn(3, requires_grad=True)
