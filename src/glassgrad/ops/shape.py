"""Shape ops: reshape view transpose permute t broadcast_to expand squeeze unsqueeze flatten
contiguous cat stack pad; narrow select split chunk unbind flip roll repeat tile movedim;
tril triu diag diagonal trace.

None of these changes a value (trace adds some up), so every backward only moves the
upstream gradient back to where each element came from: reshape it back, transpose it
back, slice it apart, or scatter it into zeros (adding where one input element was copied
more than once: repeat, tile, a replicated pad).

Views. Where PyTorch returns a view (view, transpose, permute, expand, squeeze, unsqueeze,
narrow, select, diagonal ...), so does glassgrad: the result shares memory and version
counter with its input.

Pieces. ``split``, ``chunk`` and ``unbind`` return a tuple of tensors. The engine has one
output per node, so every piece is its own node (a ``narrow`` or ``select``); when several
pieces are used, the engine adds their gradients into the input's, each piece filling only
its own slice. (That costs one input-sized array per used piece in backward: fine for a
handful of pieces; ``unbind`` of a thousand rows is better written as one op on the whole
tensor.)
"""

import builtins
import operator

from ..autograd.function import LinearAlgebra, ShapeOp
from ..backend import xp
from ..tensor import Tensor
from .arithmetic import ShapeError, _torch_result_dtype

_as_strided = xp.lib.stride_tricks.as_strided

__all__ = [
    "reshape", "reshape_as", "view", "view_as", "flatten", "squeeze", "unsqueeze",
    "contiguous", "permute", "transpose", "t", "broadcast_to", "expand", "expand_as", "cat",
    "concat", "concatenate", "stack", "pad", "narrow", "select", "split", "chunk", "unbind",
    "flip", "fliplr", "flipud", "rot90", "roll", "movedim", "moveaxis", "swapaxes",
    "swapdims", "tile", "tril", "triu", "diagonal", "diag", "trace", "repeat_interleave",
    "ravel", "unflatten", "broadcast_shapes", "broadcast_tensors", "meshgrid", "diff",
]


def _share_version(out, base):
    """A view shares the version counter of the tensor it looks into."""
    out._vc = base._vc
    return out


def _dim(d, ndim, op, extra=0):
    """One dim as a non-negative axis; ``extra`` widens the range (unsqueeze, stack)."""
    n = ndim + extra
    low, high = (-n, n - 1) if n else (-1, 0)
    if isinstance(d, bool) or not isinstance(d, (int, xp.integer)):
        raise TypeError(f"{op}: dim must be an int, got {d!r}")
    if not low <= d <= high:
        raise IndexError(f"{op}: dimension out of range (expected to be in range of "
                         f"[{low}, {high}], but got {d})")
    return int(d) % n if n else 0


def _sizes(args, op):
    """Accept both f(x, 2, 3) and f(x, (2, 3)), as PyTorch does."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    try:
        return tuple(operator.index(s) for s in args)
    except TypeError:
        raise TypeError(f"{op}: sizes must be ints, got {args!r}") from None


# ---------------------------------------------------------------- reshape family
class Reshape(ShapeOp):
    label = "reshape"
    rule = r"\partial\,\mathrm{reshape}(a)/\partial a = 1\ (\text{the gradient is reshaped back})"
    plain = "d reshape(a)/d a = 1 (the gradient is reshaped back)"
    form = ("reshape({...})", r"\mathrm{reshape}({...})")

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: shape {tuple(shape)} is invalid for an input of shape "
                             f"{a.shape} ({a.size} elements)") from None

    def backward(ctx, upstream):
        return upstream.reshape(ctx.in_shape)


def reshape(input, *shape):
    """The same elements in a new shape (one size may be -1: inferred). A view when the
    memory layout allows it, a copy otherwise."""
    shape = _sizes(shape, "reshape")
    if shape == input.array.shape:
        return input
    out = Reshape.apply(input, shape=shape)
    if xp.may_share_memory(out.array, input.array):
        _share_version(out, input)
    return out


def view(input, *shape):
    """Like reshape, but always a view: shares memory and version counter with input.
    Raises when the layout would need a copy (use reshape or contiguous then)."""
    shape = _sizes(shape, "view")
    try:
        input.array.reshape(shape, copy=False)
    except ValueError as e:
        if "copy" in str(e) or "without copying" in str(e) or "Unable to avoid" in str(e):
            raise ShapeError(
                f"view: size {shape} is not compatible with the memory layout of the input "
                f"(shape {tuple(input.shape)}, strides {input.array.strides}); use "
                ".reshape(...) or .contiguous().view(...)") from None
        raise ShapeError(f"view: shape {shape} is invalid for an input of shape "
                         f"{tuple(input.shape)} ({input.array.size} elements)") from None
    return _share_version(Reshape.apply(input, shape=shape), input)


def squeeze(input, dim=None):
    """Drop size-1 dims (all of them, or those among ``dim``; a dim of another size is
    left alone, as in PyTorch)."""
    shape = input.shape
    if dim is None:
        axes = range(len(shape))
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {_dim(d, len(shape), "squeeze") for d in dims} if shape else ()
    new = tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))
    return _share_version(Reshape.apply(input, shape=new), input)


def unsqueeze(input, dim):
    """Insert a size-1 dim at position ``dim`` (-1: at the end)."""
    shape = input.shape
    d = _dim(dim, len(shape), "unsqueeze", extra=1)
    return _share_version(Reshape.apply(input, shape=shape[:d] + (1,) + shape[d:]), input)


def view_as(input, other):
    """input.view(other.shape)."""
    return view(input, other.shape)


def reshape_as(input, other):
    """input.reshape(other.shape)."""
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-d)."""
    shape = input.shape
    if not shape:
        return reshape(input, (1,))
    start = _dim(start_dim, len(shape), "flatten")
    end = _dim(end_dim, len(shape), "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = 1
    for n in shape[start:end + 1]:
        merged *= n
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


class Contiguous(ShapeOp):
    label = "contiguous"
    rule = r"\partial a/\partial a = 1"
    plain = "d/da contiguous(a) = 1"
    form = ("contiguous({...})", r"\mathrm{contiguous}({...})")

    def forward(ctx, a):
        return xp.ascontiguousarray(a)

    def backward(ctx, upstream):
        return upstream


def contiguous(input):
    """input itself if its memory is C-contiguous, else a C-contiguous copy."""
    if input.array.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


# ---------------------------------------------------------------- axis order
class Permute(ShapeOp):
    label = "permute"
    rule = r"\partial\,\mathrm{permute}(a)/\partial a = 1\ (\text{the gradient is permuted back})"
    plain = "d permute(a)/d a = 1 (the gradient is permuted back)"
    form = ("permute({...})", r"\mathrm{permute}({...})")

    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    def backward(ctx, upstream):
        return upstream.transpose(xp.argsort(ctx.dims))


def permute(input, *dims):
    """Reorder the dims: output dim i is input dim dims[i]. A view."""
    dims = _sizes(dims, "permute")
    n = input.ndim
    axes = tuple(_dim(d, n, "permute") for d in dims)
    if len(axes) != n or len(set(axes)) != n:
        raise ValueError(f"permute: dims {dims} must be a permutation of the {n} dims of a "
                         f"tensor of shape {tuple(input.shape)}")
    return _share_version(Permute.apply(input, dims=axes), input)


class Transpose(ShapeOp):
    label = "transpose"
    rule = r"\partial a^T/\partial a = 1\ (\text{the gradient is transposed back})"
    plain = "d a^T/d a = 1 (the gradient is transposed back)"
    form = ("transpose({...})", r"\mathrm{transpose}({...})")

    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1)

    def backward(ctx, upstream):
        return upstream.swapaxes(ctx.dim0, ctx.dim1)


