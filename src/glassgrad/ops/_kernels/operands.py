"""Python numbers as operands of array ops: a float next to a float32 array, made a 0-d
array of the array's dtype once per value (the same value, and twice as fast)."""

import builtins

from ...backend import xp

_ndarray = xp.ndarray
_f64 = xp.dtype("float64")
_PyFloat = builtins.float


# Python floats as 0-d arrays of the tensor's dtype, made once per value. NumPy 2 treats
# a Python float next to a float32 array as a "weak" scalar: it is rounded to float32 and
# the product is float32, but working that out costs as much again as the multiply itself
# on a small array (x * 0.5: 1.6 us; x * a 0-d float32 array: 0.8 us). The values are the
# same. Zero is left alone (0.0 and -0.0 are one dict key, and the sign of zero matters),
# and so are inf, nan and what float32 cannot hold (NumPy's own cast decides those).
_SCALARS = {xp.dtype("float32"): {}, _f64: {}}  # dtype -> {value: read-only 0-d array}
_SCALAR_LIMIT = {dtype: float(xp.finfo(dtype).max) for dtype in _SCALARS}


def _as_array_scalar(value, like):
    """``value`` (a Python float) as a 0-d array of ``like``'s float dtype, else as is."""
    if type(like) is not _ndarray:
        return value
    cache = _SCALARS.get(like.dtype)
    if cache is None:
        return value
    array = cache.get(value)
    if array is None:
        limit = _SCALAR_LIMIT[like.dtype]
        if value == 0.0 or not -limit <= value <= limit:
            return value
        if len(cache) > 1024:  # a loop over many distinct values: start again
            cache.clear()
        array = cache[value] = xp.array(value, dtype=like.dtype)
        array.flags.writeable = False
    return array


def operands(a, b):
    """a and b with a Python float among them turned into a 0-d array (see above)."""
    if type(b) is _PyFloat:
        return a, _as_array_scalar(b, a)
    if type(a) is _PyFloat:
        return _as_array_scalar(a, b), b
    return a, b
