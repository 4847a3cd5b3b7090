"""gradcheck: correct ops pass, a wrong backward is caught and named, float32 refused."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import Function, GradcheckError, gradcheck


def leaf(shape, seed=0, low=0.5, high=1.5):
    rng = np.random.default_rng(seed)
    return gg.tensor(rng.uniform(low, high, size=shape), requires_grad=True)


class BadSquare(Function):
    """x^2 with a backward that is wrong at exactly one element: flat index 5."""

    label = "bad_square"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    def backward(ctx, upstream):
        (a,) = ctx.saved
        g = upstream * 2 * a
        g = g.copy()
        g.reshape(-1)[5] += 0.25 * upstream.reshape(-1)[5]
        return g


class ScaledWrong(Function):
    """exp with a backward off by a factor 1.5 everywhere."""

    label = "scaled_wrong"

    def forward(ctx, a):
        z = np.exp(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return 1.5 * upstream * z


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_correct_ops_pass(mode):
    a, b = leaf((3, 4), 1), leaf((4, 2), 2)
    c = leaf((2,), 3)
    assert gradcheck(lambda a, b, c: ((a @ b) * c).exp().log() / (c + 1.0), (a, b, c), mode=mode)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_tuple_outputs_and_passthrough_arguments(mode):
    a, b = leaf((2, 3), 4), leaf((2, 3), 5)
    k = gg.tensor(np.full((2, 3), 3.0))  # no requires_grad: passed through unchecked
    assert gradcheck(lambda a, b, k, s: (a * b * k, (a - b) * s), (a, b, k, 2.0), mode=mode)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_wrong_backward_names_input_element_and_both_values(mode):
    x = leaf((2, 4), 6)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda z, x: z + BadSquare.apply(x), (leaf((2, 4), 7), x), mode=mode)
    msg = str(info.value)
    assert "input 1 index (1, 1)" in msg  # flat element 5 of a (2, 4) tensor
    assert "output 0 index (1, 1)" in msg
    # Hand derivation: d(x^2)/dx = 2x; the bad backward adds 0.25.
    true = 2 * x.array[1, 1]
    assert f"finite differences {true:.6g}" in msg
    assert f"backward {true + 0.25:.6g}" in msg


def test_fast_mode_finds_an_everywhere_wrong_backward():
    with pytest.raises(GradcheckError, match=r"input 0 index \(\d+, \d+\)"):
        gradcheck(lambda x: ScaledWrong.apply(x).sum(), (leaf((5, 7), 8),), mode="fast")


def test_raise_exception_false_returns_false():
    assert gradcheck(lambda x: ScaledWrong.apply(x), leaf((3,)), raise_exception=False) is False


def test_refuses_float32_with_advice():
    x = gg.tensor([1.0, 2.0], requires_grad=True)  # Python floats -> float32
    with pytest.raises(TypeError, match=r"float64.*input 0.*float32.*\.double\(\)"):
        gradcheck(lambda x: x * x, (x,))


class ToFloat32(Function):
    def forward(ctx, a):
        return a.astype(np.float32)

    def backward(ctx, upstream):
        return upstream.astype(np.float64)


def test_float32_output_refused():
    with pytest.raises(TypeError, match="output 0 .* float32"):
        gradcheck(lambda x: ToFloat32.apply(x), (leaf((3,)),))


def test_no_input_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda x: x * 2, (gg.tensor(np.ones(3)),))


def test_bad_return_type():
    with pytest.raises(TypeError, match="Tensor or a tuple"):
        gradcheck(lambda x: 3.0, (leaf((2,)),))


def test_inputs_grad_untouched_and_rng_restored():
    x = leaf((3,))
    state = gg.get_rng_state()
    gradcheck(lambda x: x * gg.rand(3, dtype=gg.float64), (x,))
    assert x.grad is None
    assert gg.get_rng_state() == state


def test_random_op_inside_fn_sees_same_numbers_each_call():
    # Without restoring the RNG before each call, the difference quotient would be noise.
    x = leaf((4, 3))
    assert gradcheck(lambda x: x * x * gg.rand(4, 3, dtype=gg.float64), (x,), mode="full")
    assert gradcheck(lambda x: x * x * gg.rand(4, 3, dtype=gg.float64), (x,), mode="fast")


def test_broadcasting_inputs():
    a, b = leaf((3, 1), 9), leaf((4,), 10)
    assert gradcheck(lambda a, b: a * b + a / b, (a, b))


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        gradcheck(lambda x: x, (leaf((2,)),), mode="quick")
