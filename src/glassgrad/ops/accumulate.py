"""Reductions and scans beyond sum: prod, cumsum, cumprod, norm.

(They sit beside ops/reduce.py, whose helpers ``_axes`` and ``_keep`` they use: the same
``dim`` and ``keepdim`` rules, and the same way of giving the upstream its reduced axes
back before it is broadcast over the input.)

Products need care at zeros, where "the product of the others" cannot be had by dividing
the product by the element. Both ``prod`` and ``cumprod`` then take PyTorch's exact route:
one zero in a product gets the product of the others, every other element 0; two or more
zeros give every element 0.
"""

from ..autograd.function import Function
from ..backend import xp
from ..tensor import Tensor
from .pointwise import torch_sign
from .reduce import _axes, _keep

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
class Prod(Function):
    label = "prod"
    rule = r"\partial (\prod_i a_i)/\partial a_j = \prod_{i \ne j} a_i"

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


# ================================================================ cumsum and cumprod
class CumSum(Function):
    label = "cumsum"
    rule = r"\partial (\sum_{k \le i} a_k)/\partial a_j = [j \le i]"

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


class CumProd(Function):
    label = "cumprod"
    rule = r"\partial (\prod_{k \le i} a_k)/\partial a_j = [j \le i] \prod_{k \le i, k \ne j} a_k"

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
        w = upstream * out
        zero = a == 0
        if not zero.any():
            # d out_i/da_j = out_i / a_j for i >= j: downstream_j = sum_{i >= j} w_i / a_j
            return _reversed_cumsum(w, axis) / a
        # PyTorch's exact route (its cumprod_backward), slice by slice, z1 and z2 the
        # positions of the first and second zero:
        zeros_so_far = xp.add.accumulate(zero, axis, xp.int64)
        before = zeros_so_far == 0  # j < z1: the same formula, over the outputs before z1
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad = xp.where(before, _reversed_cumsum(xp.where(before, w, 0), axis) / a, 0)
        # j = z1: sum_{z1 <= i < z2} upstream_i prod_{k <= i, k != z1} a_k, that is
        # out_{z1-1} * sum_{z1 <= i < z2} upstream_i prod_{z1 < k <= i} a_k
        # (from z2 on, every product holds the second zero; for j > z1, the first: 0)
        between = zeros_so_far == 1
        first_zero = zero & between
        after_first = between & ~first_zero
        products = _scan(xp.multiply, xp.where(after_first, a, 1), axis)
        total = xp.add.reduce(products * xp.where(between, upstream, 0), axis, keepdims=True)
        z1 = xp.argmax(between, axis=axis, keepdims=True)
        before_z1 = xp.take_along_axis(out, xp.maximum(z1 - 1, 0), axis=axis)
        total = total * xp.where(z1 == 0, 1, before_z1)
        return xp.where(first_zero, total, grad)


# ================================================================ norm
class VectorNorm(Function):
    label = "norm"
    rule = (r"\partial \|a\|_p/\partial a_j = \mathrm{sign}(a_j)\,|a_j|^{p-1} / \|a\|_p^{p-1}"
            r"\ (p=2: a_j/\|a\|,\ p=\infty: \text{the largest } |a_j|)")
    float_only = True

    def forward(ctx, a, ord=2.0, dim=None, keepdim=False):
        ctx.axes = axes = _axes(dim, a.ndim, "norm")
        ctx.keepdim, ctx.ord = keepdim, ord
        if ord == 2:
            out = xp.sqrt(xp.add.reduce(a * a, axis=axes, keepdims=keepdim))
        elif ord == 1:
            out = xp.add.reduce(xp.abs(a), axis=axes, keepdims=keepdim)
        elif ord == 0:  # the number of nonzero elements
            out = xp.add.reduce(a != 0, axis=axes, dtype=a.dtype, keepdims=keepdim)
        elif ord == _inf or ord == -_inf:
            if a.size == 0:
                raise ValueError(f"norm: cannot take the p={ord} norm of an empty tensor of "
                                 f"shape {a.shape}")
            pick = xp.max if ord > 0 else xp.min
            out = pick(xp.abs(a), axis=axes, keepdims=keepdim)
        else:
            power = xp.add.reduce(xp.abs(a) ** ord, axis=axes, keepdims=keepdim)
            out = power ** (1.0 / ord)
        out = xp.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, upstream):
        a, norm = ctx.saved
        p = ctx.ord
        if p == 0:
            return None  # a count is piecewise constant: torch gives no gradient at all
        if a.ndim:
            upstream = _keep(upstream, ctx.axes, a.ndim, ctx.keepdim)
            norm = _keep(norm, ctx.axes, a.ndim, ctx.keepdim)
        # PyTorch's norm_backward, branch by branch; 0 (not 0/0 = nan) where the norm is 0
        with xp.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                return upstream * xp.where(norm == 0, 0, a / norm)
            if p == 1:
                return torch_sign(a) * upstream
            if p == _inf or p == -_inf:
                # the gradient goes to the largest (smallest) |a_j|, split among ties
                magnitude = xp.abs(a)
                taken = (magnitude == norm) | xp.isnan(magnitude)
                count = xp.add.reduce(taken, axis=ctx.axes, dtype=a.dtype, keepdims=True)
                return torch_sign(a) * (upstream / count * taken)
            if p < 1:
                scaled = xp.where(a == 0, 0, torch_sign(a) * xp.abs(a) ** (p - 1))
                return scaled * upstream * norm ** (1 - p)
            if p < 2:
                scaled = torch_sign(a) * xp.abs(a) ** (p - 1)
            else:
                scaled = a * xp.abs(a) ** (p - 2)
            scale = xp.where(norm == 0, 0, upstream / norm ** (p - 1))
            return scaled * scale


# ================================================================ public functions
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


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``: out_i = sum_{k <= i} a_k. d/da_j: the upstream summed
    over every i >= j (a reversed cumulative sum)."""
    if dtype is not None:
        input = input.to(dtype)  # cast first: the gradient then comes back in input's dtype
    return CumSum.apply(input, dim=dim)


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``: out_i = prod_{k <= i} a_k.
    d out_i/da_j = prod_{k <= i, k != j} a_k for j <= i; exact where a holds zeros."""
    if dtype is not None:
        input = input.to(dtype)
    return CumProd.apply(input, dim=dim)


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


__all__ = ["prod", "cumsum", "cumprod", "norm"]
