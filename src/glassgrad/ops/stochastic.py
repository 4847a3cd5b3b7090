r"""Stochastic ops, dropout: each element (dropout) or each whole channel (dropout2d) is zeroed with
probability p during training, and the survivors are scaled by 1 / (1 - p), so that the
expected output is the input:

    y = x \cdot m / (1 - p),   m \sim \mathrm{Bernoulli}(1 - p),   \partial y / \partial x = m / (1 - p)

Channel-wise dropout (dropout2d) draws one mask value per (sample, channel), broadcast
over the positions: neighbouring pixels of a feature map are strongly correlated, so
dropping single pixels regularises little (Tompson et al., 2015).
"""

import warnings

from .. import backend
from ..autograd.function import ElementwiseUnary
from ..backend import xp
from ..tensor import Tensor

__all__ = [
    "dropout",
]


# ===================================================================== dropout
class Dropout(ElementwiseUnary):
    label = "dropout"
    rule = r"y = x \cdot m/(1-p),\ m \sim \mathrm{Bernoulli}(1-p),\ \partial y/\partial x = m/(1-p)"
    plain = "y = x * m/(1-p), m ~ Bernoulli(1-p), d y/d x = m/(1-p)"
    form = ("dropout({...})", r"\mathrm{dropout}({...})")
    float_only = True

    def forward(ctx, x, p, mask_shape=None):
        # mask_shape: one draw per unit by default; dropout2d (ChannelDropout) passes
        # (N, C, 1, ...) for one draw per channel, broadcast over the positions.
        shape = x.shape if mask_shape is None else mask_shape
        if p == 1:  # nothing kept (1/(1-p) would be inf): the output and gradient are 0
            scaled_mask = xp.zeros(shape, dtype=x.dtype)
        else:
            # Inverted dropout: scale the kept units by 1/(1-p) now, so that the expected
            # activation is unchanged and evaluation needs no rescaling.
            draws = x.dtype if x.dtype in (backend.float32, backend.float64) else backend.float32
            keep = backend.rng().random(shape, dtype=draws) >= p
            scaled_mask = keep.astype(x.dtype)
            scaled_mask *= x.dtype.type(1.0 / (1.0 - p))
        ctx.save_for_backward(scaled_mask)
        return x * scaled_mask

    def backward(ctx, upstream):
        (scaled_mask,) = ctx.saved
        return upstream * scaled_mask  # a dropped unit (or channel) passes no gradient


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: zero each element with probability ``p`` and scale the kept ones
    by 1/(1-p), so E[output] = input. ``training=False`` returns ``input`` unchanged.
    ``inplace=True`` writes the result into ``input`` and returns it (the same mask).

    The mask comes from the global generator (``glassgrad.manual_seed``), so restoring the
    RNG state (as ``glassgrad.utils.checkpoint`` does) reproduces the same mask.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, xp.floating, xp.integer)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if inplace:
        return input._unary_inplace(lambda t: Dropout.apply(t, float(p)))
    return Dropout.apply(input, float(p))


class ChannelDropout(Dropout):
    """Dropout's forward and backward with a mask of shape (N, C, 1, ...): the same scaled
    mask for every position of a channel, so the gradient is that mask too."""

    label = "dropout2d"
    rule = r"y = x \cdot m_{nc}/(1-p),\ m_{nc} \sim \mathrm{Bernoulli}(1-p),\ \partial y/\partial x = m_{nc}/(1-p)"
    plain = "y = x * m_nc/(1-p), m_nc ~ Bernoulli(1-p), d y/d x = m_nc/(1-p)"
    form = ("dropout2d({...})", r"\mathrm{dropout2d}({...})")


def dropout2d(input, p=0.5, training=True, inplace=False):
    r"""Zero each channel of each sample with probability ``p`` and scale the kept ones by
    1/(1-p) (E[output] = input). Input (N, C, H, W), or (N, C, L) (as PyTorch, a 3-D input
    is read as a batch of 1-D feature maps). Other ranks run as in PyTorch, with its warning:
    a 2-D (N, C) input gets one draw per entry. ``training=False`` returns ``input``.
    ``inplace=True`` writes the result into ``input`` and returns it (the same mask).
    The mask comes from the global generator (``glassgrad.manual_seed``).
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, xp.floating, xp.integer)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout2d: input must be a glassgrad Tensor, got {type(input).__name__}")
    _warn_like_torch(input.ndim)
    if not training or p == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)  # one draw per (sample, channel)
    if inplace:
        return input._unary_inplace(
            lambda t: ChannelDropout.apply(t, float(p), mask_shape=mask_shape))
    return ChannelDropout.apply(input, float(p), mask_shape=mask_shape)


def _warn_like_torch(ndim):
    """PyTorch runs dropout2d on any input of 2 or more dimensions (the mask is (N, C, 1, ...),
    so a 2-D input gets element-wise dropout) but warns, in its words, outside 4-D."""
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=3)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=3)
