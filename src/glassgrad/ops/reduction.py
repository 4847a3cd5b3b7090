"""Reductions and scans: sum mean max min amax amin argmax argmin logsumexp var std prod
norm, and the running cumsum and cumprod.

``dim`` is an int, a tuple of ints (negative counts from the end) or None (every axis);
``keepdim=True`` keeps the reduced axes with size 1, as in PyTorch.

Backward of a reduction hands every input element the upstream gradient of the output
it was reduced into: the upstream is given back its reduced axes (size 1) and broadcast.

Products need care at zeros, where "the product of the others" cannot be had by dividing
the product by the element. Both ``prod`` and ``cumprod`` then take PyTorch's exact route:
one zero in a product gets the product of the others, every other element 0; two or more
zeros give every element 0.
"""

import builtins
import math
from collections import namedtuple

from ..autograd.function import Reduction, Scan
from ..backend import xp
from ..tensor import Tensor
from ._kernels.signs import torch_sign

__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "var",
    "std", "prod", "cumsum", "cumprod", "norm",
]


def _axes(dim, ndim, op="reduction"):
    """Normalise dim to a sorted tuple of non-negative axes (None: all axes).

    Raises IndexError for an axis out of range and ValueError for a repeated one, naming
    the range PyTorch would accept."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None  # PyTorch: an empty dim list reduces everything
        dims = tuple(dim)
    else:
        dims = (dim,)
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    axes = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, xp.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not low <= d <= high:
            raise IndexError(
                f"{op}: dimension out of range (expected to be in range of [{low}, {high}], "
                f"but got {d}) for a tensor of {ndim} dimensions"
            )
        axes.append(int(d) % ndim if ndim else 0)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim {dim!r} names the same dimension twice")
    if ndim == 0:
        return None  # a 0-d tensor: dim 0 / -1 means the tensor itself
    return tuple(sorted(axes))


def _keep(upstream, axes, ndim, keepdim):
    """Re-insert reduced axes as size 1 so upstream broadcasts against the input.
    (A reshape: np.expand_dims costs ten times more on small arrays.)"""
    if keepdim or axes is None and upstream.ndim == ndim:
        return upstream
    if axes is None:
        return upstream.reshape((1,) * ndim)
    shape = list(upstream.shape)
    for a in axes:  # ascending, so each insertion lands at its final position
        shape.insert(a, 1)
    return upstream.reshape(shape)


def _expand(g, shape):
    """g, with size-1 reduced axes, repeated to the input's shape. A small result is
    written out (cheaper than np.broadcast_to's setup); a large one stays a zero-copy
    read-only view."""
    if math.prod(shape) <= 1 << 16:
        out = xp.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return xp.broadcast_to(g, shape)


_add_reduce = xp.add.reduce


def _count(shape, axes):
    """How many elements were reduced into each output element."""
    if axes is None:
        return builtins.max(1, math.prod(shape))  # an empty input still divides by 1
    n = 1
    for a in axes:
        n *= shape[a]
    return n


# ---------------------------------------------------------------- sum and mean
class Sum(Reduction):
    label = "sum"
    rule = r"\partial (\sum_i a_i)/\partial a_j = 1"
    plain = "d/da_j sum_i a_i = 1"
    form = ("sum({0})", r"\textstyle\sum {0}")

    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        ctx.axes = axes = None if dim is None else _axes(dim, a.ndim, "sum")
        ctx.shape = a.shape
        ctx.keepdim = keepdim
        out = _add_reduce(a, axes, dtype, None, keepdim)  # what a.sum() calls, minus a layer
        if dtype is None and out.dtype.kind in "biu":
            out = out.astype(xp.int64, copy=False)  # torch sums bools and ints as int64
        return out

    def backward(ctx, upstream):
        if ctx.axes is None and not ctx.keepdim:  # every element got the same upstream
            return _expand(upstream, ctx.shape)
        return _expand(_keep(upstream, ctx.axes, len(ctx.shape), ctx.keepdim), ctx.shape)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - PyTorch's name
    """Sum over ``dim`` (all axes when None). d/da_j = 1 for every element summed."""
    if dim is None and not keepdim and dtype is None:
        return Sum.apply(input)  # the defaults as defaults: keywords cost ~1 us per call
    return Sum.apply(input, dim=dim, keepdim=keepdim, dtype=dtype)


class Mean(Reduction):
    label = "mean"
    rule = r"\partial (\frac1N \sum_i a_i)/\partial a_j = 1/N"
    plain = "d/da_j (1/N) sum_i a_i = 1/N"
    form = ("mean({...})", r"\mathrm{mean}({...})")
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axes = _axes(dim, a.ndim, "mean")
        ctx.shape = a.shape
        ctx.keepdim = keepdim
        ctx.n = _count(a.shape, ctx.axes)
        # sum / N is what np.mean computes, minus its Python-level overhead (add.reduce is
        # what a.sum() calls; called from here, an overflow warning is glassgrad's own, which
        # backend.py silences: through a.sum() it came from NumPy's module and leaked)
        return _add_reduce(a, ctx.axes, None, None, keepdim) / a.dtype.type(ctx.n)

    def backward(ctx, upstream):
        if ctx.axes is None and not ctx.keepdim:  # every element got the same upstream
            return _expand(upstream / upstream.dtype.type(ctx.n), ctx.shape)
        g = _keep(upstream, ctx.axes, len(ctx.shape), ctx.keepdim) / upstream.dtype.type(ctx.n)
        return _expand(g, ctx.shape)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` (all axes when None). d/da_j = 1/N, N the number averaged."""
    if dtype is not None:
        input = input.to(dtype)
    return Mean.apply(input, dim=dim, keepdim=keepdim)


# ---------------------------------------------------------------- max and min
# PyTorch returns torch.return_types.max(values=..., indices=...), a named tuple.
max_result = namedtuple("max", ["values", "indices"])


min_result = namedtuple("min", ["values", "indices"])


def _one_dim(dim, ndim, op):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be a single int here, got {dim!r}; use a{op} for "
                        "several dims")
    axes = _axes(dim, ndim, op)
    return 0 if axes is None else axes[0]


