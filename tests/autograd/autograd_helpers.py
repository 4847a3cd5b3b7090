"""Small ops written out in the tests, so the engine tests need only the core ops."""

import numpy as np

from glassgrad import backend
from glassgrad.autograd import Function


class Tanh(Function):
    label = "tanh"

    def forward(ctx, s):
        z = np.tanh(s)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (1 - z * z)


class RandomScale(Function):
    """x * r with r ~ U[0, 1) drawn from glassgrad's global RNG: a stand-in for dropout."""

    label = "random_scale"

    def forward(ctx, x):
        r = backend.rng().random(x.shape).astype(x.dtype)
        ctx.save_for_backward(r)
        return x * r

    def backward(ctx, upstream):
        (r,) = ctx.saved
        return upstream * r


def tanh(x):
    return Tanh.apply(x)


def random_scale(x):
    return RandomScale.apply(x)
