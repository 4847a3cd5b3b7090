"""Indexing along a dim: gather scatter scatter_add index_select masked_fill sort topk argsort
(and the in-place masked_fill_ scatter_ scatter_add_).

All of them move values around; none computes a new one. So every backward is a
"send it back where it came from": gather's backward adds the upstream into zeros at the
gathered places (an element gathered twice gets both upstreams), scatter's sends the
upstream of the written places to ``src`` and of the others to ``input``, and so on.

Positions. gather and scatter address the input with an index tensor of the same number of
dims: out[i][j][k] = input[index[i][j][k]][j][k] for dim=0. Both are computed here through
the *flat position* of every addressed element, so that adding into repeated positions is
one ``np.add.at`` on a 1-D array (fast; on an n-D array it is many times slower).

sort and topk return a named tuple (values, indices) like PyTorch's torch.return_types:
the values carry the gradient (each goes back to the one input element it came from), the
indices are int64 and carry none.

Python indexing (``x[i]``, ``x[mask]``, ``x[i] = v``) is ``getitem`` and ``index_put``:
basic indices give views, advanced ones copies whose backward adds into repeated places.

Finding and counting (nonzero, argwhere, count_nonzero, unique, bincount) return positions
and counts, integers with no gradient (as in PyTorch, where these ops are not
differentiable), so each is a NumPy call wrapped in a Tensor, not a Function. Index results
are int64, as PyTorch's.
"""

from collections import namedtuple

from ..autograd.function import Indexing
from ..backend import xp
from ..tensor import Tensor
from .arithmetic import ShapeError
from .shape import _dim, _share_version, broadcast_to, squeeze

__all__ = [
    "gather", "scatter", "scatter_add", "index_select", "index_add", "index_copy",
    "index_fill", "take_along_dim", "masked_fill", "masked_select", "sort", "argsort",
    "topk", "kthvalue", "getitem", "index_put", "nonzero", "argwhere", "count_nonzero",
    "unique", "bincount",
]


_add_at = xp.add.at


# ---------------------------------------------------------------- helpers
def _index_tensor(index, op, name="index"):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: {name} must be an integer tensor (int64), got "
                        f"{type(index).__name__}")
    if index.array.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must be an integer tensor (int64), got dtype "
                        f"{index.array.dtype}")
    return index


def _check_range(idx, n, op, dim):
    """Every index in [0, n); the first one outside is named."""
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {n} "
                         f"(expected 0 <= index < {n})")


def _lead(shape):
    """The block a[:s0, :s1, ...] that an index of ``shape`` covers."""
    return tuple(slice(0, n) for n in shape)


def _positions(shape, dim, index):
    """Flat positions, in a C-contiguous array of ``shape``, of the elements an index
    addresses along ``dim`` (all other coordinates are the index's own position).

    position = index * stride[dim] + sum over d != dim of coordinate_d * stride[d]"""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    pos = index.astype(xp.intp) * strides[dim]
    for d, n in enumerate(index.shape):
        if d != dim and n > 1:
            along = [1] * index.ndim
            along[d] = n
            pos = pos + (xp.arange(n) * strides[d]).reshape(along)
    return pos


def _check_dims(op, a_shape, index, dim, src_shape=None):
    """PyTorch's rule: the same number of dims; index no larger than input (other than on
    dim) and than src (on every dim)."""
    if index.ndim != len(a_shape):
        raise ShapeError(f"{op}: index of shape {index.shape} must have as many dims as the input "
                         f"of shape {tuple(a_shape)}")
    for d, n in enumerate(index.shape):
        if d != dim and n > a_shape[d]:
            raise ShapeError(f"{op}: index of shape {index.shape} is larger than the input of "
                             f"shape {tuple(a_shape)} in dim {d} (expected index.size(d) <= "
                             "input.size(d) for every d != dim)")
        if src_shape is not None and (len(src_shape) != index.ndim or n > src_shape[d]):
            raise ShapeError(f"{op}: index of shape {index.shape} does not fit src of shape "
                             f"{tuple(src_shape)} (expected index.size(d) <= src.size(d) for "
                             "every d)")
    _check_range(index, a_shape[dim], op, dim)