def transpose(input, dim0, dim1):
    """Swap two dims. A view."""
    n = input.ndim
    d0, d1 = _dim(dim0, n, "transpose"), _dim(dim1, n, "transpose")
    if n == 0:
        return input
    return _share_version(Transpose.apply(input, dim0=d0, dim1=d1), input)


def t(input):
    """Transpose a tensor of at most 2 dims (1-d and 0-d come back unchanged)."""
    if input.ndim > 2:
        raise ValueError(f"t() expects a tensor with <= 2 dimensions, but got shape "
                         f"{tuple(input.shape)}; use transpose(dim0, dim1) or .mT")
    if input.ndim < 2:
        return input
    return transpose(input, 0, 1)


# ---------------------------------------------------------------- broadcasting
class BroadcastTo(ShapeOp):
    label = "broadcast_to"
    rule = r"\partial\,\mathrm{broadcast}(a)/\partial a = 1\ (\text{summed over the copies})"
    plain = "d broadcast(a)/d a = 1 (summed over the copies)"
    form = ("broadcast_to({...})", r"\mathrm{broadcast\_to}({...})")

    def forward(ctx, a, shape):
        try:
            return xp.broadcast_to(a, shape)
        except ValueError:
            raise ShapeError(f"broadcast_to: the input of shape {a.shape} cannot be expanded "
                             f"to shape {tuple(shape)}") from None

    def backward(ctx, upstream):
        # Shaped like the broadcast result: the engine sums it over the copies, in the one
        # place where broadcasting is undone.
        return upstream


def broadcast_to(input, size):
    """A read-only view of input repeated (without copying) to ``size``."""
    shape = _sizes((size,), "broadcast_to")
    if shape == input.shape:
        return input
    return _share_version(BroadcastTo.apply(input, shape=shape), input)


def expand(input, *sizes):
    """broadcast_to where -1 keeps the existing size: x.expand(4, -1)."""
    sizes = _sizes(sizes, "expand")
    shape = input.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ShapeError(f"expand: the number of sizes {sizes} must be at least the number "
                         f"of dims of the input (shape {tuple(shape)})")
    out = []
    for i, n in enumerate(sizes):
        if n == -1:
            if i < lead:
                raise ValueError(f"expand: -1 is not allowed for a new leading dim ({sizes})")
            n = shape[i - lead]
        out.append(n)
    return broadcast_to(input, tuple(out))


def expand_as(input, other):
    """input.expand(other.shape)."""
    return broadcast_to(input, other.shape)


