r"""Pixel shuffle (Shi et al., 2016, sub-pixel convolution) and its inverse: a rearrangement
of elements, no arithmetic, written as reshape -> permute -> reshape so the backward (the
inverse rearrangement of the upstream gradient) comes from those ops.

    pixel_shuffle:   (*, C r^2, H, W) -> (*, C, H r, W r),
                     out[c, h r + i, w r + j] = in[c r^2 + i r + j, h, w]
    pixel_unshuffle: the inverse, (*, C, H r, W r) -> (*, C r^2, H, W)
"""

from ..tensor import Tensor
from .shape import permute, reshape

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def _check(op, input, factor, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a glassgrad Tensor, got {type(input).__name__}")
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {factor!r}")
    if input.ndim < 3:
        raise ValueError(f"{op}: expected an input of at least 3 dims (*, C, H, W), got shape "
                         f"{tuple(input.shape)}")


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = upscale_factor: each group of r^2 channels
    becomes an r x r block of pixels (see the module docstring for the index map)."""
    op, r = "pixel_shuffle", upscale_factor
    _check(op, input, r, "upscale_factor")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise ValueError(f"{op}: the channels ({channels}, dim -3) must be divisible by "
                         f"upscale_factor^2 = {r * r}")
    c, k = channels // (r * r), len(batch)
    x = reshape(input, (*batch, c, r, r, height, width))
    # (c, i, j, h, w) -> (c, h, i, w, j): row h r + i, column w r + j
    x = permute(x, *range(k), k, k + 3, k + 1, k + 4, k + 2)
    return reshape(x, (*batch, c, height * r, width * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = downscale_factor: the inverse of
    pixel_shuffle (each r x r block of pixels becomes r^2 channels)."""
    op, r = "pixel_unshuffle", downscale_factor
    _check(op, input, r, "downscale_factor")
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ValueError(f"{op}: the height ({height}) and width ({width}) must be divisible by "
                         f"downscale_factor = {r}")
    h, w, k = height // r, width // r, len(batch)
    x = reshape(input, (*batch, channels, h, r, w, r))
    # (c, h, i, w, j) -> (c, i, j, h, w)
    x = permute(x, *range(k), k, k + 2, k + 4, k + 1, k + 3)
    return reshape(x, (*batch, channels * r * r, h, w))
