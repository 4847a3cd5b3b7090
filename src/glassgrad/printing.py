"""How tensors print, with PyTorch's rules and options (``set_printoptions``).

Every element of a tensor is printed in one format, chosen from its finite values:

- integers (an int or bool tensor, or floats that all hold whole numbers): ``1.``, ``-3.``
  for floats, plain digits for ints;
- otherwise fixed point with ``precision`` decimals (``1.2500``), unless the values span
  more than a factor 1000, or the largest exceeds 1e8, or the smallest is below 1e-4:
  then scientific notation (``1.2500e-05``). ``sci_mode=True`` / ``False`` forces it.

Elements are right-aligned to the widest, rows wrap at ``linewidth``, and a tensor of more
than ``threshold`` elements shows only ``edgeitems`` at each end of each dim, with ``...``.
"""

import math

from .backend import xp

_DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}
OPTIONS = dict(_DEFAULTS)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """PyTorch's print options: ``precision`` (decimals, 4), ``threshold`` (elements shown
    in full, 1000), ``edgeitems`` (3), ``linewidth`` (80), ``profile`` ("default", "short"
    or "full", applied first) and ``sci_mode`` (True, False or None: chosen per tensor;
    as in PyTorch, every call sets it)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of "
                             f"{', '.join(_PROFILES)}, got {profile!r}")
        OPTIONS.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"set_printoptions: {name} must be a non-negative number, "
                                 f"got {value!r}")
            OPTIONS[name] = value
    if sci_mode not in (None, True, False):
        raise ValueError(f"set_printoptions: sci_mode must be True, False or None, got {sci_mode!r}")
    OPTIONS["sci_mode"] = sci_mode


def get_printoptions():
    """The current print options, as a dict."""
    return dict(OPTIONS)


def tensor_body(array, indent):
    """The text between ``tensor(`` and the closing ``)`` (or ``, dtype=...``); ``indent``
    is the width of what precedes it on the first line."""
    summarize = array.size > OPTIONS["threshold"]
    edge = int(OPTIONS["edgeitems"])
    fmt = _formatter(_shown(array, edge) if summarize else array)
    return _block(array, fmt, indent, summarize, edge)


def _shown(array, edge):
    """The elements that will be printed when a tensor is summarized (both ends of each dim)."""
    for axis in range(array.ndim):
        if array.shape[axis] > 2 * edge:
            head = xp.take(array, range(edge), axis=axis)
            tail = xp.take(array, range(array.shape[axis] - edge, array.shape[axis]), axis=axis)
            array = xp.concatenate([head, tail], axis=axis)
    return array


def _formatter(array):
    """One function number -> text for every element, and the width they share."""
    precision = int(OPTIONS["precision"])
    if array.dtype.kind == "b":
        return _aligned(array, lambda v: "True" if v else "False")
    if array.dtype.kind in "iu":
        return _aligned(array, lambda v: str(int(v)))
    if array.dtype.kind == "c":
        return _aligned(array, lambda v: f"{complex(v):.{precision}f}")
    finite = array[xp.isfinite(array)].astype(xp.float64)
    values = xp.abs(finite[finite != 0])
    sci = OPTIONS["sci_mode"]
    if finite.size and xp.all(finite == xp.ceil(finite)):  # whole numbers
        if sci is None:
            sci = values.size > 0 and (values.max() / values.min() > 1000 or values.max() > 1e8)
        if sci:
            return _aligned(array, lambda v: _special(v) or f"{v:.{precision}e}")
        return _aligned(array, lambda v: _special(v) or f"{v:.0f}.")
    if sci is None:
        sci = values.size > 0 and (values.max() / values.min() > 1000 or values.max() > 1e8
                                   or values.min() < 1e-4)
    if sci:
        return _aligned(array, lambda v: _special(v) or f"{v:.{precision}e}")
    return _aligned(array, lambda v: _special(v) or f"{v:.{precision}f}")


def _special(v):
    """nan, inf, -inf as PyTorch writes them (None for a finite number)."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _aligned(array, text):
    """Right-aligned to the widest finite value (nan and inf do not widen the column)."""
    values = array.reshape(-1)
    if values.dtype.kind in "fc" and xp.isfinite(values).any():
        values = values[xp.isfinite(values)]
    width = max((len(text(v)) for v in values.tolist()), default=1)
    return lambda v: text(v).rjust(width), width


def _block(array, fmt, indent, summarize, edge):
    text, width = fmt
    if array.ndim == 0:
        return text(array.item())
    if array.ndim == 1:
        items = [text(v) for v in array.tolist()]
        if summarize and len(items) > 2 * edge:
            items = items[:edge] + [" ..."] + items[-edge:]
        per_line = max(1, (int(min(OPTIONS["linewidth"], 10**6)) - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(array.shape[0])
    if summarize and array.shape[0] > 2 * edge:
        rows = [*range(edge), None, *range(array.shape[0] - edge, array.shape[0])]
    parts = ["..." if i is None else _block(array[i], fmt, indent + 1, summarize, edge)
             for i in rows]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"