# ---------------------------------------------------------------- gather
class Gather(Indexing):
    label = "gather"
    rule = (r"\partial\,\mathrm{out}_{\ldots k \ldots}/\partial a_{\ldots i \ldots} = "
            r"[\mathrm{index}_{\ldots k \ldots} = i]\ (\text{repeats add up})")
    plain = "d out_k/d a_i = [index_k = i] along dim (an element gathered twice gets both upstreams)"
    form = ("gather({...})", r"\mathrm{gather}({...})")

    def forward(ctx, a, index, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        return a.reshape(-1)[_positions(a.shape, dim, index)]

    def backward(ctx, upstream):
        (index,) = ctx.saved
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        # g.flat[position] += upstream, adding where an element was gathered twice
        _add_at(g.reshape(-1), _positions(ctx.in_shape, ctx.dim, index).reshape(-1),
                upstream.reshape(-1))
        return g, None


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j][k] = input[index[i][j][k]][j][k] (dim=0; likewise for other dims).
    ``index`` has input's number of dims and is no larger on the other dims; the output
    has index's shape. The gradient of an input element is the sum of the upstreams of
    every output that gathered it. (``sparse_grad=True`` is refused: dense gradients only.)"""
    if sparse_grad:
        raise ValueError("gather: sparse_grad=True is not supported (glassgrad has dense "
                         "gradients only); use sparse_grad=False")
    d = _dim(dim, input.ndim, "gather")
    _index_tensor(index, "gather")
    if input.ndim == 0:  # PyTorch accepts a 0-d input with a 0-d index 0
        return gather(input.reshape(1), 0, index.reshape(1)).reshape(())
    _check_dims("gather", input.shape, index.array, d)
    return Gather.apply(input, index, dim=d)


# ---------------------------------------------------------------- scatter
class Scatter(Indexing):
    label = "scatter"
    rule = (r"\partial\,\mathrm{out}/\partial a = 1 \text{ off the written places};\ "
            r"\partial\,\mathrm{out}_{\ldots i \ldots}/\partial \mathrm{src}_{\ldots k \ldots} = "
            r"[\mathrm{index}_{\ldots k \ldots} = i]")
    plain = "d out/d a = 1 off the written places, 0 on them; d out_i/d src_k = [index_k = i] along dim"
    form = ("scatter({...})", r"\mathrm{scatter}({...})")
    add = False  # ScatterAdd: adds instead of overwriting

    def forward(ctx, a, index, src, dim):
        out = a.copy()  # C-contiguous: its reshape(-1) is a view
        pos = _positions(a.shape, dim, index).reshape(-1)
        is_array = isinstance(src, xp.ndarray) and src.ndim
        values = src[_lead(index.shape)].reshape(-1) if is_array else src
        if type(ctx).add:
            _add_at(out.reshape(-1), pos, values)  # repeated positions add up
        else:
            out.reshape(-1)[pos] = values  # a repeated position keeps one of its values
        ctx.save_for_backward(index)
        ctx.dim, ctx.src_shape = dim, xp.shape(src)
        return out

    def backward(ctx, upstream):
        (index,) = ctx.saved
        need_a, _, need_src = ctx.needs_input_grad
        da = dsrc = None
        pos = _positions(upstream.shape, ctx.dim, index).reshape(-1)
        if need_a:
            if type(ctx).add:
                da = upstream  # every old value still reaches the output
            else:
                da = upstream.copy()
                da.reshape(-1)[pos] = 0  # overwritten: these no longer reach the output
        if need_src:
            picked = upstream.reshape(-1)[pos].reshape(index.shape)  # gather(upstream)
            if ctx.src_shape == index.shape:
                dsrc = picked
            else:  # src larger than index: its extra elements were not used
                dsrc = xp.zeros(ctx.src_shape, dtype=upstream.dtype)
                dsrc[_lead(index.shape)] = picked
        return da, None, dsrc


def scatter(input, dim, index, src=None, value=None, reduce=None):
    """A copy of ``input`` with out[index[i][j][k]][j][k] = src[i][j][k] (dim=0; likewise
    for other dims); ``src`` may be a number (or give ``value=``). Where an index repeats,
    one of the values is kept (which one is unspecified, as in PyTorch).
    Gradients: input's is the upstream off the written places (0 on them); src's is the
    upstream gathered at the index."""
    if reduce is not None:
        raise ValueError(f"scatter: reduce={reduce!r} is not supported; use scatter_add for "
                         "adding")
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src (a tensor or number) and value")
    src = value if src is None else src
    d = _scatter_args("scatter", input, dim, index, src)
    return Scatter.apply(input, index, src, dim=d)


class ScatterAdd(Scatter):
    label = "scatter_add"
    rule = (r"\partial\,\mathrm{out}/\partial a = 1;\ \partial\,\mathrm{out}_{\ldots i \ldots}/"
            r"\partial \mathrm{src}_{\ldots k \ldots} = [\mathrm{index}_{\ldots k \ldots} = i]")
    plain = "d out/d a = 1; d out_i/d src_k = [index_k = i] along dim"
    form = ("scatter_add({...})", r"\mathrm{scatter\_add}({...})")
    add = True


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with out[index[i][j][k]][j][k] += src[i][j][k] (dim=0; likewise
    for other dims), repeated indices adding up. Gradients: input's is the upstream;
    src's is the upstream gathered at the index."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a tensor, got {type(src).__name__}")
    d = _scatter_args("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, index, src, dim=d)


def _same_dtype(op, input, src, name):
    """PyTorch's rule: a src tensor written into the input has the input's dtype (a float64
    src would otherwise be rounded into a float32 input without a word)."""
    if src.array.dtype != input.array.dtype:
        raise TypeError(f"{op}: {name} has dtype {src.array.dtype} but the input is "
                        f"{input.array.dtype}; convert one of them (e.g. {name}.to(input.dtype))")


def _scatter_args(op, input, dim, index, src):
    d = _dim(dim, input.ndim, op)
    _index_tensor(index, op)
    if isinstance(src, Tensor):
        _check_dims(op, input.shape, index.array, d, src.shape)
        _same_dtype(op, input, src, "src")
    elif isinstance(src, (int, float, bool, xp.number)):
        _check_dims(op, input.shape, index.array, d)
    else:
        raise TypeError(f"{op}: src must be a tensor or a number, got {type(src).__name__}")
    return d


# ---------------------------------------------------------------- index_select
class IndexSelect(Indexing):
    label = "index_select"
    rule = (r"\partial\,\mathrm{out}_{k}/\partial a_{i} = [\mathrm{index}_k = i]\ "
            r"(\text{along dim; repeats add up})")
    plain = "d out_k/d a_i = [index_k = i] (along dim; repeats add up)"
    form = ("index_select({...})", r"\mathrm{index\_select}({...})")

    def forward(ctx, a, index, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        return xp.take(a, index, axis=dim)

    def backward(ctx, upstream):
        (index,) = ctx.saved
        along = [1] * upstream.ndim
        along[ctx.dim] = index.size
        # the index, placed along dim, addresses a whole slice of the input per entry
        pos = _positions(ctx.in_shape, ctx.dim, xp.broadcast_to(index.reshape(along),
                                                                 upstream.shape))
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        _add_at(g.reshape(-1), pos.reshape(-1), upstream.reshape(-1))
        return g, None


def index_select(input, dim, index):
    """The slices ``index[0], index[1], ...`` of ``dim`` (a 1-D or 0-d integer index;
    repeats allowed), in that order. The gradient of a slice picked twice is the sum of
    both upstreams."""
    d = _dim(dim, input.ndim, "index_select")
    _index_tensor(index, "index_select")
    if index.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D or 0-d, got shape "
                         f"{tuple(index.shape)}")
    if input.ndim == 0:
        return index_select(input.reshape(1), 0, index).reshape(())
    _check_range(index.array, input.shape[d], "index_select", d)
    return IndexSelect.apply(input, index.reshape(-1) if index.ndim == 0 else index, dim=d)


def take_along_dim(input, indices, dim=None):
    """gather with broadcasting: input and indices broadcast on every dim but ``dim``
    (without dim: both are flattened). The gradient adds up where an element is taken
    more than once, and over the broadcast copies."""
    _index_tensor(indices, "take_along_dim", "indices")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _dim(dim, input.ndim, "take_along_dim")
    if indices.ndim != input.ndim:
        raise ShapeError(f"take_along_dim: input of shape {tuple(input.shape)} and indices of "
                         f"shape {tuple(indices.shape)} must have the same number of dims")
    a_rest = input.shape[:d] + (1,) + input.shape[d + 1:]
    i_rest = indices.shape[:d] + (1,) + indices.shape[d + 1:]
    try:
        rest = xp.broadcast_shapes(a_rest, i_rest)
    except ValueError:
        raise ShapeError(f"take_along_dim: input of shape {tuple(input.shape)} and indices of "
                         f"shape {tuple(indices.shape)} do not broadcast outside dim {dim}"
                         ) from None
    a_shape = rest[:d] + (input.shape[d],) + rest[d + 1:]
    i_shape = rest[:d] + (indices.shape[d],) + rest[d + 1:]
    if a_shape != input.shape:

        input = broadcast_to(input, a_shape)
    if i_shape != indices.shape:
        indices = Tensor._wrap(xp.broadcast_to(indices.array, i_shape))
    return gather(input, d, indices)


def _along(index, dim, shape):
    """A 1-D index placed along ``dim`` and repeated to ``shape``: the index tensor that
    makes scatter / gather act on whole slices (index_add, index_copy)."""
    along = [1] * len(shape)
    along[dim] = index.array.size
    return Tensor._wrap(xp.broadcast_to(index.array.reshape(along), shape))


def _index_source(op, input, dim, index, source):
    d = _dim(dim, input.ndim, op)
    _index_tensor(index, op)
    if index.ndim > 1:
        raise ShapeError(f"{op}: index must be 1-D or 0-d, got shape {tuple(index.shape)}")
    want = input.shape[:d] + (index.array.size,) + input.shape[d + 1:]
    if tuple(source.shape) != want:
        raise ShapeError(f"{op}: source of shape {tuple(source.shape)} does not fit: expected "
                         f"{tuple(want)} (the input's shape with dim {dim} of len(index))")
    _same_dtype(op, input, source, "source")
    return d


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source[k]`` added to slice ``index[k]`` of
    ``dim`` (repeated indices add up): a scatter_add of whole slices. Gradients: input's
    is the upstream; source's is alpha times the upstream at the indexed slices."""
    d = _index_source("index_add", input, dim, index, source)
    if alpha != 1:
        source = source * alpha
    return scatter_add(input, d, _along(index, d, source.shape), source)


