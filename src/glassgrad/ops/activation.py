r"""Activations: relu leaky_relu tanh sigmoid softplus; below them gelu silu elu selu celu
logsigmoid softsign hardtanh relu6 hardsigmoid hardswish mish softmin prelu glu hardshrink
softshrink tanhshrink threshold (PyTorch's formulas and its derivative at each kink).

Each keeps exactly what its derivative needs: relu and leaky_relu a boolean mask
(computed once, used by forward and backward), tanh and sigmoid their output, softplus
its local derivative (computed from the exponential the forward needed anyway).

Speed note: np.where with a data-dependent mask costs a mispredicted branch per element
(about 10x a multiply on random signs), so masks are applied by multiplying, and a choice
between two values is written as the sum of two terms of which one is always 0 (exact).

softmax and log_softmax (along one dim) are here too:

    softmax(s)_i = e^{s_i} / \sum_j e^{s_j},      log_softmax(s)_i = s_i - \log \sum_j e^{s_j}

Both subtract the largest score first (the result is unchanged, and no exponent
overflows). Their backward passes are the Jacobian-vector products written out:
softmax's \bar s = z (\bar z - \sum_j \bar z_j z_j), log_softmax's
\bar s = \bar z - softmax(s) \sum_j \bar z_j.
"""

import math

from ..autograd.function import AlongDim, ElementwiseBinary, ElementwiseUnary
from ..backend import xp
from ._kernels.elementary import expm1_and_exp, log1p
from ._kernels.signs import keep_bits, where_kept
from ._kernels.windows import _data
from .arithmetic import neg as _neg, to as _to
from ._kernels.erf import erfc_array as _erfc_array
from .shape import reshape as _reshape

__all__ = [
    "relu", "leaky_relu", "tanh", "sigmoid", "softplus", "selu", "celu", "prelu",
    "hardshrink", "threshold", "softmax", "log_softmax",
]


class ReLU(ElementwiseUnary):
    label = "relu"
    rule = r"\partial\,\mathrm{relu}(s)/\partial s = [s > 0]"
    plain = "d/ds relu(s) = [s > 0]"
    form = ("relu({0})", r"\mathrm{{ReLU}}({0})")

    def forward(ctx, s):
        # max(s, 0) against a row of zeros: NumPy's maximum with a scalar takes a slow,
        # unvectorised loop here (128 x 256 float32: 42 us; against a broadcast row: 15 us).
        # The older s * [s > 0] was faster but wrong at s = -inf (-inf * 0 = nan; PyTorch
        # gives 0). A nan input stays nan and -0.0 stays -0.0 (NumPy returns the second
        # argument on a tie), both as in PyTorch.
        out = xp.maximum(xp.zeros(s.shape[-1:], s.dtype), s)
        # The mask for backward, kept as bool: multiplying by a float mask is faster, but
        # making one costs a pass more than it saves (measured, forward + backward,
        # float32: 128 x 256 35 -> 31 us, 128 x 32 x 24 x 24 9.7 -> 7.8 ms), and a bool
        # is a quarter of the memory. out != 0 is PyTorch's rule "not (out <= 0)": the
        # gradient passes where the input was positive or nan.
        ctx.save_for_backward(out != 0)
        return out

    def backward(ctx, upstream):
        (mask,) = ctx.saved
        return upstream * mask


def relu(input, inplace=False):
    """max(s, 0) elementwise. d/ds = 1 where s > 0, else 0 (0 at s = 0, as PyTorch).

    Values as PyTorch's at -inf (0), nan (nan, the gradient passes) and -0.0 (kept). The
    backward is upstream * mask, so a blocked place gets -0.0 for a negative upstream and
    nan for an inf one, where PyTorch writes 0 (see tests/ops/test_special_values.py).

    ``inplace=True`` writes the result into ``input`` and returns it, as in PyTorch (the
    same for every activation here that takes ``inplace``): the gradient is the same, and
    a node that saved ``input`` before (sigmoid keeps its output, for one) then refuses to
    run backward, because the version of ``input`` moved on."""
    if inplace:  # (not _maybe_in_place: relu is on every MLP's hot path, one call less)
        return input._unary_inplace(ReLU.apply)
    return ReLU.apply(input)