# ---------------------------------------------------------------- joining
class Cat(ShapeOp):
    label = "cat"
    rule = r"\partial\,\mathrm{cat}(a_1..a_n)/\partial a_k = 1\ (\text{on } a_k\text{'s slice})"
    plain = "d cat(a_1..a_n)/d a_k = 1 (on a_k's slice)"
    form = ("cat({...})", r"\mathrm{cat}({...})")

    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.ends = xp.cumsum([a.shape[dim] for a in arrays])
        out = xp.concatenate(arrays, axis=dim)
        return out.astype(_torch_result_dtype(arrays), copy=False)

    def backward(ctx, upstream):
        pieces = xp.split(upstream, ctx.ends[:-1], axis=ctx.dim)
        return tuple(p if need else None for p, need in zip(pieces, ctx.needs_input_grad))


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other sizes must agree. The gradient is
    cut back into the pieces."""
    tensors = _tensor_list(tensors, "cat")
    ref = tensors[0].shape
    d = _dim(dim, len(ref), "cat")
    for i, t in enumerate(tensors):
        s = t.shape
        if len(s) != len(ref) or s[:d] + s[d + 1:] != ref[:d] + ref[d + 1:]:
            raise ShapeError(f"cat: sizes of tensors must match except in dimension {dim}: "
                             f"tensor 0 has shape {tuple(ref)}, tensor {i} has shape {tuple(s)}")
    return Cat.apply(*tensors, dim=d)


class Stack(ShapeOp):
    label = "stack"
    rule = r"\partial\,\mathrm{stack}(a_1..a_n)/\partial a_k = 1\ (\text{on slice } k)"
    plain = "d stack(a_1..a_n)/d a_k = 1 (on slice k)"
    form = ("stack({...})", r"\mathrm{stack}({...})")

    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        out = xp.stack(arrays, axis=dim)
        return out.astype(_torch_result_dtype(arrays), copy=False)

    def backward(ctx, upstream):
        head = (slice(None),) * ctx.dim
        return tuple(upstream[head + (k,)] if need else None
                     for k, need in enumerate(ctx.needs_input_grad))


def stack(tensors, dim=0):
    """Join equal-shaped tensors along a new dim. The gradient is sliced back apart."""
    tensors = _tensor_list(tensors, "stack")
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != ref:
            raise ShapeError(f"stack expects each tensor to be equal size, but got "
                             f"{tuple(ref)} at entry 0 and {tuple(t.shape)} at entry {i}")
    return Stack.apply(*tensors, dim=_dim(dim, len(ref), "stack", extra=1))


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op} expects a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op} expects a non-empty list of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


concat = concatenate = cat


# ---------------------------------------------------------------- padding
class Pad(ShapeOp):
    label = "pad"
    rule = r"\partial\,\mathrm{pad}(a)/\partial a = 1\ (\text{on the original region})"
    plain = "d pad(a)/d a = 1 (on the original region)"
    form = ("pad({...})", r"\mathrm{pad}({...})")

    def forward(ctx, a, pad, value=0):
        # pad = (before_last, after_last, before_second_last, ...); negative pads crop.
        shape = list(a.shape)
        src, dst, new = [slice(None)] * a.ndim, [slice(None)] * a.ndim, list(shape)
        for k in range(len(pad) // 2):
            axis = a.ndim - 1 - k
            before, after = pad[2 * k], pad[2 * k + 1]
            new[axis] = shape[axis] + before + after
            if new[axis] < 0:
                raise ShapeError(f"pad: padding {tuple(pad)} makes dim {axis} of the input "
                                 f"shape {a.shape} negative ({new[axis]})")
            src[axis] = slice(max(-before, 0), shape[axis] - max(-after, 0))
            dst[axis] = slice(max(before, 0), new[axis] - max(after, 0))
        ctx.in_shape = a.shape
        ctx.src, ctx.dst = tuple(src), tuple(dst)
        out = xp.full(new, value, dtype=a.dtype)
        out[ctx.dst] = a[ctx.src]
        return out

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)  # cropped elements get 0
        g[ctx.src] = upstream[ctx.dst]
        return g


class PadIndexed(ShapeOp):
    """reflect / replicate / circular padding: every output element is a copy of one input
    element, so along each padded dim the op is a gather out[..., k] = a[..., src[k]]."""

    label = "pad"
    rule = (r"\partial\,\mathrm{pad}(a)_k/\partial a_i = [\mathrm{src}(k) = i]"
            r"\ (\text{an input element copied } m \text{ times gets } m \text{ upstreams})")
    plain = "d pad(a)_k/d a_i = [src(k) = i] (an input element copied m times gets m upstreams)"
    form = ("pad({...})", r"\mathrm{pad}({...})")

    def forward(ctx, a, sources):
        # sources: per dim, from the last backwards, the source index of every output position
        lengths = []
        for k, src in enumerate(sources):
            axis = a.ndim - 1 - k
            lengths.append(a.shape[axis])
            a = a.take(src, axis=axis)
        ctx.sources, ctx.lengths = sources, lengths
        return a

    def backward(ctx, upstream):
        g = upstream
        for k in reversed(range(len(ctx.sources))):  # undo the gathers, last first
            src, n = ctx.sources[k], ctx.lengths[k]
            axis = g.ndim - 1 - k
            # sum the upstreams of the copies of each input position: one matrix product
            # with the 0/1 matrix S[k, i] = [src(k) = i] along that axis
            hits = (src[:, None] == xp.arange(n)).astype(g.dtype)
            g = xp.moveaxis(xp.moveaxis(g, axis, -1) @ hits, -1, axis)
        return g


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: ``pad`` lists (before, after) pairs starting from the last
    dim and going backwards.

    mode 'constant' fills with ``value`` (0 when None); negative padding crops. 'reflect'
    mirrors the input without repeating the edge ([1 2 3] padded by 2: 3 2 [1 2 3] 2 1),
    'replicate' repeats the edge element (1 1 [1 2 3] 3 3), 'circular' wraps around
    (2 3 [1 2 3] 1 2). In those three modes each output element is a copy of one input
    element, so the gradient of an input element is the sum of the upstreams of its copies.
    """
    pad = _sizes((pad,), "pad")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: the padding {pad} must have an even length of at most "
                         f"2 x {input.ndim} (the dims of the input of shape {tuple(input.shape)})")
    if mode == "constant":
        return Pad.apply(input, pad=pad, value=0 if value is None else value)
    if mode not in _SOURCE:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value!r} is only used by mode 'constant', not {mode!r}")
    return PadIndexed.apply(input, sources=_pad_sources(tuple(input.shape), pad, mode))


