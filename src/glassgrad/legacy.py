"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ... and the names
``x.type()`` returns.

Old PyTorch code builds tensors with ``torch.FloatTensor([1, 2])`` or
``torch.LongTensor(3, 4)``, checks ``isinstance(x, torch.FloatTensor)`` and compares
``x.type() == 'torch.FloatTensor'``. Here each such type is a constructor for a glassgrad
Tensor of one dtype, and an isinstance test for that dtype; ``x.type()`` returns PyTorch's
own strings, so that code comparing them keeps working after the import is swapped.
"""

from .backend import xp
from .device import cpu_only
from .tensor import Tensor

# NumPy dtype name -> PyTorch's legacy type name (torch.<name>)
_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor",
}
_DTYPES = {name: xp.dtype(dtype) for dtype, name in _NAMES.items()}


def type_name(dtype):
    """'torch.FloatTensor' for float32, and so on: the string PyTorch's x.type() gives."""
    return "torch." + _NAMES[xp.dtype(dtype).name]


def dtype_of_type(kind):
    """The dtype a legacy type stands for: a type (glassgrad.DoubleTensor), its name
    ('torch.DoubleTensor' or 'glassgrad.DoubleTensor'), or a dtype, returned as it is."""
    if isinstance(kind, _LegacyType):
        return kind.dtype
    if isinstance(kind, str) and kind.startswith(("torch.", "glassgrad.")):
        name = kind.partition(".")[2]
        if name not in _DTYPES:
            raise TypeError(f"invalid type: {kind!r}; expected one of "
                            f"{', '.join('torch.' + n for n in _DTYPES)}")
        return _DTYPES[name]
    return kind


class _LegacyType(type):
    """The type of FloatTensor and friends: calling one makes a Tensor of its dtype,
    isinstance asks whether a Tensor has that dtype."""

    def __call__(cls, *args, device=None):
        cpu_only(f"{cls.__name__}()", device)
        if len(args) == 1 and isinstance(args[0], Tensor) and args[0].array.dtype != cls.dtype:
            raise TypeError(f"{cls.__name__}() expects a tensor of dtype {cls.dtype}, got "
                            f"{args[0].array.dtype}; convert it with .to() or .type()")
        return Tensor(*args, dtype=cls.dtype)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'glassgrad.{cls.__name__}'>"


def _legacy(name):
    return _LegacyType(name, (), {"dtype": _DTYPES[name], "__module__": "glassgrad",
                                  "__doc__": f"A Tensor of dtype {_DTYPES[name]} (PyTorch's "
                                             f"torch.{name})."})


FloatTensor = _legacy("FloatTensor")
DoubleTensor = _legacy("DoubleTensor")
HalfTensor = _legacy("HalfTensor")
LongTensor = _legacy("LongTensor")
IntTensor = _legacy("IntTensor")
ShortTensor = _legacy("ShortTensor")
CharTensor = _legacy("CharTensor")
ByteTensor = _legacy("ByteTensor")
BoolTensor = _legacy("BoolTensor")

__all__ = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor",
]