def _max_or_min(op, input, dim, keepdim, other):
    from . import arithmetic

    if isinstance(dim, Tensor) or other is not None:  # the binary form max(a, b)
        b = dim if isinstance(dim, Tensor) else other
        return (arithmetic.maximum if op == "max" else arithmetic.minimum)(input, b)
    extreme, select, arg = (Amax, MaxDim, xp.argmax) if op == "max" else (Amin, MinDim, xp.argmin)
    if dim is None:
        return extreme.apply(input, dim=None, keepdim=False, full=True)
    if input.array.size == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {tuple(input.shape)}")
    axis = _one_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return (max_result if op == "max" else min_result)(
            extreme.apply(input, full=True), Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    indices = arg(input.array, axis=axis, keepdims=keepdim)
    values = select.apply(input, indices, dim=axis, keepdim=keepdim)
    result = max_result if op == "max" else min_result
    return result(values, Tensor._wrap(indices.astype(xp.int64, copy=False)))


class _Extreme(Reduction):
    """amax / amin over dims: each output's gradient goes to the input elements equal to
    it, split evenly among ties (PyTorch's rule for amax, amin and the full max/min).

    A nan extreme equals no element. amax/amin then divide by a count of 0 (the whole
    slice's gradient is nan, as PyTorch's); the full max(x)/min(x) (``full=True``) send it
    to the nan elements instead, split evenly (PyTorch's evenly_distribute_backward)."""

    pick = None  # xp.max or xp.min

    def forward(ctx, a, dim=None, keepdim=False, full=False):
        ctx.axes = axes = _axes(dim, a.ndim, ctx.label)
        ctx.keepdim, ctx.full = keepdim, full
        if a.size == 0:
            raise ValueError(f"{ctx.label}: cannot reduce an empty tensor of shape {a.shape}")
        out = type(ctx).pick(a, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        a, out = ctx.saved
        ndim = a.ndim
        if ctx.full:  # one share, written where the extreme was taken, +0.0 elsewhere
            hit = xp.isnan(a) if out != out else a == out  # a nan maximum: the nans took it
            grad = xp.zeros(a.shape, dtype=upstream.dtype)
            grad[hit] = upstream / _add_reduce(hit, None, upstream.dtype)
            return grad
        hit = a == _keep(out, ctx.axes, ndim, ctx.keepdim)  # where the extreme was taken
        count = _add_reduce(hit, ctx.axes, upstream.dtype, None, True)
        share = _keep(upstream, ctx.axes, ndim, ctx.keepdim) / count
        return share * hit  # PyTorch's product: -0.0 where a negative share is not taken


class Amax(_Extreme):
    label = "amax"
    rule = r"\partial \max_i a_i/\partial a_j = [a_j = \max] / \#\{\text{ties}\}"
    plain = "d/da_j max_i a_i = [a_j = max] / (the number of ties)"
    form = ("amax({...})", r"\mathrm{amax}({...})")
    pick = xp.max


def amax(input, dim=(), keepdim=False):
    """Max over one or several dims (all when dim is () or None); ties share the
    gradient evenly."""
    return Amax.apply(input, dim=dim, keepdim=keepdim)


class Amin(_Extreme):
    label = "amin"
    rule = r"\partial \min_i a_i/\partial a_j = [a_j = \min] / \#\{\text{ties}\}"
    plain = "d/da_j min_i a_i = [a_j = min] / (the number of ties)"
    form = ("amin({...})", r"\mathrm{amin}({...})")
    pick = xp.min


def amin(input, dim=(), keepdim=False):
    """Min over one or several dims (all when dim is () or None); ties share the
    gradient evenly."""
    return Amin.apply(input, dim=dim, keepdim=keepdim)


class _Select(Reduction):
    """max / min along one dim: the value at the given indices; the gradient goes to
    exactly that element (the one reported in ``indices``)."""

    def forward(ctx, a, indices, dim, keepdim=False):
        idx = indices if keepdim else indices.reshape(indices.shape[:dim] + (1,) + indices.shape[dim:])
        ctx.save_for_backward(idx)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.dtype = a.shape, dim, keepdim, a.dtype
        # the element at the index itself (NaN included): of tied +0.0 and -0.0 it is the
        # first, as PyTorch reports, where NumPy's max may return the other zero
        values = xp.take_along_axis(a, idx, axis=dim)
        return values if keepdim else values.reshape(indices.shape)

    def backward(ctx, upstream):
        (idx,) = ctx.saved
        up = upstream if ctx.keepdim else upstream.reshape(idx.shape)
        # the upstream is written at the argmax and +0.0 everywhere else (PyTorch's
        # scatter into zeros: a mask product would give -0.0, or nan for an inf upstream)
        grad = xp.zeros(ctx.shape, dtype=ctx.dtype)
        xp.put_along_axis(grad, idx, up, axis=ctx.dim)
        return grad, None


class MaxDim(_Select):
    label = "max"
    rule = r"\partial \max_k a_k/\partial a_j = [j = \arg\max_k a_k]"
    plain = "d/da_j max_k a_k = [j = argmax_k a_k]"
    form = ("max({...})", r"\mathrm{max}({...})")


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001 - PyTorch's name
    """The largest element (``max(x)``: a 0-d tensor, the gradient split evenly among
    ties); with ``dim``: a named tuple (values, indices), the gradient routed to the
    index; ``max(a, b)``: elementwise, as maximum."""
    return _max_or_min("max", input, dim, keepdim, other)


class MinDim(_Select):
    label = "min"
    rule = r"\partial \min_k a_k/\partial a_j = [j = \arg\min_k a_k]"
    plain = "d/da_j min_k a_k = [j = argmin_k a_k]"
    form = ("min({...})", r"\mathrm{min}({...})")


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001 - PyTorch's name
    """The smallest element; see max."""
    return _max_or_min("min", input, dim, keepdim, other)


def _arg(fn, op, input, dim, keepdim):
    a = input.array
    if dim is None:
        idx = fn(a.reshape(-1))
        if keepdim:
            idx = xp.reshape(idx, (1,) * a.ndim)
    else:
        idx = fn(a, axis=_one_dim(dim, a.ndim, op), keepdims=keepdim) if a.ndim else xp.int64(0)
    return Tensor._wrap(xp.asarray(idx, dtype=xp.int64))


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when dim is None). No gradient."""
    return _arg(xp.argmax, "argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when dim is None). No gradient."""
    return _arg(xp.argmin, "argmin", input, dim, keepdim)


# ---------------------------------------------------------------- logsumexp
def _logsumexp_shift(a, axes):
    """The shift m = max(a) over axes (kept dims) that logsumexp subtracts before exp, and
    where that max is infinite. A slice whose max is infinite keeps m = 0, as PyTorch's:
    its sum is then inf (a +inf in the slice), or 0 for an all -inf slice (lse = -inf)."""
    m = a.max(axis=axes, keepdims=True)
    infinite_max = ~xp.isfinite(m)
    if infinite_max.any():
        m = xp.where(infinite_max, 0, m)
    return m, infinite_max


def _softmax_from_exp(e, total, a, out, infinite_max):
    """softmax(a) = e / total, in place in e (logsumexp's e^(a - m) and its sum). In a slice
    holding +inf the finite elements get 0 (PyTorch: e^(a - inf)), where e^a / inf gave
    inf/inf = nan for a huge a."""
    e /= total
    if infinite_max.any():
        e[xp.isfinite(a) & (out == xp.inf)] = 0
    return e


class LogSumExp(Reduction):
    label = "logsumexp"
    rule = r"\partial \log\sum_i e^{a_i}/\partial a_j = e^{a_j - \mathrm{lse}} = \mathrm{softmax}(a)_j"
    plain = "d/da_j log sum_i e^(a_i) = softmax(a)_j"
    form = ("logsumexp({...})", r"\mathrm{logsumexp}({...})")
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axes = axes = _axes(dim, a.ndim, "logsumexp")
        ctx.keepdim = keepdim
        # lse(a) = log(sum_i e^(a_i - m)) + m, m the max so that no exp overflows
        m, infinite_max = _logsumexp_shift(a, axes)
        e = xp.exp(a - m)
        total = _add_reduce(e, axes, None, None, True)
        out = xp.log(total) + m
        if ctx.needs_input_grad[0]:  # the local derivative softmax(a) = e^(a - m) / total
            ctx.save_for_backward(_softmax_from_exp(e, total, a, out, infinite_max))
        if not keepdim:
            out = out.squeeze(axes) if axes is not None else out.reshape(())
        return out

    def backward(ctx, upstream):
        (softmax,) = ctx.saved
        return _keep(upstream, ctx.axes, softmax.ndim, ctx.keepdim) * softmax


def logsumexp(input, dim=None, keepdim=False):
    """log(sum(exp(a))) over dim, computed stably (the max is factored out).
    d/da_j = softmax(a)_j."""
    return LogSumExp.apply(input, dim=dim, keepdim=keepdim)


# ---------------------------------------------------------------- var and std
def _centred(a, axes):
    """a - mean(a) over axes, in a's dtype."""
    return a - _add_reduce(a, axes, None, None, True) / a.dtype.type(_count(a.shape, axes))


def _centred_var(ctx, a, dim, keepdim, correction):
    """``a - mean`` over ``dim`` and the variance sum((a - mean)^2) / (N - correction), with
    ``ctx.axes``, ``ctx.keepdim`` and ``ctx.denominator`` (N - correction) kept for backward.

    float32 is summed in float64, as PyTorch's variance does (its Welford pass runs in
    double): in float32 the square of any |a - mean| > 1.8e19 overflows, and so does a sum
    of values near 3e38, where the variance itself is finite. The variance is returned in
    that wide dtype (std takes its square root before rounding, as PyTorch does); the
    centred values for backward stay in a's dtype, as PyTorch's backward computes them."""
    ctx.axes = axes = _axes(dim, a.ndim, ctx.label)
    ctx.keepdim = keepdim
    ctx.denominator = _count(a.shape, axes) - correction
    centred = _centred(a, axes)
    wide = centred if a.dtype != xp.float32 else _centred(a.astype(xp.float64), axes)
    with xp.errstate(divide="ignore", invalid="ignore"):  # N <= correction: inf/nan, as torch
        var = _add_reduce(wide * wide, axes, None, None, keepdim) / wide.dtype.type(ctx.denominator)
    return centred, var


def _var_backward(ctx, up, centred):
    """(2 / (N - c)) * upstream * (a - mean), in PyTorch's order (N = c: 2/0 = inf)."""
    two_over_n = up.dtype.type(2 / ctx.denominator if ctx.denominator else xp.inf)
    with xp.errstate(invalid="ignore"):
        return two_over_n * up * centred


class Var(Reduction):
    label = "var"
    rule = r"\partial\,\mathrm{var}(a)/\partial a_j = 2 (a_j - \bar a) / (N - c)"
    plain = "d/da_j var(a) = 2 (a_j - mean(a)) / (N - c)"
    form = ("var({...})", r"\mathrm{var}({...})")
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False, correction=1):
        centred, var = _centred_var(ctx, a, dim, keepdim, correction)
        ctx.save_for_backward(centred)
        return var.astype(a.dtype, copy=False)

    def backward(ctx, upstream):
        (centred,) = ctx.saved
        return _var_backward(ctx, _keep(upstream, ctx.axes, centred.ndim, ctx.keepdim), centred)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim: sum((a - mean)^2) / (N - correction); correction=1 (Bessel)
    by default, unbiased=False means correction=0. d/da_j = 2 (a_j - mean) / (N - c)."""
    dim, correction = _var_args("var", dim, unbiased, correction)
    return Var.apply(input, dim=dim, keepdim=keepdim, correction=correction)


class Std(Reduction):
    label = "std"
    rule = r"\partial\,\mathrm{std}(a)/\partial a_j = (a_j - \bar a) / ((N - c)\,\mathrm{std}(a))"
    plain = "d/da_j std(a) = (a_j - mean(a)) / ((N - c) std(a))"
    form = ("std({...})", r"\mathrm{std}({...})")
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False, correction=1):
        centred, var = _centred_var(ctx, a, dim, keepdim, correction)
        with xp.errstate(invalid="ignore"):  # N < correction: a negative variance, nan
            out = xp.sqrt(var).astype(a.dtype, copy=False)
        ctx.save_for_backward(centred, out)
        return out

    def backward(ctx, upstream):
        centred, out = ctx.saved
        ndim = centred.ndim
        std = _keep(out, ctx.axes, ndim, ctx.keepdim)
        # PyTorch's order: d std = d var / (2 std), 0 where std = 0; then var's backward
        with xp.errstate(divide="ignore", invalid="ignore"):
            up = _keep(upstream, ctx.axes, ndim, ctx.keepdim) / (std * 2)
        return _var_backward(ctx, xp.where(std == 0, 0, up), centred)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt(var). d/da_j = (a_j - mean) / ((N - c) std)."""
    dim, correction = _var_args("std", dim, unbiased, correction)
    return Std.apply(input, dim=dim, keepdim=keepdim, correction=correction)


