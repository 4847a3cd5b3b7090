"""The convolution kernels behind ops/convolution.py: im2col patch matrices built chunk by
chunk in reused scratch buffers, the GEMMs over them, and col2im (the strided add of every
kernel offset's contribution). docs/conv.md tells the story; the numbers below were measured.
"""

import math
import threading

from ...backend import xp
from .windows import _is_channels_last, _padded, _windows


# Chunk sizes, in numbers. Small chunks stay in cache; large chunks make fewer BLAS calls,
# which matters on a loaded machine, where each multithreaded BLAS call may wait for a
# descheduled thread. Measured (float32, the benchmark's conv): 8 MB / 1 MB chunks ran 3x
# faster than 2 MB / 256 KB on the loaded 2-core machine, and within 5 % of them alone.
_PATCH_FLOATS = 1 << 21  # an im2col chunk (8 MB of float32)


_KEEP_PATCHES = 1 << 25  # the largest patch matrix conv2d keeps for backward (128 MB of float32)


_CACHE_FLOATS = 1 << 18  # one kernel offset's contribution in a col2im chunk (1 MB)


_scratch = threading.local()  # per thread: role -> a flat buffer, reused from call to call


def _scratch_buffer(role, shape, dtype):
    """An empty array for numbers that never leave conv2d (an im2col chunk, a col2im
    contribution), taken from a per-thread buffer that is reused from call to call.

    Why: glibc hands a freed multi-megabyte array back to the operating system, and a
    fresh one of the same size is then faulted in again page by page (measured: 4,100
    minor page faults and ~10 ms of a 150 ms benchmark step). Buffers are kept only up
    to the chunk sizes below (8 MB + 1 MB of float32 per thread and dtype); a larger
    request (one image bigger than a chunk) gets a fresh array. Each role has one
    buffer per thread, so a caller must be done with it before the next request for
    the same role on the same thread (conv2d's forward, dW and col2im loops are)."""
    size = math.prod(shape)
    if size > _PATCH_FLOATS:
        return xp.empty(shape, dtype=dtype)
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    key = (role, xp.dtype(dtype))
    flat = buffers.get(key)
    if flat is None or flat.size < size:
        flat = buffers[key] = xp.empty(size, dtype=dtype)
    return flat[:size].reshape(shape)


# A window row shorter than this (KW*C numbers) is copied offset by offset instead: the
# channels-last copy would move runs of KW*C numbers (3 for a 3x3 kernel on one channel),
# and NumPy's per-run overhead then dominates. Measured, float32, batch 128, one thread:
# the patch copy of conv 1->16 3x3 on 28x28 2.5 -> 0.5 ms; conv 3->16 3x3 on 32x32
# (padding 1) forward + backward 42 -> 38 ms.
_NARROW_ROW = 16


def keeps_patches(size):
    """Whether conv2d keeps a patch matrix of ``size`` numbers for backward (up to
    _KEEP_PATCHES) rather than copying the windows again there."""
    return size <= _KEEP_PATCHES


def _is_narrow(kw, c):
    return kw * c < _NARROW_ROW