def index_copy(input, dim, index, source):
    """A copy of ``input`` with slice ``index[k]`` of ``dim`` replaced by ``source[k]``
    (a scatter of whole slices). Gradients: input's is the upstream off the replaced
    slices; source's is the upstream at them."""
    d = _index_source("index_copy", input, dim, index, source)
    return scatter(input, d, _along(index, d, source.shape), source)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices ``index`` of ``dim`` set to ``value`` (a
    masked_fill with a mask along dim)."""
    d = _dim(dim, input.ndim, "index_fill")
    _index_tensor(index, "index_fill")
    if index.ndim > 1:
        raise ShapeError(f"index_fill: index must be 1-D or 0-d, got shape {tuple(index.shape)}")
    n = input.shape[d] if input.ndim else 1
    _check_range(index.array, n, "index_fill", d)
    hit = xp.zeros(n, dtype=bool)
    hit[index.array.reshape(-1)] = True
    along = [1] * input.ndim
    if input.ndim:
        along[d] = n
    return masked_fill(input, Tensor._wrap(hit.reshape(along)), value)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (input and mask
    broadcast together). The gradient is the upstream put back at those places."""
    shape = _masked_fill_args("masked_select", input, mask, 0)
    if input.shape != shape:

        input = broadcast_to(input, shape)
    m = mask.array if mask.shape == shape else xp.broadcast_to(mask.array, shape)

    return getitem(input, m)


