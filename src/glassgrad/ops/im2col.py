"""unfold (im2col) and fold (col2im), as torch.nn.functional has them.

``unfold`` copies every kernel_size window of an (N, C, H, W) batch into a column:
(N, C * kH * kW, L), one column per window position (L = OH * OW). A convolution is then
one matrix product, ``w.view(F, -1) @ unfold(x)``: the patch matrix of docs/conv.md,
here as a tensor the user can see.

``fold`` is its adjoint: it adds every column back onto the window it came from, summing
where windows overlap. So each op's backward is the other one's forward:

    unfold:  dL/dx    = fold(dL/dcols)     (each pixel collects the gradients of its copies)
    fold:    dL/dcols = unfold(dL/dy)      (each column entry reads the gradient of its pixel)

Both loop over the kH * kW kernel offsets only (one strided copy or add each), never over
pixels.
"""

from ..autograd.function import Function
from ..backend import xp
from .nn import _data, _out_size, _pair

# Reached as glassgrad.nn.functional.unfold / fold only, as in PyTorch (torch.nn.functional
# has them, torch does not): the name unfold at the top level would be Tensor.unfold's, a
# different op (sliding windows along one dim). So nothing is star-exported into glassgrad.ops.
__all__ = []


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


class Unfold(Function):
    label = "unfold"
    rule = (r"\mathrm{cols}_{n,(c,i,j),(p,q)} = x_{n,c,sp+di,sq+dj};\ "
            r"\partial \mathrm{cols}/\partial x = 1 \text{ at the copied pixel (backward: fold)}")
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


class Fold(Function):
    label = "fold"
    rule = (r"y_{n,c,h,w} = \sum_{(i,j),(p,q):\, sp+di=h,\, sq+dj=w} "
            r"\mathrm{cols}_{n,(c,i,j),(p,q)};\ "
            r"\partial y/\partial \mathrm{cols} = 1 \text{ (backward: unfold)}")
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
