r"""Lookup ops: embedding (rows of a weight table picked by index) and one_hot.

An embedding is a matrix product with one-hot rows written as an index: for indices i,
y = W[i] is onehot(i) W. Its backward is therefore onehot(i)^T G: the upstream row of every
position is added into the weight row it came from, so a row used k times receives the sum
of k upstream rows (and a row never used receives 0). That sum is a sort of the positions by
index and one ``np.add.reduceat`` over the runs, not a dense (V x M) one-hot matrix.
"""

from ..autograd.function import Indexing
from ..autograd.grad_mode import no_grad
from ..backend import xp
from ..tensor import Tensor

# Not exported at the top level: torch.embedding takes (weight, indices), the reverse of
# F.embedding; both names live in glassgrad.nn.functional.
__all__ = []


def _sum_rows_by_index(flat, rows, by_frequency):
    """(used, sums): the distinct indices of flat, and for each the sum of the rows at the
    positions holding it (divided by its count when by_frequency). Sorting the positions by
    index makes each index's rows one run, summed by one reduceat (in position order, as
    np.add.at would: the same digits, about twice as fast)."""
    order = xp.argsort(flat, kind="stable")
    by_index = flat[order]
    run_starts = xp.flatnonzero(xp.r_[True, by_index[1:] != by_index[:-1]])
    sums = xp.add.reduceat(rows[order], run_starts, axis=0)
    if by_frequency:  # each row divided by its index's count in the batch
        counts = xp.diff(xp.r_[run_starts, flat.size])
        sums /= counts[:, None].astype(sums.dtype)
    return by_index[run_starts], sums


class Embedding(Indexing):
    label = "embedding"
    rule = r"y_m = W_{i_m},\ \partial W_v = \sum_{m: i_m = v} \partial y_m\ (\text{0 for the padding row})"
    plain = "y_m = W[i_m], d L/d W[v] = the sum of d L/d y_m over the m with i_m = v (0 for the padding row)"
    form = ("embedding({...})", r"\mathrm{embedding}({...})")

    def forward(ctx, indices, weight, padding_idx=None, scale_grad_by_freq=False):
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        ctx.num_embeddings = weight.shape[0]
        ctx.save_for_backward(indices)
        return weight[indices]  # fancy indexing: a fresh (..., D) array

    def backward(ctx, upstream):
        # dW = onehot(i)^T G: dW[v] = sum over the positions m with i_m = v of G_m
        # (divided by v's count with scale_grad_by_freq; 0 for the padding row)
        (indices,) = ctx.saved
        if not ctx.needs_input_grad[1]:
            return None, None
        flat = indices.reshape(-1)
        rows = upstream.reshape(flat.size, upstream.shape[-1])  # (positions, D)
        d_weight = xp.zeros((ctx.num_embeddings, rows.shape[1]), dtype=upstream.dtype)
        if flat.size:
            used, sums = _sum_rows_by_index(flat, rows, ctx.scale_grad_by_freq)
            d_weight[used] = sums
        if ctx.padding_idx is not None:
            d_weight[ctx.padding_idx] = 0  # the padding row is never trained
        return None, d_weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    r"""Look up rows of ``weight`` (num_embeddings, D) at the integer ``input`` indices:
    y[..., :] = W[input[...], :], of shape input.shape + (D,).

    Backward: \partial W_v = \sum_{m: i_m = v} \partial y_m (repeated indices add up); the
    row ``padding_idx`` gets no gradient. ``scale_grad_by_freq`` divides each row's
    contributions by the index's count in the batch. ``max_norm``: before the lookup, rows
    that are looked up and whose ``norm_type``-norm exceeds max_norm are rescaled in place
    to norm max_norm (as PyTorch: W_v <- W_v max_norm / (\|W_v\| + 1e-7)).
    """
    op = "embedding"
    if not isinstance(weight, Tensor) or weight.ndim != 2 or weight.array.dtype.kind != "f":
        got = f"shape {tuple(weight.shape)}, dtype {weight.array.dtype}" \
            if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"{op}: weight must be a 2-D float tensor (num_embeddings, "
                         f"embedding_dim), got {got}")
    num = weight.shape[0]
    _check_indices(input, op)
    idx = input.array
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}: index {bad} is out of range for a table of {num} rows "
                         f"(indices must be in [0, {num - 1}])")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, xp.integer)) \
                or not -num <= padding_idx < num:
            raise ValueError(f"{op}: padding_idx must be an int within num_embeddings "
                             f"({num}), got {padding_idx!r}")
        padding_idx = int(padding_idx) % num
    if sparse:
        raise ValueError(f"{op}: sparse=True is not supported (glassgrad has dense gradients "
                         "only); use sparse=False")
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    return Embedding.apply(input, weight, padding_idx=padding_idx,
                           scale_grad_by_freq=bool(scale_grad_by_freq))


def _check_indices(input, op, what="indices"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a glassgrad Tensor of integer {what}, "
                        f"got {type(input).__name__}")
    if input.array.dtype.kind not in "iu":
        raise TypeError(f"{op}: input must hold integer {what} (int64, as torch.long), got "
                        f"dtype {input.array.dtype}")


def _renorm_rows(weight, idx, max_norm, norm_type):
    """PyTorch's embedding_renorm_: shrink the looked-up rows longer than max_norm."""
    rows = xp.unique(idx)
    w = weight.array
    with xp.errstate(over="ignore"):  # an overflowing norm is inf (the row shrinks to 0, as
        # torch); np.linalg.norm is NumPy Python code, so its warning would reach the user
        norms = xp.linalg.norm(w[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        with no_grad():
            scale = max_norm / (norms[too_long] + 1e-7)
            w[rows[too_long]] *= scale[:, None].astype(w.dtype)
            weight._bump()


def one_hot(tensor, num_classes=-1):
    """One-hot encoding: int64 output of shape tensor.shape + (num_classes,), with a 1 at
    each index and 0 elsewhere. ``num_classes=-1`` uses max(tensor) + 1. No gradient (the
    output is integer)."""
    op = "one_hot"
    _check_indices(tensor, op, "class values")
    t = tensor.array
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, xp.integer)):
        raise TypeError(f"{op}: num_classes must be an int, got {num_classes!r}")
    if num_classes == -1:
        if t.size == 0:
            raise ValueError(f"{op}: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = int(t.max()) + 1
    elif num_classes < 1:
        raise ValueError(f"{op}: num_classes must be -1 or a positive int, got {num_classes}")
    if t.size and t.min() < 0:
        raise ValueError(f"{op}: class values must be non-negative, got {t.min()}")
    if t.size and t.max() >= num_classes:
        raise ValueError(f"{op}: class value {t.max()} is out of range for num_classes="
                         f"{num_classes} (values must be in [0, {num_classes - 1}])")
    out = xp.zeros(t.shape + (int(num_classes),), dtype=xp.int64)
    xp.put_along_axis(out, t[..., None].astype(xp.intp), 1, axis=-1)
    return Tensor._wrap(out)