# ---------------------------------------------------------------- masked_fill
class MaskedFill(Indexing):
    label = "masked_fill"
    rule = (r"\partial\,\mathrm{out}/\partial a = [\lnot m],\ "
            r"\partial\,\mathrm{out}/\partial v = [m]")
    plain = "d out/d a = [not m], d out/d v = [m]"
    form = ("masked_fill({...})", r"\mathrm{masked\_fill}({...})")

    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        return xp.where(mask, value, a).astype(a.dtype, copy=False)

    def backward(ctx, upstream):
        (mask,) = ctx.saved
        need_a, _, need_v = ctx.needs_input_grad
        da = xp.where(mask, 0, upstream) if need_a else None  # filled: a no longer counts
        dv = xp.where(mask, upstream, 0) if need_v else None  # the engine sums it to 0-d
        return da, None, dv


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, ``input`` elsewhere (mask broadcasts with input).
    Gradients: input's is the upstream where the mask is False (0 where filled);
    a 0-d tensor value's is the sum of the upstream where the mask is True."""
    _masked_fill_args("masked_fill", input, mask, value)
    return MaskedFill.apply(input, mask, value)


def _masked_fill_args(op, input, mask, value):
    if not isinstance(mask, Tensor) or mask.array.dtype.kind != "b":
        what = mask.array.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{op}: mask must be a bool tensor, got {what}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"{op}: value must be a number or a 0-d tensor, got a tensor of "
                             f"shape {tuple(value.shape)}")
    elif not isinstance(value, (int, float, bool, xp.number)):
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__}")
    try:
        return xp.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise ShapeError(f"{op}: the mask of shape {tuple(mask.shape)} does not broadcast with "
                         f"the input of shape {tuple(input.shape)}") from None


