"""Elementwise ops: add sub mul div neg pow exp log sqrt abs maximum minimum where clamp.

Each backward line reads downstream = upstream x local derivative. Gradients come out in
the broadcast shape; the engine sums them back to each input's shape.
"""

from ..autograd.function import Function
from ..backend import xp


class Add(Function):
    label = "add"
    rule = r"\partial (a+b)/\partial a = 1,\ \partial (a+b)/\partial b = 1"

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, upstream):
        return upstream, upstream  # an add gate copies the gradient to both inputs


class Sub(Function):
    label = "sub"
    rule = r"\partial (a-b)/\partial a = 1,\ \partial (a-b)/\partial b = -1"

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, upstream):
        return upstream, (-upstream if ctx.needs_input_grad[1] else None)


class Mul(Function):
    label = "mul"
    rule = r"\partial (ab)/\partial a = b,\ \partial (ab)/\partial b = a"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, upstream):
        a, b = ctx.saved  # a multiply gate swaps its inputs
        need_a, need_b = ctx.needs_input_grad
        return (upstream * b if need_a else None), (upstream * a if need_b else None)


class Div(Function):
    label = "div"
    rule = r"\partial (a/b)/\partial a = 1/b,\ \partial (a/b)/\partial b = -a/b^2"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        da = upstream / b if need_a else None
        db = -upstream * a / (b * b) if need_b else None
        return da, db


class Neg(Function):
    label = "neg"
    rule = r"\partial (-a)/\partial a = -1"

    def forward(ctx, a):
        return -a

    def backward(ctx, upstream):
        return -upstream


class Exp(Function):
    label = "exp"
    rule = r"\partial e^a/\partial a = e^a"
    float_only = True

    def forward(ctx, a):
        z = xp.exp(a)
        ctx.save_for_backward(z)  # the derivative is the output itself
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * z


class Log(Function):
    label = "log"
    rule = r"\partial \ln a/\partial a = 1/a"
    float_only = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log(a)

    def backward(ctx, upstream):
        (a,) = ctx.saved
        return upstream / a


def add(input, other, alpha=1):
    """input + alpha * other, broadcasting both ways."""
    if alpha != 1:
        other = mul(other, alpha)
    return Add.apply(input, other)


def sub(input, other, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return Sub.apply(input, other)


def mul(input, other):
    return Mul.apply(input, other)


def div(input, other):
    return Div.apply(input, other)


def neg(input):
    return Neg.apply(input)


def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


__all__ = ["add", "sub", "mul", "div", "neg", "exp", "log"]