_SOURCE = {
    # where output position k (k in [-before, n + after)) reads from, for an input of length n
    "reflect": lambda k, n: (n - 1) - abs((n - 1) - abs(k)),  # mirror, edge not repeated
    "replicate": lambda k, n: xp.clip(k, 0, n - 1),  # the edge element, repeated
    "circular": lambda k, n: k % n,  # wrap around
}


def _pad_sources(shape, pad, mode):
    """Per padded dim (last first), the source index of every output position."""
    sources = []
    for k in range(len(pad) // 2):
        axis = len(shape) - 1 - k
        n, before, after = shape[axis], pad[2 * k], pad[2 * k + 1]
        if before < 0 or after < 0:
            raise ValueError(f"pad: mode {mode!r} takes non-negative padding, got {tuple(pad)}")
        limit = n - 1 if mode == "reflect" else n
        if mode != "replicate" and (before > limit or after > limit):
            raise ValueError(
                f"pad: {mode} padding of ({before}, {after}) does not fit dim {axis} of size "
                f"{n} of the input of shape {tuple(shape)}: each side must be at most {limit}")
        if n == 0:
            raise ValueError(f"pad: mode {mode!r} cannot pad the empty dim {axis} of shape "
                             f"{tuple(shape)}")
        sources.append(_SOURCE[mode](xp.arange(-before, n + after), n).astype(xp.intp))
    return tuple(sources)


# ---------------------------------------------------------------- slices along one dim
class Narrow(ShapeOp):
    label = "narrow"
    rule = r"\partial a_{[s:s+n]}/\partial a = 1 \text{ on the slice, } 0 \text{ elsewhere}"
    plain = "d a[s:s+n]/d a = 1 on the slice, 0 elsewhere"
    form = ("narrow({...})", r"\mathrm{narrow}({...})")

    def forward(ctx, a, dim, start, length):
        ctx.in_shape, ctx.dim = a.shape, dim
        ctx.region = (slice(None),) * dim + (slice(start, start + length),)
        return a[ctx.region]

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        g[ctx.region] = upstream  # the rest of the input did not reach this piece
        return g


def narrow(input, dim, start, length):
    """The slice ``start : start + length`` of ``dim`` (a view). The gradient is the
    upstream on that slice and zero elsewhere."""
    d = _dim(dim, input.ndim, "narrow")
    n = input.shape[d]
    given = start  # the message names the start the caller wrote, not its wrapped value
    if start < 0:
        start += n
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise IndexError(f"narrow: start {given} and length {length} do not fit dim {dim} of "
                         f"size {n} (shape {tuple(input.shape)}): need -{n} <= start <= {n}, "
                         f"length >= 0 and start + length <= {n} (a negative start counts "
                         "from the end)")
    return _share_version(Narrow.apply(input, dim=d, start=int(start), length=int(length)), input)


class Select(ShapeOp):
    label = "select"
    rule = r"\partial a_{[i]}/\partial a = 1 \text{ at index } i, 0 \text{ elsewhere}"
    plain = "d a[i]/d a = 1 at index i, 0 elsewhere"
    form = ("select({...})", r"\mathrm{select}({...})")

    def forward(ctx, a, dim, index):
        ctx.in_shape = a.shape
        ctx.region = (slice(None),) * dim + (index,)
        return a[ctx.region]

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        g[ctx.region] = upstream
        return g


def select(input, dim, index):
    """The slice at ``index`` of ``dim``, with that dim removed (a view): x.select(0, i)
    is x[i]."""
    d = _dim(dim, input.ndim, "select")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select: index {index} is out of range for dim {dim} of size {n} "
                         f"(shape {tuple(input.shape)})")
    return _share_version(Select.apply(input, dim=d, index=int(index) % n), input)