class LeakyReLU(ElementwiseUnary):
    label = "leaky_relu"
    rule = r"\partial\,\mathrm{leaky\_relu}(s)/\partial s = 1 \text{ if } s > 0 \text{ else } \alpha"
    plain = "d/ds leaky_relu(s) = 1 if s > 0 else alpha"
    form = ("leaky_relu({...})", r"\mathrm{leaky\_relu}({...})")
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


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """s where s > 0, else negative_slope * s. d/ds = 1 or negative_slope."""
    return _maybe_in_place(input, inplace,
                           lambda t: LeakyReLU.apply(t, negative_slope=negative_slope))


class Tanh(ElementwiseUnary):
    label = "tanh"
    rule = r"\partial z / \partial s = 1 - z^2"
    plain = "z = tanh(s), d z/d s = 1 - tanh(s)^2 = 1 - z^2"
    form = ("tanh({0})", r"\tanh {0}")
    float_only = True

    def forward(ctx, s):
        z = xp.tanh(s)
        ctx.save_for_backward(z)  # keep the output: the derivative needs only z
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (1 - z * z)


def tanh(input):
    """Hyperbolic tangent, elementwise. d/ds tanh(s) = 1 - tanh(s)^2."""
    return Tanh.apply(input)


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


class Sigmoid(ElementwiseUnary):
    label = "sigmoid"
    rule = r"\partial z / \partial s = z (1 - z)"
    plain = "z = sigma(s), d z/d s = sigma(s) (1 - sigma(s)) = z (1 - z)"
    form = ("sigmoid({0})", r"\sigma({0})")
    float_only = True

    def forward(ctx, s):
        z = _sigmoid(s)
        ctx.save_for_backward(z)  # keep the output: the derivative needs only z
        return z

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * z * (1 - z)


def sigmoid(input):
    """The logistic function 1 / (1 + e^-s), stable for large |s|. d/ds = z (1 - z)."""
    return Sigmoid.apply(input)


class Softplus(ElementwiseUnary):
    label = "softplus"
    rule = r"\partial\,\mathrm{softplus}(s)/\partial s = \sigma(\beta s)\ (1 \text{ above the threshold})"
    plain = "d/ds softplus(s) = d/ds log(1 + e^(beta s))/beta = sigma(beta s) (1 above the threshold)"
    form = ("softplus({...})", r"\mathrm{softplus}({...})")
    float_only = True

    def forward(ctx, s, beta=1, threshold=20):
        bs = s * s.dtype.type(beta) if beta != 1 else s
        # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): e^-|x| is in (0, 1], nothing overflows
        e = xp.exp(-xp.abs(bs))
        out = xp.maximum(bs, 0) + log1p(e)
        if beta != 1:
            out /= s.dtype.type(beta)
        above = bs > threshold  # PyTorch returns the input itself above the threshold
        if above.any():
            out = xp.where(above, s, out)
        if ctx.needs_input_grad[0]:
            # sigmoid(bs) = 1/(1 + e) for bs >= 0 and e/(1 + e) below: two exclusive terms
            positive = bs >= 0
            local = (positive + ~positive * e) / (1 + e)
            if above.any():
                local[above] = 1
            ctx.save_for_backward(local)
        return out

    def backward(ctx, upstream):
        (local,) = ctx.saved
        return upstream * local


