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

float16 = xp.dtype("float16")
float32 = xp.dtype("float32")
float64 = xp.dtype("float64")
int8 = xp.dtype("int8")
int16 = xp.dtype("int16")
int32 = xp.dtype("int32")
int64 = xp.dtype("int64")
uint8 = xp.dtype("uint8")
bool_ = xp.dtype("bool")

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
    dtype = xp.dtype(dtype)
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