def split(tensor, split_size_or_sections, dim=0):
    """Cut ``tensor`` along ``dim`` into pieces: of ``split_size`` each (the last one may be
    smaller), or of the sizes listed in ``sections`` (they must add up to the dim's size).
    A tuple of views; the gradients of the pieces used are added into the input's."""
    d = _dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = _sizes((split_size_or_sections,), "split")
        if builtins.sum(sizes) != n or builtins.min(sizes, default=0) < 0:
            raise ValueError(f"split: sections {list(sizes)} must be non-negative and add up to "
                             f"{n}, the size of dim {dim} (shape {tuple(tensor.shape)})")
    else:
        size = _sizes((split_size_or_sections,), "split")[0]
        if size <= 0 and n > 0 or size < 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(tensor, d, start, s))
        start += s
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """Cut ``input`` along ``dim`` into ``chunks`` pieces of ceil(n / chunks) elements (the
    last smaller; fewer pieces when n is not large enough, as in PyTorch)."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, xp.integer)) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    d = _dim(dim, input.ndim, "chunk")
    n = input.shape[d]
    size = -(-n // chunks) if n else 0
    if size == 0:  # an empty dim: PyTorch gives `chunks` empty pieces
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, size, d)


def unbind(input, dim=0):
    """Every slice along ``dim``, that dim removed: a tuple of views (x[0], x[1], ...)."""
    d = _dim(dim, input.ndim, "unbind")
    return tuple(select(input, d, i) for i in range(input.shape[d]))


# ---------------------------------------------------------------- reordering
class Flip(ShapeOp):
    label = "flip"
    rule = r"\partial\,\mathrm{flip}(a)/\partial a = 1\ (\text{the gradient is flipped back})"
    plain = "d flip(a)/d a = 1 (the gradient is flipped back)"
    form = ("flip({...})", r"\mathrm{flip}({...})")

    def forward(ctx, a, dims):
        ctx.dims = dims
        return xp.flip(a, dims).copy()  # PyTorch's flip is a copy, not a view

    def backward(ctx, upstream):
        return xp.flip(upstream, ctx.dims)


def flip(input, *dims_, dims=None):
    """Reverse the order of the elements along each of ``dims`` (a copy). Both spellings
    work: flip(x, (0, 1)) / flip(x, dims=[0]) and x.flip(0, 1)."""
    if dims is None:
        dims = dims_[0] if len(dims_) == 1 and isinstance(dims_[0], (tuple, list)) else dims_
    return Flip.apply(input, dims=_dims(dims, input.ndim, "flip"))


def _dims(dims, ndim, op):
    if isinstance(dims, (int, xp.integer)):
        dims = (dims,)
    axes = tuple(_dim(d, ndim, op) for d in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dims {tuple(dims)} name the same dim twice")
    return axes


class Roll(ShapeOp):
    label = "roll"
    rule = r"\partial\,\mathrm{roll}(a, s)/\partial a = 1\ (\text{the gradient is rolled by } -s)"
    plain = "d roll(a, s)/d a = 1 (the gradient is rolled by -s)"
    form = ("roll({...})", r"\mathrm{roll}({...})")

    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:  # roll the flattened tensor, keep the shape
            return xp.roll(a, shifts)
        return xp.roll(a, shifts, dims)

    def backward(ctx, upstream):
        back = tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts
        if ctx.dims is None:
            return xp.roll(upstream, back)
        return xp.roll(upstream, back, ctx.dims)


def roll(input, shifts, dims=None):
    """Shift the elements along ``dims`` by ``shifts``, wrapping around (without dims: the
    flattened tensor is rolled and the shape kept). out[i + s] = a[i]."""
    if dims is None:
        shifts = _sizes((shifts,), "roll")
        if len(shifts) != 1:
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts}")
        return Roll.apply(input, shifts=shifts[0], dims=None)
    shifts, dims = _sizes((shifts,), "roll"), _sizes((dims,), "roll")
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    axes = tuple(_dim(d, input.ndim, "roll") for d in dims)
    return Roll.apply(input, shifts=shifts, dims=axes)


def fliplr(input):
    """flip(input, (1,)): left and right swapped (at least 2-D)."""
    if input.ndim < 2:
        raise ShapeError(f"fliplr: input must be at least 2-D, got shape {tuple(input.shape)}")
    return flip(input, (1,))


def flipud(input):
    """flip(input, (0,)): up and down swapped (at least 1-D)."""
    if input.ndim < 1:
        raise ShapeError("flipud: input must be at least 1-D, got a 0-d tensor")
    return flip(input, (0,))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of ``dims``, from the first dim towards
    the second (a flip and a transpose: the gradient is rotated back by those two)."""
    if len(dims) != 2:
        raise ValueError(f"rot90: dims must name two dims, got {dims!r}")
    d0, d1 = (_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise ValueError(f"rot90: dims {tuple(dims)} must be two different dims")
    k %= 4
    if k == 0:
        from .arithmetic import clone

        return clone(input)  # a copy, as PyTorch's rot90 with k = 0
    if k == 2:
        return flip(input, (d0, d1))

    return transpose(flip(input, (d1,) if k == 1 else (d0,)), d0, d1)


def movedim(input, source, destination):
    """Move dim(s) ``source`` to position(s) ``destination``, the others keeping their
    order (a permute: a view)."""

    src = _sizes((source,), "movedim")
    dst = _sizes((destination,), "movedim")
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same "
                         "number of dims")
    n = input.ndim
    src = [_dim(d, n, "movedim") for d in src]
    dst = [_dim(d, n, "movedim") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {tuple(src)} or destination "
                         f"{tuple(dst)}")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """transpose(input, axis0, axis1) (NumPy's name; also swapdims)."""

    return transpose(input, axis0, axis1)


swapdims = swapaxes


# ---------------------------------------------------------------- repeating
class Repeat(ShapeOp):
    label = "repeat"
    rule = (r"\partial\,\mathrm{repeat}(a)/\partial a = 1\ (\text{an element copied } r"
            r"\text{ times gets the sum of } r \text{ upstreams})")
    plain = "d repeat(a)/d a = 1 (an element copied r times gets the sum of r upstreams)"
    form = ("repeat({...})", r"\mathrm{repeat}({...})")

    def forward(ctx, a, repeats):
        ctx.in_shape = (1,) * (len(repeats) - a.ndim) + a.shape
        ctx.a_shape, ctx.repeats = a.shape, repeats
        return xp.tile(a, repeats)

    def backward(ctx, upstream):
        # view the output as (r0, n0, r1, n1, ...) and add up the copies (the r axes)
        split_shape = []
        for r, n in zip(ctx.repeats, ctx.in_shape):
            split_shape += [r, n]
        copies = tuple(range(0, 2 * len(ctx.repeats), 2))
        # (add.reduce, not .sum(): an overflow warning from NumPy's Python-level sum()
        # would escape backend.py's filter of glassgrad's own warnings)
        return xp.add.reduce(upstream.reshape(split_shape), axis=copies).reshape(ctx.a_shape)


def repeat(input, *sizes):
    """Tensor.repeat: tile the tensor ``sizes[i]`` times along dim i (sizes may have more
    entries than the tensor has dims: new leading dims). The gradient of an element is the
    sum of the upstreams of its copies."""
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: the number of repeats {sizes} can not be smaller than the "
                         f"number of dims of the tensor (shape {tuple(input.shape)})")
    if builtins.min(sizes, default=0) < 0:
        raise ValueError(f"repeat: repeats must be non-negative, got {sizes}")
    return Repeat.apply(input, repeats=sizes)


