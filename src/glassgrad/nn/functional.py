"""``glassgrad.nn.functional``: the ops under the names PyTorch users type (``F.relu``,
``F.cross_entropy``, ``F.conv2d``, ...). Thin re-exports only; every op, with its forward
and backward, lives in ``glassgrad.ops``.

    import glassgrad.nn.functional as F
    loss = F.cross_entropy(F.linear(F.relu(x), w), y)
"""

from ..ops.nn import (  # noqa: F401
    avg_pool2d, conv2d, cross_entropy, dropout, log_softmax, max_pool2d, nll_loss, softmax,
)

__all__ = [
    "softmax", "log_softmax", "cross_entropy", "nll_loss", "dropout", "conv2d",
    "max_pool2d", "avg_pool2d",
]

# The losses that are not softmax-based live in nn/loss.py (each also a Module there).
from .loss import (  # noqa: F401,E402
    binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss, multi_margin_loss,
    softmax_hinge_loss, squared_error,
)

__all__ += [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "multi_margin_loss",
    "softmax_hinge_loss", "squared_error",
]
