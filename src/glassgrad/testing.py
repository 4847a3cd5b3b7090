"""``glassgrad.testing.assert_close``: PyTorch's test of "equal up to rounding".

Two values are close when |actual - expected| <= atol + rtol |expected| everywhere, with
PyTorch's default tolerances for their dtype (below) unless both are given. Infinities
must match exactly; nans count as equal only with ``equal_nan=True``. Tensors must also
agree in shape and (``check_dtype``) dtype; sequences and mappings are compared item by
item; Python numbers are compared as numbers. A mismatch raises AssertionError naming it:
the number of mismatched elements, the greatest absolute and relative differences and
where they are.
"""

from collections.abc import Mapping, Sequence

from .backend import as_dtype, xp
from .tensor import Tensor

__all__ = ["assert_close"]

# dtype -> (rtol, atol), PyTorch's table
DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close (module
    docstring); ``msg`` replaces the message (a string, or a function of it)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where="")


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where):
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _tensors(actual.array, expected.array, rtol, atol, equal_nan, check_dtype, msg,
                        where, "Tensor-likes")
    if _is_number(actual) and _is_number(expected):
        if check_dtype and type(actual) is not type(expected):
            _fail(f"The values for attribute 'type' do not match: {type(actual).__name__} != "
                  f"{type(expected).__name__}.", msg, where)
        return _tensors(xp.asarray(actual), xp.asarray(expected), rtol, atol, equal_nan, False,
                        msg, where, "Scalars")
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match: {sorted(map(str, actual))} != "
                  f"{sorted(map(str, expected))}.", msg, where)
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg,
                     f"{where}[{key!r}]")
        return None
    if (isinstance(actual, Sequence) and isinstance(expected, Sequence)
            and not isinstance(actual, str) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                  msg, where)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{where}[{i}]")
        return None
    raise TypeError(f"No comparison pair was able to handle inputs of type "
                    f"{type(actual).__name__} and {type(expected).__name__}.")


def _is_number(x):
    return isinstance(x, (bool, int, float, complex, xp.generic))


def _tensors(a, e, rtol, atol, equal_nan, check_dtype, msg, where, what):
    if a.shape != e.shape:
        _fail(f"The values for attribute 'shape' do not match: {_size(a.shape)} != "
              f"{_size(e.shape)}.", msg, where)
    if check_dtype and a.dtype != e.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {as_dtype(a.dtype)} != "
              f"{as_dtype(e.dtype)}.", msg, where)
    if rtol is None:
        rtol, atol = max((_tolerances(a.dtype), _tolerances(e.dtype)))
    common = xp.promote_types(a.dtype, e.dtype)
    if common.kind in "biu":
        common = xp.dtype(xp.int64) if common.kind != "b" else common
    else:
        common = xp.promote_types(common, xp.float64)  # compare in full precision
    av, ev = a.astype(common), e.astype(common)
    if av.dtype.kind == "b":
        close = av == ev
    else:
        with xp.errstate(invalid="ignore", over="ignore"):
            diff = xp.abs(av - ev)
            close = (av == ev) | (diff <= atol + rtol * xp.abs(ev))
        if equal_nan:
            close |= xp.isnan(av) & xp.isnan(ev)
    if bool(close.all()):
        return
    _fail(_mismatch(av, ev, close, rtol, atol, what), msg, where)


def _tolerances(dtype):
    return DEFAULT_TOLERANCES.get(xp.dtype(dtype).name, (0.0, 0.0))


def _mismatch(a, e, close, rtol, atol, what):
    bad = ~close
    total = close.size
    lines = [f"{what} are not close!", ""]
    with xp.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if a.dtype.kind == "b":
            diff = (a != e).astype(xp.float64)
        else:
            diff = xp.abs(a.astype(xp.float64) - e.astype(xp.float64))
        rel = diff / xp.abs(e.astype(xp.float64))
    diff = xp.where(bad, xp.nan_to_num(diff, nan=xp.inf), -1.0)  # look at mismatches only
    rel = xp.where(bad, xp.nan_to_num(rel, nan=xp.inf), -1.0)
    if a.ndim == 0:
        lines.append(f"Expected {e.item()} but got {a.item()}.")
        lines.append(f"Absolute difference: {diff.item():g} (up to {atol:g} allowed)")
        lines.append(f"Relative difference: {rel.item():g} (up to {rtol:g} allowed)")
        return "\n".join(lines)
    n = int(bad.sum())
    lines.append(f"Mismatched elements: {n} / {total} ({100 * n / total:.1f}%)")
    i = xp.unravel_index(int(xp.argmax(diff)), a.shape)
    j = xp.unravel_index(int(xp.argmax(rel)), a.shape)
    lines.append(f"Greatest absolute difference: {diff[i]:g} at index {tuple(map(int, i))} "
                 f"(up to {atol:g} allowed)")
    lines.append(f"Greatest relative difference: {rel[j]:g} at index {tuple(map(int, j))} "
                 f"(up to {rtol:g} allowed)")
    return "\n".join(lines)


def _size(shape):
    return f"glassgrad.Size({list(shape)})"


def _fail(text, msg, where):
    if where:
        text = f"{text}\n\nThe failure occurred for item {where}"
    if msg is not None:
        text = msg(text) if callable(msg) else msg
    raise AssertionError(text)