def tile(input, dims):
    """torch.tile: repeat with ``dims`` padded by leading 1s when it is shorter than the
    tensor's dims."""
    dims = _sizes((dims,), "tile")
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


# ---------------------------------------------------------------- triangles and diagonals
class Tril(ShapeOp):
    label = "tril"
    rule = r"\partial\,\mathrm{tril}(a)_{ij}/\partial a_{ij} = [j - i \le k]"
    plain = "d tril(a)_ij/d a_ij = [j - i <= k]"
    form = ("tril({...})", r"\mathrm{tril}({...})")

    def forward(ctx, a, diagonal):
        ctx.k = diagonal
        return xp.tril(a, diagonal)

    def backward(ctx, upstream):
        return xp.tril(upstream, ctx.k)


def tril(input, diagonal=0):
    """The lower triangle of the last two dims: entries (i, j) with j - i <= diagonal are
    kept, the others set to 0."""
    _matrix(input, "tril")
    return Tril.apply(input, diagonal=int(diagonal))


class Triu(ShapeOp):
    label = "triu"
    rule = r"\partial\,\mathrm{triu}(a)_{ij}/\partial a_{ij} = [j - i \ge k]"
    plain = "d triu(a)_ij/d a_ij = [j - i >= k]"
    form = ("triu({...})", r"\mathrm{triu}({...})")

    def forward(ctx, a, diagonal):
        ctx.k = diagonal
        return xp.triu(a, diagonal)

    def backward(ctx, upstream):
        return xp.triu(upstream, ctx.k)


def triu(input, diagonal=0):
    """The upper triangle of the last two dims: entries (i, j) with j - i >= diagonal are
    kept, the others set to 0."""
    _matrix(input, "triu")
    return Triu.apply(input, diagonal=int(diagonal))


def _matrix(input, op):
    if input.ndim < 2:
        raise ShapeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                         f"{tuple(input.shape)}")


def _diagonal_view(a, offset, dim1, dim2):
    """A writable view of a[..., i, i + offset] with the diagonal as the last dim (NumPy's
    own diagonal() is read-only): the same memory, walked with stride s1 + s2."""
    start = [slice(None)] * a.ndim
    start[dim2 if offset >= 0 else dim1] = slice(builtins.abs(offset), None)
    b = a[tuple(start)]
    n = builtins.min(b.shape[dim1], b.shape[dim2])
    keep = [i for i in range(a.ndim) if i not in (dim1, dim2)]
    shape = tuple(b.shape[i] for i in keep) + (n,)
    strides = tuple(b.strides[i] for i in keep) + (b.strides[dim1] + b.strides[dim2],)
    return _as_strided(b, shape, strides)


class Diagonal(ShapeOp):
    label = "diagonal"
    rule = r"\partial a_{i,i+k}/\partial a = 1 \text{ on the diagonal, } 0 \text{ elsewhere}"
    plain = "d a_i,i+k/d a = 1 on the diagonal, 0 elsewhere"
    form = ("diagonal({...})", r"\mathrm{diagonal}({...})")

    def forward(ctx, a, offset, dim1, dim2, copy=False):
        ctx.in_shape, ctx.where = a.shape, (offset, dim1, dim2)
        d = _diagonal_view(a, offset, dim1, dim2)
        return d.copy() if copy else d

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        _diagonal_view(g, *ctx.where)[...] = upstream
        return g


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal a[..., i, i + offset] of the 2-D slices spanned by dim1 and dim2, as the
    last dim (a writable view). offset > 0: above the main diagonal, < 0: below."""
    n = input.ndim
    d1, d2 = _dim(dim1, n, "diagonal"), _dim(dim2, n, "diagonal")
    if n < 2 or d1 == d2:
        raise ValueError(f"diagonal: dim1 ({dim1}) and dim2 ({dim2}) must be two different "
                         f"dims of the input (shape {tuple(input.shape)})")
    return _share_version(Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2), input)


class DiagEmbed(ShapeOp):
    label = "diag"
    rule = r"\partial D(v)_{i,i+k}/\partial v_i = 1"
    plain = "d D(v)_i,i+k/d v_i = 1"
    form = ("diag({...})", r"\mathrm{diag}({...})")

    def forward(ctx, v, diagonal):
        ctx.k = diagonal
        return xp.diag(v, diagonal)

    def backward(ctx, upstream):
        return _diagonal_view(upstream, ctx.k, 0, 1).copy()


def diag(input, diagonal=0):
    """torch.diag: a 1-D input becomes the square matrix with it on diagonal ``diagonal``;
    a 2-D input gives its diagonal ``diagonal`` as a 1-D copy."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, diagonal=int(diagonal))
    if input.ndim == 2:
        return Diagonal.apply(input, offset=int(diagonal), dim1=0, dim2=1, copy=True)
    raise ShapeError(f"diag: expected a 1-D or 2-D input, got shape {tuple(input.shape)}")


class Trace(LinearAlgebra):
    label = "trace"
    rule = r"\partial \sum_i a_{ii}/\partial a_{jk} = [j = k]"
    plain = "d/da_jk sum_i a_ii = [j = k]"
    form = ("trace({...})", r"\mathrm{trace}({...})")

    def forward(ctx, a):
        ctx.in_shape = a.shape
        # add.reduce of the diagonal, not np.trace: that is NumPy Python code, so its
        # overflow warning would escape backend.py's filter (torch gives inf silently)
        return xp.add.reduce(_diagonal_view(a, 0, 0, 1), axis=-1)

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        _diagonal_view(g, 0, 0, 1)[...] = upstream
        return g


