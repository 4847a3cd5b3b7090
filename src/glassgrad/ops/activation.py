"""Activations: relu leaky_relu tanh sigmoid softplus.

Each keeps exactly what its derivative needs: relu and leaky_relu a boolean mask
(computed once, used by forward and backward), tanh and sigmoid their output, softplus
its local derivative (computed from the exponential the forward needed anyway).

Speed note: np.where with a data-dependent mask costs a mispredicted branch per element
(about 10x a multiply on random signs), so masks are applied by multiplying, and a choice
between two values is written as the sum of two terms of which one is always 0 (exact).
"""

from ..autograd.function import Function
from ..backend import xp


class ReLU(Function):
    label = "relu"
    rule = r"\partial\,\mathrm{relu}(s)/\partial s = [s > 0]"

    def forward(ctx, s):
        # max(s, 0) against a row of zeros: NumPy's maximum with a scalar takes a slow,
        # unvectorised loop here (128 x 256 float32: 42 us; against a broadcast row: 15 us).
        # The older s * [s > 0] was faster but wrong at s = -inf (-inf * 0 = nan; PyTorch
        # gives 0). A nan input stays nan and -0.0 stays -0.0 (NumPy returns the second
        # argument on a tie), both as in PyTorch.
        out = xp.maximum(xp.zeros(s.shape[-1:], s.dtype), s)
        # The mask for backward, 1.0/0.0 in the input's dtype (multiplying by a float array
        # is twice as fast as by a bool one). out != 0 is PyTorch's rule "not (out <= 0)":
        # the gradient passes where the input was positive or nan.
        mask = (out != 0).astype(s.dtype)
        ctx.save_for_backward(mask)
        return out

    def backward(ctx, upstream):
        (mask,) = ctx.saved
        return upstream * mask


class LeakyReLU(Function):
    label = "leaky_relu"
    rule = r"\partial\,\mathrm{leaky\_relu}(s)/\partial s = 1 \text{ if } s > 0 \text{ else } \alpha"
    float_only = True

    def forward(ctx, s, negative_slope=0.01):
        slope = s.dtype.type(negative_slope)
        ctx.slope = slope
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(s > 0)
        # max(s, slope s) is s for s > 0 and slope s below, for any slope <= 1 (min for a
        # slope above 1): two fast passes, exact, and no np.where (a data-dependent
        # branch per element, slow on random signs).
        return (xp.maximum if slope <= 1 else xp.minimum)(s, s * slope)

    def backward(ctx, upstream):
        (positive,) = ctx.saved
        # local = 1 where s > 0, else slope; written as a sum of two exclusive terms
        local = positive + ~positive * ctx.slope
        return upstream * local


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
    """1 / (1 + e^-s) in four passes. Exact to rounding for every s: for very negative s,
    e^-s is huge but exact in relative terms, and its reciprocal keeps all the digits;
    where e^-s overflows to inf the result is 0, as the true value is below the smallest
    normal number (PyTorch gives the same 0)."""
    z = xp.negative(s, out=xp.empty_like(s))  # out=: a 0-d input stays an array
    with xp.errstate(over="ignore"):
        xp.exp(z, out=z)
    z += 1
    return xp.reciprocal(z, out=z)


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
        # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^-|x| is in (0, 1], so nothing
        # overflows for any x. log1p(e) is computed as e * log(u) / (u - 1), u = 1 + e
        # (exact to a few ulps, Goldberg 1991), because NumPy's log1p has no vector
        # implementation and costs several times an exp + a log; where u rounds to 1,
        # log1p(e) = e and the ratio is taken as 1.
        e = xp.exp(-xp.abs(bs))
        u = 1 + e
        d = u - 1
        exact = d == 0
        ratio = xp.log(u) / (d + exact) + exact
        out = xp.maximum(bs, 0) + e * ratio
        if beta != 1:
            out /= s.dtype.type(beta)
        above = bs > threshold  # PyTorch returns the input itself above the threshold
        if above.any():
            out = xp.where(above, s, out)
        if ctx.needs_input_grad[0]:
            # sigmoid(bs) = 1/u for bs >= 0 and e/u below: two exclusive terms, no branch
            positive = bs >= 0
            local = (positive + ~positive * e) / u
            if above.any():
                local[above] = 1
            ctx.save_for_backward(local)
        return out

    def backward(ctx, upstream):
        (local,) = ctx.saved
        return upstream * local


def relu(input):
    """max(s, 0) elementwise. d/ds = 1 where s > 0, else 0 (0 at s = 0, as PyTorch).

    Computed as s * [s > 0] (the fastest form, and the mask is what backward needs), so
    relu(-inf) is nan here where PyTorch gives 0."""
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
