r"""Pooling and resampling: max_pool2d, avg_pool2d, max_pool1d, avg_pool1d,
adaptive_avg_pool2d (and 1d), adaptive_max_pool2d, interpolate (nearest, nearest-exact,
linear, bilinear).

A pool reduces every window of the input (a strided view, ops/_kernels/windows.py) to one
number. Max pooling's backward sends each upstream value to the element that won its
window (\partial \max/\partial x_i = [x_i \text{ is the max}]); average pooling's spreads
it evenly over the window (\partial\, \mathrm{mean}/\partial x_i = 1/|window|).

The resampling ops are *separable*: a fixed matrix applied along each spatial axis.
Adaptive average pooling averages rows start..end-1 of the input into output row i (the
matrix has 1/(end - start) there), bilinear interpolation mixes two neighbouring rows with
weights 1 - t and t, nearest copies one row. So

    y = A_H x A_W^T          (per image and channel),      dL/dx = A_H^T (dL/dy) A_W

Each product is one BLAS call over the whole batch (``tensordot``). The 1-D pools are the
2-D ones on an image of height 1.
"""

import math

from ..autograd.function import Pooling
from ..backend import xp
from ..tensor import Tensor
from ._kernels.windows import _data, _is_channels_last, _offsets, _out_size, _padded, _pair, _unbatched
from .convolution import _errors_of_1d

__all__ = [
    "max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate",
]


# ===================================================================== pooling
def _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    kh, kw = _pair(kernel_size, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        sh, sw = kh, kw  # PyTorch's default: windows side by side
    else:
        sh, sw = _pair(stride, "stride", op)
    ph, pw = _pair(padding, "padding", op, minimum=0)
    dh, dw = _pair(dilation, "dilation", op)
    if 2 * ph > dh * (kh - 1) + 1 or 2 * pw > dw * (kw - 1) + 1:
        raise ValueError(f"{op}: pad should be at most half of effective kernel size, but got "
                         f"padding={padding}, kernel_size={kernel_size} and dilation={dilation}")
    h, w = x.shape[-2:]
    oh = _out_size(h, kh, sh, ph, ph, dh, ceil_mode)
    ow = _out_size(w, kw, sw, pw, pw, dw, ceil_mode)
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} is too small for "
                         f"kernel_size={kernel_size} (padding={padding}, dilation={dilation}): "
                         f"the output would be {oh} x {ow}")
    # ceil_mode may let the last window hang over the padded border: pad a bit more there
    bottom = max(ph, (oh - 1) * sh + dh * (kh - 1) + 1 - h - ph)
    right = max(pw, (ow - 1) * sw + dw * (kw - 1) + 1 - w - pw)
    return (kh, kw), (sh, sw), (ph, bottom, pw, right), (dh, dw), (oh, ow)