def _var_args(op, dim, unbiased, correction):
    if isinstance(dim, bool):  # the old overload var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: give either unbiased or correction, not both")
        correction = 1 if unbiased else 0
    return dim, 1 if correction is None else correction


_inf = float("inf")


def _along(axis, ndim, start=None, stop=None):
    """The index picking positions [start:stop] along one axis."""
    index = [slice(None)] * ndim
    index[axis] = slice(start, stop)
    return tuple(index)


_f32, _f64 = xp.dtype("float32"), xp.dtype("float64")


def _scan(ufunc, a, axis):
    """cumsum / cumprod along axis. float32 runs in float64 and is rounded once per output,
    as PyTorch's CPU scans accumulate (so 3e38 + 3e38 - 3e38 is 3e38, not inf, and long
    running sums keep their digits); bool and integer tensors accumulate as int64."""
    if a.dtype == _f32:
        out = ufunc.accumulate(a, axis, _f64).astype(_f32)
    else:
        out = ufunc.accumulate(a, axis, xp.int64 if a.dtype.kind in "biu" else None)
    if ufunc is xp.add and out.dtype.kind == "f" and out.size:
        # PyTorch's sums start from +0.0, so no partial sum is -0.0 (+0.0 + -0.0 is +0.0);
        # NumPy's start from the first element. They differ only on a run of -0.0 at the
        # start: checked on the first slice, fixed (in place) only when it holds a -0.0
        first = out[_along(axis, out.ndim, 0, 1)]
        if xp.signbit(first[first == 0]).any():
            out += 0.0
    return out


