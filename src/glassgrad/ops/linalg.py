"""Linear algebra: matmul (with PyTorch's 1-D and batched cases) and linear."""

from ..autograd.function import Function
from ..backend import xp


class MatMul(Function):
    label = "matmul"
    rule = r"\partial (AB)/\partial A = \bar{G} B^T,\ \partial (AB)/\partial B = A^T \bar{G}"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        da = upstream @ b.swapaxes(-1, -2) if need_a else None
        db = a.swapaxes(-1, -2) @ upstream if need_b else None
        return da, db


def matmul(input, other):
    return MatMul.apply(input, other)


__all__ = ["matmul"]