def _patch_chunks(windows, into=None):
    """im2col, a few images at a time: yields (rows, patches), the patch matrix of those
    images (one row per output pixel, columns ordered kernel row, kernel column, channel)
    and which rows of the whole matrix they are. The patches are copied into one reused
    buffer of at most _PATCH_FLOATS numbers, so the GEMM that follows reads them from cache;
    use each chunk before asking for the next. From channels-last memory the copy moves
    runs of C contiguous numbers. With ``into`` (an array from _patch_matrix) the chunks
    are written into it instead, so that the whole matrix outlives the loop.

    For a narrow window (few channels: an image batch) the matrix is filled one kernel
    offset and channel at a time, as a column-major (Fortran-ordered) view: each copy then
    moves whole image rows. The products that follow read either layout (BLAS takes the
    transpose flag)."""
    n, oh, ow, kh, kw, c = windows.shape
    per_image, width = oh * ow, kh * kw * c
    chunk = max(1, _PATCH_FLOATS // (per_image * width))  # images per chunk
    narrow = _is_narrow(kw, c)
    if into is None:
        buffer = _scratch_buffer("patches", (min(chunk, n) * per_image * width,), windows.dtype)
    for n0 in range(0, n, chunk):
        b = min(chunk, n - n0)
        block, rows = windows[n0:n0 + b], slice(n0 * per_image, (n0 + b) * per_image)
        if narrow:
            columns = (into[:, :, :, n0:n0 + b] if into is not None
                       else buffer[:width * b * per_image].reshape(kh, kw, c, b, oh, ow))
            for i in range(kh):
                for j in range(kw):
                    xp.copyto(columns[i, j], block[:, :, :, i, j, :].transpose(3, 0, 1, 2))
            patches = columns.reshape(width, b * per_image).T
        else:
            patches = (into[rows] if into is not None
                       else buffer[:b * per_image * width].reshape(b * per_image, width))
            xp.copyto(patches.reshape(b, oh, ow, kh, kw, c), block)
        yield rows, patches


def _patch_matrix(windows):
    """A new, empty array for the whole patch matrix of ``windows``, in the layout
    _patch_chunks writes: (KH, KW, C, N, OH, OW) for a narrow window, else
    (N*OH*OW, KH*KW*C)."""
    n, oh, ow, kh, kw, c = windows.shape
    if _is_narrow(kw, c):
        return xp.empty((kh, kw, c, n, oh, ow), dtype=windows.dtype)
    return xp.empty((n * oh * ow, kh * kw * c), dtype=windows.dtype)


def _as_patch_rows(matrix):
    """An array from _patch_matrix as the (N*OH*OW, KH*KW*C) patch matrix (a view)."""
    if matrix.ndim == 2:
        return matrix
    kh, kw, c, n, oh, ow = matrix.shape
    return matrix.reshape(kh * kw * c, n * oh * ow).T


def _tall_product(a, b):
    """a^T @ b for tall a (M, K1) and b (M, K2): one GEMM with a long inner dimension."""
    if a.dtype == xp.float32:
        _warm_up_sgemm()
    return a.T @ b


_sgemm_warm = [False]


def _warm_up_sgemm():
    """One 512x512x512 float32 product, once per process (about 5 ms).

    Measured on the development machine (OpenBLAS 0.3.31, AMD EPYC, 2 cores): until a
    process has run a float32 product of roughly that size, OpenBLAS runs products with
    a long inner dimension, like conv2d's dW = patches^T @ upstream, about 2x slower
    (50 ms instead of 26 ms for the benchmark's dW), and stays so. float64 is not
    affected. Harmless where the effect does not exist."""
    if not _sgemm_warm[0]:
        _sgemm_warm[0] = True
        square = xp.ones((512, 512), dtype=xp.float32)
        square @ square


def _col2im(g_mat, weight, padded_shape, oh, ow, stride, dilation):
    """dL/dx for conv2d: each input pixel receives upstream x weight from every window that
    covered it. One kernel offset (i, j) at a time: the GEMM upstream @ w[:, :, i, j] gives
    that offset's contribution for all windows at once, and a strided add puts it where
    the offset touched the input: kh*kw GEMMs and adds, no loop over pixels. The batch is
    cut into chunks of images so that each contribution is added while it is still in
    cache."""
    n, c, hp, wp = padded_shape
    f, _, kh, kw = weight.shape
    (sh, sw), (dh, dw) = stride, dilation
    w_offsets = weight.transpose(2, 3, 0, 1).copy()  # (KH, KW, F, C): one (F, C) per offset
    d_xpad = xp.zeros((n, hp, wp, c), dtype=g_mat.dtype)  # channels-last, like the forward
    chunk = max(1, _CACHE_FLOATS // (oh * ow * c))  # images per chunk
    contribution = _scratch_buffer("contribution", (min(chunk, n) * oh * ow, c), g_mat.dtype)
    for n0 in range(0, n, chunk):
        b = min(chunk, n - n0)
        g_chunk = g_mat[n0 * oh * ow:(n0 + b) * oh * ow]
        out = contribution[:b * oh * ow]
        out4 = out.reshape(b, oh, ow, c)
        d_chunk = d_xpad[n0:n0 + b]
        for i in range(kh):
            for j in range(kw):
                xp.matmul(g_chunk, w_offsets[i, j], out=out)
                d_chunk[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                        j * dw:j * dw + sw * (ow - 1) + 1:sw] += out4
    return d_xpad.transpose(0, 3, 1, 2)


def padded_channels_last(x, top, bottom, left, right, kw):
    """x zero-padded, its memory channels-last (N, H, W, C) so that the patch copies read
    runs of C numbers: a padded copy is made so; an NCHW input that needs no padding (an
    image batch, not a conv output) gets one channels-last copy (measured 1.8x faster
    overall), unless its window rows are narrow anyway."""
    xpad = _padded(x, top, bottom, left, right, 0, channels_last=True)
    if xpad is x and not _is_narrow(kw, x.shape[1]) and not _is_channels_last(x):
        xpad = x.transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2)
    return xpad


def patch_product(xpad, weight, bias, stride, dilation, out_size, keep):
    """conv2d's forward as matrices: (P W^T + b) of shape (N*OH*OW, F), one row (n, i, j)
    per output pixel, P the patch matrix of xpad's windows, built chunk by chunk; and P
    itself (as rows) when ``keep`` asks for it and it fits, else None.

    dL/dw needs the patch matrix again. Up to _KEEP_PATCHES numbers it is written into an
    array of its own and kept for backward, which saves copying it twice (measured: 9 ms of
    the benchmark's 94 ms step); above that, backward keeps only the padded input, KH*KW
    times smaller, and copies the patches again."""
    f, c, kh, kw = weight.shape
    oh, ow = out_size
    windows = _windows(xpad, (kh, kw), stride, dilation, out_size)
    keep = keep and keeps_patches(windows.size)
    kept = _patch_matrix(windows) if keep else None
    # The weights as a (KH*KW*C, F) matrix whose rows follow the patch columns.
    w_mat = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c, f)
    out = xp.empty((xpad.shape[0] * oh * ow, f), dtype=xpad.dtype)  # row (n, i, j), column f
    # The bias repeated along an output row, so that it is added to rows of OW*F numbers
    # rather than of F: with few filters NumPy's cost per row outweighs the additions
    # (the benchmark's F = 32 layer: 1.46 -> 1.07 ms)
    bias_row = None if bias is None else xp.tile(bias, ow)
    for rows, patches in _patch_chunks(windows, into=kept):
        xp.matmul(patches, w_mat, out=out[rows])  # (pixels, KH*KW*C) @ (KH*KW*C, F)
        if bias is not None:  # while the chunk is in cache
            by_output_row = out[rows].reshape(-1, ow * f)
            by_output_row += bias_row
    return out, (_as_patch_rows(kept) if keep else None)


