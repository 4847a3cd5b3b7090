"""Elementwise ops: add sub mul div neg pow exp log sqrt abs maximum minimum where clamp,
plus the dtype casts (to, float, double, long, int, bool) and clone.

Each backward line reads downstream = upstream x local derivative. Gradients come out in
the broadcast shape; the engine sums them back to each input's shape.

Two places where NumPy and PyTorch disagree, and glassgrad follows PyTorch:

- Type promotion. NumPy turns int64 + 2.5, int64 / int64 and float32 + int64 into
  float64; PyTorch keeps the default float dtype (float32), and a float32 tensor stays
  float32 next to a float64 *scalar* (a 0-d tensor, a NumPy scalar, a Python float).
  ``_torch_dtype`` repairs the result in that (rare) case; the common float32-with-float32
  path pays one dtype comparison.
- Error messages. A failed broadcast names both shapes and the op.
"""

import builtins

from .. import backend
from ..autograd.function import Elementwise, ElementwiseBinary, ElementwiseUnary
from ..backend import xp
from ..device import cpu_only, device, names_a_dtype
from ..tensor import Tensor
from ._kernels.operands import operands
from ._kernels.signs import masked

_ndarray = xp.ndarray
_f64 = xp.dtype("float64")
_PyFloat = builtins.float  # this module defines float(), int(), bool() (the casts) below
_PyInt = builtins.int
_PyBool = builtins.bool


class ShapeError(ValueError, RuntimeError):
    """Shapes that an op cannot combine. A ValueError for NumPy habits and a RuntimeError
    for PyTorch habits (torch raises RuntimeError for the same mistakes)."""


# ---------------------------------------------------------------- helpers
def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else ()


def _broadcast_error(op, *operands):
    """Name the op, both shapes and the first pair of sizes that clash."""
    shapes = [_shape_of(x) for x in operands]
    detail = ""
    n = max(len(s) for s in shapes)
    for k in range(1, n + 1):
        sizes = {s[-k] for s in shapes if len(s) >= k} - {1}
        if len(sizes) > 1:
            detail = f" (dimension {-k}: sizes {' vs '.join(map(str, sorted(sizes)))})"
            break
    listed = " and ".join(str(s) for s in shapes)
    return ShapeError(f"{op}: shapes {listed} cannot be broadcast together{detail}")


def _category(x):
    """0 bool, 1 integer, 2 floating: PyTorch promotes by category first."""
    if isinstance(x, _ndarray) or isinstance(x, xp.generic):
        kind = x.dtype.kind
    elif isinstance(x, _PyBool):
        return 0
    elif isinstance(x, _PyInt):
        return 1
    else:
        return 2
    return 0 if kind == "b" else 1 if kind in "iu" else 2


def _torch_result_dtype(operands, floating=False):
    """PyTorch's result dtype: the highest category wins; within it, dimensioned tensors
    decide before 0-d tensors, which decide before Python/NumPy scalars (the default
    float dtype, or int64)."""
    top = builtins.max(_category(x) for x in operands)
    if floating:
        top = 2
    for want_ndim in (True, False):
        dtypes = [
            x.dtype for x in operands
            if isinstance(x, _ndarray) and (x.ndim > 0) == want_ndim and _category(x) == top
        ]
        if dtypes:
            return xp.result_type(*dtypes)
    return backend.get_default_dtype() if top == 2 else xp.dtype("int64")


def _torch_dtype(out, operands, floating=False):
    """Cast ``out`` where NumPy promoted to float64 but PyTorch would not."""
    if out.dtype is not _f64:
        return out
    for x in operands:
        if type(x) is _ndarray and x.ndim and x.dtype is _f64:
            return out  # a float64 tensor is involved: float64 is right
    dtype = _torch_result_dtype(operands, floating)
    return out if dtype == _f64 else out.astype(dtype)


# ---------------------------------------------------------------- arithmetic
class Add(ElementwiseBinary):
    label = "add"
    rule = r"\partial (a+b)/\partial a = 1,\ \partial (a+b)/\partial b = 1"
    plain = "d/da (a + b) = 1, d/db (a + b) = 1"
    form = ("{0} + {1}", "{0} + {1}")

    def forward(ctx, a, b):
        a, b = operands(a, b)
        try:
            out = a + b
        except ValueError:
            raise _broadcast_error("add", a, b) from None
        return out if out.dtype is not _f64 else _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        return upstream, upstream  # an add gate copies the gradient to both inputs


