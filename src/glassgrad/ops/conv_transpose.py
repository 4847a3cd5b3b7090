"""Transposed convolution (conv_transpose2d, conv_transpose1d) and the 1-D convolution
(conv1d).

A transposed convolution is conv2d's backward-to-input run forward: each input pixel
spreads its value, times the kernel, over a window of the (larger) output. So this module
writes no new machinery. It borrows conv2d's three pieces from ``ops/nn.py``:

- forward  = ``_col2im``: one GEMM and one strided add per kernel offset (conv2d's dX),
- dL/dx    = conv2d's forward: the windows of the (padded) upstream as a patch matrix,
             times the weights (im2col + one GEMM per chunk),
- dL/dW    = conv2d's weight gradient: the same patches, transposed, times the input.

The two backward products read the same patch matrix, so it is copied once, chunk by
chunk, and both GEMMs run while a chunk is in cache.

conv1d is conv2d on an image of height 1 (and conv_transpose1d likewise): the reshape
nodes around it route the gradients, and the 2-D op does the work.
"""

import contextlib

from ..autograd.function import Function
from ..backend import xp
from .nn import (
    _col2im, _data, _is_channels_last, _is_narrow, _pair, _padded,
    _patch_chunks, _tall_product, _unbatched, _warm_up_sgemm, _windows, conv2d,
)

__all__ = ["conv_transpose2d", "conv_transpose1d", "conv1d"]


class ConvTranspose2d(Function):
    label = "conv_transpose2d"
    rule = (r"y_{n,o,si+dk-p,sj+dl-p} \mathrel{+}= x_{ncij}\, w_{cokl} (+ b_o);\ "
            r"\partial y/\partial x_{ncij} = w_{cokl},\ "
            r"\partial y/\partial w_{cokl} = x_{ncij},\ \partial y/\partial b_o = 1")
    float_only = True

    def forward(ctx, x, weight, bias, stride, padding, output_padding, dilation):
        x, unbatched = _unbatched(x, "conv_transpose2d")
        n, c_in, h, w = x.shape
        _, c_out, kh, kw = weight.shape
        (ph, pw), (oph, opw) = padding, output_padding
        oh = (h - 1) * stride[0] - 2 * ph + dilation[0] * (kh - 1) + oph + 1
        ow = (w - 1) * stride[1] - 2 * pw + dilation[1] * (kw - 1) + opw + 1
        # The input as a matrix (N*H*W, C_in), one row per input pixel: it plays the role of
        # conv2d's upstream, and the weight (C_in, C_out, kH, kW) that of conv2d's
        # (F, C, kH, kW). col2im spreads every row over its window of the padded output.
        x_mat = x.transpose(0, 2, 3, 1).reshape(n * h * w, c_in)
        if x.dtype == xp.float32:
            _warm_up_sgemm()  # once per process: OpenBLAS's float32 products ran 3.5x slower
            # before it (this op's forward, 64x64x8x8 -> 32 channels, k4 s2: 43 -> 12 ms)
        full = _col2im(x_mat, weight, (n, c_out, oh + 2 * ph, ow + 2 * pw), h, w, stride,
                       dilation)
        y = full[:, :, ph:ph + oh, pw:pw + ow]  # the padding is cut off the output
        if bias is not None:
            y += bias[:, None, None]
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(x_mat if need_w else None, weight if need_x else None)
        ctx.geometry = ((n, c_in, h, w), (kh, kw), stride, padding, dilation, unbatched)
        return y[0] if unbatched else y

    def backward(ctx, upstream):
        x_mat, weight = ctx.saved
        (n, c_in, h, w), kernel, stride, (ph, pw), dilation, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        c_out = g.shape[1]
        need_x, need_w, need_b = ctx.needs_input_grad
        # Pad the upstream as the forward padded its output: window (i, j) of the padded
        # upstream is what input pixel (i, j) sent its value to.
        gpad = _padded(g, ph, ph, pw, pw, 0, channels_last=True)
        if gpad is g and not _is_narrow(kernel[1], c_out) and not _is_channels_last(g):
            gpad = g.transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2)  # as conv2d does
        windows = _windows(gpad, kernel, stride, dilation, (h, w))  # H x W windows
        d_x_mat = d_w_mat = None
        if need_x:  # dL/dx = conv2d(upstream, w): each input pixel sums upstream x weight
            w_mat = weight.transpose(2, 3, 1, 0).reshape(-1, c_in)  # (kH*kW*C_out, C_in)
            d_x_mat = xp.empty((n * h * w, c_in), dtype=g.dtype)
        if need_w:  # dL/dw = sum over input pixels of x x upstream window = patches^T @ X
            d_w_mat = xp.zeros((kernel[0] * kernel[1] * c_out, c_in), dtype=g.dtype)
        if need_x or need_w:
            for rows, patches in _patch_chunks(windows):  # one patch copy for both products
                if need_x:
                    xp.matmul(patches, w_mat, out=d_x_mat[rows])
                if need_w:
                    d_w_mat += _tall_product(patches, x_mat[rows])
        d_x = d_w = d_b = None
        if need_x:
            d_x = d_x_mat.reshape(n, h, w, c_in).transpose(0, 3, 1, 2)
            if unbatched:
                d_x = d_x[0]
        if need_w:
            d_w = d_w_mat.reshape(*kernel, c_out, c_in).transpose(3, 2, 0, 1).copy()
        if need_b:  # every output pixel of channel o added b_o once
            d_b = g.sum(axis=(0, 2, 3))
        return d_x, d_w, d_b