def patches_t_product(for_w, kept, g_mat, kernel, stride, dilation, out_size):
    """P^T G, (KH*KW*C, F): dL/dw as a matrix, from the kept patch matrix, or from the
    padded input's windows copied again chunk by chunk."""
    if kept:
        return _tall_product(for_w, g_mat)
    (kh, kw), c = kernel, for_w.shape[1]
    d_w_mat = xp.zeros((kh * kw * c, g_mat.shape[1]), dtype=g_mat.dtype)
    windows = _windows(for_w, kernel, stride, dilation, out_size)
    for rows, patches in _patch_chunks(windows):
        d_w_mat += _tall_product(patches, g_mat[rows])
    return d_w_mat


def transposed_conv_grads(g, x_mat, weight, in_size, kernel, stride, padding, dilation,
                          need_x, need_w):
    """conv_transpose2d's dL/dx (N, C_in, H, W) and dL/dw (C_in, C_out, kH, kW), each None
    where not needed, from the upstream g (N, C_out, OH, OW) and the input as the matrix
    x_mat (N*H*W, C_in). Input pixel (i, j) sent its value to window (i, j) of the padded
    output; with P the patch matrix of those H x W windows of the padded upstream, one row
    per input pixel: dL/dx = P W, dL/dw = P^T X. One patch copy, chunk by chunk, serves
    both products."""
    (h, w), (ph, pw) = in_size, padding
    n, c_out, c_in = g.shape[0], g.shape[1], weight.shape[0]
    d_x = d_w = None
    if not (need_x or need_w):
        return d_x, d_w
    gpad = padded_channels_last(g, ph, ph, pw, pw, kernel[1])  # as conv2d pads its input
    windows = _windows(gpad, kernel, stride, dilation, (h, w))
    if need_x:
        w_mat = weight.transpose(2, 3, 1, 0).reshape(-1, c_in)  # (kH*kW*C_out, C_in)
        d_x_mat = xp.empty((n * h * w, c_in), dtype=g.dtype)
    if need_w:
        d_w_mat = xp.zeros((kernel[0] * kernel[1] * c_out, c_in), dtype=g.dtype)
    for rows, patches in _patch_chunks(windows):
        if need_x:
            xp.matmul(patches, w_mat, out=d_x_mat[rows])
        if need_w:
            d_w_mat += _tall_product(patches, x_mat[rows])
    if need_x:
        d_x = d_x_mat.reshape(n, h, w, c_in).transpose(0, 3, 1, 2)
    if need_w:
        d_w = d_w_mat.reshape(*kernel, c_out, c_in).transpose(3, 2, 0, 1).copy()
    return d_x, d_w
