"""What a dtype can hold and how dtypes combine: ``finfo``, ``iinfo``, ``promote_types``,
``result_type`` and ``can_cast``, as PyTorch answers them.

PyTorch promotes by *category* first: bool < integer < floating < complex. Mixing
categories gives the higher category's dtype unchanged (int64 + float16 is float16, where
NumPy says float64); within one category the wider type wins (int8 + uint8 is int16, as
in NumPy). A tensor with dimensions outranks a 0-d tensor, which outranks a Python
number, within a category (``result_type``).
"""

from . import backend
from .backend import as_dtype, xp
from .tensor import Tensor

__all__ = ["finfo", "iinfo", "promote_types", "result_type", "can_cast"]


def _numpy_dtype(dtype, op):
    try:
        return xp.dtype(dtype.dtype if isinstance(dtype, backend.dtype) else dtype)
    except TypeError:
        raise TypeError(f"{op}: expected a dtype such as glassgrad.float32, got {dtype!r}") from None


def _name(dtype):
    return "bool" if dtype.kind == "b" else dtype.name


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a floating-point dtype (the default dtype when none is given):
    ``bits``, ``eps`` (the gap from 1 to the next number), ``max``, ``min`` (= -max),
    ``tiny`` and ``smallest_normal`` (the smallest positive normal number),
    ``resolution`` (10^-precision) and ``dtype`` (its name)."""

    def __init__(self, type=None):  # noqa: A002 - PyTorch's argument name
        d = _numpy_dtype(backend.get_default_dtype() if type is None else type, "finfo")
        if d.kind not in "fc":
            raise TypeError(f"finfo: expected a floating-point dtype, got {as_dtype(d)}; use "
                            "iinfo for integer dtypes")
        info = xp.finfo(d)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # decimal digits: 1e-06 for float32
        self.dtype = _name(xp.dtype(info.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype: ``bits``, ``min``, ``max``, ``dtype`` (its name)."""

    def __init__(self, type):  # noqa: A002 - PyTorch's argument name
        d = _numpy_dtype(type, "iinfo")
        if d.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {as_dtype(d)}; use finfo "
                            "for floating-point dtypes")
        if d.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            info = xp.iinfo(d)
            self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = _name(d)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, bits={self.bits}, dtype={self.dtype})"


def _category(d):
    """0 bool, 1 integer, 2 floating, 3 complex."""
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}[d.kind]


def _promote(a, b):
    ca, cb = _category(a), _category(b)
    if ca != cb:
        high, low = (a, b) if ca > cb else (b, a)
        if high.kind == "c" and low.kind == "f":  # complex64 + float64 keeps float64's width
            return xp.promote_types(high, low)
        return high
    return xp.promote_types(a, b)


def promote_types(type1, type2):
    """The smallest dtype both can be cast to without leaving the higher category
    (torch.promote_types(int64, float16) is float16)."""
    return as_dtype(_promote(_numpy_dtype(type1, "promote_types"),
                             _numpy_dtype(type2, "promote_types")))


def result_type(tensor1, tensor2):
    """The dtype of an arithmetic op on the two (Tensors or Python numbers): the higher
    category wins; within it, tensors with dimensions before 0-d tensors before numbers
    (a Python float is the default float dtype, an int is int64)."""
    groups = {}  # rank (0 dimensioned, 1 0-d, 2 number) -> dtypes, per category
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            d = x.array.dtype
            rank = 0 if x.ndim else 1
        elif isinstance(x, bool):
            d, rank = xp.dtype(bool), 2
        elif isinstance(x, int):
            d, rank = xp.dtype(xp.int64), 2
        elif isinstance(x, float):
            d, rank = xp.dtype(backend.get_default_dtype().dtype), 2
        elif isinstance(x, complex):
            d, rank = xp.dtype(xp.complex64 if backend.get_default_dtype() == backend.float32
                               else xp.complex128), 2
        else:
            raise TypeError(f"result_type: expected Tensors or numbers, got {type(x).__name__}")
        groups.setdefault(_category(d), []).append((rank, d))
    top = max(groups)
    ranked = sorted(groups[top], key=lambda r: r[0])
    best = [d for rank, d in ranked if rank == ranked[0][0]]
    return as_dtype(best[0] if len(best) == 1 else _promote(*best))


def can_cast(from_, to):
    """Whether torch's casting rules allow ``from_`` -> ``to`` in an op's output: never to
    a lower category (float -> int, int -> bool, complex -> float); any width within or
    above it."""
    return _category(_numpy_dtype(from_, "can_cast")) <= _category(_numpy_dtype(to, "can_cast"))