def _reversed_cumsum(g, axis):
    """sum_{j >= i} g_j along axis: what every earlier partial sum owes to position i."""
    return xp.flip(_scan(xp.add, xp.flip(g, axis), axis), axis)


def _exclusive_cumprod(a, axis, reverse=False):
    """prod_{j < i} a_j along axis (reverse: prod_{j > i} a_j); 1 at the first position.
    No division, so exact when a holds zeros."""
    if reverse:
        return xp.flip(_exclusive_cumprod(xp.flip(a, axis), axis), axis)
    out = xp.ones_like(a)
    out[_along(axis, a.ndim, 1)] = _scan(xp.multiply, a[_along(axis, a.ndim, None, -1)], axis)
    return out


def _one_axis(dim, ndim, op):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be a single int, got {dim!r}")
    axes = _axes(dim, ndim, op)
    return None if axes is None else axes[0]


def _accumulator(a):
    """int64 for bool and integer tensors (torch accumulates them so), else None: the
    input's own dtype."""
    return xp.int64 if a.dtype.kind in "biu" else None


# ================================================================ prod
class Prod(Reduction):
    label = "prod"
    rule = r"\partial (\prod_i a_i)/\partial a_j = \prod_{i \ne j} a_i"
    plain = "d/da_j prod_i a_i = the product of the a_i with i != j"
    form = ("prod({...})", r"\mathrm{prod}({...})")

    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axis = axis = None if dim is None else _one_axis(dim, a.ndim, "prod")
        ctx.axes = None if axis is None else (axis,)  # in the form _keep takes
        ctx.keepdim = keepdim
        out = xp.asarray(xp.multiply.reduce(a, axis, _accumulator(a), None, keepdim))
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        a, out = ctx.saved
        if a.ndim == 0:
            return upstream
        g = _keep(upstream, ctx.axes, a.ndim, ctx.keepdim)
        zero = a == 0
        if not zero.any():
            # no zero: the product of the others is the product over the element
            return g * (_keep(out, ctx.axes, a.ndim, ctx.keepdim) / a)
        if ctx.axis is None:  # the whole tensor as one slice
            if xp.count_nonzero(zero) > 1:
                return xp.zeros_like(a)  # every product of "the others" holds a zero
            flat = a.reshape(-1)
            others = _exclusive_cumprod(flat, 0) * _exclusive_cumprod(flat, 0, reverse=True)
            return g * others.reshape(a.shape)
        # prod of the elements before i times prod of those after i: no division by 0
        axis = ctx.axis
        return g * (_exclusive_cumprod(a, axis) * _exclusive_cumprod(a, axis, reverse=True))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one ``dim``. d/da_j = the product of the others:
    prod / a_j without zeros; exact with zeros (one zero: the others' product goes to it,
    two or more: 0 everywhere). Integer and bool tensors multiply as int64."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        if keepdim:
            raise TypeError("prod: keepdim needs a dim (torch.prod(input, dim, keepdim))")
        return Prod.apply(input)
    return Prod.apply(input, dim=dim, keepdim=keepdim)


