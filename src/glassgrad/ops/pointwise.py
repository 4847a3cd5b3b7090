"""Pointwise math: trigonometric and hyperbolic functions, logarithms and powers beyond
exp/log/sqrt, one-sided clamps, rounding, and the predicates and logical ops that return
boolean tensors.

Three kinds of op live here:

- Smooth ops with a local derivative (sin, log1p, rsqrt, atan2, lerp, ...). Backward
  uses PyTorch's formula for each (``tan``: 1 + tan^2 from the output; ``rsqrt``:
  -1/2 z^3 from the output), so the gradients agree to the last digits.
- Step ops (sign, floor, ceil, round, trunc). Piecewise constant: the derivative is 0
  wherever it exists, and PyTorch defines it as 0 everywhere. They stay in the graph (their
  output requires grad, as in torch) and send back zeros. ``frac = x - trunc(x)`` has
  derivative 1.
- Predicates and logical ops (isnan, isclose, logical_and, any, ...). Booleans carry no
  gradient: plain functions on the arrays, no node. ``allclose`` and ``equal`` answer
  with a Python bool, as in torch.

Integer inputs follow PyTorch's dtype rules: a float function (sin, log2, rsqrt,
reciprocal, atan2) computes an integer tensor in the default float dtype; the step ops
and square keep the integer dtype.
"""

import math

from .. import backend
from ..autograd.function import Elementwise, ElementwiseBinary, ElementwiseUnary
from ..backend import xp
from ..tensor import Tensor
from ._kernels.signs import torch_sign
from .arithmetic import Clamp, _broadcast_error, _torch_dtype
from .reduction import _axes

_LN2 = math.log(2.0)
# PyTorch's literal (derivatives.yaml), one ulp below math.log(10.0): log10's float64
# gradient then agrees to the last bit
_LN10 = 2.3025850929940456