class MaxPool2d(Pooling):
    label = "max_pool2d"
    rule = r"y = \max_{k \in \text{window}} x_k,\ \partial y/\partial x_k = [k = \arg\max]"
    plain = "y = max_k in window x_k, d y/d x_k = [k = argmax]"
    form = ("max_pool2d({...})", r"\mathrm{max\_pool2d}({...})")
    float_only = True

    def forward(ctx, x, kernel, stride, pads, dilation, out_size):
        x, unbatched = _unbatched(x, "max_pool2d")
        out, arg, xpad_shape = _max_windows(x, kernel, stride, pads, dilation, out_size)
        ctx.save_for_backward(arg)
        ctx.geometry = (x.shape, xpad_shape, kernel, stride, pads, dilation, out_size, unbatched)
        ctx.channels_last = _is_channels_last(x)
        return out[0] if unbatched else out

    def backward(ctx, upstream):
        (arg,) = ctx.saved
        shape, xpad_shape, (kh, kw), (sh, sw), pads, (dh, dw), (oh, ow), unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        # Each window sends its upstream to the one input that was its max (the first one
        # on ties, as PyTorch); overlapping windows add up.
        d_xpad = _zeros(xpad_shape, g.dtype, ctx.channels_last)
        overlapping = _overlapping((kh, kw), (sh, sw), (dh, dw))
        for k, where in _offsets(kh, kw, dh, dw, sh, sw, oh, ow):
            if overlapping:
                d_xpad[where] += g * (arg == k)
            else:  # every input cell in at most one window: write, don't add (5x faster)
                xp.multiply(g, arg == k, out=d_xpad[where])
        top, left = pads[0], pads[2]
        d_x = d_xpad[:, :, top:top + shape[2], left:left + shape[3]]
        return d_x[0] if unbatched else d_x


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over each kernel_size window of ``input`` (N, C, H, W), moved by ``stride``
    (default: kernel_size) over the input padded with -inf. The gradient goes to the
    argmax of each window (the first one on ties). With ``return_indices`` also returns
    the flat index h*W + w of each max in its (unpadded) input plane."""
    x = _data(input)
    x4, _ = _unbatched(x, "max_pool2d")
    kernel, stride, pads, dilation, out_size = _pool_geometry(
        "max_pool2d", x4, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2d.apply(input, kernel=kernel, stride=stride, pads=pads, dilation=dilation,
                          out_size=out_size)
    if not return_indices:
        return out
    return out, Tensor._wrap(_max_indices(x, kernel, stride, pads, dilation, out_size))


def _overlapping(kernel, stride, dilation):
    """Do windows share input cells (a stride shorter than the dilated kernel)?"""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _zeros(shape, dtype, channels_last):
    """Zeros of an (N, C, H, W) shape, with (N, H, W, C) memory when ``channels_last``: a
    pool's input gradient takes the layout of its input, so that the next elementwise
    backward (a ReLU's) multiplies arrays of one layout."""
    if channels_last:
        n, c, h, w = shape
        return xp.zeros((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2)
    return xp.zeros(shape, dtype=dtype)


def _max_windows(x, kernel, stride, pads, dilation, out_size):
    """Max over every window, and which kernel offset k = i*kw + j held it: the first max
    on ties, and a NaN wins over numbers (the last NaN), as in PyTorch. A few passes per
    kernel offset, each over a strided view."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    xpad = _padded(x, *pads, -xp.inf, channels_last=_is_channels_last(x))
    candidates = [xpad[where] for _, where in _offsets(kh, kw, dh, dw, sh, sw, oh, ow)]
    out = candidates[0].copy(order="K")  # keeps the input's memory layout
    for candidate in candidates[1:]:
        xp.maximum(out, candidate, out=out)  # NaN propagates, as in PyTorch
    # Which offset: walk the offsets backwards, so that the first one equal to the max is
    # written last.
    arg = xp.zeros_like(out, dtype=xp.int8 if kh * kw < 128 else xp.int32)  # same layout
    for k in range(len(candidates) - 1, -1, -1):
        xp.copyto(arg, k, where=candidates[k] == out)
    nan = out != out
    if nan.any():  # rare: a NaN window sends its gradient to its last NaN
        for k, candidate in enumerate(candidates):
            xp.copyto(arg, k, where=nan & (candidate != candidate))
    if xpad is not x:
        _first_inside_on_all_neg_inf(x.shape, xpad.shape, pads, out, arg, kernel, stride,
                                     dilation, out_size)
    return out, arg, xpad.shape


def _first_inside_on_all_neg_inf(shape, padded_shape, pads, out, arg, kernel, stride,
                                 dilation, out_size):
    """A window over the border whose input cells are all -inf ties with its -inf padding:
    as in PyTorch, its max is then its first cell inside the input, not a padding cell
    (whose gradient would be cut away with the padding, and whose index lies outside the
    input). Only the windows over the border are read, so this costs little."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    top, left = pads[0], pads[2]
    inside = xp.zeros((1, 1) + tuple(padded_shape[2:]), dtype=bool)
    inside[:, :, top:top + shape[2], left:left + shape[3]] = True
    offsets = list(_offsets(kh, kw, dh, dw, sh, sw, oh, ow))
    border = ~xp.logical_and.reduce([inside[where] for _, where in offsets])[0, 0]
    if not (out[:, :, border] == -xp.inf).any():
        return
    all_neg_inf = (out == -xp.inf) & border
    for k, where in reversed(offsets):  # the first inside cell is written last
        xp.copyto(arg, k, where=all_neg_inf & inside[where])


def _max_indices(x, kernel, stride, pads, dilation, out_size):
    x4, unbatched = _unbatched(x, "max_pool2d")
    _, arg, _ = _max_windows(x4, kernel, stride, pads, dilation, out_size)
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    i, j = xp.divmod(arg.astype(xp.int64), kw)
    rows = (xp.arange(oh) * sh - pads[0])[:, None] + i * dh
    cols = (xp.arange(ow) * sw - pads[2])[None, :] + j * dw
    index = rows * x4.shape[3] + cols
    return index[0] if unbatched else index


class AvgPool2d(Pooling):
    label = "avg_pool2d"
    rule = r"y = \frac{1}{D} \sum_{k \in \text{window}} x_k,\ \partial y/\partial x_k = 1/D"
    plain = "y = 1/D sum_k in window x_k, d y/d x_k = 1/D"
    form = ("avg_pool2d({...})", r"\mathrm{avg\_pool2d}({...})")
    float_only = True

    def forward(ctx, x, kernel, stride, pads, out_size, divisor):
        x, unbatched = _unbatched(x, "avg_pool2d")
        (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
        xpad = _padded(x, *pads, 0, channels_last=_is_channels_last(x))
        total = None
        for _, where in _offsets(kh, kw, 1, 1, sh, sw, oh, ow):  # window sums, offset by offset
            if total is None:
                total = xpad[where].copy(order="K")
            else:
                total += xpad[where]
        total /= divisor
        ctx.geometry = (x.shape, xpad.shape, kernel, stride, pads, out_size, unbatched)
        ctx.divisor, ctx.channels_last = divisor, _is_channels_last(x)
        return total[0] if unbatched else total

    def backward(ctx, upstream):
        shape, xpad_shape, (kh, kw), (sh, sw), pads, (oh, ow), unbatched = ctx.geometry
        g = (upstream[None] if unbatched else upstream) / ctx.divisor  # each input got 1/D
        d_xpad = _zeros(xpad_shape, g.dtype, ctx.channels_last)
        overlapping = _overlapping((kh, kw), (sh, sw), (1, 1))
        for _, where in _offsets(kh, kw, 1, 1, sh, sw, oh, ow):
            if overlapping:
                d_xpad[where] += g
            else:
                d_xpad[where] = g
        top, left = pads[0], pads[2]
        d_x = d_xpad[:, :, top:top + shape[2], left:left + shape[3]]
        return d_x[0] if unbatched else d_x


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each kernel_size window of ``input`` (N, C, H, W), moved by ``stride``
    (default: kernel_size), over the input zero-padded by ``padding``. The divisor counts
    the padding cells when ``count_include_pad`` (or is ``divisor_override``); each input
    cell gets upstream / divisor from every window that covered it."""
    x = _data(input)
    x4, _ = _unbatched(x, "avg_pool2d")
    kernel, stride, pads, _, out_size = _pool_geometry(
        "avg_pool2d", x4, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int) \
                or divisor_override <= 0:
            raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got "
                             f"{divisor_override!r}")
        divisor = xp.asarray(divisor_override, dtype=x.dtype)
    else:
        rows = _avg_divisor(x4.shape[2], kernel[0], stride[0], pads[0], out_size[0],
                            count_include_pad)
        cols = _avg_divisor(x4.shape[3], kernel[1], stride[1], pads[2], out_size[1],
                            count_include_pad)
        divisor = xp.outer(rows, cols).astype(x.dtype)
    return AvgPool2d.apply(input, kernel=kernel, stride=stride, pads=pads, out_size=out_size,
                           divisor=divisor)


def _avg_divisor(size, kernel, stride, pad, out, count_include_pad):
    """Per output position along one axis: how many cells the average divides by (PyTorch:
    padding cells count when count_include_pad, never the ceil_mode overhang)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


# ===================================================================== separable linear maps
def _along_axes(x, matrices):
    """Apply matrices[k] (out_k, in_k) along the last len(matrices) axes of x (one or two),
    in the order that copies least (measured, float32, one BLAS thread: adaptive pooling
    128x64x14x14 -> 3x3 5.3 -> 1.5-1.9 ms, against contracting H first always):

    - channels-last memory (a conv output): on the (N, H, W, C) memory, H as N products
      (oh, H) @ (H, W*C) and W as N*oh products (ow, W) @ (W, C); nothing is transposed,
      and the result is channels-last again;
    - otherwise, when W shrinks, W first: (N*C*H, W) @ (W, ow) reads x as it lies, then
      H on the smaller result; when W grows, H first, so that the copy tensordot makes to
      bring H last is of the smaller array."""
    last = x.ndim - 1
    if len(matrices) == 1:
        return xp.tensordot(x, matrices[0], axes=([last], [1]))
    a_h, a_w = matrices
    if x.ndim == 4 and _is_channels_last(x):
        n, c, h, w = x.shape
        rows = xp.matmul(a_h, x.transpose(0, 2, 3, 1).reshape(n, h, w * c))
        return xp.matmul(a_w, rows.reshape(n, -1, w, c)).transpose(0, 3, 1, 2)
    if a_w.shape[0] <= a_w.shape[1]:
        cols = xp.tensordot(x, a_w, axes=([last], [1]))  # (..., H, ow)
        return xp.tensordot(cols, a_h, axes=([last - 1], [1])).swapaxes(-1, -2)
    rows = xp.tensordot(x, a_h, axes=([last - 1], [1]))  # (..., W, oh)
    return xp.tensordot(rows, a_w, axes=([last - 1], [1]))  # (..., oh, ow)


# Each axis of a resampling op is given by its *terms*, the products PyTorch's kernel
# computes: a list of (outputs, inputs, weights), the k-th term of each listed output,
# output[outputs] += weights * x[inputs]. The matrix A of that axis is their sum. Zero
# weights are kept where PyTorch multiplies by them (bilinear reads both neighbours even
# when t = 0): 0 * inf is NaN there too.
def _matrix(size, out, terms):
    """The (out, size) matrix of an axis: the sum of its terms."""
    a = xp.zeros((out, size))
    for outputs, inputs, weights in terms:
        xp.add.at(a, (outputs, inputs), weights)
    return a


def _by_terms(x, axes, transpose=False):
    """The same map as _along_axes (or its transpose), term by term. Slower, but an inf or
    NaN then reaches exactly the outputs PyTorch's kernel lets it reach: in one matrix
    product over all inputs, 0 * inf = NaN would spread it over a whole row."""
    for axis, (size, out, terms) in zip(range(x.ndim - len(axes), x.ndim), axes):
        where = (slice(None),) * axis
        along = (slice(None),) + (None,) * (x.ndim - axis - 1)  # weights along `axis`
        result = xp.zeros(x.shape[:axis] + ((size if transpose else out),) + x.shape[axis + 1:],
                          dtype=x.dtype)
        for outputs, inputs, weights in terms:
            w = weights.astype(x.dtype)[along]
            if transpose:  # dL/dx[inputs] += weights * dL/dy[outputs]; inputs may repeat
                xp.add.at(result, where + (inputs,), x.take(outputs, axis=axis) * w)
            else:  # y[outputs] += weights * x[inputs]; each output once per term
                result[where + (outputs,)] += x.take(inputs, axis=axis) * w
        x = result
    return x


def _resample(x, axes, matrices, transpose=False):
    """x through the axes' matrices (one BLAS product per axis), redone term by term when
    the result is not all finite. The check reads the output once; finite inputs never
    fail it unless a sum overflows, and then the second pass gives PyTorch's infs."""
    with xp.errstate(invalid="ignore"):  # 0 * inf in the product: handled just below
        out = _along_axes(x, [(a.T if transpose else a).astype(x.dtype, copy=False)
                              for a in matrices])
    if xp.isfinite(out).all():
        return out
    return _by_terms(x, axes, transpose)


class Resample(Pooling):
    label = "resample"
    rule = (r"y = A_H\, x\, A_W^T \text{ (a fixed matrix per axis)},\ "
            r"\partial L/\partial x = A_H^T\, (\partial L/\partial y)\, A_W")
    plain = "y = A_H x A_W^T (a fixed matrix per axis), d L/d x = A_H^T (d L/d y) A_W"
    form = ("resample({...})", r"\mathrm{resample}({...})")
    float_only = True

    def forward(ctx, x, axes, gather=None):
        # axes: per spatial axis (input size, output size, terms); its matrix is small
        ctx.axes = axes
        ctx.matrices = [_matrix(*axis) for axis in axes]
        if gather is not None:  # nearest: y copies entries of x; same values, no products
            out = x
            for axis, index in zip(range(x.ndim - len(gather), x.ndim), gather):
                out = out.take(index, axis=axis)
            return out
        return _resample(x, axes, ctx.matrices)

    def backward(ctx, upstream):
        # downstream = upstream x local: y_i = sum_j A_ij x_j, so dL/dx_j = sum_i A_ij dL/dy_i
        return _resample(upstream, ctx.axes, ctx.matrices, transpose=True)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of ``input`` (N, C, H, W) to ``output_size`` (oh, ow) (an int, a pair,
    None keeps that size), whatever the input size: output row i averages input rows
    floor(i H / oh) .. ceil((i + 1) H / oh) - 1 (bins may overlap when oh does not divide
    H), columns alike. As a matrix per axis, y = A_H x A_W^T and
    dL/dx = A_H^T (dL/dy) A_W."""
    x, (h, w), (oh, ow) = _adaptive("adaptive_avg_pool2d", input, output_size, 2)
    if (oh, ow) == (1, 1):  # global average pooling: the mean of each plane
        return input.mean(dim=(-2, -1), keepdim=True)
    return Resample.apply(input, axes=(_adaptive_avg_axis(h, oh), _adaptive_avg_axis(w, ow)))


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of ``input`` (N, C, L) to ``output_size`` bins: output i averages
    input floor(i L / out) .. ceil((i + 1) L / out) - 1."""
    x, (length,), (out,) = _adaptive("adaptive_avg_pool1d", input, output_size, 1)
    return Resample.apply(input, axes=(_adaptive_avg_axis(length, out),))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize ``input`` (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor``
    (output size floor(in * scale_factor)), as torch.nn.functional.interpolate:

    - 'nearest': y[i] = x[min(floor(i * in / out), in - 1)] (torch's index rule, in float32;
      'nearest-exact' uses floor((i + 1/2) * in / out));
    - 'linear' (3-D) / 'bilinear' (4-D): y[i] = (1 - t) x[i0] + t x[i0 + 1] at the source
      position src = (i + 1/2) in / out - 1/2 (clamped at 0), or i (in - 1) / (out - 1)
      with ``align_corners=True``; i0 = floor(src), t = src - i0. Bilinear does it along
      H and along W.

    Each is a fixed matrix per axis: y = A_H x A_W^T, and the gradient
    dL/dx = A_H^T (dL/dy) A_W adds each output's gradient back to the inputs it read,
    with the same weights. When scale_factor is given (and recompute_scale_factor is not
    True) the index rule uses 1 / scale_factor, as torch does, except where torch's kernels
    do not: an axis that keeps its size is copied (linear, bilinear, 2-D nearest), and 2-D
    nearest doubling an axis takes input i // 2."""
    op = "interpolate"
    x = _data(input)
    if mode not in _MODES:
        raise ValueError(f"{op}: mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
    if antialias:
        raise ValueError(f"{op}: antialias=True is not supported")
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: input must be 3-D (N, C, L) or 4-D (N, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    dims = x.ndim - 2
    if _MODES[mode] is not None and _MODES[mode] != dims:
        wanted = "3-D (N, C, L)" if mode == "linear" else "4-D (N, C, H, W)"
        raise ValueError(f"{op}: mode={mode!r} expects a {wanted} input, got shape "
                         f"{tuple(x.shape)}")
    if align_corners is not None and _MODES[mode] is None:
        raise ValueError(f"{op}: align_corners option can only be set with the interpolating "
                         f"modes: linear | bilinear (got mode={mode!r})")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got dtype {x.dtype}")
    spatial = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size or scale_factor (got size={size!r}, "
                         f"scale_factor={scale_factor!r})")
    if size is not None:
        out = _sizes(size, dims, "size", op)
        scales = (None,) * dims
    else:
        factors = (tuple(scale_factor) if isinstance(scale_factor, (tuple, list))
                   else (scale_factor,) * dims)
        if len(factors) != dims or not all(
                isinstance(f, (int, float)) and not isinstance(f, bool) and f > 0 for f in factors):
            raise ValueError(f"{op}: scale_factor must be a positive number or {dims} of them, "
                             f"got {scale_factor!r}")
        out = tuple(int(math.floor(float(s) * f)) for s, f in zip(spatial, factors))
        if min(out) < 1:
            raise ValueError(f"{op}: scale_factor={scale_factor!r} gives an empty output for "
                             f"input of shape {tuple(x.shape)}")
        scales = (None,) * dims if recompute_scale_factor else tuple(map(float, factors))
    if mode.startswith("nearest"):
        exact = mode == "nearest-exact"
        index = tuple(_nearest_index(s, o, sc, exact, shortcuts=dims == 2)
                      for s, o, sc in zip(spatial, out, scales))
        axes = tuple((s, o, [(xp.arange(o), i, xp.ones(o))])
                     for i, s, o in zip(index, spatial, out))
        return Resample.apply(input, axes=axes, gather=index)
    # An axis whose size does not change is read as by size=: torch's linear kernels step
    # by in / out = 1 there whatever the scale_factor (5 -> 5 at 1.1 is a copy)
    axes = tuple(_linear_axis(s, o, None if o == s else sc, bool(align_corners), x.dtype)
                 for s, o, sc in zip(spatial, out, scales))
    return Resample.apply(input, axes=axes)


def _spatial_shape(op, x, dims):
    """Check x is (N, C, *spatial) or (C, *spatial) with ``dims`` spatial axes."""
    if x.ndim not in (dims + 1, dims + 2):
        layout = ["(N, C, L) or 2-D (C, L)", "(N, C, H, W) or 3-D (C, H, W)"][dims - 1]
        raise ValueError(f"{op}: input must be {dims + 2}-D {layout}, got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got dtype {x.dtype}")
    return x.shape[-dims:]


def _sizes(value, dims, name, op, allow_none=False):
    """An int or a tuple of ``dims`` ints (None entries allowed when ``allow_none``)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    ok = len(values) == dims and all(
        (v is None and allow_none)
        or (isinstance(v, (int, xp.integer)) and not isinstance(v, bool) and v >= 1)
        for v in values)
    if not ok:
        raise ValueError(f"{op}: {name} must be a positive int or {dims} of them, got {value!r}")
    return values


# ===================================================================== adaptive pooling
def _bins(size, out):
    """torch's adaptive bins: output i averages input [floor(i*size/out), ceil((i+1)*size/out))."""
    i = xp.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_avg_axis(size, out):
    """(size, out, terms) of adaptive average pooling along one axis: output i adds
    x[start_i + k] / (end_i - start_i) for each k inside its bin."""
    start, end = _bins(size, out)
    width = end - start
    terms = []
    for k in range(int(width.max())):
        outputs = xp.nonzero(width > k)[0]
        terms.append((outputs, start[outputs] + k, 1.0 / width[outputs]))
    return size, out, terms


def _adaptive_avg_matrix(size, out):
    return _matrix(*_adaptive_avg_axis(size, out))


def _adaptive(op, input, output_size, dims):
    x = _data(input)
    spatial = _spatial_shape(op, x, dims)
    sizes = _sizes(output_size, dims, "output_size", op, allow_none=True)
    return x, spatial, tuple(s if o is None else int(o) for s, o in zip(spatial, sizes))


def _adaptive_max(x, output_size):
    """Max over each adaptive bin of x (..., H, W), and the flat index h * W + w of the
    (first) max of each bin. A Python loop over the output cells (oh * ow of them, few:
    1x1 to 7x7 in practice), each a max over one bin for the whole batch."""
    (oh, ow), (h, w) = output_size, x.shape[-2:]
    (r0, r1), (c0, c1) = _bins(h, oh), _bins(w, ow)
    out = xp.empty(x.shape[:-2] + (oh, ow), dtype=x.dtype)
    index = xp.empty(out.shape, dtype=xp.int64)
    for i in range(oh):
        for j in range(ow):
            block = x[..., r0[i]:r1[i], c0[j]:c1[j]]
            flat = block.reshape(block.shape[:-2] + (-1,))
            k = flat.argmax(axis=-1)  # the first max on ties, as in torch
            nan = xp.isnan(flat).any(axis=-1)
            if nan.any():  # a NaN wins, and torch's kernel keeps the last one
                last = flat.shape[-1] - 1 - xp.isnan(flat[..., ::-1]).argmax(axis=-1)
                k = xp.where(nan, last, k)
            out[..., i, j] = xp.take_along_axis(flat, k[..., None], -1)[..., 0]
            width = c1[j] - c0[j]
            index[..., i, j] = (r0[i] + k // width) * w + c0[j] + k % width
    return out, index


class AdaptiveMaxPool2d(Pooling):
    label = "adaptive_max_pool2d"
    rule = r"y = \max_{k \in \text{bin}} x_k,\ \partial y/\partial x_k = [k = \arg\max]"
    plain = "y = max_k in bin x_k, d y/d x_k = [k = argmax]"
    form = ("adaptive_max_pool2d({...})", r"\mathrm{adaptive\_max\_pool2d}({...})")
    float_only = True

    def forward(ctx, x, output_size):
        out, index = _adaptive_max(x, output_size)
        ctx.save_for_backward(index)
        ctx.shape = x.shape
        return out

    def backward(ctx, upstream):
        (index,) = ctx.saved
        # Each output sends its upstream to the input that was its max. Neighbouring bins
        # may share inputs (when the sizes do not divide), so contributions add: one
        # bincount over all planes at once, each plane's indices offset by its position.
        planes = math.prod(ctx.shape[:-2])
        hw = ctx.shape[-2] * ctx.shape[-1]
        flat = (index.reshape(planes, -1) + (xp.arange(planes) * hw)[:, None]).ravel()
        d_x = xp.bincount(flat, weights=upstream.reshape(-1), minlength=planes * hw)
        return d_x.astype(upstream.dtype, copy=False).reshape(ctx.shape)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of ``input`` (N, C, H, W) to ``output_size`` with torch's adaptive bins
    (see adaptive_avg_pool2d). The gradient of each output goes to the (first) max of its
    bin; with ``return_indices`` also the flat index h * W + w of each max."""
    x, _, size = _adaptive("adaptive_max_pool2d", input, output_size, 2)
    out = AdaptiveMaxPool2d.apply(input, output_size=size)
    if not return_indices:
        return out
    return out, Tensor._wrap(_adaptive_max(x, size)[1])


# ===================================================================== 1-D pooling
def _as_image(input, op):
    x = _data(input)
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: input must be 3-D (N, C, L) or 2-D (C, L), got shape "
                         f"{tuple(x.shape)}")
    return input.unsqueeze(-2)


def _one(value, name, op, minimum=1):
    """A 1-D size argument (an int or a 1-tuple), checked, as the pair (0 or 1, value) that
    the 2-D op on an image of height 1 takes. None stays None (a default stride)."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, xp.integer)) or value < minimum:
        raise ValueError(f"{op}: {name} must be an int >= {minimum} (or a 1-tuple), got {value!r}")
    return (0 if name == "padding" else 1, int(value))  # the height axis: size 1, no padding


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over each window of ``kernel_size`` of ``input`` (N, C, L), moved by ``stride``
    (default: kernel_size), padded with -inf; the gradient goes to each window's (first)
    max. max_pool2d on an image of height 1."""
    op = "max_pool1d"
    kernel = _one(kernel_size, "kernel_size", op)
    stride = _one(stride, "stride", op)
    padding, dilation = _one(padding, "padding", op, minimum=0), _one(dilation, "dilation", op)
    image = _as_image(input, op)
    with _errors_of_1d(op, "max_pool2d"):
        out = max_pool2d(image, kernel, stride if stride is not None else kernel, padding,
                         dilation, ceil_mode=ceil_mode, return_indices=return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over each window of ``kernel_size`` of ``input`` (N, C, L), moved by ``stride``
    (default: kernel_size), zero-padded; each input gets upstream / (window size) from
    every window that covered it. avg_pool2d on an image of height 1."""
    op = "avg_pool1d"
    kernel = _one(kernel_size, "kernel_size", op)
    stride = _one(stride, "stride", op)
    padding = _one(padding, "padding", op, minimum=0)
    image = _as_image(input, op)
    with _errors_of_1d(op, "avg_pool2d"):
        out = avg_pool2d(image, kernel, stride if stride is not None else kernel, padding,
                         ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    return out.squeeze(-2)


# ===================================================================== interpolate
_MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2}


def _nearest_index(size, out, scale, exact, shortcuts):
    """torch's source index of each output (computed in float32, as torch does).

    ``shortcuts``: torch's 2-D nearest kernel (its nearest_idx) copies when out == size and
    shifts (i >> 1) when out == 2 size, whatever the scale_factor; its 1-D kernel does not,
    and uses the step 1 / scale_factor there too (size 5, scale_factor 1.1: indices
    0 0 1 2 3 in 1-D, 0 1 2 3 4 in 2-D). Without a scale_factor both rules agree."""
    if shortcuts and not exact and out == size:
        return xp.arange(out)
    if shortcuts and not exact and out == 2 * size:
        return xp.arange(out) >> 1
    step = xp.float32(1.0 / scale) if scale else xp.float32(size) / xp.float32(out)
    dst = xp.arange(out, dtype=xp.float32) + (xp.float32(0.5) if exact else xp.float32(0))
    return xp.minimum(xp.floor(dst * step).astype(xp.int64), size - 1)


def _linear_axis(size, out, scale, align_corners, dtype):
    """(size, out, terms) of linear interpolation along one axis: output i is
    (1 - t) x[i0] + t x[i1] around torch's source position src(i), i0 = floor(src),
    i1 = i0 + 1 (i0 at the last input), t = src - i0, computed in the input's dtype as
    torch does. Both terms are kept even when t = 0: torch reads both neighbours."""
    if align_corners:
        step = dtype.type(size - 1) / dtype.type(out - 1) if out > 1 else dtype.type(0)
        src = step * xp.arange(out, dtype=dtype)
    else:
        step = dtype.type(1.0 / scale) if scale else dtype.type(size) / dtype.type(out)
        src = xp.maximum(step * (xp.arange(out, dtype=dtype) + dtype.type(0.5)) - dtype.type(0.5),
                         dtype.type(0))
    i0 = src.astype(xp.int64)  # floor: src >= 0
    i1 = i0 + (i0 < size - 1)
    t = src - i0.astype(dtype)
    everyone = xp.arange(out)
    return size, out, [(everyone, i0, dtype.type(1) - t), (everyone, i1, t)]


def _linear_matrix(size, out, scale, align_corners, dtype):
    return _matrix(*_linear_axis(size, out, scale, align_corners, dtype))