# ---------------------------------------------------------------- in place
def _in_place(self, value, out_of_place, direct):
    """The house pattern of tensor.py's in-place methods: tracked, compute out of place on
    a stand-in and swap the result in (refused on a leaf that requires grad; the version
    moves on, so a node that saved the old value refuses to run backward); untracked,
    write into the memory and bump the version."""
    if self._tracks(value):
        result = out_of_place(self._stand_in())
        if result.shape != self.shape:
            raise ShapeError(f"the result of shape {tuple(result.shape)} does not fit the "
                             f"in-place target of shape {tuple(self.shape)}")
        return self._assign_inplace(result)
    direct()
    self._bump()
    return self


def masked_fill_(self, mask, value):
    """In place: self[mask] = value (mask broadcast to self's shape). Bumps the version
    counter; refused on a leaf that requires grad (outside no_grad), as in PyTorch."""
    shape = _masked_fill_args("masked_fill_", self, mask, value)
    if shape != self.shape:
        raise ShapeError(f"masked_fill_: the mask of shape {tuple(mask.shape)} would enlarge "
                         f"the tensor of shape {tuple(self.shape)}")
    v = value.array if isinstance(value, Tensor) else value
    return _in_place(self, value, lambda t: masked_fill(t, mask, value),
                     lambda: xp.copyto(self.array, v, casting="unsafe", where=mask.array))


def _scatter_in_place(op, fn, add):
    def method(self, dim, index, src=None, value=None, reduce=None):
        if reduce is not None:
            raise ValueError(f"{op}: reduce={reduce!r} is not supported")
        if (src is None) == (value is None):
            raise TypeError(f"{op}: give exactly one of src and value")
        src = value if src is None else src
        d = _scatter_args(op, self, dim, index, src)

        def direct():
            pos = _positions(self.shape, d, index.array).reshape(-1)
            s = src.array[_lead(index.shape)].reshape(-1) if isinstance(src, Tensor) else src
            flat = self.array.reshape(-1)  # a view when the tensor is C-contiguous
            if add:
                _add_at(flat, pos, s)
            else:
                flat[pos] = s
            if not xp.shares_memory(flat, self.array):  # it was a copy: write it back
                self.array[...] = flat.reshape(self.array.shape)

        return _in_place(self, src, lambda t: fn(t, d, index, src), direct)

    method.__name__ = op
    method.__doc__ = f"In place {op[:-1]}: bumps the version counter; refused on a leaf that " \
                     "requires grad (outside no_grad)."
    return method


scatter_ = _scatter_in_place("scatter_", scatter, add=False)


scatter_add_ = _scatter_in_place("scatter_add_", scatter_add, add=True)