def add(input, other, alpha=1):
    """input + alpha * other, broadcasting both ways."""
    if alpha != 1:
        other = mul(other, alpha)
    return Add.apply(input, other)


class Sub(ElementwiseBinary):
    label = "sub"
    rule = r"\partial (a-b)/\partial a = 1,\ \partial (a-b)/\partial b = -1"
    plain = "d/da (a - b) = 1, d/db (a - b) = -1"
    form = ("{0} - {1}", "{0} - {1}")

    def forward(ctx, a, b):
        a, b = operands(a, b)
        try:
            out = a - b
        except ValueError:
            raise _broadcast_error("sub", a, b) from None
        return out if out.dtype is not _f64 else _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        return upstream, (-upstream if ctx.needs_input_grad[1] else None)


def sub(input, other, alpha=1):
    """input - alpha * other, broadcasting both ways."""
    if alpha != 1:
        other = mul(other, alpha)
    return Sub.apply(input, other)


class Mul(ElementwiseBinary):
    label = "mul"
    rule = r"\partial (ab)/\partial a = b,\ \partial (ab)/\partial b = a"
    plain = "d/da (a b) = b, d/db (a b) = a"
    form = ("{0}*{1}", r"{0} \cdot {1}")

    def forward(ctx, a, b):
        a, b = operands(a, b)
        try:
            out = a * b
        except ValueError:
            raise _broadcast_error("mul", a, b) from None
        ctx.save_for_backward(a, b)
        return out if out.dtype is not _f64 else _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        a, b = ctx.saved  # a multiply gate swaps its inputs
        need_a, need_b = ctx.needs_input_grad
        return (upstream * b if need_a else None), (upstream * a if need_b else None)


def mul(input, other):
    """input * other elementwise. d/da = b, d/db = a."""
    return Mul.apply(input, other)


class Div(ElementwiseBinary):
    label = "div"
    rule = r"\partial (a/b)/\partial a = 1/b,\ \partial (a/b)/\partial b = -a/b^2"
    plain = "d/da (a/b) = 1/b, d/db (a/b) = -a/b^2"
    form = ("{0}/{1}", r"\frac{{{0}}}{{{1}}}")

    def forward(ctx, a, b):
        a, b = operands(a, b)
        try:
            out = a / b
        except ValueError:
            raise _broadcast_error("div", a, b) from None
        ctx.save_for_backward(a, b)
        return _torch_dtype(out, (a, b), floating=True)  # int / int is float, as in torch

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        da = upstream / b if need_a else None
        # -a/b^2 as (a/b)/b, PyTorch's order: b*b overflows for |b| > 1.8e19 in float32
        # (and underflows to 0 for a subnormal b) where a/b/b is finite
        db = -upstream * ((a / b) / b) if need_b else None
        return da, db


def div(input, other):
    """input / other (true division). d/da = 1/b, d/db = -a/b^2."""
    return Div.apply(input, other)


class Neg(ElementwiseUnary):
    label = "neg"
    rule = r"\partial (-a)/\partial a = -1"
    plain = "d/da (-a) = -1"
    form = ("-{0}", "-{0}")

    def forward(ctx, a):
        return -a

    def backward(ctx, upstream):
        return -upstream


def neg(input):
    """-input."""
    return Neg.apply(input)


def _power(a, b):
    """a ** b; a number exponent -0.5 as 1 / sqrt(a), as PyTorch computes it (rsqrt): at
    a = -0.0 that is -inf (C's pow: +inf), at a = -inf nan (pow: 0). x ** 0.5's derivative
    0.5 x^-0.5 takes this path too, and then agrees with sqrt's own: -inf at -0.0."""
    if type(b) is not _ndarray and b == -0.5:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return 1 / xp.sqrt(a)
    return a ** b


