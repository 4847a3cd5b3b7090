"""Finding and counting: nonzero, argwhere, count_nonzero, unique, bincount.

Their results are positions and counts, integers with no gradient (as in PyTorch, where
these ops are not differentiable), so each is a NumPy call wrapped in a Tensor, not a
Function. Index results are int64, as PyTorch's.
"""

from ..backend import xp
from ..tensor import Tensor

__all__ = ["nonzero", "argwhere", "count_nonzero", "unique", "bincount"]


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