# ================================================================ cumsum and cumprod
class CumSum(Scan):
    label = "cumsum"
    rule = r"\partial (\sum_{k \le i} a_k)/\partial a_j = [j \le i]"
    plain = "d/da_j (a_1 + ... + a_i) = [j <= i]"
    form = ("cumsum({...})", r"\mathrm{cumsum}({...})")

    def forward(ctx, a, dim):
        ctx.axis = axis = _one_axis(dim, a.ndim, "cumsum")
        if a.ndim == 0:
            return a.astype(_accumulator(a) or a.dtype)
        return _scan(xp.add, a, axis)

    def backward(ctx, upstream):
        if upstream.ndim == 0:
            return upstream
        # a_j went into every partial sum from j on: downstream_j = sum_{i >= j} upstream_i
        return _reversed_cumsum(upstream, ctx.axis)


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``: out_i = sum_{k <= i} a_k. d/da_j: the upstream summed
    over every i >= j (a reversed cumulative sum)."""
    if dtype is not None:
        input = input.to(dtype)  # cast first: the gradient then comes back in input's dtype
    return CumSum.apply(input, dim=dim)


def _cumprod_grad_with_zeros(a, out, upstream, w, axis):
    """cumprod's gradient where a holds zeros (so out_i / a_j can be 0/0), by PyTorch's
    exact route (its cumprod_backward), slice by slice, with z1 and z2 the positions of
    the first and second zero and w = upstream * out:
    j < z1: sum_{j <= i < z1} w_i / a_j (the zero-free formula over the outputs before z1);
    j = z1: sum_{z1 <= i < z2} upstream_i prod_{k <= i, k != z1} a_k;
    j > z1: 0 (every product from j on holds the first zero)."""
    zero = a == 0
    zeros_so_far = xp.add.accumulate(zero, axis, xp.int64)
    before = zeros_so_far == 0
    with xp.errstate(divide="ignore", invalid="ignore"):
        grad = xp.where(before, _reversed_cumsum(xp.where(before, w, 0), axis) / a, 0)
    # j = z1: out_{z1-1} * sum_{z1 <= i < z2} upstream_i prod_{z1 < k <= i} a_k
    # (from z2 on, every product holds the second zero)
    between = zeros_so_far == 1
    first_zero = zero & between
    after_first = between & ~first_zero
    products = _scan(xp.multiply, xp.where(after_first, a, 1), axis)
    total = xp.add.reduce(products * xp.where(between, upstream, 0), axis, keepdims=True)
    z1 = xp.argmax(between, axis=axis, keepdims=True)
    before_z1 = xp.take_along_axis(out, xp.maximum(z1 - 1, 0), axis=axis)
    total = total * xp.where(z1 == 0, 1, before_z1)
    return xp.where(first_zero, total, grad)


class CumProd(Scan):
    label = "cumprod"
    rule = r"\partial (\prod_{k \le i} a_k)/\partial a_j = [j \le i] \prod_{k \le i, k \ne j} a_k"
    plain = "d/da_j (a_1 ... a_i) = [j <= i] times the product of the other a_k, k <= i"
    form = ("cumprod({...})", r"\mathrm{cumprod}({...})")

    def forward(ctx, a, dim):
        ctx.axis = axis = _one_axis(dim, a.ndim, "cumprod")
        if a.ndim == 0:
            return a.astype(_accumulator(a) or a.dtype)
        out = _scan(xp.multiply, a, axis)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        if upstream.ndim == 0 or upstream.shape[ctx.axis] <= 1:
            return upstream  # each output is its own input
        a, out = ctx.saved
        axis = ctx.axis
        # d out_i/da_j = out_i / a_j for i >= j: downstream_j = sum_{i >= j} g_i out_i / a_j
        w = upstream * out
        if not (a == 0).any():
            return _reversed_cumsum(w, axis) / a
        return _cumprod_grad_with_zeros(a, out, upstream, w, axis)  # out_i / a_j is 0/0


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``: out_i = prod_{k <= i} a_k.
    d out_i/da_j = prod_{k <= i, k != j} a_k for j <= i; exact where a holds zeros."""
    if dtype is not None:
        input = input.to(dtype)
    return CumProd.apply(input, dim=dim)


# ================================================================ norm
def _p_norm(a, p, axes, keepdim):
    """||a||_p over axes, with the usual p written directly (as PyTorch computes them):
    p = 2 sqrt(sum a^2), 1 sum |a|, 0 the count of nonzeros, +-inf max (min) |a|;
    any other p is (sum |a|^p)^(1/p)."""
    if p == 2:
        return xp.sqrt(xp.add.reduce(a * a, axis=axes, keepdims=keepdim))
    if p == 1:
        return xp.add.reduce(xp.abs(a), axis=axes, keepdims=keepdim)
    if p == 0:  # the number of nonzero elements
        return xp.add.reduce(a != 0, axis=axes, dtype=a.dtype, keepdims=keepdim)
    if p == _inf or p == -_inf:
        if a.size == 0:
            raise ValueError(f"norm: cannot take the p={p} norm of an empty tensor of "
                             f"shape {a.shape}")
        pick = xp.max if p > 0 else xp.min
        return pick(xp.abs(a), axis=axes, keepdims=keepdim)
    power = xp.add.reduce(xp.abs(a) ** p, axis=axes, keepdims=keepdim)
    return power ** (1.0 / p)


def _max_norm_grad(a, norm, upstream, axes):
    """The gradient of ||a||_inf (or the -inf "norm", min |a_j|): sign(a_j) at the largest
    (smallest) |a_j|, split evenly among ties (a nan is always taken, as PyTorch's)."""
    magnitude = xp.abs(a)
    taken = (magnitude == norm) | xp.isnan(magnitude)
    count = xp.add.reduce(taken, axis=axes, dtype=a.dtype, keepdims=True)
    return torch_sign(a) * (upstream / count * taken)


def _general_p_norm_grad(a, norm, upstream, p):
    """sign(a_j) |a_j|^(p-1) / ||a||^(p-1) * upstream for p not in {0, 1, 2, +-inf}, in
    PyTorch's norm_backward form for each range of p: for p < 1 a zero a_j gets 0 (not
    0 * inf); for p >= 1 a zero norm gets 0 (not 0/0); for p >= 2 sign(a)|a|^(p-1) is
    written a |a|^(p-2). (Called with division warnings silenced.)"""
    if p < 1:
        scaled = xp.where(a == 0, 0, torch_sign(a) * xp.abs(a) ** (p - 1))
        return scaled * upstream * norm ** (1 - p)
    if p < 2:
        scaled = torch_sign(a) * xp.abs(a) ** (p - 1)
    else:
        scaled = a * xp.abs(a) ** (p - 2)
    scale = xp.where(norm == 0, 0, upstream / norm ** (p - 1))
    return scaled * scale


