"""Small shape and regularisation layers: Dropout2d (whole channels) and Unflatten."""

from ..ops.channel_dropout import dropout2d
from ..ops.nn import softmax
from ..ops.normalization import cosine_similarity, pairwise_distance
from .layers import _DropoutNd
from .module import Module

__all__ = ["Dropout2d", "Unflatten"]


class Dropout2d(_DropoutNd):
    r"""Channel-wise dropout for (N, C, H, W) (or (N, C, L)) inputs: in training, each
    channel of each sample is zeroed with probability p, the kept ones scaled by 1/(1-p);
    in eval mode, the identity. See ``glassgrad.ops.channel_dropout``."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: with dim=1 and (C, H, W), an
    (N, C*H*W) input becomes (N, C, H, W) (the inverse of Flatten). One entry of the size
    may be -1 (inferred). A reshape: the gradient is reshaped back."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int, got {dim!r}")
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in unflattened_size):
            raise TypeError("Unflatten: unflattened_size must be a tuple of ints, got "
                            f"{unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size) if isinstance(unflattened_size, list) \
            else unflattened_size

    def forward(self, input):
        n = input.ndim
        if not -n <= self.dim < n:
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for a {n}-D input")
        d = self.dim % n
        size = input.shape[d]
        sizes = tuple(self.unflattened_size)
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        inferred = -1 in sizes
        # a 0 among the sizes is fine (an empty dim), but then a -1 cannot be inferred
        if (sizes.count(-1) > 1 or any(s < -1 for s in sizes)
                or (known == 0 or size % known if inferred else size != known)):
            raise ValueError(f"Unflatten: unflattened_size {self.unflattened_size} does not "
                             f"multiply to the size {size} of dim {self.dim} (input shape "
                             f"{tuple(input.shape)})")
        shape = tuple(input.shape[:d]) + sizes + tuple(input.shape[d + 1:])
        return input.reshape(shape)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


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


class Softmax2d(Module):
    """Softmax over the channels at every pixel: dim -3 of (N, C, H, W) or (C, H, W)."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D or 4-D input, got shape "
                             f"{tuple(input.shape)}")
        return softmax(input, -3)


__all__ += ["CosineSimilarity", "PairwiseDistance", "Softmax2d"]
