r"""Channel-wise dropout: dropout2d zeroes whole feature maps, not single pixels.

Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
regularises little; dropout2d drops a whole channel of a sample at once (Tompson et al.,
2015). One Bernoulli draw per (sample, channel), broadcast over the positions:

    y_{n,c,\dots} = x_{n,c,\dots} \cdot m_{n,c} / (1 - p),   m_{n,c} \sim \mathrm{Bernoulli}(1 - p)

and the local derivative is the same scaled mask, \partial y / \partial x = m_{n,c}/(1-p).
"""

from ..backend import xp
from ..tensor import Tensor
from .nn import Dropout

__all__ = []  # torch has no top-level dropout2d: the name lives in glassgrad.nn.functional


class ChannelDropout(Dropout):
    """Dropout's forward and backward with a mask of shape (N, C, 1, ...): the same scaled
    mask for every position of a channel, so the gradient is that mask too."""

    label = "dropout2d"
    rule = r"y = x \cdot m_{nc}/(1-p),\ m_{nc} \sim \mathrm{Bernoulli}(1-p),\ \partial y/\partial x = m_{nc}/(1-p)"


def dropout2d(input, p=0.5, training=True, inplace=False):
    r"""Zero each channel of each sample with probability ``p`` and scale the kept ones by
    1/(1-p) (E[output] = input). Input (N, C, H, W), or (N, C, L) (as PyTorch, a 3-D input
    is read as a batch of 1-D feature maps). ``training=False`` returns ``input``.
    ``inplace=True`` writes the result into ``input`` and returns it (the same mask).
    The mask comes from the global generator (``glassgrad.manual_seed``).
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, xp.floating, xp.integer)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout2d: input must be a glassgrad Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 4-D (N, C, H, W) or 3-D (N, C, L) input, got "
                         f"shape {tuple(input.shape)}")
    if not training or p == 0:
        return input
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)  # one draw per (sample, channel)
    if inplace:
        return input._unary_inplace(
            lambda t: ChannelDropout.apply(t, float(p), mask_shape=mask_shape))
    return ChannelDropout.apply(input, float(p), mask_shape=mask_shape)