def _check_transpose_args(op, x, wt, bias, groups, dims):
    """The shape and dtype checks shared by conv_transpose1d/2d (dims = 1 or 2)."""
    if isinstance(groups, bool) or not isinstance(groups, (int, xp.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    layout = "(N, C, L) or 2-D (C, L)" if dims == 1 else "(N, C, H, W) or 3-D (C, H, W)"
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: input must be {dims + 2}-D {layout}, got shape "
                         f"{tuple(x.shape)}")
    kernel = "kL" if dims == 1 else "kH, kW"
    if wt.ndim != dims + 2:
        raise ValueError(f"{op}: weight must be {dims + 2}-D (in_channels, out_channels / "
                         f"groups, {kernel}), got shape {tuple(wt.shape)}")
    if wt.shape[0] % groups:
        raise ValueError(f"{op}: the {wt.shape[0]} input channels of the weight of shape "
                         f"{tuple(wt.shape)} cannot be split into groups={groups}")
    if x.shape[-dims - 1] != wt.shape[0]:
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} has {x.shape[-dims - 1]} "
                         f"channels but weight of shape {tuple(wt.shape)} expects "
                         f"{wt.shape[0]} (weight.shape[0])")
    if x.dtype != wt.dtype:
        raise TypeError(f"{op}: input dtype {x.dtype} and weight dtype {wt.dtype} differ; "
                        "convert one of them (.float() or .double())")
    if bias is not None:
        b = _data(bias)
        c_out = wt.shape[1] * groups
        if b.shape != (c_out,):
            raise ValueError(f"{op}: bias must have shape ({c_out},), one per output channel "
                             f"(weight.shape[1] x groups); got {tuple(b.shape)}")
        if b.dtype != x.dtype:
            raise TypeError(f"{op}: bias dtype {b.dtype} differs from input dtype {x.dtype}")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution") of ``input`` (N, C_in, H, W) with
    ``weight`` (C_in, C_out / groups, kH, kW) and optional ``bias`` (C_out,): every input
    pixel adds its value times the kernel to a window of the output,

        y[n, o, s*i + d*k - p, s*j + d*l - p] += x[n, c, i, j] * w[c, o, k, l]   (+ b[o])

    which is the gradient of ``conv2d(y, w, stride=s, padding=p, dilation=d)`` with respect
    to its input y. Output size per axis:
    (H - 1) s - 2p + d (kH - 1) + output_padding + 1. ``output_padding`` (< stride or
    dilation) adds rows at the bottom and columns at the right, to pick one of the
    input sizes a strided conv2d maps to the same output size. Backward: dL/dx is
    conv2d(upstream, w) and dL/dw is conv2d's weight gradient, from one patch matrix.
    """
    x, wt = _data(input), _data(weight)
    _check_transpose_args("conv_transpose2d", x, wt, bias, groups, 2)
    op = "conv_transpose2d"
    stride = _pair(stride, "stride", op)
    padding = _pair(padding, "padding", op, minimum=0)
    output_padding = _pair(output_padding, "output_padding", op, minimum=0)
    dilation = _pair(dilation, "dilation", op)
    for axis in range(2):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than "
                             f"either stride {stride} or dilation {dilation} in each dimension")
    kernel, h_w = wt.shape[2:], x.shape[-2:]
    size = tuple((h_w[a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1)
                 + output_padding[a] + 1 for a in range(2))
    if min(size) < 1:
        raise ValueError(f"{op}: the output would be {size[0]} x {size[1]} (input shape "
                         f"{tuple(x.shape)}, weight shape {tuple(wt.shape)}, padding "
                         f"{padding}): the padding is too large")
    params = dict(stride=stride, padding=padding, output_padding=output_padding,
                  dilation=dilation)
    if groups == 1:
        return ConvTranspose2d.apply(input, weight, bias, **params)
    from .shape import cat

    c, f = wt.shape[0] // groups, wt.shape[1]  # input and output channels per group
    outputs = []
    for g in range(groups):  # group g: its input channels, its weights, its outputs
        channels = (Ellipsis, slice(g * c, (g + 1) * c), slice(None), slice(None))
        outputs.append(ConvTranspose2d.apply(
            input[channels], weight[g * c:(g + 1) * c],
            None if bias is None else bias[g * f:(g + 1) * f], **params))
    return cat(outputs, dim=-3)


def _one(value, name, op, minimum=1):
    """An int or a 1-tuple, checked, as an int (the 1-D ops' size arguments)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, xp.integer)):
        raise TypeError(f"{op}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    if value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return int(value)


def _as_image(input, op, what="input"):
    """(N, C, L) -> (N, C, 1, L) and (C, L) -> (C, 1, L): a 1-D signal as an image of
    height 1 (a reshape node, so gradients flow back)."""
    x = _data(input)
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: {what} must be 3-D (N, C, L) or 2-D (C, L), got shape "
                         f"{tuple(x.shape)}")
    return input.unsqueeze(-2)


@contextlib.contextmanager
def _errors_of_1d(op, op_2d):
    """A bad argument that only the 2-D op underneath notices is reported under the 1-D
    op's name, saying why its shapes have a height axis of size 1 the caller never wrote."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise type(error)(f"{op} (run as {op_2d} on an image of height 1: the shapes and "
                          f"sizes below have an added axis of size 1 at dim -2): {error}"
                          ) from error


def _check_weight_1d(op, weight):
    if _data(weight).ndim != 3:
        raise ValueError(f"{op}: weight must be 3-D, got shape {tuple(_data(weight).shape)}")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of ``input`` (N, C, L) with ``weight``
    (F, C / groups, K) and optional ``bias`` (F,):

        y[n, f, i] = b[f] + sum_{c,k} w[f, c, k] * x[n, c, s*i + d*k]

    over the zero-padded input; output length floor((L + 2p - d(K-1) - 1)/s) + 1.
    ``padding`` is an int, 'valid' or 'same' (stride 1). Computed as conv2d on an image of
    height 1."""
    op = "conv1d"
    _check_weight_1d(op, weight)
    stride = _one(stride, "stride", op)
    dilation = _one(dilation, "dilation", op)
    if not isinstance(padding, str):
        padding = (0, _one(padding, "padding", op, minimum=0))
    elif padding not in ("same", "valid"):
        raise ValueError(f"{op}: padding must be an int, 'valid' or 'same', got {padding!r}")
    elif padding == "same" and stride != 1:
        raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                         f"(stride={stride}); give the padding as a number")
    image = _as_image(input, op)
    with _errors_of_1d(op, "conv2d"):
        y = conv2d(image, weight.unsqueeze(2), bias, stride=(1, stride), padding=padding,
                   dilation=(1, dilation), groups=groups)
    return y.squeeze(-2)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution of ``input`` (N, C_in, L) with ``weight``
    (C_in, C_out / groups, K): y[n, o, s*i + d*k - p] += x[n, c, i] * w[c, o, k] (+ b[o]);
    output length (L - 1) s - 2p + d (K - 1) + output_padding + 1. Computed as
    conv_transpose2d on an image of height 1."""
    op = "conv_transpose1d"
    _check_weight_1d(op, weight)
    sizes = dict(stride=(1, _one(stride, "stride", op)),
                 padding=(0, _one(padding, "padding", op, minimum=0)),
                 output_padding=(0, _one(output_padding, "output_padding", op, minimum=0)),
                 dilation=(1, _one(dilation, "dilation", op)))
    image = _as_image(input, op)
    with _errors_of_1d(op, "conv_transpose2d"):
        y = conv_transpose2d(image, weight.unsqueeze(2), bias, groups=groups, **sizes)
    return y.squeeze(-2)
