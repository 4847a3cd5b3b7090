"""Activation layers: ReLU, LeakyReLU, Tanh, Sigmoid, Softplus, Softmax, LogSoftmax.

Each is a Module around one op (``F.relu`` ... in ``glassgrad.nn.functional``), without weights, so that it
can sit in a Sequential; the local derivative each op multiplies by is in the docstring.
"""

import warnings

from ..ops.activation import leaky_relu, relu, sigmoid, softplus, tanh
from ..ops.nn import log_softmax, softmax
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """relu(s) = max(s, 0); derivative 1 where s > 0, else 0 (no vanishing for s > 0).

    ``inplace=True`` is accepted for PyTorch compatibility; the result (and gradient) is
    the same, computed out of place.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """leaky_relu(s) = s if s > 0 else negative_slope * s; derivative 1 or negative_slope."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return leaky_relu(input, self.negative_slope)

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