def softplus(input, beta=1, threshold=20):
    """log(1 + e^(beta s)) / beta, stable for large |s|; the identity where beta s >
    threshold (PyTorch's convention). d/ds = sigmoid(beta s)."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def _maybe_in_place(input, inplace, outofplace):
    """``outofplace(input)``, or with ``inplace=True`` its result written into ``input``."""
    return input._unary_inplace(outofplace) if inplace else outofplace(input)


_SQRT_HALF = math.sqrt(0.5)


_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)  # the standard normal density at 0


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


_SELU_ALPHA = 1.6732632423543772848170429916717


_SELU_SCALE = 1.0507009873554804934193349852946


class GELU(ElementwiseUnary):
    label = "gelu"
    # (one rule for both forms: approximate='tanh' differentiates its own formula, with
    # t = tanh(sqrt(2/pi) (s + 0.044715 s^3)))
    rule = (r"\partial\,(s\,\Phi(s))/\partial s = \Phi(s) + s\,\varphi(s);\ "
            r"\text{tanh form: } \tfrac12 (1 + t) + \tfrac12 s\,(1 - t^2)\,"
            r"\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\, s^2)")
    plain = "d (s Phi(s))/d s = Phi(s) + s phi(s); tanh form: 1/2 (1 + t) + 1/2 s (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 s^2)"
    form = ("gelu({...})", r"\mathrm{gelu}({...})")
    float_only = True

    def forward(ctx, s, approximate="none"):
        if approximate == "none":
            # Phi(s) = erfc(-s/sqrt 2)/2: the same number as PyTorch's (1 + erf(s/sqrt 2))/2,
            # without its cancellation for s << 0 (gelu(-10) = -7.6e-23, PyTorch -0.0).
            cdf = _erfc_array(s * s.dtype.type(-_SQRT_HALF))
            cdf *= s.dtype.type(0.5)
            if ctx.needs_input_grad[0]:
                ctx.save_for_backward(s, cdf)
                ctx.approximate = approximate
            return s * cdf
        # tanh form: s/2 (1 + tanh(sqrt(2/pi) (s + 0.044715 s^3)))
        t = xp.tanh(s.dtype.type(_SQRT_2_OVER_PI) * (s + s.dtype.type(0.044715) * s * s * s))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(s, t)
            ctx.approximate = approximate
        return s.dtype.type(0.5) * s * (1 + t)

    def backward(ctx, upstream):
        s, c = ctx.saved
        if ctx.approximate == "none":
            pdf = xp.exp(s * s * s.dtype.type(-0.5)) * s.dtype.type(_INV_SQRT_2PI)
            return upstream * (c + s * pdf)  # local = Phi(s) + s phi(s)
        # PyTorch's derivative of the tanh form, term by term
        half = s.dtype.type(0.5)
        inner_slope = s.dtype.type(_SQRT_2_OVER_PI) * (1 + s.dtype.type(3 * 0.044715) * s * s)
        return upstream * (half * (1 + c) + half * s * (1 - c * c) * inner_slope)


def gelu(input, approximate="none"):
    """GELU(s) = s Phi(s), Phi the standard normal CDF = (1 + erf(s/sqrt 2))/2.
    d/ds = Phi(s) + s phi(s), phi(s) = e^{-s^2/2}/sqrt(2 pi).

    ``approximate='tanh'``: s/2 (1 + tanh(sqrt(2/pi) (s + 0.044715 s^3))), PyTorch's
    derivative of that formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(input, approximate=approximate)


class SiLU(ElementwiseUnary):
    label = "silu"
    rule = r"\partial\,(s\,\sigma(s))/\partial s = \sigma(s)\,(1 + s (1 - \sigma(s)))"
    plain = "d/ds (s sigma(s)) = sigma(s) (1 + s (1 - sigma(s)))"
    form = ("silu({...})", r"\mathrm{silu}({...})")
    float_only = True

    def forward(ctx, s):
        z = _sigmoid(s)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(s, z)
        return s * z

    def backward(ctx, upstream):
        s, z = ctx.saved
        return upstream * (z * (1 + s * (1 - z)))


def silu(input, inplace=False):
    """SiLU (swish): s sigma(s). d/ds = sigma(s) (1 + s (1 - sigma(s)))."""
    return _maybe_in_place(input, inplace, SiLU.apply)


def _elu(input, alpha, scale, input_scale, inplace):
    return _maybe_in_place(input, inplace, lambda t: ELU.apply(
        t, alpha=alpha, scale=scale, input_scale=input_scale))


class ELU(ElementwiseUnary):
    """PyTorch's one kernel behind elu, selu and celu: scale s above 0, and
    alpha scale (e^{input_scale s} - 1) at and below 0."""

    label = "elu"
    rule = (r"\partial\,\mathrm{elu}(s)/\partial s = \lambda \text{ if } s > 0 "
            r"\text{ else } \lambda\alpha\beta e^{\beta s}")
    plain = "d/ds elu(s) = lambda if s > 0 else lambda alpha beta e^(beta s)"
    form = ("elu({...})", r"\mathrm{elu}({...})")
    float_only = True

    def forward(ctx, s, alpha=1.0, scale=1.0, input_scale=1.0):
        dt = s.dtype.type
        # the exponential side sees beta min(s, 0): s > 0 gives 0 there, nothing overflows
        bs = xp.minimum(dt(0), s)
        if input_scale != 1:
            bs *= dt(input_scale)
        em1, e = expm1_and_exp(bs)  # e^{beta s} - 1 and e^{beta s}
        if ctx.needs_input_grad[0]:
            # lambda alpha beta e^{beta s} at and below 0 (the kink takes this side, as
            # PyTorch's), lambda above
            ctx.save_for_backward(xp.where(s <= 0, e * dt(input_scale * alpha * scale), dt(scale)))
        # lambda alpha (e^{beta s} - 1) + lambda max(s, 0): one of the two terms is 0
        return em1 * dt(alpha * scale) + xp.maximum(dt(0), s) * dt(scale)

    def backward(ctx, upstream):
        (local,) = ctx.saved
        return upstream * local


