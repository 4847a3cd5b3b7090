"""Activations: relu leaky_relu tanh sigmoid softplus.

Each keeps exactly what its derivative needs: relu a boolean mask (computed once, used by
forward and backward), tanh and sigmoid their output, softplus its input.
"""

from ..autograd.function import Function
from ..backend import xp


class ReLU(Function):
    label = "relu"
    rule = r"\partial\,\mathrm{relu}(s)/\partial s = [s > 0]"

    def forward(ctx, s):
        # One comparison serves both passes: out = s * mask, and backward = upstream * mask.
        # (Measured: s * (s > 0) beats np.maximum(s, 0), and the mask is then free.)
        mask = s > 0
        ctx.save_for_backward(mask)
        return s * mask

    def backward(ctx, upstream):
        (mask,) = ctx.saved
        return upstream * mask


class LeakyReLU(Function):
    label = "leaky_relu"
    rule = r"\partial\,\mathrm{leaky\_relu}(s)/\partial s = 1 \text{ if } s > 0 \text{ else } \alpha"
    float_only = True

    def forward(ctx, s, negative_slope=0.01):
        mask = s > 0
        ctx.save_for_backward(mask)
        ctx.slope = negative_slope
        return xp.where(mask, s, s * s.dtype.type(negative_slope))

    def backward(ctx, upstream):
        (mask,) = ctx.saved
        return xp.where(mask, upstream, upstream * upstream.dtype.type(ctx.slope))


class Tanh(Function):
    label = "tanh"
    rule = r"\partial z / \partial s = 1 - z^2"
    float_only = True

    def forward(ctx, s):
        z = xp.tanh(s)
        ctx.save_for_backward(z)  # keep the output: the derivative needs only z
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (1 - z * z)


def _sigmoid(s):
    """1 / (1 + e^-s) without overflow: e^-|s| is in (0, 1], so for s < 0 it is written
    e^s / (1 + e^s), which keeps full relative precision for very negative s."""
    e = xp.exp(-xp.abs(s))
    return xp.where(s >= 0, 1, e) / (1 + e)


class Sigmoid(Function):
    label = "sigmoid"
    rule = r"\partial z / \partial s = z (1 - z)"
    float_only = True

    def forward(ctx, s):
        z = _sigmoid(s)
        ctx.save_for_backward(z)  # keep the output: the derivative needs only z
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * z * (1 - z)


class Softplus(Function):
    label = "softplus"
    rule = r"\partial\,\mathrm{softplus}(s)/\partial s = \sigma(\beta s)\ (1 \text{ above the threshold})"
    float_only = True

    def forward(ctx, s, beta=1, threshold=20):
        bs = s * s.dtype.type(beta) if beta != 1 else s
        ctx.save_for_backward(bs)
        ctx.threshold = threshold
        # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for any x. Above the
        # threshold PyTorch returns the input itself (the difference is below rounding).
        soft = xp.maximum(bs, 0) + xp.log1p(xp.exp(-xp.abs(bs)))
        if beta != 1:
            soft /= s.dtype.type(beta)
        return xp.where(bs > threshold, s, soft)

    def backward(ctx, upstream):
        (bs,) = ctx.saved
        return xp.where(bs > ctx.threshold, upstream, upstream * _sigmoid(bs))


def relu(input):
    """max(s, 0) elementwise. d/ds = 1 where s > 0, else 0 (0 at s = 0, as PyTorch)."""
    return ReLU.apply(input)


def leaky_relu(input, negative_slope=0.01):
    """s where s > 0, else negative_slope * s. d/ds = 1 or negative_slope."""
    return LeakyReLU.apply(input, negative_slope=negative_slope)


def tanh(input):
    """Hyperbolic tangent, elementwise. d/ds tanh(s) = 1 - tanh(s)^2."""
    return Tanh.apply(input)


def sigmoid(input):
    """The logistic function 1 / (1 + e^-s), stable for large |s|. d/ds = z (1 - z)."""
    return Sigmoid.apply(input)


def softplus(input, beta=1, threshold=20):
    """log(1 + e^(beta s)) / beta, stable for large |s|; the identity where beta s >
    threshold (PyTorch's convention). d/ds = sigmoid(beta s)."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


__all__ = ["relu", "leaky_relu", "tanh", "sigmoid", "softplus"]
