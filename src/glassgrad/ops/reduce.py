"""Reductions: sum mean max min logsumexp var, with dim / keepdim as in PyTorch."""

from ..autograd.function import Function
from ..backend import xp


def _axes(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(d % ndim if ndim else d for d in dim)


def _keep(upstream, axes, ndim, keepdim):
    """Re-insert reduced axes as size 1 so upstream broadcasts against the input."""
    if keepdim or axes is None and upstream.ndim == ndim:
        return upstream
    if axes is None:
        return upstream.reshape((1,) * ndim)
    return xp.expand_dims(upstream, axes)


class Sum(Function):
    label = "sum"
    rule = r"\partial (\sum_i a_i)/\partial a_j = 1"

    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axes = _axes(dim, a.ndim)
        ctx.shape = a.shape
        ctx.keepdim = keepdim
        return a.sum(axis=ctx.axes, keepdims=keepdim)

    def backward(ctx, upstream):
        if ctx.axes is None and not ctx.keepdim:  # every element got the same upstream
            return xp.full(ctx.shape, upstream, dtype=upstream.dtype)
        g = _keep(upstream, ctx.axes, len(ctx.shape), ctx.keepdim)
        return xp.broadcast_to(g, ctx.shape)


def sum(input, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    return Sum.apply(input, dim=dim, keepdim=keepdim)


__all__ = ["sum"]