def trace(input):
    """The sum of the main diagonal of a 2-D tensor. Its gradient is the upstream on the
    diagonal and 0 elsewhere."""
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a 2-D tensor, got shape {tuple(input.shape)}")
    return Trace.apply(input)


# repeat is a Tensor method only (torch.repeat does not exist); see ops/methods.py


# ---------------------------------------------------------------- repeat_interleave, ravel
def repeat_interleave(input, repeats, dim=None, *, output_size=None):
    """Each element (each slice along ``dim``) repeated ``repeats`` times in place:
    [1, 2] -> [1, 1, 2, 2] for repeats=2; ``repeats`` may give one count per element.
    Without ``dim`` the input is flattened first. Computed as index_select with the
    positions np.repeat gives, so backward adds the gradients of an element's copies."""
    from .indexing import index_select

    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = _dim(dim, input.ndim, "repeat_interleave")
    counts = repeats.array if isinstance(repeats, Tensor) else xp.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise ValueError(f"repeat_interleave: repeats must be non-negative integers, got "
                         f"{counts.tolist()}")
    if counts.ndim > 1 or counts.size not in (1, input.shape[dim]):
        raise ValueError(f"repeat_interleave: repeats must be one count or one per element "
                         f"({input.shape[dim]} along dim {dim}), got {counts.size}")
    positions = xp.repeat(xp.arange(input.shape[dim]), counts.reshape(-1))
    if output_size is not None and output_size != positions.size:
        raise ValueError(f"repeat_interleave: output_size={output_size} but the repeats give "
                         f"{positions.size}")
    return index_select(input, dim, Tensor._wrap(positions.astype(xp.int64)))


def ravel(input):
    """input flattened to 1-D (a view when the memory allows, as reshape)."""
    return input.reshape(-1)


def unflatten(input, dim, sizes):
    """Dim ``dim`` split into ``sizes`` (one may be -1): (N, 12) -> (N, 3, 4)."""
    dim = _dim(dim, input.ndim, "unflatten")
    shape = input.shape
    return input.reshape(shape[:dim] + tuple(sizes) + shape[dim + 1:])


# ---------------------------------------------------------------- meshgrid, broadcasting
def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to (NumPy's and PyTorch's rule)."""
    try:
        return tuple(xp.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,)
                                            for s in shapes]))
    except ValueError:
        raise ValueError(f"broadcast_shapes: shapes {list(shapes)} cannot be broadcast "
                         f"together") from None


def broadcast_tensors(*tensors):
    """Each tensor expanded to the common broadcast shape (views; the gradient of an
    expanded tensor sums over the copies)."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` grid k varies along dim
    k; with ``'xy'`` the first two dims are swapped (Cartesian, as for plotting a decision
    boundary). Each grid is an expanded view of its input, so gradients flow back."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expected 0-D or 1-D tensors, got shape {tuple(t.shape)}")
    sizes = [t.numel() for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = [sizes[k] for k in order]
    grids = []
    for k, t in enumerate(tensors):
        where = order.index(k)  # the dim along which input k varies
        view = [1] * len(tensors)
        view[where] = sizes[k]
        grids.append(t.reshape(*view).expand(*shape))
    return tuple(grids)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """Forward differences along ``dim``, ``n`` times: out[i] = x[i+1] - x[i], after
    ``prepend`` / ``append`` are joined on. Composed of narrow and sub (and cat)."""

    dim = _dim(dim, input.ndim, "diff")
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, x, append) if t is not None], dim=dim)
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        x = narrow(x, dim, 1, length - 1) - narrow(x, dim, 0, length - 1)
    return x


# ---------------------------------------------------------------- NumPy-style stacking
# Compositions of cat and reshape: the gradient is cut back into the pieces by cat's
# backward. Each follows PyTorch (hence NumPy): 1-D inputs count as rows for vstack and as
# columns for column_stack.
def atleast_1d(*tensors):
    """Each tensor with at least one dim (a 0-d tensor becomes shape (1,)); one tensor in,
    one out; several (or a list) in, a tuple out."""
    return _atleast(tensors, 1, lambda t: t.reshape(1))


def atleast_2d(*tensors):
    """At least two dims: () -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, 2, lambda t: t.reshape(1, -1))


def atleast_3d(*tensors):
    """At least three dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3, lambda t: t.reshape(1, -1, 1) if t.ndim < 2 else t.unsqueeze(-1))


def _atleast(tensors, n, lift):
    one = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    items = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = tuple(t if t.ndim >= n else lift(t) for t in _tensor_list(list(items), f"atleast_{n}d"))
    return out[0] if one else out


def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors): a row of columns."""
    tensors = atleast_1d(*_tensor_list(tensors, "hstack"))
    return cat(tensors, dim=0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Join along dim 0, 1-D tensors first made rows (1, n)."""
    return cat(atleast_2d(*_tensor_list(tensors, "vstack")), dim=0)


row_stack = vstack


def dstack(tensors):
    """Join along dim 2 (depth), inputs first made at least 3-D."""
    return cat(atleast_3d(*_tensor_list(tensors, "dstack")), dim=2)


def column_stack(tensors):
    """Join along dim 1, 0-d and 1-D inputs first made columns (n, 1)."""
    columns = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensor_list(tensors, "column_stack")]
    return cat(columns, dim=1)