def elu(input, alpha=1.0, inplace=False):
    """ELU: s for s > 0, alpha (e^s - 1) for s <= 0. d/ds = 1 above 0, alpha e^s at and
    below 0 (so alpha at s = 0, PyTorch's choice)."""
    return _elu(input, alpha, 1.0, 1.0, inplace)


def selu(input, inplace=False):
    """SELU: scale (s for s > 0, alpha (e^s - 1) for s <= 0), with alpha = 1.6732632423543772
    and scale = 1.0507009873554805 (self-normalising constants). d/ds = scale above 0,
    scale alpha e^s at and below 0."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace)


def celu(input, alpha=1.0, inplace=False):
    """CELU: s for s > 0, alpha (e^{s/alpha} - 1) for s <= 0. d/ds = 1 above 0, e^{s/alpha}
    at and below 0. alpha must not be 0."""
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (CELU divides by it: alpha (e^{s/alpha} - 1))")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace)




class LogSigmoid(ElementwiseUnary):
    label = "logsigmoid"
    rule = r"\partial \log\sigma(s)/\partial s = 1 - \sigma(s) = \sigma(-s)"
    plain = "d/ds log sigma(s) = 1 - sigma(s) = sigma(-s)"
    form = ("logsigmoid({...})", r"\mathrm{logsigmoid}({...})")
    float_only = True

    def forward(ctx, s):
        # log sigma(s) = min(s, 0) - log(1 + e^{-|s|}): e^{-|s|} <= 1, nothing overflows
        e = xp.exp(-xp.abs(s))
        if ctx.needs_input_grad[0]:
            q = e / (1 + e)  # sigma(-|s|)
            # PyTorch's form: 1 - q below 0, q at and above 0
            ctx.save_for_backward(xp.where(s < 0, 1 - q, q))
        return xp.minimum(s, 0) - log1p(e)

    def backward(ctx, upstream):
        (local,) = ctx.saved
        return upstream * local


def logsigmoid(input):
    """log sigma(s) = -softplus(-s) = min(s, 0) - log(1 + e^{-|s|}), stable for every s.
    d/ds = 1 - sigma(s)."""
    return LogSigmoid.apply(input)


class Softsign(ElementwiseUnary):
    label = "softsign"
    rule = r"\partial\,\frac{s}{1+|s|}/\partial s = \frac{1}{(1+|s|)^2}"
    plain = "d/ds softsign(s) = d/ds s/(1 + |s|) = 1/(1 + |s|)^2"
    form = ("softsign({...})", r"\mathrm{softsign}({...})")
    float_only = True

    def forward(ctx, s):
        d = 1 + xp.abs(s)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(d)
        return s / d

    def backward(ctx, upstream):
        (d,) = ctx.saved
        return upstream / (d * d)


def softsign(input):
    """s / (1 + |s|). d/ds = 1 / (1 + |s|)^2."""
    return Softsign.apply(input)


class Hardtanh(ElementwiseUnary):
    label = "hardtanh"
    rule = r"\partial\,\mathrm{clip}(s, a, b)/\partial s = [a < s < b]"
    plain = "d/ds clip(s, a, b) = [a < s < b]"
    form = ("hardtanh({...})", r"\mathrm{hardtanh}({...})")
    float_only = True

    def forward(ctx, s, min_val=-1.0, max_val=1.0):
        lo, hi = s.dtype.type(min_val), s.dtype.type(max_val)
        if ctx.needs_input_grad[0]:
            # 0 at and beyond the bounds, 1 strictly inside and for nan (PyTorch)
            ctx.save_for_backward(keep_bits(~((s <= lo) | (s >= hi)), s.dtype))
        return xp.clip(s, lo, hi)  # keeps -0.0 and nan, as PyTorch

    def backward(ctx, upstream):
        (inside,) = ctx.saved
        return where_kept(upstream, inside)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clip(s, min_val, max_val). d/ds = 1 strictly between the bounds, 0 at and beyond them
    (PyTorch's convention)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _maybe_in_place(input, inplace,
                           lambda t: Hardtanh.apply(t, min_val=min_val, max_val=max_val))


def relu6(input, inplace=False):
    """min(max(s, 0), 6) = hardtanh(s, 0, 6). d/ds = 1 for 0 < s < 6, else 0."""
    return _maybe_in_place(input, inplace, lambda t: Hardtanh.apply(t, min_val=0.0, max_val=6.0))


class Hardsigmoid(ElementwiseUnary):
    label = "hardsigmoid"
    rule = r"\partial\,\mathrm{clip}(s/6 + 1/2, 0, 1)/\partial s = [-3 < s < 3]/6"
    plain = "d/ds clip(s/6 + 1/2, 0, 1) = 1/6 if -3 < s < 3, else 0"
    form = ("hardsigmoid({...})", r"\mathrm{hardsigmoid}({...})")
    float_only = True

    def forward(ctx, s):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(keep_bits((s > -3) & (s < 3), s.dtype))
        out = xp.clip(s + 3, 0, 6)
        out /= 6
        return out

    def backward(ctx, upstream):
        (inside,) = ctx.saved
        # 1/6 exactly (PyTorch multiplies by the float32 number 1/6 even in float64,
        # 3e-8 away; finite differences side with 1/6); +0.0 outside, as PyTorch
        return where_kept(upstream / 6, inside)


def hardsigmoid(input, inplace=False):
    """relu6(s + 3) / 6: 0 for s <= -3, 1 for s >= 3, s/6 + 1/2 between.
    d/ds = 1/6 for -3 < s < 3, else 0."""
    return _maybe_in_place(input, inplace, Hardsigmoid.apply)


class Hardswish(ElementwiseUnary):
    label = "hardswish"
    rule = r"\partial\,s\,\mathrm{relu6}(s+3)/6/\partial s = 0,\ s/3 + 1/2,\ 1"
    plain = "d/ds hardswish(s) = 0 if s < -3, s/3 + 1/2 if -3 <= s <= 3, 1 if s > 3"
    form = ("hardswish({...})", r"\mathrm{hardswish}({...})")
    float_only = True

    def forward(ctx, s):
        if ctx.needs_input_grad[0]:
            # PyTorch: 0 for s <= -3, s/3 + 1/2 for -3 < s < 3, 1 for s >= 3 (and nan)
            local = xp.where(s < 3, s / 3 + s.dtype.type(0.5), 1)
            ctx.save_for_backward(local, keep_bits(~(s <= -3), s.dtype))
        out = xp.clip(s + 3, 0, 6)
        out *= s
        out /= 6
        return out

    def backward(ctx, upstream):
        local, above = ctx.saved
        return where_kept(upstream * local, above)  # +0.0 at s <= -3, as PyTorch


def hardswish(input, inplace=False):
    """s relu6(s + 3) / 6: 0 for s <= -3, s for s >= 3, s (s + 3)/6 between.
    d/ds = 0 for s <= -3, s/3 + 1/2 for -3 < s < 3, 1 for s >= 3 (PyTorch's convention)."""
    return _maybe_in_place(input, inplace, Hardswish.apply)


class Mish(ElementwiseUnary):
    label = "mish"
    rule = (r"\partial\,s \tanh(\mathrm{sp}(s))/\partial s = \tanh(\mathrm{sp}(s)) "
            r"+ s\,\sigma(s)\,(1 - \tanh^2(\mathrm{sp}(s)))")
    plain = "d/ds s tanh(softplus(s)) = tanh(softplus(s)) + s sigma(s) (1 - tanh(softplus(s))^2)"
    form = ("mish({...})", r"\mathrm{mish}({...})")
    float_only = True

    def forward(ctx, s):
        # tanh(softplus(s)) = ((1+e^s)^2 - 1)/((1+e^s)^2 + 1), written with e = e^{-|s|} <= 1
        # so that nothing overflows and no digits cancel:
        #   s >= 0: (1 + 2e) / (1 + 2e + 2e^2);   s < 0: e(e+2) / (e(e+2) + 2)
        e = xp.exp(-xp.abs(s))
        positive = s >= 0
        num = xp.where(positive, 1 + 2 * e, e * (e + 2))
        t = num / (num + xp.where(positive, 2 * e * e, 2))
        if ctx.needs_input_grad[0]:
            sig = xp.where(positive, 1, e) / (1 + e)  # sigma(s)
            ctx.save_for_backward(t + s * sig * (1 - t * t))
        return s * t

    def backward(ctx, upstream):
        (local,) = ctx.saved
        return upstream * local


def mish(input, inplace=False):
    """s tanh(softplus(s)), computed without overflow for any s.
    d/ds = tanh(sp(s)) + s sigma(s) (1 - tanh(sp(s))^2)."""
    return _maybe_in_place(input, inplace, Mish.apply)


class PReLU(ElementwiseBinary):
    label = "prelu"
    rule = (r"\partial\,\mathrm{prelu}/\partial s = [s > 0] + a [s \le 0],\ "
            r"\partial\,\mathrm{prelu}/\partial a = s [s \le 0]")
    plain = "d/ds prelu(s, a) = [s > 0] + a [s <= 0], d/da prelu(s, a) = s [s <= 0]"
    form = ("prelu({...})", r"\mathrm{prelu}({...})")
    float_only = True

    def forward(ctx, s, a):
        positive = s > 0  # nan and 0 take the a side, as PyTorch
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(s, a, positive)
        return xp.where(positive, s, a * s)

    def backward(ctx, upstream):
        s, a, positive = ctx.saved
        grad_s = xp.where(positive, upstream, a * upstream) if ctx.needs_input_grad[0] else None
        # full-shape per-element gradient of a: the engine sums it over the broadcast dims
        grad_a = xp.where(positive, 0, s * upstream) if ctx.needs_input_grad[1] else None
        return grad_s, grad_a


def prelu(input, weight):
    """PReLU: s for s > 0, a s for s <= 0, with a learnable ``weight`` a: one number, or one
    per channel (dim 1 of the input). d/ds = 1 or a; d/da = s where s <= 0 (summed over
    everything a is shared by)."""
    from ..tensor import Tensor

    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError("prelu: input and weight must be Tensors, got "
                        f"{type(input).__name__} and {type(weight).__name__}")
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be a number or a 1-D tensor (one slope per "
                         f"channel), got a {weight.ndim}-D tensor of shape {tuple(weight.shape)}")
    if input.array.dtype != weight.array.dtype:
        raise TypeError(f"prelu: input ({input.array.dtype}) and weight ({weight.array.dtype}) "
                        "must have the same dtype")
    n = weight.array.size
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n == 1:
        slope = _reshape(weight, ())
    elif n == channels:
        slope = _reshape(weight, (n,) + (1,) * (input.ndim - 2))
    else:
        raise ValueError(f"prelu: weight has {n} slopes but the input of shape "
                         f"{tuple(input.shape)} has {channels} channel(s) (dim 1); expected "
                         f"1 or {channels} slopes")
    return PReLU.apply(input, slope)


class GLU(AlongDim):
    label = "glu"
    rule = (r"\partial\,(a\,\sigma(b))/\partial a = \sigma(b),\ "
            r"\partial\,(a\,\sigma(b))/\partial b = a\,\sigma(b)(1 - \sigma(b))")
    plain = "d/da (a sigma(b)) = sigma(b), d/db (a sigma(b)) = a sigma(b) (1 - sigma(b))"
    form = ("glu({...})", r"\mathrm{glu}({...})")
    float_only = True

    def forward(ctx, x, dim=-1):
        a, b = xp.split(x, 2, axis=dim)
        z = _sigmoid(b)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(a, z)
            ctx.dim = dim
        return a * z

    def backward(ctx, upstream):
        a, z = ctx.saved
        # PyTorch's order for b, (1 - z) z a g: the small factors first, so that a huge
        # a times g does not overflow where (1 - z) z would bring it back (or is 0)
        g_b = (1 - z) * z
        g_b *= a
        g_b *= upstream
        return xp.concatenate([upstream * z, g_b], axis=ctx.dim)


def glu(input, dim=-1):
    """Gated linear unit: split ``input`` in halves a, b along ``dim``; a sigma(b).
    d/da = sigma(b), d/db = a sigma(b) (1 - sigma(b))."""
    from ..tensor import Tensor

    shape = input.shape if isinstance(input, Tensor) else xp.shape(input)
    if len(shape) == 0:
        raise ValueError("glu: cannot halve a 0-d tensor (a scalar); give a tensor whose "
                         "size along dim is even")
    if not -len(shape) <= dim < len(shape):
        raise IndexError(f"glu: dim {dim} is out of range for a {len(shape)}-D tensor "
                         f"(expected a dim in [{-len(shape)}, {len(shape) - 1}])")
    dim %= len(shape)
    if shape[dim] % 2:
        raise ValueError(f"glu: the size of dim {dim} must be even to split it in halves, "
                         f"got {shape[dim]} (shape {tuple(shape)})")
    return GLU.apply(input, dim=dim)


# ---------------------------------------------------------------- shrinkage and threshold
class Hardshrink(ElementwiseUnary):
    label = "hardshrink"
    rule = r"\partial\,\mathrm{hardshrink}(s)/\partial s = [|s| > \lambda]"
    plain = "d/ds hardshrink(s) = [|s| > lambda]"
    form = ("hardshrink({...})", r"\mathrm{hardshrink}({...})")
    float_only = True

    def forward(ctx, s, lambd=0.5):
        lam = s.dtype.type(lambd)
        keep = ~((s >= -lam) & (s <= lam))  # PyTorch's test: nan is kept, +-lambda is not
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(keep_bits(keep, s.dtype))
        return xp.where(keep, s, s.dtype.type(0))

    def backward(ctx, upstream):
        (keep,) = ctx.saved
        return where_kept(upstream, keep)


def hardshrink(input, lambd=0.5):
    """s where |s| > lambd, else 0. d/ds = 1 where |s| > lambd, else 0 (0 at +-lambd)."""
    return Hardshrink.apply(input, lambd=lambd)


class Softshrink(ElementwiseUnary):
    label = "softshrink"
    rule = r"\partial\,\mathrm{softshrink}(s)/\partial s = [|s| > \lambda]"
    plain = "d/ds softshrink(s) = [|s| > lambda]"
    form = ("softshrink({...})", r"\mathrm{softshrink}({...})")
    float_only = True

    def forward(ctx, s, lambd=0.5):
        lam = s.dtype.type(lambd)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(keep_bits(~((s >= -lam) & (s <= lam)), s.dtype))
        # s - clip(s, -lambda, lambda) is s - lambda above, s + lambda below and 0 between;
        # copysign gives the 0 the sign of s, as PyTorch's s * 0 does
        return xp.copysign(s - xp.clip(s, -lam, lam), s)

    def backward(ctx, upstream):
        (keep,) = ctx.saved
        return where_kept(upstream, keep)


def softshrink(input, lambd=0.5):
    """s - lambd above lambd, s + lambd below -lambd, 0 between (lambd >= 0).
    d/ds = 1 where |s| > lambd, else 0 (0 at +-lambd)."""
    if not lambd >= 0:
        raise ValueError(f"softshrink: lambd must be >= 0 (the half-width of the zeroed "
                         f"band), got {lambd}")
    return Softshrink.apply(input, lambd=lambd)


class Tanhshrink(ElementwiseUnary):
    label = "tanhshrink"
    rule = r"\partial\,(s - \tanh s)/\partial s = \tanh^2 s"
    plain = "d/ds (s - tanh(s)) = tanh(s)^2"
    form = ("tanhshrink({...})", r"\mathrm{tanhshrink}({...})")
    float_only = True

    def forward(ctx, s):
        t = xp.tanh(s)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(t)
        return s - t

    def backward(ctx, upstream):
        (t,) = ctx.saved
        # + 0.0: where tanh(s)^2 is 0, PyTorch's g - g (1 - tanh^2) gives +0.0
        out = upstream * (t * t)
        out += 0
        return out


def tanhshrink(input):
    """s - tanh(s). d/ds = tanh(s)^2."""
    return Tanhshrink.apply(input)


class Threshold(ElementwiseUnary):
    label = "threshold"
    rule = r"\partial\,\mathrm{threshold}(s)/\partial s = [s > \theta]"
    plain = "d/ds threshold(s) = [s > theta]"
    form = ("threshold({...})", r"\mathrm{threshold}({...})")
    float_only = True

    def forward(ctx, s, threshold, value):
        below = s <= s.dtype.type(threshold)  # PyTorch's test: nan passes through
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(keep_bits(~below, s.dtype))
        return xp.where(below, s.dtype.type(value), s)

    def backward(ctx, upstream):
        (passed,) = ctx.saved
        return where_kept(upstream, passed)


def threshold(input, threshold, value, inplace=False):
    """s where s > threshold, else value. d/ds = 1 where s > threshold, else 0."""
    return _maybe_in_place(input, inplace,
                           lambda t: Threshold.apply(t, threshold=threshold, value=value))


# ---------------------------------------------------------------- the in-place spellings
# torch.nn.functional's names for inplace=True (reached as glassgrad.nn.functional.relu_ ...).
def relu_(input):
    """relu(input, inplace=True)."""
    return relu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu(input, negative_slope, inplace=True)."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    """elu(input, alpha, inplace=True)."""
    return elu(input, alpha, inplace=True)


def selu_(input):
    """selu(input, inplace=True)."""
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """celu(input, alpha, inplace=True)."""
    return celu(input, alpha, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh(input, min_val, max_val, inplace=True)."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold, value):
    """threshold(input, threshold, value, inplace=True)."""
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold  # (inside threshold_, the name threshold is the argument)


# ===================================================================== softmax
def _check_dim(dim, ndim, op):
    """Normalise a dim (negative allowed) or raise an IndexError naming the valid range."""
    if dim is None:
        raise TypeError(
            f"{op}() needs dim=: the axis along which the outputs sum to 1 "
            f"(for a batch of scores of shape (N, C), dim=1)"
        )
    if isinstance(dim, bool) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}(): dim {dim} is out of range for a {ndim}-D tensor "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return int(dim) % n


def _along(fn_class, input, dim, op):
    x = _data(input)
    dim = _check_dim(dim, x.ndim, op)
    if x.ndim == 0:  # one number (softmax 1, log_softmax 0): as a vector of length 1
        from .shape import reshape

        return reshape(fn_class.apply(reshape(input, (1,)), dim=0), ())
    return fn_class.apply(input, dim=dim)


class Softmax(AlongDim):
    label = "softmax"
    rule = r"\partial y_i/\partial x_j = y_i(\delta_{ij} - y_j)"
    plain = "y = softmax(x), d y_i/d x_j = y_i (delta_ij - y_j)"
    form = ("softmax({...})", r"\mathrm{softmax}({...})")
    float_only = True

    def forward(ctx, x, dim):
        # Subtracting the max changes nothing mathematically (e^{x-m}/sum e^{x-m}) but keeps
        # exp from overflowing: the largest exponent is e^0 = 1.
        y = x - x.max(axis=dim, keepdims=True)
        xp.exp(y, out=y)
        y /= xp.add.reduce(y, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)  # the Jacobian needs only the output
        return y

    def backward(ctx, upstream):
        (y,) = ctx.saved
        # sum_i g_i y_i (delta_ij - y_j) = y_j (g_j - sum_i g_i y_i), in this order (PyTorch's:
        # the same rounding, and the same zero signs where y_j = 0)
        return y * (upstream - xp.add.reduce(upstream * y, axis=ctx.dim, keepdims=True))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim`` (computed as exp(x_i - max)).
    ``dtype``: the input is cast to it first, as in PyTorch.

    Backward with the saved output y: dL/dx = y * (g - sum(g * y)).
    """
    if dtype is not None:
        input = input.to(dtype)
    return _along(Softmax, input, dim, "softmax")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmin(s) = softmax(-s) along ``dim``: e^{-s_i} / sum_j e^{-s_j}.
    Composed of neg and softmax, whose backward is exact; ``dtype`` casts the input first."""
    if dtype is not None:
        input = _to(input, dtype)
    return _along(Softmax, _neg(input), dim, "softmin")


class LogSoftmax(AlongDim):
    label = "log_softmax"
    rule = r"\partial y_i/\partial x_j = \delta_{ij} - \mathrm{softmax}(x)_j"
    plain = "y = log_softmax(x), d y_i/d x_j = delta_ij - softmax(x)_j"
    form = ("log_softmax({...})", r"\mathrm{log\_softmax}({...})")
    float_only = True

    def forward(ctx, x, dim):
        y = x - x.max(axis=dim, keepdims=True)
        y -= xp.log(xp.add.reduce(xp.exp(y), axis=dim, keepdims=True))  # log sum exp, stable
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    def backward(ctx, upstream):
        (y,) = ctx.saved
        # sum_i g_i (delta_ij - softmax_j) = g_j - softmax_j sum_i g_i, and softmax = e^y
        return upstream - xp.exp(y) * xp.add.reduce(upstream, axis=ctx.dim, keepdims=True)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log_softmax(x)_i = x_i - log sum_j exp(x_j) along ``dim`` (stable: max subtracted).
    ``dtype``: the input is cast to it first, as in PyTorch.

    Backward with the saved output y: dL/dx = g - exp(y) * sum(g).
    """
    if dtype is not None:
        input = input.to(dtype)
    return _along(LogSoftmax, input, dim, "log_softmax")
