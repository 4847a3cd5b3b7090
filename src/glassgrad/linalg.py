"""torch.linalg: norms, products, factorizations and solves, under PyTorch's names.

The differentiable ops live in the linalg family (``ops/linalg.py``: Inverse, Det,
LogAbsDet, Solve, SvdVals, EigvalsH, Cholesky, SolveTriangular, each a Function with its
backward rule); this module gives them torch.linalg's names and signatures and writes the
norms from them and from the reductions:

    vector_norm(x, ord)  (sum |x_i|^ord)^(1/ord), inf: max |x_i|, -inf: min |x_i|, 0: count
    matrix_norm(A, ord)  'fro': sqrt(sum A_ij^2), 'nuc': sum of singular values,
                         1 / -1: max / min column sum of |A|, inf / -inf: max / min row sum,
                         2 / -2: largest / smallest singular value
    norm(A, ord, dim)    a vector norm over one dim (or over all of a 1-D A), a matrix
                         norm over two dims (or over a 2-D A), as torch.linalg.norm decides

Singular inputs: inv and solve raise ValueError; det gives 0 (gradient: the cofactor
matrix); slogdet gives (0, -inf), as torch.
"""

import functools
import math

from .ops import linalg as _ops
from .ops import reduction as _reduction
from .ops import shape as _shape
from .ops.linalg import (  # noqa: F401  (torch.linalg's names for the family's ops)
    cholesky, eigvalsh, matmul, slogdet, solve, solve_triangular, svdvals,
)

inv = _ops.inverse
det = _ops.det

__all__ = ["norm", "vector_norm", "matrix_norm", "cross", "matmul", "vecdot", "multi_dot",
           "matrix_power", "cholesky", "solve_triangular", "diagonal", "inv", "det",
           "slogdet", "solve", "svdvals", "eigvalsh"]


def _cast(x, dtype):
    return x if dtype is None else x.to(dtype)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """||x||_ord over ``dim`` (None: every element, as one vector), torch.linalg.vector_norm:
    (sum |x_i|^ord)^(1/ord); inf: max |x_i|, -inf: min |x_i|, 0: the number of nonzeros."""
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return _reduction.VectorNorm.apply(_cast(x, dtype), ord=float(ord), dim=dim, keepdim=keepdim)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm over the two dims ``dim`` (torch.linalg.matrix_norm): 'fro',
    'nuc' (sum of singular values), 1 / -1 (max / min column sum of |A|), inf / -inf (max /
    min row sum), 2 / -2 (largest / smallest singular value)."""
    if ord not in _MATRIX_ORDS or isinstance(ord, bool):
        raise ValueError(f"linalg.matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, "
                         f"inf, -inf, got {ord!r}")
    if A.ndim < 2:
        raise ValueError(f"linalg.matrix_norm: A must have at least 2 dims, got shape "
                         f"{tuple(A.shape)}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ValueError(f"linalg.matrix_norm: dim must be a pair of dims, got {dim!r}")
    rows, cols = (d % A.ndim for d in dim)
    if rows == cols:
        raise ValueError(f"linalg.matrix_norm: the two dims must differ, got {dim!r}")
    A = _cast(A, dtype)
    if ord == "fro":
        return vector_norm(A, 2, dim=(rows, cols), keepdim=keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        # 1: sum |A_ij| down each column (over rows), then the largest; inf: along each row
        summed, picked = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = vector_norm(A, 1, dim=summed, keepdim=True)
        out = (sums.amax if ord > 0 else sums.amin)(dim=picked, keepdim=True)
    else:  # 2, -2, 'nuc': from the singular values, the two dims moved last
        s = svdvals(_shape.movedim(A, (rows, cols), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        out = out.unsqueeze(-1).unsqueeze(-1)
        out = _shape.movedim(out, (-2, -1), (rows, cols))
    return out if keepdim else out.squeeze(max(rows, cols)).squeeze(min(rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm when ``dim`` is one dim (or None with a 1-D A, or
    None with ord None: every element as one vector), a matrix norm when ``dim`` is two dims
    (or None with a 2-D A). ord None is 2 for vectors and 'fro' for matrices."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) not in (1, 2):
            raise ValueError(f"linalg.norm: dim must name 1 or 2 dims, got {dim!r}")
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and dim=None, A must be 1-D or "
                             f"2-D, got shape {tuple(A.shape)}")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise ValueError(f"linalg.norm: ord={ord!r} is a matrix norm, but dim names one dim")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (default the last, unlike torch.cross),
    the two broadcast together (but, as torch.linalg.cross, with the same number of dims)."""
    if input.ndim != other.ndim:
        raise ValueError(f"linalg.cross: input and other must have the same number of dims, "
                         f"got shapes {tuple(input.shape)} and {tuple(other.shape)}")
    return _ops.cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    """sum_i x_i y_i along ``dim``, the two broadcast together (real tensors: no conjugate)."""
    return (x * y).sum(dim)


def multi_dot(tensors):
    """A @ B @ ... left to right; the first may be 1-D (a row), the last 1-D (a column),
    the others must be 2-D."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise ValueError(f"linalg.multi_dot: expected at least 2 tensors, got {len(tensors)}")
    for i, t in enumerate(tensors):
        edge = i in (0, len(tensors) - 1)
        if t.ndim != 2 and not (edge and t.ndim == 1):
            raise ValueError(f"linalg.multi_dot: tensor {i} must be 2-D (the first and last "
                             f"may be 1-D), got shape {tuple(t.shape)}")
    return functools.reduce(matmul, tensors)


def matrix_power(A, n):
    """A^n for an integer n, by repeated squaring; n = 0 the identity, n < 0 inv(A)^-n."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg.matrix_power: n must be an integer, got {n!r}")
    _ops._need_square("linalg.matrix_power", A)
    if n == 0:
        from .creation import eye

        return eye(A.shape[-1], dtype=A.dtype).expand(tuple(A.shape)) * 1
    base = inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:  # A^n = product of A^(2^k) over the bits k of n
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of each matrix over dims (dim1, dim2), default the last two."""
    return _shape.diagonal(A, offset, dim1, dim2)
