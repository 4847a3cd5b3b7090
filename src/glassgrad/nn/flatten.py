"""Flatten and Unflatten: reshape layers (a range of dims into one, and one dim into
several), for a Sequential between convolution and linear layers.
"""

from .module import Module

__all__ = [
    "Flatten", "Unflatten",
]


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


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
