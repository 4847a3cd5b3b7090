"""A tensor in a notebook: its values as a small table, then one line of facts
(shape, dtype, grad_fn or requires_grad, name). The text repr is untouched.

Vectors are one row, matrices a grid, with the digits of the text repr (4 after the
point, small values suppressed). A tensor too big to read (more than ``MAX_CELLS``
values, or 3-D and up) is shown as NumPy's summarised text in a <pre> block, which never
wraps inside a number.
"""

import html

import numpy as np

MAX_CELLS = 200  # more values than this: NumPy's summary (first and last rows / columns)
_STYLE = ("border-collapse:collapse;font-family:monospace;font-size:0.9em;margin:0")
_CELL = "border:1px solid #ccc;padding:1px 6px;text-align:right;white-space:nowrap"


def _number(v, kind):
    if kind == "b":
        return "True" if v else "False"
    if kind in "iu":
        return str(int(v))
    return np.format_float_positional(v, precision=4, trim="-") if np.isfinite(v) and (
        v == 0 or 1e-4 <= abs(v) < 1e8) else f"{v:.4g}"


def _values_html(a):
    kind = a.dtype.kind
    if kind == "c" or a.ndim > 2 or a.size > MAX_CELLS or a.size == 0:
        body = np.array2string(a, separator=", ", precision=4, suppress_small=True, threshold=MAX_CELLS)
        return f"<pre style='margin:0'>{html.escape(body)}</pre>"
    if a.ndim == 0:
        return f"<code>{html.escape(_number(a.item(), kind))}</code>"
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    out = [f"<table style='{_STYLE}'>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td style='{_CELL}'>{html.escape(_number(v, kind))}</td>" for v in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _facts(t):
    parts = [f"shape ({', '.join(str(n) for n in t.array.shape)}{',' if t.array.ndim == 1 else ''})",
             f"dtype {t.array.dtype}"]
    if t.grad_fn is not None:
        parts.append(f"grad_fn {type(t.grad_fn).__name__}Backward")
    elif t.requires_grad:
        parts.append("requires_grad")
    if getattr(t, "name", None):
        parts.append(f"name {t.name}")
    if t.grad is not None:
        parts.append("has .grad")
    return " · ".join(parts)


def tensor_html(t):
    """The HTML a notebook shows for tensor ``t``."""
    return ("<div class='glassgrad-tensor'>" + _values_html(np.asarray(t.array))
            + f"<div style='color:#666;font-size:0.85em;margin-top:2px'>{html.escape(_facts(t))}</div></div>")