class VectorNorm(Reduction):
    label = "norm"
    rule = (r"\partial \|a\|_p/\partial a_j = \mathrm{sign}(a_j)\,|a_j|^{p-1} / \|a\|_p^{p-1}"
            r"\ (p=2: a_j/\|a\|,\ p=\infty: \text{the largest } |a_j|)")
    plain = "d/da_j ||a||_p = sign(a_j) |a_j|^(p-1) / ||a||_p^(p-1) (p = 2: a_j/||a||; p = inf: sign(a_j) at the largest |a_j|, 0 elsewhere)"
    form = ("norm({...})", r"\mathrm{norm}({...})")
    float_only = True

    def forward(ctx, a, ord=2.0, dim=None, keepdim=False):
        # ||a||_p = (sum_j |a_j|^p)^(1/p), p = 2, 1, 0 and +-inf written directly (_p_norm)
        ctx.axes = _axes(dim, a.ndim, "norm")
        ctx.keepdim, ctx.ord = keepdim, ord
        out = xp.asarray(_p_norm(a, ord, ctx.axes, keepdim), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        # d||a||_p/da_j = sign(a_j) |a_j|^(p-1) / ||a||_p^(p-1) * g, PyTorch's norm_backward
        # branch by branch; 0 (not 0/0 = nan) where the norm is 0
        a, norm = ctx.saved
        p = ctx.ord
        if p == 0:
            return None  # a count is piecewise constant: torch gives no gradient at all
        if a.ndim:
            upstream = _keep(upstream, ctx.axes, a.ndim, ctx.keepdim)
            norm = _keep(norm, ctx.axes, a.ndim, ctx.keepdim)
        with xp.errstate(divide="ignore", invalid="ignore"):
            if p == 2:  # a_j / ||a||_2
                return upstream * xp.where(norm == 0, 0, a / norm)
            if p == 1:  # sign(a_j)
                return torch_sign(a) * upstream
            if p == _inf or p == -_inf:  # sign(a_j) at the largest (smallest) |a_j|
                return _max_norm_grad(a, norm, upstream, ctx.axes)
            return _general_p_norm_grad(a, norm, upstream, p)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm over ``dim`` (all elements when None), as torch.norm:
    ||a||_p = (sum |a_j|^p)^(1/p); p = inf: max |a_j|, -inf: min |a_j|, 0: the number of
    nonzero elements (its gradient is None, as torch's); 'fro' (the default) is p = 2
    over one or two dims.
    d/da_j = sign(a_j) |a_j|^(p-1) / ||a||^(p-1), taken as 0 where the norm is 0
    (the gradient of ||0||_2 is 0, not nan)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"norm: expected a Tensor as input, got {type(input).__name__}")
    if dtype is not None:
        input = input.to(dtype)
    if p is None:
        p = 2.0
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("norm: the nuclear norm (p='nuc') needs an SVD, which "
                                      "glassgrad does not have; use p='fro' or a number")
        if p != "fro":
            raise ValueError(f"norm: p must be a number, 'fro' or 'nuc', got {p!r}")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ValueError(f"norm: p='fro' takes at most two dims (a matrix), got dim={dim!r}")
        p = 2.0
    elif isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"norm: p must be a number, 'fro' or 'nuc', got {p!r}")
    return VectorNorm.apply(input, ord=float(p), dim=dim, keepdim=keepdim)


# ================================================================ median
# The median of n values is the lower of the two middle ones when n is even: the value at
# position (n - 1) // 2 of the sorted values (PyTorch's rule, not the mean of the two).
# A slice holding a nan has median nan (median); nanmedian leaves the nans out.


def _lower_median(a, axis=None, keepdims=False, skip_nan=False):
    """The lower median of the flattened a (axis None: what the full median reduces)."""
    flat = a.reshape(-1)
    if skip_nan:
        flat = flat[~xp.isnan(flat)]
    if flat.size == 0 or xp.isnan(flat).any():
        return xp.asarray(xp.nan, dtype=a.dtype)
    k = (flat.size - 1) // 2
    return xp.partition(flat, k)[k]


median_result = namedtuple("median", ["values", "indices"])


nanmedian_result = namedtuple("nanmedian", ["values", "indices"])