def tensor_split(input, indices_or_sections, dim=0):
    """Cut ``input`` along ``dim``: into n pieces as equal as can be (the first n mod size
    pieces one longer: never fewer pieces, unlike chunk), or at the given indices
    (a list: pieces [0:i0], [i0:i1], ..., [ik:]). Views, as split's."""
    d = _dim(dim, input.ndim, "tensor_split")
    n = input.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.array.tolist()
    if isinstance(spec, (list, tuple)):
        cuts = [builtins.min(builtins.max(int(i) if i >= 0 else n + int(i), 0), n) for i in spec]
        bounds = list(zip([0] + cuts, cuts + [n]))
    else:
        if isinstance(spec, bool) or not isinstance(spec, (int, xp.integer)) or spec <= 0:
            raise ValueError(f"tensor_split: sections must be a positive int or a list of "
                             f"indices, got {indices_or_sections!r}")
        size, extra = divmod(n, int(spec))
        starts = [k * size + builtins.min(k, extra) for k in range(int(spec) + 1)]
        bounds = list(zip(starts[:-1], starts[1:]))
    # an index before the previous one gives an empty piece, as PyTorch's
    return tuple(narrow(input, d, start, builtins.max(stop - start, 0)) for start, stop in bounds)


def block_diag(*tensors):
    """The tensors (0-d, 1-D as a row, or 2-D) down the diagonal of one matrix, zeros
    elsewhere: each block padded on the left and right, then stacked. Gradients come back
    through pad and cat."""
    blocks = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    for t in blocks:
        if t.ndim != 2:
            raise ValueError(f"block_diag: expected tensors of at most 2 dims, got shape {tuple(t.shape)}")
    if not blocks:
        from ..creation import zeros

        return zeros(1, 0)
    width = builtins.sum(t.shape[1] for t in blocks)
    dtype = _torch_result_dtype([t.array for t in blocks])
    rows, left = [], 0
    for t in blocks:
        t = t.to(dtype)
        rows.append(pad(t, (left, width - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, dim=0)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, in order (the last varies
    fastest): shape (prod of lengths, number of tensors); one tensor: itself."""
    for t in tensors:
        if t.ndim != 1:
            raise ValueError(f"cartesian_prod: expected 1-D tensors, got shape {tuple(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], dim=1)


def kron(input, other):
    """The Kronecker product: out[i*m + k, j*n + l] = a[i, j] b[k, l] (any number of dims,
    the fewer-dim operand padded with leading 1s). Written as one broadcast product of
    a and b with their dims interleaved, then a reshape: d out/d a[i, j] = b[k, l]."""
    nd = builtins.max(input.ndim, other.ndim)
    a = input.reshape(*([1] * (nd - input.ndim)), *input.shape)
    b = other.reshape(*([1] * (nd - other.ndim)), *other.shape)
    # a with a size-1 dim after each of its dims, b with one before each: (a0, 1, a1, 1, ...)
    a_spread = a.reshape(*[s for size in a.shape for s in (size, 1)])
    b_spread = b.reshape(*[s for size in b.shape for s in (1, size)])
    return (a_spread * b_spread).reshape(*[x * y for x, y in zip(a.shape, b.shape)])


__all__ += ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
            "column_stack", "tensor_split", "block_diag", "cartesian_prod", "kron"]


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices with the last dim of ``input`` on their diagonal (``offset`` > 0 above it,
    < 0 below), zeros elsewhere: (..., n) -> (..., n + |offset|, n + |offset|). Composed as
    input[..., None] * I, padded: the gradient is the diagonal of the upstream."""
    if input.ndim == 0:
        raise ValueError("diag_embed: expected a tensor with at least one dim, got a 0-d tensor")
    out_ndim = input.ndim + 1
    if {dim1 % out_ndim, dim2 % out_ndim} != {out_ndim - 2, out_ndim - 1} or dim1 % out_ndim > dim2 % out_ndim:
        raise NotImplementedError("diag_embed: only the last two dims (dim1=-2, dim2=-1) are supported")
    from ..creation import eye

    n = input.shape[-1]
    square = input.unsqueeze(-1) * eye(n, dtype=input.dtype)
    k = builtins.abs(offset)
    if k == 0:
        return square
    return pad(square, (k, 0, 0, k) if offset > 0 else (0, k, k, 0))


__all__ += ["diag_embed"]


# ---------------------------------------------------------------- pixel shuffle
# Pixel shuffle (Shi et al., 2016, sub-pixel convolution) and its inverse: a rearrangement of
# elements, no arithmetic, written as reshape -> permute -> reshape, so that the backward
# (the inverse rearrangement of the upstream gradient) comes from those ops:
#     pixel_shuffle:   (*, C r^2, H, W) -> (*, C, H r, W r),
#                      out[c, h r + i, w r + j] = in[c r^2 + i r + j, h, w]
#     pixel_unshuffle: the inverse, (*, C, H r, W r) -> (*, C r^2, H, W)
def _check_shuffle(op, input, factor, name):
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
    _check_shuffle(op, input, r, "upscale_factor")
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
    _check_shuffle(op, input, r, "downscale_factor")
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ValueError(f"{op}: the height ({height}) and width ({width}) must be divisible by "
                         f"downscale_factor = {r}")
    h, w, k = height // r, width // r, len(batch)
    x = reshape(input, (*batch, channels, h, r, w, r))
    # (c, h, i, w, j) -> (c, i, j, h, w)
    x = permute(x, *range(k), k, k + 2, k + 4, k + 1, k + 3)
    return reshape(x, (*batch, channels * r * r, h, w))


__all__ += ["pixel_shuffle", "pixel_unshuffle"]
