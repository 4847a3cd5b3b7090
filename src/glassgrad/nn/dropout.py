"""Dropout layers: Dropout (single elements) and Dropout2d (whole channels). Active in
training mode only; in eval mode they pass the input through.
"""

from ..ops.stochastic import dropout, dropout2d
from .module import Module

__all__ = [
    "Dropout", "Dropout2d",
]


class _DropoutNd(Module):
    """The constructor (p checked, inplace kept) and repr of Dropout and Dropout2d, as
    PyTorch's _DropoutNd."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""Inverted dropout: in training, zero each element with probability p and scale the
    survivors by 1 / (1 - p), so the expected output equals the input; in eval mode
    (``model.eval()``), the identity.

    y_i = 0 with probability p, else x_i / (1 - p)   (seed 002, with theta = p)

    The gradient is the same mask and scale: dy_i/dx_i = m_i / (1 - p). ``inplace=True``
    writes the result into the input and returns it, as in PyTorch.
    """

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""Channel-wise dropout for (N, C, H, W) (or (N, C, L)) inputs: in training, each
    channel of each sample is zeroed with probability p, the kept ones scaled by 1/(1-p);
    in eval mode, the identity. See ``glassgrad.ops.stochastic``."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)
