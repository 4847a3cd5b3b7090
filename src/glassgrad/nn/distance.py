"""Distance layers: CosineSimilarity and PairwiseDistance, each a Module around its op of
``glassgrad.ops.normalization``.
"""

from ..ops.normalization import cosine_similarity, pairwise_distance
from .module import Module

__all__ = [
    "CosineSimilarity", "PairwiseDistance",
]


class CosineSimilarity(Module):
    """F.cosine_similarity(x1, x2, dim, eps) as a layer."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """F.pairwise_distance(x1, x2, p, eps, keepdim) as a layer: \\|x1 - x2 + eps\\|_p."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
