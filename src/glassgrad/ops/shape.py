"""Shape ops: reshape view transpose permute t broadcast_to expand squeeze unsqueeze flatten
contiguous cat stack pad getitem index_put.

None of these changes a value, so every backward only moves the upstream gradient back to
where each element came from: reshape it back, transpose it back, slice it apart, or
scatter it into zeros (adding where an index was used twice).

Views. Where PyTorch returns a view (view, transpose, permute, expand, squeeze, unsqueeze,
basic slicing), glassgrad's result shares the input's memory *and its version counter*,
so an in-place change through either one is seen by backward checks on both.
"""

import operator

from ..autograd.function import Function
from ..backend import xp
from ..tensor import Tensor
from .elementwise import ShapeError, _torch_result_dtype


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
class Reshape(Function):
    label = "reshape"
    rule = r"\partial\,\mathrm{reshape}(a)/\partial a = 1\ (\text{the gradient is reshaped back})"

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


class Contiguous(Function):
    label = "contiguous"
    rule = r"\partial a/\partial a = 1"

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
class Permute(Function):
    label = "permute"
    rule = r"\partial\,\mathrm{permute}(a)/\partial a = 1\ (\text{the gradient is permuted back})"

    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    def backward(ctx, upstream):
        return upstream.transpose(xp.argsort(ctx.dims))


class Transpose(Function):
    label = "transpose"
    rule = r"\partial a^T/\partial a = 1\ (\text{the gradient is transposed back})"

    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1)

    def backward(ctx, upstream):
        return upstream.swapaxes(ctx.dim0, ctx.dim1)


def permute(input, *dims):
    """Reorder the dims: output dim i is input dim dims[i]. A view."""
    dims = _sizes(dims, "permute")
    n = input.ndim
    axes = tuple(_dim(d, n, "permute") for d in dims)
    if len(axes) != n or len(set(axes)) != n:
        raise ValueError(f"permute: dims {dims} must be a permutation of the {n} dims of a "
                         f"tensor of shape {tuple(input.shape)}")
    return _share_version(Permute.apply(input, dims=axes), input)


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
class BroadcastTo(Function):
    label = "broadcast_to"
    rule = r"\partial\,\mathrm{broadcast}(a)/\partial a = 1\ (\text{summed over the copies})"

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
class Cat(Function):
    label = "cat"
    rule = r"\partial\,\mathrm{cat}(a_1..a_n)/\partial a_k = 1\ (\text{on } a_k\text{'s slice})"

    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.ends = xp.cumsum([a.shape[dim] for a in arrays])
        out = xp.concatenate(arrays, axis=dim)
        return out.astype(_torch_result_dtype(arrays), copy=False)

    def backward(ctx, upstream):
        pieces = xp.split(upstream, ctx.ends[:-1], axis=ctx.dim)
        return tuple(p if need else None for p, need in zip(pieces, ctx.needs_input_grad))


class Stack(Function):
    label = "stack"
    rule = r"\partial\,\mathrm{stack}(a_1..a_n)/\partial a_k = 1\ (\text{on slice } k)"

    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        out = xp.stack(arrays, axis=dim)
        return out.astype(_torch_result_dtype(arrays), copy=False)

    def backward(ctx, upstream):
        head = (slice(None),) * ctx.dim
        return tuple(upstream[head + (k,)] if need else None
                     for k, need in enumerate(ctx.needs_input_grad))


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op} expects a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op} expects a non-empty list of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


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


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join equal-shaped tensors along a new dim. The gradient is sliced back apart."""
    tensors = _tensor_list(tensors, "stack")
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != ref:
            raise ShapeError(f"stack expects each tensor to be equal size, but got "
                             f"{tuple(ref)} at entry 0 and {tuple(t.shape)} at entry {i}")
    return Stack.apply(*tensors, dim=_dim(dim, len(ref), "stack", extra=1))


# ---------------------------------------------------------------- padding
class Pad(Function):
    label = "pad"
    rule = r"\partial\,\mathrm{pad}(a)/\partial a = 1\ (\text{on the original region})"

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



class PadIndexed(Function):
    """reflect / replicate / circular padding: every output element is a copy of one input
    element, so along each padded dim the op is a gather out[..., k] = a[..., src[k]]."""

    label = "pad"
    rule = (r"\partial\,\mathrm{pad}(a)_k/\partial a_i = [\mathrm{src}(k) = i]"
            r"\ (\text{an input element copied } m \text{ times gets } m \text{ upstreams})")

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


# ---------------------------------------------------------------- indexing
def _raw_index(index):
    """Replace Tensors inside an index by their arrays (and lists by arrays)."""
    if isinstance(index, tuple):
        return tuple(_raw_index_item(i) for i in index)
    return _raw_index_item(index)


def _raw_index_item(i):
    if isinstance(i, Tensor):
        i = i.array
    elif isinstance(i, list):
        i = xp.asarray(i)
    if isinstance(i, xp.ndarray) and i.dtype.kind not in "biu":
        raise IndexError(f"tensors used as indices must be long, int or bool tensors, got "
                         f"dtype {i.dtype}")
    return i


def _is_basic(index):
    """True when numpy indexing returns a view: ints, slices, None, Ellipsis only."""
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, xp.ndarray) for i in items)


def _repeats_possible(index):
    """Integer arrays may name one element twice; booleans and slices never do."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, xp.ndarray) and i.dtype.kind in "iu" for i in items)


