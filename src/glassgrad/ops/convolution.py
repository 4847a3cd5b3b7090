r"""Convolution: conv2d, conv1d, conv_transpose2d, conv_transpose1d, and the patch
operators unfold (im2col) and fold (col2im) under them.

conv2d is one matrix product per group: every output pixel's window of the (padded)
input, copied into a row of the *patch matrix* P (im2col), times the kernel matrix W:

    Y = P W^T (+ b),    \partial L/\partial W = \bar Y^T P,    \partial L/\partial P = \bar Y W

and \partial L/\partial x adds every patch-matrix entry back onto the pixel it was copied
from (col2im). No Python loop over pixels: the windows are a strided view of the input
(ops/_kernels/windows.py); the patch matrix is built chunk by chunk in reused scratch
buffers, and the GEMMs run while a chunk is in cache (ops/_kernels/conv.py). docs/conv.md
tells the whole story.

A transposed convolution is conv2d's backward-to-input run forward: each input pixel
spreads its value, times the kernel, over a window of the (larger) output. So it is written
with conv2d's three pieces:

- forward  = col2im: one GEMM and one strided add per kernel offset (conv2d's dX),
- dL/dx    = conv2d's forward: the windows of the (padded) upstream as a patch matrix,
             times the weights (im2col + one GEMM per chunk),
- dL/dW    = conv2d's weight gradient: the same patches, transposed, times the input.

conv1d is conv2d on an image of height 1 (and conv_transpose1d likewise): the reshape
nodes around it route the gradients, and the 2-D op does the work.

``unfold`` copies every kernel_size window of an (N, C, H, W) batch into a column:
(N, C * kH * kW, L), one column per window position: the patch matrix of docs/conv.md, as
a tensor the user can see. ``fold`` is its adjoint: it adds every column back onto the
window it came from. So each one's backward is the other one's forward:

    unfold:  dL/dx    = fold(dL/dcols)     fold:    dL/dcols = unfold(dL/dy)

(unfold and fold are reached as glassgrad.nn.functional.unfold / fold only, as in PyTorch:
the name unfold at the top level would be Tensor.unfold's, a different op, sliding windows
along one dim.)
"""

import contextlib

from ..autograd.function import Convolution
from ..backend import xp
from ._kernels.conv import (
    _col2im, _warm_up_sgemm, padded_channels_last, patch_product, patches_t_product,
    transposed_conv_grads,
)
from ._kernels.windows import _data, _out_size, _pair, _unbatched

__all__ = [
    "conv2d", "conv_transpose2d", "conv_transpose1d", "conv1d",
]


# ===================================================================== conv2d
def _conv2d_out_size(size, kernel, stride, padding, dilation):
    """(OH, OW): the number of window positions along each axis of the padded input."""
    (top, bottom, left, right) = padding
    return (_out_size(size[0], kernel[0], stride[0], top, bottom, dilation[0]),
            _out_size(size[1], kernel[1], stride[1], left, right, dilation[1]))


def _pixel_rows(g):
    """An (N, F, OH, OW) upstream as the matrix (N*OH*OW, F), one row per output pixel
    (the layout of conv2d's Y = P W^T), and (OH, OW)."""
    n, f, oh, ow = g.shape
    return g.transpose(0, 2, 3, 1).reshape(n * oh * ow, f), (oh, ow)


def _conv2d_weight_grad(for_w, kept, g_mat, kernel, c, stride, dilation, out_size):
    """dL/dW = P^T G as conv2d's (F, C, KH, KW) weight, from the kept patch matrix or the
    padded input (patches_t_product)."""
    (kh, kw), f = kernel, g_mat.shape[1]
    d_w_mat = patches_t_product(for_w, kept, g_mat, kernel, stride, dilation, out_size)
    return d_w_mat.reshape(kh, kw, c, f).transpose(3, 2, 0, 1).copy()


def _row_sum(g_mat):
    """The sum of the rows of g_mat (a bias gradient: every output pixel added b_f once),
    as a product with ones: 2.5x faster than g.sum(axis=(0, 2, 3)) and more accurate in
    float32 (BLAS keeps several partial sums)."""
    return xp.ones(g_mat.shape[0], dtype=g_mat.dtype) @ g_mat