def _median_indices(a, axis, keepdim, skip_nan):
    """Per slice along axis, the index of its lower median: position (m - 1) // 2 of the
    sorted slice, m its number of values (of non-nan values with skip_nan). NumPy sorts
    nans last, so a slice with a nan (median) or with only nans (nanmedian) gets the index
    of a nan."""
    order = xp.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    if skip_nan:
        m = xp.add.reduce(~xp.isnan(a), axis, xp.int64, None, True)
        position = xp.where(m > 0, (m - 1) // 2, 0)
    else:
        has_nan = xp.isnan(a).any(axis=axis, keepdims=True)
        position = xp.where(has_nan, n - 1, (n - 1) // 2)
    position = xp.broadcast_to(position, a.shape[:axis] + (1,) + a.shape[axis + 1:])
    index = xp.take_along_axis(order, position, axis=axis)
    return (index if keepdim else index.squeeze(axis)).astype(xp.int64, copy=False)


def _median(op, input, dim, keepdim):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor as input, got {type(input).__name__}")
    skip_nan = op == "nanmedian"
    if dim is None:
        if input.array.size == 0:
            raise ValueError(f"{op}: cannot take the median of an empty tensor")
        return (NanMedian if skip_nan else Median).apply(input, dim=None, keepdim=False, full=True)
    axis = _one_dim(dim, input.ndim, op)
    result = nanmedian_result if skip_nan else median_result
    if input.ndim == 0:
        return result(input * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    if input.shape[axis] == 0:
        raise ValueError(f"{op}: cannot take the median along dim {dim} of size 0 "
                         f"(input of shape {tuple(input.shape)})")
    indices = _median_indices(input.array, axis, keepdim, skip_nan)
    values = MedianDim.apply(input, indices, dim=axis, keepdim=keepdim)
    return result(values, Tensor._wrap(indices))


class Median(_Extreme):
    """median(x): the lower middle value; the gradient goes to the elements equal to it,
    split evenly among ties (PyTorch's rule for the full median), to the nans when it is
    nan."""

    label = "median"
    rule = r"\partial\,\mathrm{median}(a)/\partial a_j = [a_j = \mathrm{median}] / \#\{\text{ties}\}"
    plain = "d/da_j median(a) = [a_j = median] / (the number of ties)"
    form = ("median({...})", r"\mathrm{median}({...})")
    pick = staticmethod(_lower_median)


class NanMedian(_Extreme):
    label = "nanmedian"
    rule = r"\partial\,\mathrm{nanmedian}(a)/\partial a_j = [a_j = \mathrm{median}] / \#\{\text{ties}\}"
    plain = "d/da_j nanmedian(a) = [a_j = median] / (the number of ties)"
    form = ("nanmedian({...})", r"\mathrm{nanmedian}({...})")
    pick = staticmethod(lambda a, axis=None, keepdims=False: _lower_median(a, skip_nan=True))


class MedianDim(_Select):
    label = "median"
    rule = r"\partial\,\mathrm{median}_k a_k/\partial a_j = [j = \text{the median's index}]"
    plain = "d/da_j median_k a_k = [j = the median's index]"
    form = ("median({...})", r"\mathrm{median}({...})")


def median(input, dim=None, keepdim=False):
    """The median: of all elements (a 0-d tensor), or along ``dim`` as (values, indices).
    With an even count it is the lower of the two middle values, as PyTorch's; a nan in
    a slice makes its median nan. The gradient goes to the median element (split evenly
    among equal elements for the full median)."""
    return _median("median", input, dim, keepdim)


def nanmedian(input, dim=None, keepdim=False):
    """median with the nans left out (nan only for a slice of nans)."""
    return _median("nanmedian", input, dim, keepdim)


# ================================================================ quantile
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op, input, q, dim, keepdim, interpolation):
    """Sorted values at position q (n - 1), interpolated between the two neighbours: a
    composite of sort (whose gradient goes back to each element) and arithmetic."""
    from . import arithmetic, indexing, shape

    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor as input, got {type(input).__name__}")
    if input.array.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input tensor, got dtype "
                        f"{input.array.dtype}; convert it with .float() or .double()")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    scalar_q = not isinstance(q, Tensor)
    qs = xp.asarray(q if scalar_q else q.array, dtype=xp.float64).reshape(-1)
    if not scalar_q and q.ndim > 1:
        raise ValueError(f"{op}: q must be a number or a 1-D tensor, got shape {tuple(q.shape)}")
    if not ((qs >= 0) & (qs <= 1)).all():
        raise ValueError(f"{op}: q values must be in the range [0, 1], got {qs.tolist()}")
    x = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else _one_dim(dim, input.ndim, op)
    if x.ndim == 0:
        x, axis = x.reshape(1), 0
    n = x.shape[axis]
    if n == 0:
        raise ValueError(f"{op}: cannot take a quantile of an empty slice (input of shape "
                         f"{tuple(input.shape)})")
    a = x.array
    nan = xp.isnan(a)
    # nanquantile: per slice, m = its non-nan count; the nans sort last, out of the way
    m = (n - xp.add.reduce(nan, axis, xp.int64, None, True)) if op == "nanquantile" else n
    ordered = indexing.sort(x, axis).values
    outs = []
    for value in qs:
        # in the input's dtype, as PyTorch ranks (float32: 0.1 * 5 is 0.50000001, which
        # 'nearest' rounds up); per slice for nanquantile
        position = a.dtype.type(value) * (xp.maximum(m, 1) - 1).astype(a.dtype)
        below = xp.floor(position)
        above = xp.ceil(position)
        if interpolation == "lower":
            above = below
        elif interpolation == "higher":
            below = above
        elif interpolation == "nearest":
            below = above = xp.round(position)  # half to even, as torch's round
        low = indexing.take_along_dim(ordered, _index_tensor_of(below, a, axis), axis)
        high = indexing.take_along_dim(ordered, _index_tensor_of(above, a, axis), axis)
        if interpolation == "midpoint":  # halfway between the neighbours (0 when they agree)
            out = low + (high - low) * 0.5
        else:
            out = low + (high - low) * Tensor._wrap(xp.asarray(position - below, dtype=a.dtype))
        empty = (m == 0) if op == "nanquantile" else nan.any(axis=axis, keepdims=True)
        if xp.any(empty):  # a slice of nans (nanquantile) or holding a nan (quantile): nan
            out = arithmetic.where(Tensor._wrap(xp.broadcast_to(empty, out.shape)), float("nan"), out)
        outs.append(out)
    out = shape.stack(outs) if not scalar_q else outs[0]
    lead = 0 if scalar_q else 1
    if keepdim:
        if dim is None:
            return out.reshape(*out.shape[:lead], *([1] * input.ndim))
        return out
    return out.squeeze(axis + lead)


def _index_tensor_of(position, a, axis):
    """Positions along axis as an int64 index tensor shaped like a with axis of size 1."""
    target = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    return Tensor._wrap(xp.broadcast_to(xp.asarray(position, dtype=xp.int64), target).copy())


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q in [0, 1], a number or a 1-D tensor whose values become the
    first dim of the result) over all elements or along ``dim``: the sorted values at
    position q (n - 1), linearly interpolated (``interpolation``: 'linear', 'lower',
    'higher', 'midpoint', 'nearest'). A slice holding a nan gives nan. The gradient
    reaches the (at most two) elements interpolated, weighted as in the interpolation."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile with the nans left out (nan only for a slice of nans)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation)


