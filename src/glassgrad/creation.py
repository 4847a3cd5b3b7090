"""Tensor factories with PyTorch's names: tensor, zeros, ones, full, eye, arange, rand, ...

Python floats become float32 (the default dtype), Python ints int64, as in PyTorch.
Random factories draw from the global generator seeded by ``manual_seed``.
Every factory takes PyTorch's ``device=``: the CPU (None, "cpu", device("cpu")) is the only
one, and anything else is refused in one line before a number is drawn.
"""

from . import backend
from .backend import xp
from .device import cpu_only
from .tensor import Tensor, _shape


def _make(array, requires_grad, name=None):
    t = Tensor._wrap(array)
    t.name = name
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float(dtype):
    return backend.get_default_dtype() if dtype is None else xp.dtype(dtype)


def tensor(data, dtype=None, requires_grad=False, name=None, device=None):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, ndarray, Tensor)."""
    cpu_only("tensor", device)
    return Tensor._from_data(data, dtype=dtype, requires_grad=requires_grad, name=name)


def as_tensor(data, dtype=None, device=None):
    cpu_only("as_tensor", device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return Tensor._from_data(data, dtype=dtype)


def from_numpy(array):
    """A tensor that shares memory with ``array`` (no copy), keeping its dtype."""
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def zeros(*size, dtype=None, requires_grad=False, device=None):
    cpu_only("zeros", device)
    return _make(xp.zeros(_shape(size), dtype=_float(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    cpu_only("ones", device)
    return _make(xp.ones(_shape(size), dtype=_float(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    cpu_only("empty", device)
    return _make(xp.empty(_shape(size), dtype=_float(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    cpu_only("full", device)
    if dtype is None:
        dtype = xp.int64 if isinstance(fill_value, int) and not isinstance(fill_value, bool) else None
    return _make(xp.full(_shape((size,)), fill_value, dtype=_float(dtype)), requires_grad)


def zeros_like(input, dtype=None, requires_grad=False, device=None):
    cpu_only("zeros_like", device)
    return _make(xp.zeros_like(input.array, dtype=dtype), requires_grad)


def ones_like(input, dtype=None, requires_grad=False, device=None):
    cpu_only("ones_like", device)
    return _make(xp.ones_like(input.array, dtype=dtype), requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    cpu_only("full_like", device)
    return _make(xp.full_like(input.array, fill_value, dtype=dtype), requires_grad)


def rand_like(input, dtype=None, requires_grad=False, device=None):
    cpu_only("rand_like", device)
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False, device=None):
    cpu_only("randn_like", device)
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    cpu_only("eye", device)
    return _make(xp.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Like torch.arange: int64 when all bounds are ints, else the default float dtype."""
    cpu_only("arange", device)
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, end, step))
        dtype = xp.int64 if ints else backend.get_default_dtype()
    return _make(xp.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    cpu_only("linspace", device)
    return _make(xp.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False, device=None):
    """``steps`` numbers base**t for t evenly spaced from start to end."""
    cpu_only("logspace", device)
    return _make(xp.logspace(start, end, steps, base=base).astype(_float(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Uniform on [0, 1)."""
    cpu_only("rand", device)
    dtype = _float(dtype)
    return _make(backend.rng(generator).random(_shape(size), dtype=dtype), requires_grad)


def randn(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Standard normal."""
    cpu_only("randn", device)
    dtype = _float(dtype)
    return _make(backend.rng(generator).standard_normal(_shape(size), dtype=dtype), requires_grad)


def randint(low, high=None, size=(), dtype=None, generator=None, device=None):
    cpu_only("randint", device)
    if high is None:
        low, high = 0, low
    data = backend.rng(generator).integers(low, high, size=_shape((size,)), dtype=dtype or xp.int64)
    return Tensor._wrap(xp.asarray(data))


def randperm(n, generator=None, device=None):
    cpu_only("randperm", device)
    return Tensor._wrap(backend.rng(generator).permutation(n).astype(xp.int64))


def empty_like(input, dtype=None, requires_grad=False, device=None):
    cpu_only("empty_like", device)
    return _make(xp.empty_like(input.array, dtype=dtype), requires_grad)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.array.size


# ---------------------------------------------------------------- sampling (no gradient)
def normal(mean, std, size=None, *, generator=None, dtype=None, device=None):
    """Draws from N(mean, std^2): numbers with ``size``, or tensors (broadcast together)
    giving a mean and a standard deviation per element."""
    cpu_only("normal", device)
    m = mean.array if isinstance(mean, Tensor) else mean
    s = std.array if isinstance(std, Tensor) else std
    if size is not None:
        size = _shape((size,))
    draws = backend.rng(generator).normal(m, s, size)
    if dtype is None:
        dtype = next((t.dtype for t in (mean, std) if isinstance(t, Tensor)), None)
    return Tensor._wrap(xp.asarray(draws, dtype=_float(dtype)))


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``), else 0, elementwise; input's dtype."""
    prob = xp.asarray(input.array if p is None else p)
    if xp.any((prob < 0) | (prob > 1)):
        raise ValueError("bernoulli: the probabilities must lie in [0, 1]")
    draws = backend.rng(generator).random(input.array.shape) < prob
    return Tensor._wrap(draws.astype(input.array.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn with probability proportional to the (non-negative) weights in each
    row of ``input`` (1-D: one row): an int64 tensor (rows, num_samples)."""
    w = input.array
    rows = w.reshape(1, -1) if w.ndim == 1 else w
    if w.ndim not in (1, 2) or (rows < 0).any() or not xp.isfinite(rows).all():
        raise ValueError(f"multinomial: expected a 1-D or 2-D tensor of finite, non-negative "
                         f"weights, got shape {tuple(w.shape)}")
    rows = rows.astype(xp.float64)  # NumPy wants probabilities that sum to 1 in float64
    totals = rows.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise ValueError("multinomial: every row needs a positive sum of weights")
    if not replacement and num_samples > int((rows > 0).sum(axis=1).min()):
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from a row with fewer non-zero weights")
    rng = backend.rng(generator)
    drawn = xp.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=p)
                      for p in rows / totals])
    return Tensor._wrap((drawn[0] if w.ndim == 1 else drawn).astype(xp.int64))


__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "full_like", "rand_like", "randn_like", "empty_like", "eye", "arange",
    "linspace", "logspace", "rand", "randn", "randint", "randperm", "is_tensor", "numel", "normal",
    "bernoulli", "multinomial",
]


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    """The (row, column) indices of the lower triangle (j <= i + offset) of a row x col
    matrix: a (2, N) int64 tensor, in row-major order."""
    cpu_only("tril_indices", device)
    rows, cols = xp.tril_indices(row, offset, col)
    return Tensor._wrap(xp.stack([rows, cols]).astype(dtype or xp.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    """The (row, column) indices of the upper triangle (j >= i + offset) of a row x col
    matrix: a (2, N) int64 tensor, in row-major order."""
    cpu_only("triu_indices", device)
    rows, cols = xp.triu_indices(row, offset, col)
    return Tensor._wrap(xp.stack([rows, cols]).astype(dtype or xp.int64))


__all__ += ["tril_indices", "triu_indices"]


def is_floating_point(input):
    """Whether the tensor's dtype is a floating-point one."""
    return input.array.dtype.kind == "f"


__all__ += ["is_floating_point"]