class Pow(ElementwiseBinary):
    label = "pow"
    rule = r"\partial a^b/\partial a = b\,a^{b-1},\ \partial a^b/\partial b = a^b \ln a"
    plain = "d/da a^b = b a^(b-1), d/db a^b = a^b ln(a)"
    form = ("{0}**{1}", "{{{0}}}^{{{1}}}")

    def forward(ctx, a, b):
        try:
            out = _power(a, b)
        except ValueError as e:
            if "Integers to negative" in str(e):
                raise ValueError("pow: integers to negative integer powers are not allowed; "
                                 "convert the base with .float()") from None
            raise _broadcast_error("pow", a, b) from None
        out = _torch_dtype(out, (a, b))
        # The output is kept for the exponent's gradient (a^b ln a) when the exponent is a
        # tensor, as PyTorch keeps it then; x ** 2 keeps only x, so an in-place change of
        # its result is no error, as in PyTorch
        ctx.save_for_backward(a, b, out if type(b) is _ndarray else None)
        return out

    def backward(ctx, upstream):
        a, b, out = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        da = db = None
        if need_a:
            if type(b) is not _ndarray and b == 2:
                da = upstream * (2 * a)  # the square: no pow needed
            elif type(b) is not _ndarray and b == 0:
                da = xp.zeros_like(upstream)  # torch: d a^0 / da = 0 everywhere, even at 0
            elif type(b) is not _ndarray:
                da = upstream * (b * _power(a, b - 1))
            else:  # torch: d a^b / da = 0 where b = 0, even where a^(b-1) is inf or nan
                da = xp.where(b == 0, 0, upstream * (b * a ** (b - 1)))
        if need_b:
            with xp.errstate(divide="ignore", invalid="ignore"):
                local = out * xp.log(a)
            # torch: 0^b with b >= 0 has derivative 0 in b (not 0 * -inf = nan)
            local = xp.where((a == 0) & (b >= 0), 0, local)
            db = upstream * local
        return da, db


def pow(input, exponent):  # noqa: A001 - PyTorch's name
    """input ** exponent; either may be a tensor or a number.
    d/da = b a^(b-1), d/db = a^b ln a (taken as 0 where a = 0 and b >= 0, as torch)."""
    return Pow.apply(input, exponent)


class Exp(ElementwiseUnary):
    label = "exp"
    rule = r"\partial e^a/\partial a = e^a"
    plain = "d/da e^a = e^a"
    form = ("exp({0})", "e^{{{0}}}")
    float_only = True

    def forward(ctx, a):
        z = xp.exp(a)
        ctx.save_for_backward(z)  # the derivative is the output itself
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * z


def exp(input):
    """e ** input. d/da = e^a (the output, which is what backward keeps)."""
    return Exp.apply(input)


class Log(ElementwiseUnary):
    label = "log"
    rule = r"\partial \ln a/\partial a = 1/a"
    plain = "d/da ln(a) = 1/a"
    form = ("log({0})", r"\ln {0}")
    float_only = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / a


def log(input):
    """Natural logarithm. d/da = 1/a."""
    return Log.apply(input)


class Sqrt(ElementwiseUnary):
    label = "sqrt"
    rule = r"\partial \sqrt{a}/\partial a = 1 / (2\sqrt{a})"
    plain = "d/da sqrt(a) = 1/(2 sqrt(a))"
    form = ("sqrt({0})", r"\sqrt{{{0}}}")
    float_only = True

    def forward(ctx, a):
        z = xp.sqrt(a)
        ctx.save_for_backward(z)  # the derivative needs only the output
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream / (2 * z)


def sqrt(input):
    """Square root. d/da = 1 / (2 sqrt(a)) (backward keeps the output)."""
    return Sqrt.apply(input)


