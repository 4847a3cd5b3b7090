"""The array backend: the one module that imports NumPy by name.

Everything else writes ``xp.exp`` and never ``numpy.exp``, so the backend stays one swap
away. This module also owns dtypes (float32 is the default for Python numbers, as in
PyTorch) and the global random generator behind ``manual_seed``, dropout and ``rand``.
"""

import warnings

import numpy as xp

# log(0) = -inf, 1/0 = inf, 0/0 = nan: NumPy says so with a RuntimeWarning, PyTorch says
# nothing, and so do glassgrad's ops (whose results are PyTorch's). Only NumPy's
# floating-point messages, only where glassgrad's own code made the call; a user's own
# NumPy code still warns, and detect_anomaly() finds where an inf or nan came from.
warnings.filterwarnings(
    "ignore", message=r"(divide by zero|overflow|invalid value|underflow) encountered",
    category=RuntimeWarning, module=r"glassgrad(\.|$)")



class dtype:  # noqa: N801 - PyTorch's name
    """A tensor's element type, as PyTorch names it: ``glassgrad.float32`` prints as
    ``glassgrad.float32`` (PyTorch: ``torch.float32``), not as NumPy's ``float32``.

    It stands for one NumPy dtype and is interchangeable with it: it compares equal to it
    (and to its name and scalar type: ``x.dtype == numpy.float32``), hashes like it, and
    NumPy accepts it wherever it takes a dtype (``numpy.zeros(3, glassgrad.float64)``,
    ``a.astype(x.dtype)``), through NumPy's protocol of the ``.dtype`` attribute. NumPy's
    own attributes (``kind``, ``itemsize``, ``type``, ...) are read through.
    """

    __slots__ = ("dtype",)

    def __init__(self, name):
        self.dtype = xp.dtype(name)  # the NumPy dtype: what numpy.dtype(self) returns

    @property
    def is_floating_point(self):
        return self.dtype.kind == "f"

    @property
    def is_complex(self):
        return self.dtype.kind == "c"

    @property
    def is_signed(self):
        return self.dtype.kind in "fic"

    def __getattr__(self, name):  # kind, itemsize, type, name, char, str, ...
        return getattr(self.dtype, name)

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        try:
            return self.dtype == xp.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"glassgrad.{self.dtype.name}"

    def __reduce__(self):  # copy and deepcopy give the one object of each kind
        return (as_dtype, (self.dtype.name,))


float16 = dtype("float16")
float32 = dtype("float32")
float64 = dtype("float64")
int8 = dtype("int8")
int16 = dtype("int16")
int32 = dtype("int32")
int64 = dtype("int64")
uint8 = dtype("uint8")
bool_ = dtype("bool")
complex64 = dtype("complex64")
complex128 = dtype("complex128")

# NumPy dtype -> glassgrad dtype, for Tensor.dtype
_DTYPES = {d.dtype: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8,
                                bool_, complex64, complex128)}


def as_dtype(numpy_dtype):
    """The glassgrad dtype standing for a NumPy dtype (or anything NumPy reads as one);
    a NumPy dtype glassgrad has no name for (uint16, ...) is returned as it is."""
    numpy_dtype = xp.dtype(numpy_dtype)
    return _DTYPES.get(numpy_dtype, numpy_dtype)


# PyTorch spellings that users type: glassgrad.float, glassgrad.double, glassgrad.long.
float = float32  # noqa: A001 - shadowing on purpose, as torch.float does
double = float64
long = int64
half = float16

_default_float = [float32]


def get_default_dtype():
    """The dtype Python floats become (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(dtype):
    """Make Python floats become ``dtype`` (float32 or float64), as torch.set_default_dtype."""
    dtype = as_dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype expects float32 or float64, got {dtype}")
    _default_float[0] = dtype


def is_floating(dtype):
    return xp.issubdtype(dtype, xp.floating)


# ---------------------------------------------------------------- random numbers
# One global generator, as torch has one default CPU generator. Dropout, rand, randn,
# randperm and the initialisers draw from it, so manual_seed(n) repeats every draw (and a
# run, bit for bit, on the same machine with the same BLAS kernel and thread count).

# Made on first use: numpy.random costs a third of NumPy's own import time, and a program
# that draws no random number never needs it.
_rng = [None]


def _global():
    if _rng[0] is None:
        _rng[0] = xp.random.Generator(xp.random.PCG64(0))
    return _rng[0]


def manual_seed(seed):
    """Seed the global generator (and return it, as torch.manual_seed does)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, xp.integer)):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _rng[0] = xp.random.Generator(xp.random.PCG64(int(seed)))
    return _rng[0]


def default_generator():
    return _global()


def get_rng_state():
    """A copy of the generator's state (a dict), for checkpoint and for reproducibility."""
    return _global().bit_generator.state


def set_rng_state(state):
    bitgen = xp.random.PCG64()
    bitgen.state = state
    _rng[0] = xp.random.Generator(bitgen)


class Generator:
    """A separate random stream, as torch.Generator: ``Generator().manual_seed(0)``."""

    def __init__(self, seed=None):
        self._gen = xp.random.Generator(xp.random.PCG64(seed))

    def manual_seed(self, seed):
        self._gen = xp.random.Generator(xp.random.PCG64(int(seed)))
        return self

    def get_state(self):
        return self._gen.bit_generator.state

    def set_state(self, state):
        self._gen.bit_generator.state = state
        return self

    @property
    def numpy(self):
        """The underlying numpy.random.Generator."""
        return self._gen


def rng(generator=None):
    """The numpy Generator to draw from: the given glassgrad Generator or the global one."""
    if generator is None:
        return _global()
    if isinstance(generator, Generator):
        return generator._gen
    if isinstance(generator, xp.random.Generator):
        return generator
    raise TypeError(f"generator must be a glassgrad.Generator, got {type(generator).__name__}")
