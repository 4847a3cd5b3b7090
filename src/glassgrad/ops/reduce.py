"""Reductions: sum mean max min amax amin argmax argmin logsumexp var std.

``dim`` is an int, a tuple of ints (negative counts from the end) or None (every axis);
``keepdim=True`` keeps the reduced axes with size 1, as in PyTorch.

Backward of a reduction hands every input element the upstream gradient of the output
it was reduced into: the upstream is given back its reduced axes (size 1) and broadcast.
"""

import builtins
import math
from collections import namedtuple

from ..autograd.function import Function
from ..backend import xp
from ..tensor import Tensor


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
class Sum(Function):
    label = "sum"
    rule = r"\partial (\sum_i a_i)/\partial a_j = 1"

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


class Mean(Function):
    label = "mean"
    rule = r"\partial (\frac1N \sum_i a_i)/\partial a_j = 1/N"
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


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - PyTorch's name
    """Sum over ``dim`` (all axes when None). d/da_j = 1 for every element summed."""
    if dim is None and not keepdim and dtype is None:
        return Sum.apply(input)  # the defaults as defaults: keywords cost ~1 us per call
    return Sum.apply(input, dim=dim, keepdim=keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` (all axes when None). d/da_j = 1/N, N the number averaged."""
    if dtype is not None:
        input = input.to(dtype)
    return Mean.apply(input, dim=dim, keepdim=keepdim)


# ---------------------------------------------------------------- max and min
class _Extreme(Function):
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
    pick = xp.max


class Amin(_Extreme):
    label = "amin"
    rule = r"\partial \min_i a_i/\partial a_j = [a_j = \min] / \#\{\text{ties}\}"
    pick = xp.min


class _Select(Function):
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


class MinDim(_Select):
    label = "min"
    rule = r"\partial \min_k a_k/\partial a_j = [j = \arg\min_k a_k]"


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
    from . import elementwise

    if isinstance(dim, Tensor) or other is not None:  # the binary form max(a, b)
        b = dim if isinstance(dim, Tensor) else other
        return (elementwise.maximum if op == "max" else elementwise.minimum)(input, b)
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


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001 - PyTorch's name
    """The largest element (``max(x)``: a 0-d tensor, the gradient split evenly among
    ties); with ``dim``: a named tuple (values, indices), the gradient routed to the
    index; ``max(a, b)``: elementwise, as maximum."""
    return _max_or_min("max", input, dim, keepdim, other)


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001 - PyTorch's name
    """The smallest element; see max."""
    return _max_or_min("min", input, dim, keepdim, other)


def amax(input, dim=(), keepdim=False):
    """Max over one or several dims (all when dim is () or None); ties share the
    gradient evenly."""
    return Amax.apply(input, dim=dim, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    """Min over one or several dims (all when dim is () or None); ties share the
    gradient evenly."""
    return Amin.apply(input, dim=dim, keepdim=keepdim)


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
class LogSumExp(Function):
    label = "logsumexp"
    rule = r"\partial \log\sum_i e^{a_i}/\partial a_j = e^{a_j - \mathrm{lse}} = \mathrm{softmax}(a)_j"
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axes = axes = _axes(dim, a.ndim, "logsumexp")
        ctx.keepdim = keepdim
        # Subtract the max first so that no exp overflows; a slice whose max is infinite
        # keeps m = 0 (as PyTorch: its sum is then inf, or 0 for an all -inf slice).
        m = a.max(axis=axes, keepdims=True)
        infinite_max = ~xp.isfinite(m)
        if infinite_max.any():
            m = xp.where(infinite_max, 0, m)
        e = xp.exp(a - m)
        total = _add_reduce(e, axes, None, None, True)
        out = xp.log(total) + m
        if ctx.needs_input_grad[0]:
            e /= total  # the softmax: exactly the local derivative, kept for backward
            if infinite_max.any():
                # a slice holding +inf: its finite elements' softmax is 0 (PyTorch:
                # e^(a - inf)), where e^a / inf gave inf/inf = nan for a huge a
                e[xp.isfinite(a) & (out == xp.inf)] = 0
            ctx.save_for_backward(e)
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


class Var(Function):
    label = "var"
    rule = r"\partial\,\mathrm{var}(a)/\partial a_j = 2 (a_j - \bar a) / (N - c)"
    float_only = True

    def forward(ctx, a, dim=None, keepdim=False, correction=1):
        centred, var = _centred_var(ctx, a, dim, keepdim, correction)
        ctx.save_for_backward(centred)
        return var.astype(a.dtype, copy=False)

    def backward(ctx, upstream):
        (centred,) = ctx.saved
        return _var_backward(ctx, _keep(upstream, ctx.axes, centred.ndim, ctx.keepdim), centred)


class Std(Function):
    label = "std"
    rule = r"\partial\,\mathrm{std}(a)/\partial a_j = (a_j - \bar a) / ((N - c)\,\mathrm{std}(a))"
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


def _var_args(op, dim, unbiased, correction):
    if isinstance(dim, bool):  # the old overload var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: give either unbiased or correction, not both")
        correction = 1 if unbiased else 0
    return dim, 1 if correction is None else correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim: sum((a - mean)^2) / (N - correction); correction=1 (Bessel)
    by default, unbiased=False means correction=0. d/da_j = 2 (a_j - mean) / (N - c)."""
    dim, correction = _var_args("var", dim, unbiased, correction)
    return Var.apply(input, dim=dim, keepdim=keepdim, correction=correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt(var). d/da_j = (a_j - mean) / ((N - c) std)."""
    dim, correction = _var_args("std", dim, unbiased, correction)
    return Std.apply(input, dim=dim, keepdim=keepdim, correction=correction)


__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "var", "std",
]