class Conv2d(Convolution):
    label = "conv2d"
    rule = (r"y_{nfij} = b_f + \sum_{c,k,l} w_{fckl}\, x_{n,c,s i+d k,s j+d l};\ "
            r"\partial y_{nfij}/\partial w_{fckl} = x_{n,c,si+dk,sj+dl},\ "
            r"\partial y_{nfij}/\partial x_{n,c,si+dk,sj+dl} = w_{fckl},\ "
            r"\partial y_{nfij}/\partial b_f = 1")
    plain = "y_nfij = b_f + sum_c,k,l w_fckl x_n,c,s i+d k,s j+d l; d y_nfij/d w_fckl = x_n,c,si+dk,sj+dl, d y_nfij/d x_n,c,si+dk,sj+dl = w_fckl, d y_nfij/d b_f = 1"
    form = ("conv2d({...})", r"\mathrm{conv2d}({...})")
    float_only = True

    def forward(ctx, given, weight, bias, stride, padding, dilation):
        # Y = P W^T + b, P the patch matrix (im2col): one row per output pixel (N*OH*OW, F)
        x, unbatched = _unbatched(given, "conv2d")
        (top, bottom, left, right) = padding
        oh, ow = _conv2d_out_size(x.shape[2:], weight.shape[2:], stride, padding, dilation)
        xpad = padded_channels_last(x, top, bottom, left, right, weight.shape[3])
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        # P itself is kept for dL/dw when it fits, else backward copies it again from xpad
        out, kept = patch_product(xpad, weight, bias, stride, dilation, (oh, ow), keep=need_w)
        # The input itself is saved too, though backward reads only its copies: an in-place
        # edit of it is then refused at backward, as in PyTorch (which saves the input).
        ctx.save_for_backward(None if not need_w else xpad if kept is None else kept,
                              weight if need_x else None, given if need_w else None)
        ctx.geometry = ((top, left), x.shape[2:], stride, dilation, unbatched)
        ctx.patches_kept, ctx.padded_shape = kept is not None, xpad.shape
        ctx.kernel = weight.shape[2:]
        y = out.reshape(len(x), oh, ow, len(weight)).transpose(0, 3, 1, 2)  # NCHW view, NHWC memory
        return y[0] if unbatched else y

    def backward(ctx, upstream):
        # With G the upstream as rows, one per output pixel like Y = P W^T + b:
        # dL/dW = G^T P,  dL/db = the sum of G's rows,  dL/dx = col2im(G W)
        for_w, weight, _ = ctx.saved  # for_w: the patch matrix if kept, else the padded input
        (top, left), (h, w), stride, dilation, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        g_mat, out_size = _pixel_rows(g)
        need_x, need_w, need_b = ctx.needs_input_grad
        d_x = d_w = d_b = None
        if need_w:
            d_w = _conv2d_weight_grad(for_w, ctx.patches_kept, g_mat, ctx.kernel,
                                      ctx.padded_shape[1], stride, dilation, out_size)
        if need_b:
            d_b = _row_sum(g_mat)
        if need_x:
            d_xpad = _col2im(g_mat, weight, ctx.padded_shape, *out_size, stride, dilation)
            d_x = d_xpad[:, :, top:top + h, left:left + w]
            d_x = d_x[0] if unbatched else d_x
        return d_x, d_w, d_b


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in every DL library) of ``input`` (N, C, H, W)
    with ``weight`` (F, C, KH, KW) and optional ``bias`` (F,):

        y[n, f, i, j] = b[f] + sum_{c,k,l} w[f, c, k, l] * x[n, c, s*i + d*k, s*j + d*l]

    over the zero-padded input; output size floor((H + 2p - d(KH-1) - 1)/s) + 1 per axis.
    ``padding`` is an int, a pair, 'valid' (0) or 'same' (stride 1). Computed as one matrix
    product of the patch matrix (N*OH*OW, KH*KW*C) with the weights (im2col); backward is
    two more: dW = patches^T @ upstream, and dX by kernel offset (col2im). The patch matrix
    (KH*KW times the input) is kept for dW up to 2^25 numbers and built again above that.

    ``groups`` = G splits the C input channels and the F filters into G groups: filters
    f of group g see only the C/G channels of group g, so ``weight`` is (F, C/G, KH, KW)
    (G = C: a depthwise convolution). Computed as G convolutions of channel slices,
    concatenated along the channels (the slices and the concatenation route the gradients).
    """
    x = _data(input)
    wt = _data(weight)
    if isinstance(groups, bool) or not isinstance(groups, (int, xp.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    if x.ndim not in (3, 4):
        raise ValueError(f"conv2d: input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    if wt.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels, KH, KW), got "
                         f"shape {tuple(wt.shape)}")
    if wt.shape[0] % groups:
        raise ValueError(f"conv2d: the {wt.shape[0]} filters of the weight of shape "
                         f"{tuple(wt.shape)} cannot be split into groups={groups}")
    if x.shape[-3] != wt.shape[1] * groups:
        per_group = f" x groups={groups}" if groups != 1 else ""
        raise ValueError(
            f"conv2d: input of shape {tuple(x.shape)} has {x.shape[-3]} channels but weight of "
            f"shape {tuple(wt.shape)} expects {wt.shape[1] * groups} input channels "
            f"(weight.shape[1]{per_group})"
        )
    if x.dtype != wt.dtype:
        raise TypeError(f"conv2d: input dtype {x.dtype} and weight dtype {wt.dtype} differ; "
                        "convert one of them (.float() or .double())")
    if bias is not None:
        b = _data(bias)
        if b.shape != (wt.shape[0],):
            raise ValueError(f"conv2d: bias must have shape ({wt.shape[0]},), one per output "
                             f"channel; got {tuple(b.shape)}")
        if b.dtype != x.dtype:
            raise TypeError(f"conv2d: bias dtype {b.dtype} differs from input dtype {x.dtype}")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    kernel = wt.shape[2:]
    pads = _conv_padding(padding, kernel, dilation, stride)
    h, w = x.shape[-2:]
    if (_out_size(h, kernel[0], stride[0], pads[0], pads[1], dilation[0]) < 1
            or _out_size(w, kernel[1], stride[1], pads[2], pads[3], dilation[1]) < 1):
        raise ValueError(
            f"conv2d: the padded input ({h + pads[0] + pads[1]} x {w + pads[2] + pads[3]}) is "
            f"smaller than the dilated kernel ({dilation[0] * (kernel[0] - 1) + 1} x "
            f"{dilation[1] * (kernel[1] - 1) + 1}); input shape {tuple(x.shape)}, weight "
            f"shape {tuple(wt.shape)}"
        )
    if groups == 1:
        return Conv2d.apply(input, weight, bias, stride=stride, padding=pads, dilation=dilation)
    from .shape import cat

    c, f = wt.shape[1], wt.shape[0] // groups  # channels and filters per group
    outputs = []
    for g in range(groups):
        channels = (Ellipsis, slice(g * c, (g + 1) * c), slice(None), slice(None))
        filters = slice(g * f, (g + 1) * f)
        outputs.append(Conv2d.apply(input[channels], weight[filters],
                                    None if bias is None else bias[filters],
                                    stride=stride, padding=pads, dilation=dilation))
    return cat(outputs, dim=-3)


def _conv_padding(padding, kernel, dilation, stride):
    """padding as (top, bottom, left, right): an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("conv2d: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride}); give the padding as numbers")
            # total padding d*(k-1) keeps the size; an odd total puts the extra row at the
            # bottom (and the extra column at the right), as PyTorch does
            (th, tw) = (dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1))
            return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', "
                         f"got {padding!r}")
    ph, pw = _pair(padding, "padding", "conv2d", minimum=0)
    return (ph, ph, pw, pw)