# ---------------------------------------------------------------- sort and topk
class _TakeAlongDim(Indexing):
    """values = a at the given indices along dim; every input element is taken at most
    once, so backward writes (not adds) the upstream at those indices, zero elsewhere."""

    def forward(ctx, a, indices, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(indices)
        return xp.take_along_axis(a, indices, axis=dim)

    def backward(ctx, upstream):
        (indices,) = ctx.saved
        g = xp.zeros(ctx.in_shape, dtype=upstream.dtype)
        xp.put_along_axis(g, indices, upstream, axis=ctx.dim)
        return g, None


class Sort(_TakeAlongDim):
    label = "sort"
    rule = r"\partial\,\mathrm{sorted}_k/\partial a_i = [\pi(k) = i]"
    plain = "d sorted_k/d a_i = [pi(k) = i]"
    form = ("sort({...})", r"\mathrm{sort}({...})")


def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices): ``input`` sorted along ``dim`` and where each value came from.
    The gradient of a value goes back to the element it came from (a permutation).
    ``stable=True`` keeps equal elements in their original order."""
    if input.ndim == 0:
        return sort_result(input * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    d = _dim(dim, input.ndim, "sort")
    indices = argsort(input, d, descending, stable)
    return sort_result(Sort.apply(input, indices, dim=d), indices)


class TopK(_TakeAlongDim):
    label = "topk"
    rule = r"\partial\,\mathrm{top}_k/\partial a_i = [\pi(k) = i]"
    plain = "d top_k/d a_i = [pi(k) = i]"
    form = ("topk({...})", r"\mathrm{topk}({...})")


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - PyTorch's argument name
    """(values, indices) of the ``k`` largest (``largest=False``: smallest) elements along
    ``dim``, largest first. The gradient of each value goes back to its element; the
    others get 0. (Always sorted: ``sorted=False`` allows any order, sorted included.)"""
    n = input.shape[_dim(dim, input.ndim, "topk")] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, xp.integer)) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int in [0, {n}] (the size of dim {dim} of the "
                         f"input of shape {tuple(input.shape)}), got {k!r}")
    if input.ndim == 0:
        return topk_result(input * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    d = _dim(dim, input.ndim, "topk")
    indices = Tensor._wrap(_topk_indices(input.array, k, d, largest).astype(xp.int64, copy=False))
    return topk_result(TopK.apply(input, indices, dim=d), indices)


class KthValue(_TakeAlongDim):
    label = "kthvalue"
    rule = r"\partial\,\mathrm{kth}/\partial a_i = [i = \text{the index of the k-th smallest}]"
    plain = "d kth/d a_i = [i = the index of the k-th smallest]"
    form = ("kthvalue({...})", r"\mathrm{kthvalue}({...})")


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element (k counts from 1) along ``dim``.
    The gradient of each value goes back to its element."""
    n = input.shape[_dim(dim, input.ndim, "kthvalue")] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, xp.integer)) or not 1 <= k <= n:
        raise ValueError(f"kthvalue: k must be an int in [1, {n}] (the size of dim {dim} of "
                         f"the input of shape {tuple(input.shape)}), got {k!r}")
    if input.ndim == 0:
        return kthvalue_result(input * 1, Tensor._wrap(xp.zeros((), dtype=xp.int64)))
    d = _dim(dim, input.ndim, "kthvalue")
    picked = xp.argpartition(input.array, k - 1, axis=d)[(slice(None),) * d + (slice(k - 1, k),)]
    indices = Tensor._wrap(xp.ascontiguousarray(picked).astype(xp.int64, copy=False))
    values = KthValue.apply(input, indices, dim=d)
    if not keepdim:

        values, indices = squeeze(values, d), Tensor._wrap(indices.array.squeeze(d))
    return kthvalue_result(values, indices)


sort_result = namedtuple("sort", ["values", "indices"])


topk_result = namedtuple("topk", ["values", "indices"])


kthvalue_result = namedtuple("kthvalue", ["values", "indices"])


