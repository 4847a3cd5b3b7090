"""Loss Modules: each holds its settings (``reduction``, a class ``weight`` ...) and calls
one loss function of ``glassgrad.ops.loss``, where the fused forward and closed-form
backward of every loss live (the table of local derivatives is in that module's docstring).
"""

from ..ops.loss import (
    _KL_REDUCTIONS, _check_reduction, _check_tensor, _check_threshold, binary_cross_entropy, binary_cross_entropy_with_logits,
    cosine_embedding_loss, cross_entropy, gaussian_nll_loss, huber_loss, kl_div, l1_loss,
    mse_loss, multi_margin_loss, nll_loss, smooth_l1_loss, soft_margin_loss, softmax_hinge_loss,
    squared_error,
)
from .module import Module

__all__ = [
    "SquaredError", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "MultiMarginLoss", "SoftmaxHingeLoss", "L1Loss", "SmoothL1Loss",
    "HuberLoss", "KLDivLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "GaussianNLLLoss",
]


# ---------------------------------------------------------------------- Modules
class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        _check_tensor(type(self).__name__, "weight", weight, optional=True)
        self.register_buffer("weight", weight)  # a buffer, as in PyTorch: saved, not trained


class SquaredError(_Loss):
    __doc__ = "Module form of :func:`squared_error`: " + squared_error.__doc__

    def __init__(self, reduction="sum"):
        super().__init__(reduction)

    def forward(self, input, target):
        return squared_error(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    __doc__ = "Module form of :func:`mse_loss`: " + mse_loss.__doc__

    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    r"""Softmax + cross-entropy in one fused op: -\log softmax(z)_y, or -\sum_k y_k \log softmax(z)_k
    for probability / one-hot targets. Its gradient is softmax(z) - y (seeds 001, 004).

    Targets are class indices (N,) or probabilities (N, C); ``ignore_index`` skips index
    targets, ``label_smoothing`` mixes the target with the uniform distribution.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return cross_entropy(
            input, target, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood of log-probabilities: -w_y \log p_y (use after LogSoftmax)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    __doc__ = "Module form of :func:`binary_cross_entropy`: " + binary_cross_entropy.__doc__

    def forward(self, input, target):
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    __doc__ = "Module form of :func:`binary_cross_entropy_with_logits`: " + binary_cross_entropy_with_logits.__doc__

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        _check_tensor("BCEWithLogitsLoss", "weight", weight, optional=True)
        _check_tensor("BCEWithLogitsLoss", "pos_weight", pos_weight, optional=True)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class MultiMarginLoss(_WeightedLoss):
    __doc__ = "Module form of :func:`multi_margin_loss`: " + multi_margin_loss.__doc__

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got p={p}")
        super().__init__(weight, reduction)
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                 reduction=self.reduction)


class SoftmaxHingeLoss(_Loss):
    __doc__ = "Module form of :func:`softmax_hinge_loss`: " + softmax_hinge_loss.__doc__

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input, target):
        return softmax_hinge_loss(input, target, margin=self.margin, reduction=self.reduction)


# ---------------------------------------------------------------------- robust regression, KL, soft margin, cosine embedding, Gaussian NLL
class L1Loss(_Loss):
    __doc__ = "Module form of :func:`l1_loss`: " + l1_loss.__doc__

    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    __doc__ = "Module form of :func:`smooth_l1_loss`: " + smooth_l1_loss.__doc__

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        _check_threshold("SmoothL1Loss", "beta", beta, allow_zero=True)
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    __doc__ = "Module form of :func:`huber_loss`: " + huber_loss.__doc__

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        _check_threshold("HuberLoss", "delta", delta, allow_zero=False)
        self.delta = delta

    def forward(self, input, target):
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(Module):
    __doc__ = "Module form of :func:`kl_div`: " + kl_div.__doc__

    def __init__(self, reduction="mean", log_target=False):
        super().__init__()
        if reduction not in _KL_REDUCTIONS:
            raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'mean', 'batchmean', 'sum' or 'none'")
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class SoftMarginLoss(_Loss):
    __doc__ = "Module form of :func:`soft_margin_loss`: " + soft_margin_loss.__doc__

    def forward(self, input, target):
        return soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    __doc__ = "Module form of :func:`cosine_embedding_loss`: " + cosine_embedding_loss.__doc__

    def __init__(self, margin=0.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    __doc__ = "Module form of :func:`gaussian_nll_loss`: " + gaussian_nll_loss.__doc__

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


# ---------------------------------------------------------------------- ranking and embedding
from ..ops.loss import hinge_embedding_loss, margin_ranking_loss, triplet_margin_loss  # noqa: E402

__all__ += ["MarginRankingLoss", "HingeEmbeddingLoss", "TripletMarginLoss"]


class MarginRankingLoss(_Loss):
    __doc__ = "Module form of :func:`margin_ranking_loss`: " + margin_ranking_loss.__doc__

    def __init__(self, margin=0.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    __doc__ = "Module form of :func:`hinge_embedding_loss`: " + hinge_embedding_loss.__doc__

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input, target):
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    __doc__ = "Module form of :func:`triplet_margin_loss`: " + triplet_margin_loss.__doc__

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
        super().__init__(reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                   eps=self.eps, swap=self.swap, reduction=self.reduction)
