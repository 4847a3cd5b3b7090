"""Activation layers: ReLU LeakyReLU Tanh Sigmoid Softplus Softmax LogSoftmax Softmax2d GELU
SiLU ELU SELU CELU LogSigmoid Softsign Hardtanh ReLU6 Hardsigmoid Hardswish Mish Softmin
PReLU (the one with a weight) GLU Hardshrink Softshrink Tanhshrink Threshold.

Each is a Module around one op (``F.relu`` ... in ``glassgrad.nn.functional``), without
weights (but PReLU), so that it can sit in a Sequential; the local derivative each op
multiplies by is in the op's class (``glassgrad.ops.activation``).
"""

import warnings

from ..backend import xp
from ..ops.activation import (
    celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leaky_relu, logsigmoid,
    mish, prelu, relu, relu6, selu, sigmoid, silu, softmin, softplus, softshrink, softsign, tanh,
    tanhshrink, threshold,
)
from ..ops.activation import log_softmax, softmax
from ._layer_setup import _float_dtype
from .init import constant_
from .module import Module, Parameter

__all__ = [
    "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "LogSoftmax",
    "Softmax2d", "GELU", "SiLU", "ELU", "SELU", "CELU", "LogSigmoid", "Softsign",
    "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Mish", "Softmin", "PReLU", "GLU",
    "Hardshrink", "Softshrink", "Tanhshrink", "Threshold",
]


class ReLU(Module):
    """relu(s) = max(s, 0); derivative 1 where s > 0, else 0 (no vanishing for s > 0).

    ``inplace=True`` writes the result into the input and returns it, as in PyTorch (so do
    the other activations that take ``inplace``): the same values and gradient, and a node
    that saved the input (sigmoid keeps its output) then refuses to run backward.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return relu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """leaky_relu(s) = s if s > 0 else negative_slope * s; derivative 1 or negative_slope."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Tanh(Module):
    """tanh(s); derivative 1 - tanh(s)^2 = 1 - z^2, read off the output z."""

    def forward(self, input):
        return tanh(input)


class Sigmoid(Module):
    """sigmoid(s) = 1 / (1 + e^{-s}); derivative z (1 - z), read off the output z."""

    def forward(self, input):
        return sigmoid(input)


class Softplus(Module):
    """softplus(s) = log(1 + e^{beta s}) / beta, linear where beta s > threshold;
    derivative sigmoid(beta s)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


def _legacy_softmax_dim(name, ndim):
    # PyTorch's rule when dim is not given: 0 for 0-, 1- and 3-d inputs, else 1. It warns,
    # and so do we: the class axis should be said, not guessed.
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    r"""softmax(s)_i = e^{s_i} / \sum_j e^{s_j} along ``dim``: positive, sums to 1.

    Jacobian: \partial p_i / \partial s_k = p_i (\delta_{ik} - p_k).
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        dim = self.dim if self.dim is not None else _legacy_softmax_dim("softmax", input.ndim)
        return softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    r"""log_softmax(s)_i = s_i - \log \sum_j e^{s_j} along ``dim`` (computed stably).

    Jacobian: \partial y_i / \partial s_k = \delta_{ik} - p_k with p = softmax(s).
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        dim = self.dim if self.dim is not None else _legacy_softmax_dim("log_softmax", input.ndim)
        return log_softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels at every pixel: dim -3 of (N, C, H, W) or (C, H, W)."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D or 4-D input, got shape "
                             f"{tuple(input.shape)}")
        return softmax(input, -3)


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


class GELU(Module):
    """gelu(s) = s Phi(s) (Phi: the standard normal CDF), or its tanh approximation with
    ``approximate='tanh'``; derivative Phi(s) + s phi(s)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """silu(s) = s sigma(s) (swish); derivative sigma(s) (1 + s (1 - sigma(s)))."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return silu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class ELU(Module):
    """elu(s) = s above 0, alpha (e^s - 1) at and below; derivative 1 or alpha e^s."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(Module):
    """selu(s) = scale * elu(s, alpha) with the self-normalising alpha = 1.6733 and
    scale = 1.0507; derivative scale or scale alpha e^s."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return selu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class CELU(Module):
    """celu(s) = s above 0, alpha (e^{s/alpha} - 1) at and below; derivative 1 or e^{s/alpha}."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class LogSigmoid(Module):
    """log sigma(s) = -softplus(-s), stable for every s; derivative 1 - sigma(s)."""

    def forward(self, input):
        return logsigmoid(input)


class Softsign(Module):
    """s / (1 + |s|); derivative 1 / (1 + |s|)^2."""

    def forward(self, input):
        return softsign(input)


class Hardtanh(Module):
    """clip(s, min_val, max_val); derivative 1 strictly inside, 0 at and beyond the bounds."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if not max_val > min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val "
                             f"({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class ReLU6(Hardtanh):
    """min(max(s, 0), 6); derivative 1 for 0 < s < 6, else 0."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input):
        return relu6(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Hardsigmoid(Module):
    """relu6(s + 3) / 6; derivative 1/6 for -3 < s < 3, else 0."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """s relu6(s + 3) / 6; derivative 0, s/3 + 1/2, 1 (below -3, between, from 3 on)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return hardswish(input, self.inplace)


class Mish(Module):
    """s tanh(softplus(s)); derivative tanh(sp(s)) + s sigma(s) (1 - tanh(sp(s))^2)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return mish(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Softmin(Module):
    r"""softmin(s) = softmax(-s) along ``dim``: e^{-s_i} / \sum_j e^{-s_j}."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        dim = self.dim if self.dim is not None else _legacy_softmax_dim("softmin", input.ndim)
        return softmin(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """prelu(s) = s above 0, a s at and below, with a learnable slope ``weight`` a: one
    shared number (num_parameters=1) or one per channel (dim 1 of the input), each
    initialised to ``init``. d/da = s where s <= 0, summed over what shares a."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()

        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int (1, or the number "
                             f"of channels), got {num_parameters!r}")
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(xp.full((num_parameters,), init, dtype=_float_dtype(dtype, "PReLU")))

    def reset_parameters(self):

        constant_(self.weight, self.init)

    def forward(self, input):
        return prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """glu(s) = a sigma(b), a and b the two halves of s along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Hardshrink(Module):
    """s where |s| > lambd, else 0; derivative 1 outside the band, 0 in it (and at +-lambd)."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Module):
    """s -+ lambd outside the band [-lambd, lambd], 0 in it; derivative 1 outside, 0 in it."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Tanhshrink(Module):
    """s - tanh(s); derivative tanh(s)^2."""

    def forward(self, input):
        return tanhshrink(input)


class Threshold(Module):
    """s where s > threshold, else value; derivative 1 above the threshold, else 0."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))