def _argsort(a, axis, descending, stable):
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable" if stable else None)
    # Descending, with PyTorch's order for ties (the earlier element first) and NaN (first,
    # as the largest): sort the reversed array ascending and stably, then read it backwards.
    n = a.shape[axis]
    order = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(order, axis)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (int64, no gradient)."""
    if input.ndim == 0:
        return Tensor._wrap(xp.zeros((), dtype=xp.int64))
    d = _dim(dim, input.ndim, "argsort")
    return Tensor._wrap(_argsort(input.array, d, descending, stable).astype(xp.int64, copy=False))


def _topk_indices(a, k, axis, largest):
    """Indices of the k largest (smallest) along axis, in sorted order: a partition (linear
    time) picks the k, then only those k are sorted. NaN counts as the largest, as in
    PyTorch (NumPy's partition and sort put it last)."""
    n = a.shape[axis]
    if k == 0 or 2 * k > n:  # few left out: sorting everything costs about the same
        order = _argsort(a, axis, largest, stable=False)
        return order[(slice(None),) * axis + (slice(0, k),)]
    if largest:
        picked = xp.argpartition(a, n - k, axis=axis)[(slice(None),) * axis + (slice(n - k, n),)]
    else:
        picked = xp.argpartition(a, k - 1, axis=axis)[(slice(None),) * axis + (slice(0, k),)]
    order = _argsort(xp.take_along_axis(a, picked, axis=axis), axis, largest, stable=False)
    return xp.take_along_axis(picked, order, axis=axis)


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


class GetItem(Indexing):
    label = "getitem"
    rule = r"\partial a[i]/\partial a = 1 \text{ at the indexed places, summed over repeats}"
    plain = "d a[i]/d a = 1 at the indexed places, summed over repeats"
    form = ("getitem({...})", r"\mathrm{getitem}({...})")

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


def getitem(input, index):
    """input[index]: ints, slices, None, Ellipsis, integer arrays/tensors and boolean
    masks, as in NumPy and PyTorch. Basic indexing gives a view."""
    index = _raw_index(index)
    out = GetItem.apply(input, index=index)
    if _is_basic(index):
        _share_version(out, input)
    return out


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


class IndexPut(Indexing):
    label = "index_put"
    rule = (r"\partial\,\mathrm{put}(a,i,v)/\partial a = 1 \text{ off } i,\ 0 \text{ on } i;\ "
            r"\partial/\partial v = 1 \text{ at } i")
    plain = "d put(a, i, v)/d a = 1 off i, 0 on i; d put(a, i, v)/d v = 1 at i"
    form = ("index_put({...})", r"\mathrm{index\_put}({...})")

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


def setitem(tensor, index, value):
    """``tensor[index] = value`` (Tensor.__setitem__): in place, through ``index_put`` when
    the graph is tracked (so that the gradient of the overwritten places is 0), else
    straight into the array."""
    if tensor._tracks(value):
        return tensor._assign_inplace(index_put(tensor._stand_in(), index, value))
    if isinstance(index, Tensor):
        index = index.array
    elif isinstance(index, tuple):
        index = tuple(i.array if isinstance(i, Tensor) else i for i in index)
    tensor.array[index] = value.array if isinstance(value, Tensor) else value
    tensor._bump()


def _data(t, op):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a glassgrad Tensor, got {type(t).__name__}")
    return t.array


def _wrap(array):
    return Tensor._wrap(xp.asarray(array))


def nonzero(input, *, as_tuple=False):
    """Positions of the non-zero elements: an int64 tensor (n, ndim), one row per element
    in row-major order; with ``as_tuple=True``, one 1-D tensor per dim (NumPy's form)."""
    a = _data(input, "nonzero")
    if a.ndim == 0:  # PyTorch: a 0-d input is read as one element, with no dims to index
        hit = int(bool(a))
        if as_tuple:
            return (_wrap(xp.zeros(hit, dtype=xp.int64)),)
        return _wrap(xp.zeros((hit, 0), dtype=xp.int64))
    positions = xp.nonzero(a)
    if as_tuple:
        return tuple(_wrap(p.astype(xp.int64)) for p in positions)
    return _wrap(xp.stack(positions, axis=1).astype(xp.int64).reshape(-1, a.ndim))


def argwhere(input):
    """nonzero(input) as an (n, ndim) tensor."""
    return nonzero(input)


def count_nonzero(input, dim=None):
    """How many elements are non-zero, over ``dim`` (an int or tuple) or all of them."""
    return _wrap(xp.asarray(xp.count_nonzero(_data(input, "count_nonzero"), axis=dim),
                            dtype=xp.int64))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values (sorted), and optionally, for each element, the index of its
    value among them (``return_inverse``, shaped like the input) and how often each value
    occurs (``return_counts``). With ``dim``, the distinct slices along that dim."""
    a = _data(input, "unique")
    values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=dim)
    out = [_wrap(values)]
    if return_inverse:
        shape = a.shape if dim is None else (a.shape[dim],)
        out.append(_wrap(inverse.reshape(shape).astype(xp.int64)))
    if return_counts:
        out.append(_wrap(counts.astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    """For a 1-D tensor of non-negative ints, how often each value 0, 1, ... occurs (or
    the sum of ``weights`` over its occurrences); at least ``minlength`` bins."""
    a = _data(input, "bincount")
    if a.ndim != 1 or a.dtype.kind not in "iub":
        raise ValueError(f"bincount: expected a 1-D tensor of non-negative integers, got "
                         f"shape {tuple(a.shape)} and dtype {a.dtype}")
    if a.size and a.min() < 0:
        raise ValueError(f"bincount: the values must be non-negative, got {int(a.min())}")
    w = None if weights is None else _data(weights, "bincount")
    counts = xp.bincount(a, weights=w, minlength=minlength)
    if w is None:
        return _wrap(counts.astype(xp.int64))
    return _wrap(counts.astype(w.dtype if w.dtype.kind == "f" else xp.float64))  # torch's


# ---------------------------------------------------------------- take, searchsorted
def take(input, index):
    """Elements of ``input`` read as if it were 1-D (row-major), at the int64 positions in
    ``index`` (negative ones count from the end); the result has index's shape. The
    gradient goes back to each position read (added up where one is read twice)."""
    index = _index_tensor(index, "take")
    n = input.numel()
    bad = (index.array < -n) | (index.array >= n)
    if bad.any():
        raise IndexError(f"take: index {int(index.array[bad].reshape(-1)[0])} is out of bounds "
                         f"for an input of {n} elements")
    return getitem(input.reshape(-1), index)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value, the index at which it would be inserted into ``sorted_sequence``
    (its last dim sorted) to keep it sorted: the first such index (``right=False``:
    sequence[i-1] < v <= sequence[i]) or the last (``right=True`` or side='right':
    sequence[i-1] <= v < sequence[i]). A 1-D sequence serves every value; an N-D one has
    one row per row of values (the leading dims must agree). int64 (int32 with
    out_int32), no gradient."""
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise ValueError("searchsorted: right=True and side='left' contradict each other")
        right = side == "right"
    seq = _data(sorted_sequence, "searchsorted")
    scalar = not isinstance(input, Tensor)
    values = xp.asarray(input) if scalar else input.array
    if sorter is not None:
        seq = xp.take_along_axis(seq, _data(sorter, "searchsorted"), axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        out = xp.searchsorted(seq, values, side=how)
    else:
        if values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]:
            raise ValueError(f"searchsorted: the leading dims of the sorted sequence "
                             f"{tuple(seq.shape)} and of the values {tuple(values.shape)} must agree")
        rows_seq = seq.reshape(-1, seq.shape[-1])
        rows_val = values.reshape(-1, values.shape[-1])
        out = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(rows_seq, rows_val)])
        out = out.reshape(values.shape)
    return _wrap(xp.asarray(out, dtype=xp.int32 if out_int32 else xp.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value between the sorted 1-D ``boundaries``: the index i with
    boundaries[i-1] < v <= boundaries[i] (``right=True``: boundaries[i-1] <= v < boundaries[i]);
    0 below the first, len(boundaries) above the last. No gradient."""
    if _data(boundaries, "bucketize").ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {tuple(boundaries.shape)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


__all__ += ["take", "searchsorted", "bucketize"]


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor: whether each element of ``elements`` is in ``test_elements`` (a
    tensor or a number); ``invert=True``: whether it is not. No gradient."""
    e = elements.array if isinstance(elements, Tensor) else xp.asarray(elements)
    t = test_elements.array if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return _wrap(xp.isin(e, t, assume_unique=assume_unique, invert=invert))


def histc(input, bins=100, min=0, max=0):  # noqa: A002 - PyTorch's argument names
    """Counts of the elements in ``bins`` equal-width bins over [min, max] (min = max = 0:
    the data's own min and max), in input's dtype; elements outside are left out, the top
    edge belongs to the last bin. No gradient."""
    a = _data(input, "histc")
    if a.dtype.kind != "f":
        raise TypeError(f"histc: expected a floating-point tensor, got dtype {a.dtype}")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins <= 0:
        raise ValueError(f"histc: bins must be a positive int, got {bins!r}")
    low, high = float(min), float(max)
    if low == high and a.size:
        low, high = float(a.min()), float(a.max())
    if not (xp.isfinite(low) and xp.isfinite(high)):
        raise ValueError(f"histc: range of [{low}, {high}] is not finite")
    if low > high:
        raise ValueError(f"histc: max ({high}) must be larger than min ({low})")
    if low == high:  # all elements equal (or none): torch widens the range by 1 each way
        low, high = low - 1, high + 1
    counts, _ = xp.histogram(a[(a >= low) & (a <= high)], bins=bins, range=(low, high))
    return _wrap(counts.astype(a.dtype))


__all__ += ["isin", "histc"]