def _transposed_out_size(size, kernel, stride, padding, output_padding, dilation):
    """(OH, OW) of a transposed convolution: (H - 1) s - 2p + d (k - 1) + output_padding + 1
    along each axis (conv2d's input size, read backwards)."""
    return tuple((size[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1)
                 + output_padding[i] + 1 for i in range(2))


def _spread_rows(x_mat, weight, padded_shape, in_size, stride, dilation):
    """col2im: every row of x_mat (one per input pixel) times the kernel, added over its
    window of a zero output of padded_shape (conv2d's dL/dx, run forward)."""
    if x_mat.dtype == xp.float32:
        _warm_up_sgemm()  # once per process: OpenBLAS's float32 products ran 3.5x slower
        # before it (this op's forward, 64x64x8x8 -> 32 channels, k4 s2: 43 -> 12 ms)
    return _col2im(x_mat, weight, padded_shape, *in_size, stride, dilation)


class ConvTranspose2d(Convolution):
    label = "conv_transpose2d"
    rule = (r"y_{n,o,si+dk-p,sj+dl-p} \mathrel{+}= x_{ncij}\, w_{cokl} (+ b_o);\ "
            r"\partial y/\partial x_{ncij} = w_{cokl},\ "
            r"\partial y/\partial w_{cokl} = x_{ncij},\ \partial y/\partial b_o = 1")
    plain = "y_n,o,si+dk-p,sj+dl-p += x_ncij w_cokl (+ b_o); d y/d x_ncij = w_cokl, d y/d w_cokl = x_ncij, d y/d b_o = 1"
    form = ("conv_transpose2d({...})", r"\mathrm{conv\_transpose2d}({...})")
    float_only = True

    def forward(ctx, x, weight, bias, stride, padding, output_padding, dilation):
        # y = col2im(X W) + b: input pixel (i, j) adds x_ij w to window (i, j) of the
        # padded output, whose padding is then cut off
        x, unbatched = _unbatched(x, "conv_transpose2d")
        n, c_in, h, w = x.shape
        (ph, pw) = padding
        oh, ow = _transposed_out_size((h, w), weight.shape[2:], stride, padding, output_padding,
                                      dilation)
        # The input as a matrix (N*H*W, C_in), one row per input pixel: it plays the role of
        # conv2d's upstream, and the weight (C_in, C_out, kH, kW) that of conv2d's (F, C, kH, kW)
        x_mat = x.transpose(0, 2, 3, 1).reshape(n * h * w, c_in)
        full = _spread_rows(x_mat, weight, (n, weight.shape[1], oh + 2 * ph, ow + 2 * pw),
                            (h, w), stride, dilation)
        y = full[:, :, ph:ph + oh, pw:pw + ow]
        if bias is not None:
            y += bias[:, None, None]
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(x_mat if need_w else None, weight if need_x else None)
        ctx.geometry = ((n, c_in, h, w), weight.shape[2:], stride, padding, dilation, unbatched)
        return y[0] if unbatched else y

    def backward(ctx, upstream):
        x_mat, weight = ctx.saved
        (n, c_in, h, w), kernel, stride, padding, dilation, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        need_x, need_w, need_b = ctx.needs_input_grad
        # Input pixel (i, j) sent x_ij w to window (i, j) of the padded output, so with P
        # the patches of those windows of the upstream (one row per input pixel):
        # dL/dx = P W (conv2d of the upstream with w), dL/dw = P^T X
        d_x, d_w = transposed_conv_grads(g, x_mat, weight, (h, w), kernel, stride, padding,
                                         dilation, need_x, need_w)
        if unbatched and d_x is not None:
            d_x = d_x[0]
        d_b = g.sum(axis=(0, 2, 3)) if need_b else None  # each output pixel added b_o once
        return d_x, d_w, d_b


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


def _offset_slices(kernel, dilation, stride, out_size):
    """For kernel offset (i, j): the strided slices of the padded image it touches, one
    entry per window position."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dilation, stride, out_size
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                         slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _unfold(x, kernel, dilation, padding, stride, out_size):
    """x (N, C, H, W) -> columns (N, C*kH*kW, OH*OW): entry [n, (c, i, j), (p, q)] is
    x_padded[n, c, s p + d i, s q + d j]."""
    n, c = x.shape[:2]
    (ph, pw), (oh, ow) = padding, out_size
    if ph or pw:
        x = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = xp.empty((n, c, kernel[0], kernel[1], oh, ow), dtype=x.dtype)
    for i, j, (rows, columns) in _offset_slices(kernel, dilation, stride, out_size):
        cols[:, :, i, j] = x[:, :, rows, columns]
    return cols.reshape(n, c * kernel[0] * kernel[1], oh * ow)


def _fold(cols, image_size, kernel, dilation, padding, stride, out_size):
    """columns (N, C*kH*kW, OH*OW) -> (N, C, H, W): every column added back onto its
    window, overlaps summed; the padding is cut off at the end."""
    n = cols.shape[0]
    (kh, kw), (ph, pw), (h, w), (oh, ow) = kernel, padding, image_size, out_size
    c = cols.shape[1] // (kh * kw)
    blocks = cols.reshape(n, c, kh, kw, oh, ow)
    image = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i, j, (rows, columns) in _offset_slices(kernel, dilation, stride, out_size):
        image[:, :, rows, columns] += blocks[:, :, i, j]
    return image[:, :, ph:ph + h, pw:pw + w]


class Unfold(Convolution):
    label = "unfold"
    rule = (r"\mathrm{cols}_{n,(c,i,j),(p,q)} = x_{n,c,sp+di,sq+dj};\ "
            r"\partial \mathrm{cols}/\partial x = 1 \text{ at the copied pixel (backward: fold)}")
    plain = "cols_n,(c,i,j),(p,q) = x_n,c,sp+di,sq+dj; d cols/d x = 1 at the copied pixel (backward: fold)"
    form = ("unfold({...})", r"\mathrm{unfold}({...})")
    float_only = True

    def forward(ctx, x, kernel, dilation, padding, stride, out_size):
        unbatched = x.ndim == 3
        x4 = x[None] if unbatched else x
        ctx.geometry = (x4.shape[2:], kernel, dilation, padding, stride, out_size, unbatched)
        cols = _unfold(x4, kernel, dilation, padding, stride, out_size)
        return cols[0] if unbatched else cols

    def backward(ctx, upstream):
        image_size, kernel, dilation, padding, stride, out_size, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        d_x = _fold(g, image_size, kernel, dilation, padding, stride, out_size)
        return d_x[0] if unbatched else d_x


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: every kernel_size window of ``input`` (N, C, H, W) as a column of the result
    (N, C * kH * kW, L), with L = OH * OW window positions (rows of windows first) and
    the column's entries ordered channel, kernel row, kernel column:

        cols[n, (c, i, j), (p, q)] = x_padded[n, c, s p + d i, s q + d j]

    The backward adds each column's gradient back onto its window (fold)."""
    op = "unfold"
    x = _data(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    kernel, dilation, padding, stride, out = _geometry(op, x.shape[-2:], kernel_size, dilation,
                                                       padding, stride)
    return Unfold.apply(input, kernel=kernel, dilation=dilation, padding=padding, stride=stride,
                        out_size=out)


class Fold(Convolution):
    label = "fold"
    rule = (r"y_{n,c,h,w} = \sum_{(i,j),(p,q):\, sp+di=h,\, sq+dj=w} "
            r"\mathrm{cols}_{n,(c,i,j),(p,q)};\ "
            r"\partial y/\partial \mathrm{cols} = 1 \text{ (backward: unfold)}")
    plain = "y_n,c,h,w = sum_(i,j),(p,q): sp+di=h, sq+dj=w cols_n,(c,i,j),(p,q); d y/d cols = 1 (backward: unfold)"
    form = ("fold({...})", r"\mathrm{fold}({...})")
    float_only = True

    def forward(ctx, cols, image_size, kernel, dilation, padding, stride, out_size):
        unbatched = cols.ndim == 2
        c3 = cols[None] if unbatched else cols
        ctx.geometry = (kernel, dilation, padding, stride, out_size, unbatched)
        y = _fold(c3, image_size, kernel, dilation, padding, stride, out_size)
        return y[0] if unbatched else y

    def backward(ctx, upstream):
        kernel, dilation, padding, stride, out_size, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        d_cols = _unfold(g, kernel, dilation, padding, stride, out_size)
        return d_cols[0] if unbatched else d_cols


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of unfold: ``input`` (N, C * kH * kW, L) holds one column per
    window of an (N, C, *output_size) image; each column is added onto its window and
    overlaps are summed:

        y[n, c, h, w] = sum of cols[n, (c, i, j), (p, q)] over s p + d i = h + pad,
                        s q + d j = w + pad

    fold(unfold(x)) multiplies each pixel by the number of windows that cover it. The
    backward copies the windows of the upstream into columns (unfold)."""
    op = "fold"
    cols = _data(input)
    if cols.ndim not in (2, 3):
        raise ValueError(f"{op}: input must be 3-D (N, C * kH * kW, L) or 2-D (C * kH * kW, L), "
                         f"got shape {tuple(cols.shape)}")
    size = _pair(output_size, "output_size", op)
    kernel, dilation, padding, stride, out = _geometry(op, size, kernel_size, dilation, padding,
                                                       stride)
    rows, blocks = cols.shape[-2:]
    if rows % (kernel[0] * kernel[1]):
        raise ValueError(f"{op}: expected the size of input's dimension {cols.ndim - 2} "
                         f"({rows}) to be divisible by the product of kernel_size "
                         f"{kernel[0] * kernel[1]}, input shape {tuple(cols.shape)}")
    if blocks != out[0] * out[1]:
        raise ValueError(f"{op}: input of shape {tuple(cols.shape)} has {blocks} columns, but "
                         f"output_size={size}, kernel_size={kernel}, dilation={dilation}, "
                         f"padding={padding}, stride={stride} give {out[0]} x {out[1]} = "
                         f"{out[0] * out[1]} windows")
    return Fold.apply(input, image_size=size, kernel=kernel, dilation=dilation, padding=padding,
                      stride=stride, out_size=out)


def _geometry(op, image_size, kernel_size, dilation, padding, stride):
    kernel = _pair(kernel_size, "kernel_size", op)
    dilation = _pair(dilation, "dilation", op)
    padding = _pair(padding, "padding", op, minimum=0)
    stride = _pair(stride, "stride", op)
    out = tuple(_out_size(image_size[a], kernel[a], stride[a], padding[a], padding[a],
                          dilation[a]) for a in range(2))
    if min(out) < 1:
        span = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
        raise ValueError(f"{op}: the padded image {image_size[0] + 2 * padding[0]} x "
                         f"{image_size[1] + 2 * padding[1]} is smaller than the dilated kernel "
                         f"{span[0]} x {span[1]}")
    return kernel, dilation, padding, stride, out