class GetItem(Function):
    label = "getitem"
    rule = r"\partial a[i]/\partial a = 1 \text{ at the indexed places, summed over repeats}"

    def forward(ctx, a, index):
        ctx.in_shape = a.shape
        ctx.index = index
        try:
            out = a[index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (indexing a tensor of shape {a.shape})") from None
        if not isinstance(out, xp.ndarray):
            # an int for every dim: NumPy returns a scalar (a copy); PyTorch's x[i] is a 0-d
            # view, which sees later in-place changes of x. The Ellipsis makes it one.
            out = a[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        return out

    def backward(ctx, upstream):
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        if _repeats_possible(ctx.index):
            _scatter_add(g, ctx.index, upstream)  # an element picked twice gets both
        else:
            g[ctx.index] = upstream
        return g


def _scatter_add(g, index, upstream):
    """g[index] += upstream, adding (not overwriting) where index repeats an element.

    np.add.at is fast only on a 1-D target with one flat index (about 25x faster than
    on a 2-D target here), so the index is turned into flat positions first."""
    flat_g = g.reshape(-1)  # g is fresh and contiguous: a view
    if isinstance(index, xp.ndarray) and g.ndim >= 1:
        # x[idx]: whole rows (sub-arrays) picked by one integer array, the usual gather
        n = g.shape[0]
        row = g.size // n if n else 0
        idx = index.reshape(-1)
        idx = idx + n * (idx < 0)  # negative indices count from the end
        positions = idx[:, None] * row + xp.arange(row)
    elif g.size <= 1 << 22:
        # any mixture of arrays and slices: index an array of positions the same way
        positions = xp.arange(g.size).reshape(g.shape)[index]
    else:  # too large for a positions array: the general (slower) path
        xp.add.at(g, index, upstream)
        return
    xp.add.at(flat_g, positions.reshape(-1), upstream.reshape(-1))


def getitem(input, index):
    """input[index]: ints, slices, None, Ellipsis, integer arrays/tensors and boolean
    masks, as in NumPy and PyTorch. Basic indexing gives a view."""
    index = _raw_index(index)
    out = GetItem.apply(input, index=index)
    if _is_basic(index):
        _share_version(out, input)
    return out


class IndexPut(Function):
    label = "index_put"
    rule = (r"\partial\,\mathrm{put}(a,i,v)/\partial a = 1 \text{ off } i,\ 0 \text{ on } i;\ "
            r"\partial/\partial v = 1 \text{ at } i")

    def forward(ctx, a, value, index, accumulate=False):
        ctx.index = index
        ctx.accumulate = accumulate
        out = a.copy()
        try:
            if accumulate:
                xp.add.at(out, index, value)  # repeated positions add up
            else:
                out[index] = value
        except ValueError:
            shape = a[index].shape
            raise ShapeError(f"index_put: a value of shape {xp.shape(value)} cannot be "
                             f"assigned to the indexed region of shape {shape}") from None
        ctx.value_shape = xp.shape(value)
        return out

    def backward(ctx, upstream):
        need_a, need_v = ctx.needs_input_grad
        da = dv = None
        if need_a:
            if ctx.accumulate:
                da = upstream  # every old value still reaches the output
            else:
                da = upstream.copy()
                da[ctx.index] = 0  # overwritten: the old values no longer reach the output
        if need_v:
            dv = upstream[ctx.index]  # gathered (PyTorch gathers repeats too)
            extra = len(ctx.value_shape) - dv.ndim
            if extra > 0:  # value had extra leading 1s that assignment dropped
                dv = dv.reshape((1,) * extra + dv.shape)
        return da, dv


def index_put(tensor, index, value, accumulate=False):
    """Out-of-place ``tensor[index] = value`` (or ``+= value`` with accumulate=True, where
    a repeated index adds every time): a new tensor. Tensor.__setitem__ uses it when the
    graph is tracked. The gradient of tensor is zero where it was overwritten; value's is
    the upstream gradient gathered at the index. ``index`` is anything ``x[index]``
    accepts (PyTorch's tuple of index tensors included)."""
    return IndexPut.apply(tensor, value, index=_raw_index(index), accumulate=accumulate)


__all__ = [
    "reshape", "reshape_as", "view", "view_as", "flatten", "squeeze", "unsqueeze", "contiguous", "permute",
    "transpose", "t", "broadcast_to", "expand", "expand_as", "cat", "concat", "concatenate",
    "stack", "pad", "getitem", "index_put",
]