def _tensor(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor as input, got {type(input).__name__}")
    return input


def _number(input, op):
    """A tensor of numbers: rounding a bool tensor is refused, as torch refuses it."""
    if _tensor(input, op).array.dtype.kind == "b":
        raise TypeError(f"{op} is not defined for bool tensors; convert with .float() or "
                        ".long() first")
    return input


def _floating(input, op):
    """The input itself if it is floating point; an integer or bool tensor as the default
    float dtype (torch.sin(int tensor) is float32). Integer tensors never need a grad."""
    kind = _tensor(input, op).array.dtype.kind
    if kind in "biu":
        return Tensor._wrap(input.array.astype(backend.get_default_dtype()))
    return input


# ================================================================ smooth unary ops
class Sin(ElementwiseUnary):
    label = "sin"
    rule = r"\partial \sin a/\partial a = \cos a"
    plain = "d/da sin(a) = cos(a)"
    form = ("sin({...})", r"\mathrm{sin}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sin(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * xp.cos(a)


def sin(input):
    """Sine, elementwise. d/da sin(a) = cos(a)."""
    return Sin.apply(_floating(input, "sin"))


class Cos(ElementwiseUnary):
    label = "cos"
    rule = r"\partial \cos a/\partial a = -\sin a"
    plain = "d/da cos(a) = -sin(a)"
    form = ("cos({...})", r"\mathrm{cos}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.cos(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * -xp.sin(a)


def cos(input):
    """Cosine, elementwise. d/da cos(a) = -sin(a)."""
    return Cos.apply(_floating(input, "cos"))


class Tan(ElementwiseUnary):
    label = "tan"
    rule = r"\partial \tan a/\partial a = 1 + \tan^2 a"
    plain = "d/da tan(a) = 1 + tan(a)^2"
    form = ("tan({...})", r"\mathrm{tan}({...})")

    def forward(ctx, a):
        z = xp.tan(a)
        ctx.save_for_backward(z)  # the derivative needs only the output
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (1 + z * z)


def tan(input):
    """Tangent, elementwise. d/da tan(a) = 1 + tan(a)^2 (poles at pi/2 + k pi)."""
    return Tan.apply(_floating(input, "tan"))


class Asin(ElementwiseUnary):
    label = "asin"
    rule = r"\partial \arcsin a/\partial a = 1/\sqrt{1 - a^2}"
    plain = "d/da arcsin(a) = 1/sqrt(1 - a^2)"
    form = ("asin({...})", r"\mathrm{asin}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arcsin(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * (1 / xp.sqrt(1 - a * a))  # torch's grad * rsqrt(1 - a^2)


def asin(input):
    """Inverse sine, on [-1, 1]. d/da asin(a) = 1 / sqrt(1 - a^2)."""
    return Asin.apply(_floating(input, "asin"))


class Acos(ElementwiseUnary):
    label = "acos"
    rule = r"\partial \arccos a/\partial a = -1/\sqrt{1 - a^2}"
    plain = "d/da arccos(a) = -1/sqrt(1 - a^2)"
    form = ("acos({...})", r"\mathrm{acos}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arccos(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * -(1 / xp.sqrt(1 - a * a))


def acos(input):
    """Inverse cosine, on [-1, 1]. d/da acos(a) = -1 / sqrt(1 - a^2)."""
    return Acos.apply(_floating(input, "acos"))


class Atan(ElementwiseUnary):
    label = "atan"
    rule = r"\partial \arctan a/\partial a = 1/(1 + a^2)"
    plain = "d/da arctan(a) = 1/(1 + a^2)"
    form = ("atan({...})", r"\mathrm{atan}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arctan(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / (a * a + 1)


def atan(input):
    """Inverse tangent. d/da atan(a) = 1 / (1 + a^2)."""
    return Atan.apply(_floating(input, "atan"))


class Sinh(ElementwiseUnary):
    label = "sinh"
    rule = r"\partial \sinh a/\partial a = \cosh a"
    plain = "d/da sinh(a) = cosh(a)"
    form = ("sinh({...})", r"\mathrm{sinh}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sinh(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * xp.cosh(a)


def sinh(input):
    """Hyperbolic sine. d/da sinh(a) = cosh(a)."""
    return Sinh.apply(_floating(input, "sinh"))


class Cosh(ElementwiseUnary):
    label = "cosh"
    rule = r"\partial \cosh a/\partial a = \sinh a"
    plain = "d/da cosh(a) = sinh(a)"
    form = ("cosh({...})", r"\mathrm{cosh}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.cosh(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * xp.sinh(a)


def cosh(input):
    """Hyperbolic cosine. d/da cosh(a) = sinh(a)."""
    return Cosh.apply(_floating(input, "cosh"))


class Asinh(ElementwiseUnary):
    label = "asinh"
    rule = r"\partial\,\mathrm{asinh}\,a/\partial a = 1/\sqrt{a^2 + 1}"
    plain = "d/da asinh(a) = 1/sqrt(a^2 + 1)"
    form = ("asinh({...})", r"\mathrm{asinh}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arcsinh(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * (1 / xp.sqrt(a * a + 1))


def asinh(input):
    """Inverse hyperbolic sine. d/da asinh(a) = 1 / sqrt(a^2 + 1)."""
    return Asinh.apply(_floating(input, "asinh"))


class Acosh(ElementwiseUnary):
    label = "acosh"
    rule = r"\partial\,\mathrm{acosh}\,a/\partial a = 1/\sqrt{a^2 - 1}"
    plain = "d/da acosh(a) = 1/sqrt(a^2 - 1)"
    form = ("acosh({...})", r"\mathrm{acosh}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arccosh(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * (1 / xp.sqrt(a * a - 1))


def acosh(input):
    """Inverse hyperbolic cosine, on [1, inf). d/da acosh(a) = 1 / sqrt(a^2 - 1)."""
    return Acosh.apply(_floating(input, "acosh"))


class Atanh(ElementwiseUnary):
    label = "atanh"
    rule = r"\partial\,\mathrm{atanh}\,a/\partial a = 1/(1 - a^2)"
    plain = "d/da atanh(a) = 1/(1 - a^2)"
    form = ("atanh({...})", r"\mathrm{atanh}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arctanh(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / (1 - a * a)


def atanh(input):
    """Inverse hyperbolic tangent, on (-1, 1). d/da atanh(a) = 1 / (1 - a^2)."""
    return Atanh.apply(_floating(input, "atanh"))


class Log1p(ElementwiseUnary):
    label = "log1p"
    rule = r"\partial \ln(1 + a)/\partial a = 1/(1 + a)"
    plain = "d/da ln(1 + a) = 1/(1 + a)"
    form = ("log1p({...})", r"\mathrm{log1p}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log1p(a)  # accurate for tiny a, where log(1 + a) loses every digit

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / (a + 1)


def log1p(input):
    """log(1 + a), accurate for small a. d/da = 1 / (1 + a)."""
    return Log1p.apply(_floating(input, "log1p"))


class Expm1(ElementwiseUnary):
    label = "expm1"
    rule = r"\partial (e^a - 1)/\partial a = e^a = z + 1"
    plain = "d/da (e^a - 1) = e^a"
    form = ("expm1({...})", r"\mathrm{expm1}({...})")

    def forward(ctx, a):
        z = xp.expm1(a)  # accurate for tiny a, where exp(a) - 1 loses every digit
        ctx.save_for_backward(z)
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (z + 1)


def expm1(input):
    """exp(a) - 1, accurate for small a. d/da = exp(a) (the output + 1)."""
    return Expm1.apply(_floating(input, "expm1"))


class Log2(ElementwiseUnary):
    label = "log2"
    rule = r"\partial \log_2 a/\partial a = 1/(a \ln 2)"
    plain = "d/da log2(a) = 1/(a ln 2)"
    form = ("log2({...})", r"\mathrm{log2}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log2(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / (a * _LN2)


def log2(input):
    """Base-2 logarithm. d/da log2(a) = 1 / (a ln 2)."""
    return Log2.apply(_floating(input, "log2"))


class Log10(ElementwiseUnary):
    label = "log10"
    rule = r"\partial \log_{10} a/\partial a = 1/(a \ln 10)"
    plain = "d/da log10(a) = 1/(a ln 10)"
    form = ("log10({...})", r"\mathrm{log10}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log10(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / (a * _LN10)


def log10(input):
    """Base-10 logarithm. d/da log10(a) = 1 / (a ln 10)."""
    return Log10.apply(_floating(input, "log10"))


class Square(ElementwiseUnary):
    label = "square"
    rule = r"\partial a^2/\partial a = 2a"
    plain = "d/da a^2 = 2a"
    form = ("square({...})", r"\mathrm{square}({...})")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a if a.dtype.kind != "b" else a.astype(xp.int64)  # torch: bool -> int64

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * (2 * a)


def square(input):
    """a * a (integers stay integers, as in torch). d/da a^2 = 2a."""
    return Square.apply(_tensor(input, "square"))


class Rsqrt(ElementwiseUnary):
    label = "rsqrt"
    rule = r"\partial a^{-1/2}/\partial a = -\tfrac12 a^{-3/2} = -\tfrac12 z^3"
    plain = "d/da 1/sqrt(a) = -1/2 a^(-3/2)"
    form = ("rsqrt({...})", r"\mathrm{rsqrt}({...})")

    def forward(ctx, a):
        z = 1 / xp.sqrt(a)
        ctx.save_for_backward(z)  # the derivative needs only the output
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return -0.5 * upstream * (z * z * z)


def rsqrt(input):
    """1 / sqrt(a). d/da a^(-1/2) = -a^(-3/2) / 2 (backward keeps the output)."""
    return Rsqrt.apply(_floating(input, "rsqrt"))


class Reciprocal(ElementwiseUnary):
    label = "reciprocal"
    rule = r"\partial (1/a)/\partial a = -1/a^2 = -z^2"
    plain = "d/da (1/a) = -1/a^2"
    form = ("reciprocal({...})", r"\mathrm{reciprocal}({...})")

    def forward(ctx, a):
        z = 1 / a
        ctx.save_for_backward(z)  # the derivative needs only the output
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return -upstream * (z * z)


def reciprocal(input):
    """1 / a. d/da (1/a) = -1/a^2 (backward keeps the output)."""
    return Reciprocal.apply(_floating(input, "reciprocal"))


# ================================================================ smooth binary ops
class Atan2(ElementwiseBinary):
    label = "atan2"
    rule = (r"\partial\,\mathrm{atan2}(a,b)/\partial a = b/(a^2+b^2),\ "
            r"\partial\,\mathrm{atan2}(a,b)/\partial b = -a/(a^2+b^2)")
    plain = "d/da atan2(a, b) = b/(a^2 + b^2), d/db atan2(a, b) = -a/(a^2 + b^2)"
    form = ("atan2({...})", r"\mathrm{atan2}({...})")

    def forward(ctx, a, b):
        try:
            out = xp.arctan2(a, b)
        except ValueError:
            raise _broadcast_error("atan2", a, b) from None
        ctx.save_for_backward(a, b)
        return _torch_dtype(out, (a, b), floating=True)

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        square = a * a + b * b
        recip = 1 / square
        if not square.all():
            # 0 where a^2 + b^2 is 0 (at the origin, or where both squares underflow), as
            # PyTorch: upstream x b x 0 is a signed zero there, not 0 x inf = nan (checked
            # first: the masked rewrite costs a quarter of the backward)
            recip = xp.where(square == 0, 0, recip)
        da = upstream * b * recip if need_a else None
        db = upstream * -a * recip if need_b else None
        return da, db


def atan2(input, other):
    """The angle of the point (other, input): atan(input / other) in the right quadrant.
    d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)."""
    return Atan2.apply(_floating(input, "atan2"), other)


class Lerp(Elementwise):
    label = "lerp"
    rule = (r"\partial\,\mathrm{lerp}(a,b,w)/\partial a = 1-w,\ \partial/\partial b = w,\ "
            r"\partial/\partial w = b - a")
    plain = "d/da lerp(a, b, w) = 1 - w, d/db lerp(a, b, w) = w, d/dw lerp(a, b, w) = b - a"
    form = ("lerp({...})", r"\mathrm{lerp}({...})")

    def forward(ctx, a, b, w):
        try:
            diff = b - a
        except ValueError:
            raise _broadcast_error("lerp", a, b) from None
        # PyTorch's two formulas: exact at w = 0 (gives a) and at w = 1 (gives b)
        if isinstance(w, xp.ndarray):
            out = xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))
        elif abs(w) < 0.5:
            out = a + w * diff
        else:
            out = b - diff * (1 - w)
        ctx.save_for_backward(a, b, w)
        return _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        a, b, w = ctx.saved
        need_a, need_b, need_w = ctx.needs_input_grad
        da = upstream * (1 - w) if need_a else None
        db = upstream * w if need_b else None
        dw = upstream * (b - a) if need_w else None
        return da, db, dw


def lerp(input, end, weight):
    """input + weight * (end - input); weight a number or a tensor.
    d/d input = 1 - w, d/d end = w, d/dw = end - input."""
    # integers would be rounded back to integers (lerp(1, 3, 0.3) = 1); torch refuses them
    for name, value in (("input", input), ("end", end), ("weight", weight)):
        if isinstance(value, Tensor) and value.array.dtype.kind != "f":
            raise TypeError(f"lerp expects floating-point tensors, got {name} of dtype "
                            f"{value.dtype}; convert with .float() first")
    for name, value in (("input", input), ("end", end)):
        if not isinstance(value, Tensor):
            raise TypeError(f"lerp: expected a Tensor as {name}, got {type(value).__name__}")
    return Lerp.apply(input, end, weight)


# ================================================================ step ops: zero gradient
class _Step(ElementwiseUnary):
    """A piecewise-constant op: the gradient is 0 (PyTorch's choice also at the jumps)."""

    rule = r"\partial f/\partial a = 0"
    plain = "d f/d a = 0"
    form = ("_step({...})", r"\mathrm{\_step}({...})")

    def backward(ctx, upstream):
        return xp.zeros_like(upstream)


class Sign(_Step):
    label = "sign"
    rule = r"\partial\,\mathrm{sign}(a)/\partial a = 0"
    plain = "d/da sign(a) = 0"
    form = ("sign({...})", r"\mathrm{sign}({...})")

    def forward(ctx, a):
        return a.copy() if a.dtype.kind == "b" else torch_sign(a)


def sign(input):
    """-1, 0 or +1 by the sign of a (0 for nan). Gradient 0 everywhere."""
    return Sign.apply(_tensor(input, "sign"))


class Floor(_Step):
    label = "floor"
    rule = r"\partial \lfloor a \rfloor/\partial a = 0"
    plain = "d/da floor(a) = 0"
    form = ("floor({...})", r"\mathrm{floor}({...})")

    def forward(ctx, a):
        return xp.floor(a) if a.dtype.kind == "f" else a.copy()


def floor(input):
    """Largest integer <= a. Gradient 0 everywhere."""
    return Floor.apply(_number(input, "floor"))


class Ceil(_Step):
    label = "ceil"
    rule = r"\partial \lceil a \rceil/\partial a = 0"
    plain = "d/da ceil(a) = 0"
    form = ("ceil({...})", r"\mathrm{ceil}({...})")

    def forward(ctx, a):
        return xp.ceil(a) if a.dtype.kind == "f" else a.copy()


def ceil(input):
    """Smallest integer >= a. Gradient 0 everywhere."""
    return Ceil.apply(_number(input, "ceil"))


class Trunc(_Step):
    label = "trunc"
    rule = r"\partial\,\mathrm{trunc}(a)/\partial a = 0"
    plain = "d/da trunc(a) = 0"
    form = ("trunc({...})", r"\mathrm{trunc}({...})")

    def forward(ctx, a):
        return xp.trunc(a) if a.dtype.kind == "f" else a.copy()


def trunc(input):
    """a with its fractional part dropped (towards zero). Gradient 0 everywhere."""
    return Trunc.apply(_number(input, "trunc"))


class Round(_Step):
    label = "round"
    rule = r"\partial\,\mathrm{round}(a)/\partial a = 0"
    plain = "d/da round(a) = 0"
    form = ("round({...})", r"\mathrm{round}({...})")

    def forward(ctx, a, decimals=0):
        if a.dtype.kind != "f":
            return a.copy()
        if decimals == 0:
            return xp.rint(a)  # halves to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2
        # PyTorch's kernel: scale by 10^|decimals| in the input's dtype, round, scale back
        scale = a.dtype.type(10.0 ** abs(decimals))
        if decimals > 0:
            return xp.rint(a * scale) / scale
        return xp.rint(a / scale) * scale


def round(input, *, decimals=0):  # noqa: A001 - PyTorch's name
    """Round to ``decimals`` decimal places (negative: to tens, hundreds, ...); halves go
    to the even neighbour: round(0.5) = 0, round(2.5) = 2. Gradient 0 everywhere."""
    _number(input, "round")
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    if decimals and input.array.dtype.kind != "f":
        raise TypeError(f"round: decimals={decimals} needs a floating-point tensor, got "
                        f"dtype {input.dtype}")
    if decimals == 0:
        return Round.apply(input)
    return Round.apply(input, decimals=decimals)


class Frac(ElementwiseUnary):
    label = "frac"
    rule = r"\partial (a - \mathrm{trunc}(a))/\partial a = 1"
    plain = "d/da (a - trunc(a)) = 1"
    form = ("frac({...})", r"\mathrm{frac}({...})")

    def forward(ctx, a):
        return a - xp.trunc(a)

    def backward(ctx, upstream):
        return upstream


def frac(input):
    """a - trunc(a), the fractional part with a's sign. d/da = 1."""
    if _tensor(input, "frac").array.dtype.kind != "f":
        raise TypeError(f"frac expects a floating-point tensor, got dtype {input.dtype}")
    return Frac.apply(input)


class NanToNum(ElementwiseUnary):
    label = "nan_to_num"
    rule = r"\partial\,\mathrm{nan\_to\_num}(a)/\partial a = [a \text{ finite}]"
    plain = "d/da nan_to_num(a) = [a finite]"
    form = ("nan_to_num({...})", r"\mathrm{nan\_to\_num}({...})")

    def forward(ctx, a, nan=0.0, posinf=None, neginf=None):
        if a.dtype.kind != "f":
            return a.copy()
        ctx.save_for_backward(a)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        # PyTorch's grad * isfinite(a): a product, so an inf upstream at a replaced value
        # gives nan there, as in torch
        return upstream * xp.isfinite(a)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the largest and
    smallest finite value of the dtype). d/da = 1 where a is finite, 0 where replaced."""
    return NanToNum.apply(_tensor(input, "nan_to_num"), nan=nan, posinf=posinf, neginf=neginf)


def clamp_min(input, min):  # noqa: A002 - PyTorch's argument name
    """max(a, min), with a number or tensor bound. The gradient passes where a >= min
    (at the bound too, as torch); a tensor bound gets it where a < min."""
    return Clamp.apply(input, min, None)


def clamp_max(input, max):  # noqa: A002 - PyTorch's argument name
    """min(a, max), with a number or tensor bound. The gradient passes where a <= max
    (at the bound too, as torch); a tensor bound gets it where a > max."""
    return Clamp.apply(input, None, max)


fix = trunc


# ================================================================ predicates: no gradient
def _raw(x):
    return x.array if isinstance(x, Tensor) else x


def _bool_result(array):
    return Tensor._wrap(xp.asarray(array))


def isnan(input):
    """True where a is nan."""
    return _bool_result(xp.isnan(_tensor(input, "isnan").array))


def isinf(input):
    """True where a is +inf or -inf."""
    return _bool_result(xp.isinf(_tensor(input, "isinf").array))


def isposinf(input):
    """True where a is +inf."""
    return _bool_result(xp.isposinf(_tensor(input, "isposinf").array))


def isneginf(input):
    """True where a is -inf."""
    return _bool_result(xp.isneginf(_tensor(input, "isneginf").array))


def isfinite(input):
    """True where a is neither nan nor infinite."""
    return _bool_result(xp.isfinite(_tensor(input, "isfinite").array))


def _check_tolerances(op, rtol, atol):
    if rtol < 0:
        raise ValueError(f"{op}: rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise ValueError(f"{op}: atol must be greater than or equal to zero, but got {atol}")


def _isclose(op, input, other, rtol, atol, equal_nan):
    _check_tolerances(op, rtol, atol)
    a, b = _raw(_tensor(input, op)), _raw(other)
    if isinstance(other, Tensor) and a.dtype != b.dtype:
        raise TypeError(f"{op}: both tensors must have the same dtype, got {a.dtype} and "
                        f"{b.dtype}; convert one with .to(other.dtype)")
    try:
        close = a == b  # equal values, infinities included, are always close
    except ValueError:
        raise _broadcast_error(op, a, b) from None
    if equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    if rtol == 0 and atol == 0:
        return close
    if a.dtype.kind == "b":
        a = a.astype(backend.get_default_dtype())
    if getattr(b, "dtype", None) == xp.bool_:
        b = b.astype(backend.get_default_dtype())
    # PyTorch's order: |a - b| <= atol + |rtol * b|, and only where |a - b| is finite
    allowed = atol + xp.abs(rtol * b)
    actual = xp.abs(a - b)
    return close | (xp.isfinite(actual) & (actual <= allowed))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where |a - b| <= atol + rtol |b| (or a == b); nan is close to nan only with
    ``equal_nan=True``. Both tensors must have the same dtype, as in torch."""
    return _bool_result(_isclose("isclose", input, other, rtol, atol, equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a Python bool) when every element is close: isclose(...).all()."""
    return bool(_isclose("allclose", input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """True (a Python bool) when both tensors have the same shape and the same values
    (nan equals nothing, as in torch)."""
    a, b = _raw(_tensor(input, "equal")), _raw(_tensor(other, "equal"))
    return a.shape == b.shape and bool((a == b).all())


def _logical(op, ufunc, input, other):
    a, b = _raw(_tensor(input, op)), _raw(other)
    try:
        return _bool_result(ufunc(a, b))
    except ValueError:
        raise _broadcast_error(op, a, b) from None


def logical_and(input, other):
    """Elementwise a AND b, each taken as true where nonzero. A bool tensor."""
    return _logical("logical_and", xp.logical_and, input, other)


def logical_or(input, other):
    """Elementwise a OR b, each taken as true where nonzero. A bool tensor."""
    return _logical("logical_or", xp.logical_or, input, other)


def logical_xor(input, other):
    """Elementwise a XOR b, each taken as true where nonzero. A bool tensor."""
    return _logical("logical_xor", xp.logical_xor, input, other)


def logical_not(input):
    """Elementwise NOT a: True where a is zero. A bool tensor."""
    return _bool_result(xp.logical_not(_tensor(input, "logical_not").array))


def _any_all(op, reduce, input, dim, keepdim):
    a = _tensor(input, op).array
    axes = _axes(dim, a.ndim, op)
    out = reduce(a, axis=axes, keepdims=keepdim)
    if a.dtype == xp.uint8:
        out = out.astype(xp.uint8)  # torch answers a uint8 tensor in kind
    return _bool_result(out)


def any(input, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """True where any element over ``dim`` (an int, a tuple, or None: all) is nonzero."""
    return _any_all("any", xp.any, input, dim, keepdim)


def all(input, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """True where every element over ``dim`` (an int, a tuple, or None: all) is nonzero."""
    return _any_all("all", xp.all, input, dim, keepdim)


__all__ = [
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "log1p", "expm1", "log2", "log10", "square", "rsqrt", "reciprocal", "clamp_min", "clamp_max", "atan2", "lerp",
    "sign", "floor", "ceil", "trunc", "fix", "round", "frac", "nan_to_num",
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isclose", "allclose", "equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "any", "all",
]


# ---------------------------------------------------------------- addcmul, addcdiv
def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2 (optimizers' building block), composed of mul
    and add, so each of the three gets its gradient: d/d t1 = value t2, d/d t2 = value t1."""
    return input + (tensor1 * value) * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2, composed of mul, div and add:
    d/d t1 = value / t2, d/d t2 = -value t1 / t2^2."""
    return input + (tensor1 * value) / tensor2


__all__ += ["addcmul", "addcdiv"]


# ================================================================ logit
class Logit(ElementwiseUnary):
    label = "logit"
    rule = r"\partial \log\frac{x}{1-x}/\partial x = \frac{1}{x(1-x)}\ (0 \text{ outside } [\epsilon, 1-\epsilon])"
    plain = "d/dx log(x/(1 - x)) = 1/(x (1 - x)) (0 outside [eps, 1 - eps])"
    form = ("logit({...})", r"\mathrm{logit}({...})")
    float_only = True

    def forward(ctx, x, eps=None):
        ctx.eps = eps
        ctx.save_for_backward(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.log(z / (1 - z))

    def backward(ctx, upstream):
        (x,) = ctx.saved
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad = upstream / (x * (1 - x))
        if ctx.eps is None:
            return grad
        # clamped inputs do not move the output: PyTorch sends them 0
        return xp.where((x < ctx.eps) | (x > 1 - ctx.eps), 0, grad).astype(grad.dtype, copy=False)


def logit(input, eps=None):
    """The log-odds log(x / (1 - x)), the inverse of sigmoid; with ``eps``, x is first
    clamped to [eps, 1 - eps] (so logit(0) is finite). d/dx = 1 / (x (1 - x)), 0 where the
    clamp acted."""
    return Logit.apply(_floating(input, "logit"), eps=eps)


__all__ += ["logit"]


# ================================================================ compositions
# Written with the ops above, so the engine gives their gradients.
def xlogy(input, other):
    """x log y, taken as 0 where x = 0 and y is not nan (even for y = 0: the entropy term
    0 log 0 = 0). Written as x log(y'), y' = 1 where x = 0 (and y is not nan), so that
    d/dx = log y' (0 there, as torch's) and d/dy = x / y elsewhere."""
    from .arithmetic import log, where

    x = input if isinstance(input, Tensor) else Tensor._wrap(
        xp.asarray(input, dtype=backend.get_default_dtype().dtype))
    y = other if isinstance(other, Tensor) else Tensor._wrap(xp.asarray(other, dtype=x.array.dtype))
    x, y = _floating(x, "xlogy"), _floating(y, "xlogy")
    zero = Tensor._wrap((x.array == 0) & ~xp.isnan(y.array))
    return x * log(where(zero, 1.0, y))


def hypot(input, other):
    """sqrt(a^2 + b^2), elementwise. d/da = a / hypot(a, b)."""
    from .arithmetic import sqrt

    return sqrt(input * input + other * other)


def deg2rad(input):
    """Degrees to radians: x pi / 180."""
    return _floating(input, "deg2rad") * (math.pi / 180)


def rad2deg(input):
    """Radians to degrees: x 180 / pi."""
    return _floating(input, "rad2deg") * (180 / math.pi)


def sgn(input):
    """sign(x) for real tensors (torch.sgn is x / |x| for complex ones, which glassgrad does
    not differentiate)."""
    return sign(input)


__all__ += ["xlogy", "hypot", "deg2rad", "rad2deg", "sgn"]