class Abs(ElementwiseUnary):
    label = "abs"
    rule = r"\partial |a|/\partial a = \mathrm{sign}(a)\ (0 \text{ at } 0)"
    plain = "d/da |a| = sign(a) (0 at 0)"
    form = ("abs({0})", r"\lvert {0} \rvert")

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.abs(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream * xp.sign(a)


def abs(input):  # noqa: A001 - PyTorch's name
    """|input|. d/da = sign(a), 0 at a = 0 (PyTorch's choice of subgradient)."""
    return Abs.apply(input)


class _ElementwiseExtreme(ElementwiseBinary):
    """maximum / minimum of two tensors: each output element is one of the inputs, and the
    gradient goes to the input that was selected; on a tie each gets half, as in PyTorch
    (the mean of the two one-sided derivatives). Where either is nan (the output is nan)
    both get the whole gradient: PyTorch masks out only the input that compares as losing."""

    pick = None  # xp.maximum or xp.minimum
    wins = None  # xp.greater or xp.less: where a is selected over b

    def forward(ctx, a, b):
        try:
            out = type(ctx).pick(a, b)
        except ValueError:
            raise _broadcast_error(ctx.label, a, b) from None
        ctx.save_for_backward(a, b)
        return _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        wins = type(ctx).wins
        a_kept, b_kept = ~wins(b, a), ~wins(a, b)  # not beaten: selected, tied, or nan
        tie = a == b
        if tie.any():
            half = tie * upstream.dtype.type(0.5)  # a tie keeps both sides, each with half
            da = masked(upstream, a_kept - half) if need_a else None
            db = masked(upstream, b_kept - half) if need_b else None
        else:
            da = masked(upstream, a_kept) if need_a else None
            db = masked(upstream, b_kept) if need_b else None
        return da, db


class Maximum(_ElementwiseExtreme):
    label = "maximum"
    rule = (r"\partial \max(a,b)/\partial a = [a>b] + \tfrac12[a=b],\ "
            r"\partial \max(a,b)/\partial b = [b>a] + \tfrac12[a=b]")
    plain = "d/da max(a, b) = [a > b] + 1/2 [a = b], d/db max(a, b) = [b > a] + 1/2 [a = b]"
    form = ("max({0}, {1})", r"\max({0}, {1})")
    pick = xp.maximum
    wins = xp.greater


def maximum(input, other):
    """Elementwise max of two tensors. The gradient goes to the larger; ties split it."""
    return Maximum.apply(input, other)


class Minimum(_ElementwiseExtreme):
    label = "minimum"
    rule = (r"\partial \min(a,b)/\partial a = [a<b] + \tfrac12[a=b],\ "
            r"\partial \min(a,b)/\partial b = [b<a] + \tfrac12[a=b]")
    plain = "d/da min(a, b) = [a < b] + 1/2 [a = b], d/db min(a, b) = [b < a] + 1/2 [a = b]"
    form = ("min({0}, {1})", r"\min({0}, {1})")
    pick = xp.minimum
    wins = xp.less


def minimum(input, other):
    """Elementwise min of two tensors. The gradient goes to the smaller; ties split it."""
    return Minimum.apply(input, other)


class Where(Elementwise):
    label = "where"
    rule = (r"\partial\,\mathrm{where}(c,a,b)/\partial a = [c],\ "
            r"\partial\,\mathrm{where}(c,a,b)/\partial b = [\lnot c]")
    plain = "d/da where(c, a, b) = [c], d/db where(c, a, b) = [not c]"
    form = ("where({...})", r"\mathrm{where}({...})")

    def forward(ctx, condition, a, b):
        try:
            out = xp.where(condition, a, b)
        except ValueError:
            raise _broadcast_error("where", condition, a, b) from None
        ctx.save_for_backward(condition)
        return _torch_dtype(out, (a, b))

    def backward(ctx, upstream):
        (c,) = ctx.saved
        _, need_a, need_b = ctx.needs_input_grad
        da = masked(upstream, c) if need_a else None
        db = masked(upstream, ~c) if need_b else None
        return None, da, db


def where(condition, input, other):
    """input where condition is True, else other (numbers allowed for input and other).
    The gradient of input is upstream masked by condition; of other, by not condition."""
    if isinstance(condition, Tensor):
        condition = condition.array
    condition = xp.asarray(condition)
    if condition.dtype != xp.bool_:
        raise TypeError(f"where expected condition to be a boolean tensor, got dtype "
                        f"{condition.dtype}; compare first, e.g. where(x > 0, x, 0)")
    return Where.apply(condition, input, other)


class Clamp(Elementwise):
    label = "clamp"
    rule = (r"\partial\,\mathrm{clamp}(x,lo,hi)/\partial x = [lo \le x \le hi],\ "
            r"\partial/\partial lo = [x<lo][lo<hi],\ \partial/\partial hi = [x>hi \lor hi<lo]")
    plain = "d/dx clamp(x, lo, hi) = [lo <= x <= hi], d/dlo = [x < lo and lo < hi], d/dhi = [x > hi or hi < lo]"
    form = ("clamp({...})", r"\mathrm{clamp}({...})")

    def forward(ctx, x, lo, hi):
        try:
            out = xp.clip(x, lo, hi)
        except ValueError:
            raise _broadcast_error("clamp", x, *[v for v in (lo, hi) if v is not None]) from None
        ctx.save_for_backward(x, lo, hi)
        return _torch_dtype(out, [v for v in (x, lo, hi) if v is not None])

    def backward(ctx, upstream):
        # PyTorch's clamp_backward_min_max: x passes where lo <= x <= hi; a tensor bound
        # receives the gradient where it was the value taken.
        x, lo, hi = ctx.saved
        need_x, need_lo, need_hi = ctx.needs_input_grad
        dx = dlo = dhi = None
        if need_x:
            if lo is None:
                passes = x <= hi
            elif hi is None:
                passes = x >= lo
            else:
                passes = (x >= lo) & (x <= hi)
            dx = masked(upstream, passes)
        if need_lo:
            took_lo = x < lo if hi is None else (x < lo) & (lo < hi)
            dlo = masked(upstream, took_lo)
        if need_hi:
            took_hi = x > hi if lo is None else (x > hi) | (hi < lo)
            dhi = masked(upstream, took_hi)
        return dx, dlo, dhi


def clamp(input, min=None, max=None):  # noqa: A002 - PyTorch's argument names
    """Limit input to [min, max]; either bound may be None, a number or a tensor.
    The gradient passes where min <= x <= max (PyTorch's convention at the boundary)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min, max)


# ---------------------------------------------------------------- copies and casts
class Clone(ElementwiseUnary):
    label = "clone"
    rule = r"\partial a/\partial a = 1"
    plain = "d/da clone(a) = 1"
    form = ("clone({...})", r"\mathrm{clone}({...})")

    def forward(ctx, a):
        return a.copy()

    def backward(ctx, upstream):
        return upstream


def clone(input):
    """A copy with its own memory; the gradient flows straight through."""
    return Clone.apply(input)


class Cast(ElementwiseUnary):
    """float -> float conversion (float32 <-> float64); the gradient is cast back."""

    label = "cast"
    rule = r"\partial\,\mathrm{cast}(a)/\partial a = 1\ (\text{the gradient is cast back})"
    plain = "d cast(a)/d a = 1 (the gradient is cast back)"
    form = ("cast({...})", r"\mathrm{cast}({...})")

    def forward(ctx, a, dtype):
        ctx.in_dtype = a.dtype
        return a.astype(dtype)

    def backward(ctx, upstream):
        return upstream.astype(ctx.in_dtype)


def to(input, *args, **kwargs):
    """Convert to a dtype: ``x.to(glassgrad.float64)``, ``x.to(other_tensor)``,
    ``x.to("cpu")``. Returns ``input`` itself when nothing changes (as PyTorch).
    Float -> float is differentiable; casting to an integer or bool dtype is not."""
    dtype, copy = _parse_to(args, dict(kwargs))
    if dtype is None or dtype == input.dtype:
        return clone(input) if copy else input
    if input.dtype.kind == "f" and dtype.kind == "f":
        return Cast.apply(input, dtype=dtype)
    return Tensor._wrap(input.array.astype(dtype))  # integers carry no gradient


def tensor_where(input, condition, other):
    """The Tensor method ``x.where(condition, y)``: where(condition, x, y)."""
    return where(condition, input, other)


clip = clamp


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    cpu_only("Tensor.to()", kwargs.pop("device", None))
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.array.dtype
        elif isinstance(a, (str, device)) and not names_a_dtype(a):
            cpu_only("Tensor.to()", a)  # 'cpu', 'cuda:0', device('cpu'): only the CPU passes
        elif a is not None:
            try:
                dtype = xp.dtype(a)
            except TypeError:
                raise TypeError(f"to() expects a dtype, a tensor or 'cpu', got {a!r}") from None
    return dtype, copy


def _cast_method(dtype, name):
    def cast(input):
        return to(input, dtype)

    cast.__name__ = name
    cast.__doc__ = f"``x.{name}()`` is ``x.to({dtype})``."
    return cast


# Defined last: from here on these names shadow the builtins inside this module, which
# is why the code above says _PyFloat / _PyInt / _PyBool. They are not in __all__, so
# glassgrad.float stays the dtype; ops/methods.py binds them as Tensor methods.
float = _cast_method(backend.float32, "float")  # noqa: A001
double = _cast_method(backend.float64, "double")
long = _cast_method(backend.int64, "long")
int = _cast_method(backend.int32, "int")  # noqa: A001
bool = _cast_method(backend.bool_, "bool")  # noqa: A001
half = _cast_method(backend.float16, "half")


__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "maximum",
    "minimum", "where", "clamp", "clip", "clone", "to", "ShapeError",
]