# ================================================================ nan-ignoring sums, std_mean
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum with the nans counted as 0 (their gradient is 0): sum(where(isnan(x), 0, x))."""
    from .arithmetic import where

    if input.array.dtype.kind not in "fc":
        return sum(input, dim, keepdim, dtype=dtype)
    return sum(where(Tensor._wrap(xp.isnan(input.array)), 0.0, input), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the non-nan elements: nansum / their count (nan for a slice of nans).
    d/da_j = 1/count for a non-nan a_j, 0 for a nan."""
    if input.array.dtype.kind != "f":
        raise TypeError(f"nanmean: expected a floating-point input tensor, got dtype "
                        f"{input.array.dtype}; convert it with .float() or .double()")
    if dtype is not None:
        input = input.to(dtype)
    count = Tensor._wrap(xp.add.reduce(~xp.isnan(input.array), _axes(dim, input.ndim, "nanmean"),
                                       input.array.dtype, None, keepdim))
    return nansum(input, dim, keepdim) / count


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim, as one call (var's arguments)."""
    return var(input, dim, unbiased, keepdim, correction=correction), mean(
        input, _var_args("var_mean", dim, unbiased, correction)[0], keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim, as one call (std's arguments)."""
    return std(input, dim, unbiased, keepdim, correction=correction), mean(
        input, _var_args("std_mean", dim, unbiased, correction)[0], keepdim)


# ================================================================ logcumsumexp, cummax, cummin
def _logcumsumexp(a, axis):
    """log sum_{k <= i} e^{a_k} along axis, stably (np.logaddexp adds in log space)."""
    return xp.logaddexp.accumulate(a, axis=axis)


class LogCumSumExp(Scan):
    label = "logcumsumexp"
    rule = (r"\partial\,\mathrm{out}_i/\partial a_j = [j \le i]\, e^{a_j - \mathrm{out}_i},\quad "
            r"\mathrm{out}_i = \log\sum_{k \le i} e^{a_k}")
    plain = "d out_i/d a_j = [j <= i] e^(a_j - out_i), out_i = log sum_k <= i e^(a_k)"
    form = ("logcumsumexp({...})", r"\mathrm{logcumsumexp}({...})")
    float_only = True

    def forward(ctx, a, dim):
        ctx.axis = axis = _one_axis(dim, a.ndim, "logcumsumexp")
        if a.ndim == 0:
            return a.copy()
        out = _logcumsumexp(a, axis)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        if upstream.ndim == 0:
            return upstream
        a, out = ctx.saved
        axis = ctx.axis
        # grad_j = sum_{i >= j} g_i e^{a_j - out_i} = e^{a_j} sum_{i >= j} g_i e^{-out_i}.
        # The sum is kept in log space, its positive and negative parts apart, so that no
        # e^{-out_i} over- or underflows: grad_j = e^{a_j + P_j} - e^{a_j + N_j} with
        # P_j = log sum_{i >= j} max(g_i, 0) e^{-out_i} (N_j: the same for -min(g_i, 0)).
        with xp.errstate(divide="ignore", invalid="ignore"):
            def reversed_log_sum(part):
                terms = xp.log(part) - out
                return xp.flip(_logcumsumexp(xp.flip(terms, axis), axis), axis)

            positive = reversed_log_sum(xp.maximum(upstream, 0))
            negative = reversed_log_sum(xp.maximum(-upstream, 0))
            return xp.exp(a + positive) - xp.exp(a + negative)


def logcumsumexp(input, dim):
    """Running log(sum(exp)) along ``dim``: out_i = log sum_{k <= i} e^{a_k}, without
    overflow. d out_i/d a_j = e^{a_j - out_i} for j <= i (a running softmax)."""
    return LogCumSumExp.apply(input, dim=dim)


cummax_result = namedtuple("cummax", ["values", "indices"])


cummin_result = namedtuple("cummin", ["values", "indices"])


def _running_extreme_indices(op, a, axis):
    """Where each running extreme was taken: the latest position holding a value equal to
    the extreme so far (or the latest nan, once a nan has come: it stays the extreme)."""
    running = op.pick.accumulate(a, axis=axis)
    positions = xp.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - axis - 1))
    taken = (a == running) | xp.isnan(a)
    return xp.maximum.accumulate(xp.where(taken, positions, 0), axis=axis).astype(xp.int64)


def _cum_extreme(op, result, name, input, dim):
    if input.ndim == 0:
        return result(input * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    axis = _one_axis(dim, input.ndim, name)
    indices = _running_extreme_indices(op, input.array, axis)
    return result(op.apply(input, indices, dim=axis), Tensor._wrap(indices))


class _CumExtreme(Scan):
    """cummax / cummin: the running extreme and, per position, the index it was taken
    from (the latest of equal values, as PyTorch); the gradient of each output goes to
    that element, summed over the outputs that share it."""

    pick = None  # xp.maximum or xp.minimum

    def forward(ctx, a, indices, dim):
        ctx.axis = dim
        ctx.save_for_backward(indices)
        return xp.take_along_axis(a, indices, axis=dim)

    def backward(ctx, upstream):
        (indices,) = ctx.saved
        grad = xp.zeros(upstream.shape, dtype=upstream.dtype)
        # each output adds its upstream into the element it was read from
        lead = xp.indices(indices.shape, sparse=True)
        where = tuple(indices if k == ctx.axis else lead[k] for k in range(indices.ndim))
        xp.add.at(grad, where, upstream)
        return grad, None


class CumMax(_CumExtreme):
    label = "cummax"
    rule = r"\partial \max_{k \le i} a_k/\partial a_j = [j = \arg\max_{k \le i} a_k]"
    plain = "d/da_j max(a_1, ..., a_i) = [j = where that maximum is]"
    form = ("cummax({...})", r"\mathrm{cummax}({...})")
    pick = xp.maximum


def cummax(input, dim):
    """(values, indices): the running maximum along ``dim`` and where each was taken."""
    return _cum_extreme(CumMax, cummax_result, "cummax", input, dim)


class CumMin(_CumExtreme):
    label = "cummin"
    rule = r"\partial \min_{k \le i} a_k/\partial a_j = [j = \arg\min_{k \le i} a_k]"
    plain = "d/da_j min(a_1, ..., a_i) = [j = where that minimum is]"
    form = ("cummin({...})", r"\mathrm{cummin}({...})")
    pick = xp.minimum


def cummin(input, dim):
    """(values, indices): the running minimum along ``dim`` and where each was taken."""
    return _cum_extreme(CumMin, cummin_result, "cummin", input, dim)


__all__ += ["median", "nanmedian", "quantile", "nanquantile", "nansum", "nanmean", "var_mean",
            "std_mean", "logcumsumexp", "cummax", "cummin"]


# ================================================================ trapezoid
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along ``dim``: sum_i (x_{i+1} - x_i) (y_i + y_{i+1}) / 2, with the
    sample points ``x`` (a tensor) or a constant spacing ``dx`` (1 by default). Composed of
    narrow, arithmetic and sum."""
    from .shape import narrow

    axis = _one_axis(dim, y.ndim, "trapezoid")
    n = y.shape[axis]
    if n == 0:
        return sum(y, axis)
    mean_pairs = (narrow(y, axis, 1, n - 1) + narrow(y, axis, 0, n - 1)) / 2
    if x is None:
        return sum(mean_pairs, axis) * (1 if dx is None else dx)
    if dx is not None:
        raise TypeError("trapezoid: give x or dx, not both")
    if x.ndim == 1:
        if x.shape[0] != n:
            raise ValueError(f"trapezoid: x has {x.shape[0]} points, y has {n} along dim {dim}")
        steps = (x[1:] - x[:-1]).reshape(*[n - 1 if k == axis else 1 for k in range(y.ndim)])
    else:
        steps = narrow(x, axis, 1, n - 1) - narrow(x, axis, 0, n - 1)
    return sum(steps * mean_pairs, axis)


def trapz(y, x=None, *, dx=None, dim=-1):
    """torch.trapz: the older name of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


__all__ += ["trapezoid", "trapz"]
