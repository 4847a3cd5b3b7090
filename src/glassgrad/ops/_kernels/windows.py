"""Sliding windows over an image batch, the geometry shared by convolution and pooling.

A window of every output pixel is a strided *view* of the (padded) input: no copy and no
Python loop over pixels. These helpers compute the output size of a window op, pad an
image (channels-first or channels-last), list the kernel offsets, and build the windows
view that conv2d copies into its patch matrix and the pools reduce over.
"""

from ...backend import xp
from ...tensor import Tensor


_as_strided = xp.lib.stride_tricks.as_strided


# ===================================================================== small helpers
def _data(t):
    return t.array if isinstance(t, Tensor) else t


# ===================================================================== conv / pool helpers
def _pair(value, name, op, minimum=1):
    """An int or a pair of ints as a pair, checked against a lower bound."""
    if isinstance(value, (int, xp.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, xp.integer)) and not isinstance(v, bool) for v in value):
        pair = (int(value[0]), int(value[1]))
    elif isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], int):
        pair = (int(value[0]),) * 2
    else:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return pair


def _out_size(size, kernel, stride, pad_before, pad_after, dilation, ceil_mode=False):
    """Number of window positions: floor((size + pads - dilation*(kernel-1) - 1)/stride) + 1
    (ceil in ceil_mode, where the last window must still start inside the input or the
    left padding)."""
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def _is_channels_last(x):
    return x.shape[1] > 1 and x.strides[1] < x.strides[3]


def _padded(x, top, bottom, left, right, value, channels_last):
    """x (N, C, H, W) inside a border of ``value``, as a new (N, C, H', W') array whose
    memory is (N, H', W', C) when ``channels_last``. Returns x itself without padding."""
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    hp, wp = h + top + bottom, w + left + right
    if channels_last:
        buf = xp.full((n, hp, wp, c), value, dtype=x.dtype).transpose(0, 3, 1, 2)
    else:
        buf = xp.full((n, c, hp, wp), value, dtype=x.dtype)
    buf[:, :, top:top + h, left:left + w] = x
    return buf


def _offsets(kh, kw, dh, dw, sh, sw, oh, ow):
    """For each kernel offset (i, j): the index k = i*kw + j and the slices of the padded
    input that offset touches, one per output pixel (a strided view, no copy)."""
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            yield i * kw + j, (slice(None), slice(None), rows, cols)


def _unbatched(x, op, what="input"):
    if x.ndim == 3:
        return x[None], True
    if x.ndim != 4:
        raise ValueError(f"{op}: {what} must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    return x, False


def _windows(xpad, kernel, stride, dilation, out_size):
    """The window of every output pixel, as a view of shape (N, OH, OW, KH, KW, C) into
    xpad (N, C, H, W): entry [n, i, j, k, l, c] is xpad[n, c, s*i + d*k, s*j + d*l].
    Only strides are chosen; nothing is copied."""
    n, c = xpad.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    s_n, s_c, s_h, s_w = xpad.strides
    return _as_strided(xpad, (n, oh, ow, kh, kw, c),
                       (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)
