"""``glassgrad.nn.functional``: the ops under the names PyTorch users type (``F.relu``,
``F.cross_entropy``, ``F.conv2d``, ...). Thin re-exports only: every op, with its forward
and backward, lives in ``glassgrad.ops`` (the losses in ``glassgrad.ops.loss``).

    import glassgrad.nn.functional as F
    loss = F.cross_entropy(F.linear(F.relu(x), w), y)
"""

from ..ops.activation import leaky_relu, relu, sigmoid, softplus, tanh  # noqa: F401
from ..ops.activation import (  # noqa: F401
    celu, elu, gelu, glu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, prelu, relu6, selu,
    silu, softmin, softsign,
)
from ..ops.activation import hardshrink, softshrink, tanhshrink, threshold  # noqa: F401
from ..ops.activation import (  # noqa: F401  (inplace=True under torch's names)
    celu_, elu_, hardtanh_, leaky_relu_, relu_, selu_, threshold_,
)
from ..ops.linalg import linear  # noqa: F401
from ..ops.activation import log_softmax, softmax  # noqa: F401
from ..ops.stochastic import dropout, dropout2d  # noqa: F401
from ..ops.convolution import conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold  # noqa: F401
from ..ops.pooling import (  # noqa: F401
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
    interpolate, max_pool1d, max_pool2d,
)
from ..ops.shape import pad  # noqa: F401
from ..ops.normalization import batch_norm, cosine_similarity, group_norm, layer_norm, normalize, pairwise_distance  # noqa: F401,E402
from ..ops.normalization import instance_norm, rms_norm  # noqa: F401,E402
from ..ops.lookup import embedding, one_hot  # noqa: F401,E402
from ..ops.loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss, cross_entropy,
    gaussian_nll_loss, huber_loss, kl_div, l1_loss, mse_loss, multi_margin_loss, nll_loss,
    smooth_l1_loss, soft_margin_loss, softmax_hinge_loss, squared_error,
)

__all__ = [
    # activations and layers
    "relu", "leaky_relu", "tanh", "sigmoid", "softplus", "linear", "pad",
    # nn ops
    "softmax", "log_softmax", "cross_entropy", "nll_loss", "dropout", "conv2d",
    "max_pool2d", "avg_pool2d",
    # convolution and pooling (ops/convolution.py, ops/pooling.py)
    "conv1d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "avg_pool1d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate",
    "unfold", "fold",
    # losses (ops/loss.py)
    "squared_error", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "multi_margin_loss", "softmax_hinge_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "soft_margin_loss", "cosine_embedding_loss",
    "gaussian_nll_loss",
]
__all__ += ["batch_norm", "layer_norm", "group_norm", "normalize", "cosine_similarity", "embedding", "one_hot", "dropout2d"]  # normalization / embedding family
__all__ += ["gelu", "silu", "elu", "selu", "celu", "logsigmoid", "softsign", "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish", "softmin", "prelu", "glu", "hardshrink", "softshrink", "tanhshrink", "threshold"]  # activations family
__all__ += ["relu_", "leaky_relu_", "elu_", "selu_", "celu_", "hardtanh_", "threshold_"]  # in-place
__all__ += ["pairwise_distance"]
__all__ += ["instance_norm", "rms_norm"]
from ..ops.attention import scaled_dot_product_attention  # noqa: F401,E402
__all__ += ["scaled_dot_product_attention"]  # attention (ops/attention.py)
from ..ops.shape import pixel_shuffle, pixel_unshuffle  # noqa: F401,E402
from ..ops.linalg import bilinear  # noqa: F401,E402
from ..ops.loss import hinge_embedding_loss, margin_ranking_loss, triplet_margin_loss  # noqa: F401,E402
__all__ += ["pixel_shuffle", "pixel_unshuffle", "bilinear", "hinge_embedding_loss",
            "margin_ranking_loss", "triplet_margin_loss"]
from .attention import multi_head_attention_forward  # noqa: F401,E402
__all__ += ["multi_head_attention_forward"]
