"""How numbers, arrays and names are written: plain text and LaTeX.

Numbers get ``digits`` significant digits (6 by default) and lose trailing zeros, so the
seed's numbers read as on paper: -12, 0.291313, 0.376364. Arrays up to ``MAX_SHOWN``
elements are written out; larger ones are summarised by shape and a few statistics.
"""

import math
import re

from ..backend import xp

MAX_SHOWN = 64  # arrays with more elements are summarised

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}


def number(v, digits=6, zero_tol=0.0):
    """One number: ``digits`` significant digits, no trailing zeros, no negative zero."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 or abs(v) < zero_tol:
        return "0"
    s = f"{v:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return s


def number_tex(v, digits=6, zero_tol=0.0):
    s = number(v, digits, zero_tol)
    if "e" in s:
        mant, exp = s.split("e")
        return f"{mant} \\times 10^{{{exp}}}"
    if s == "inf":
        return r"\infty"
    if s == "-inf":
        return r"-\infty"
    if s == "nan":
        return r"\mathrm{NaN}"
    return s


def _as_array(a):
    return xp.asarray(a, dtype=float) if not isinstance(a, xp.ndarray) else a


def is_scalar(a):
    return _as_array(a).size == 1


def summary(a, digits=4):
    a = _as_array(a)
    finite = a[xp.isfinite(a)] if a.size else a
    stats = ""
    if finite.size:
        stats = (f" min {number(finite.min(), digits)}, mean {number(finite.mean(), digits)}, "
                 f"max {number(finite.max(), digits)}")
    return f"array {tuple(a.shape)}:{stats}"


def array_plain(a, digits=6, zero_tol=0.0):
    """A scalar as a number; a vector as [a, b, c]; a matrix as rows on separate lines."""
    a = _as_array(a)
    if a.size == 1:
        return number(a.reshape(()).item(), digits, zero_tol)
    if a.size > MAX_SHOWN:
        return summary(a)
    if a.ndim == 1:
        return "[" + ", ".join(number(v, digits, zero_tol) for v in a) + "]"
    if a.ndim == 2:
        cells = [[number(v, digits, zero_tol) for v in row] for row in a]
        width = max(len(c) for row in cells for c in row)
        lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
        return "\n".join("[" + line + "]" for line in lines)
    return summary(a)


def array_inline(a, digits=6, zero_tol=0.0):
    """Like array_plain but on one line: matrices as [[a, b], [c, d]]."""
    a = _as_array(a)
    if a.size == 1:
        return number(a.reshape(()).item(), digits, zero_tol)
    if a.size > MAX_SHOWN or a.ndim > 2:
        return summary(a)
    if a.ndim == 1:
        return "[" + ", ".join(number(v, digits, zero_tol) for v in a) + "]"
    return "[" + ", ".join(array_inline(row, digits, zero_tol) for row in a) + "]"


def array_tex(a, digits=6, zero_tol=0.0):
    """A scalar as a number; a vector as a one-row bmatrix; a matrix as a bmatrix."""
    a = _as_array(a)
    if a.size == 1:
        return number_tex(a.reshape(()).item(), digits, zero_tol)
    if a.size > MAX_SHOWN or a.ndim > 2:
        return r"\text{" + tex_escape(summary(a)) + "}"
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(number_tex(v, digits, zero_tol) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def tex_escape(text):
    """Plain text made safe for LaTeX (outside math mode)."""
    return "".join(_TEX_SPECIALS.get(c, c) for c in str(text))


_NAME = re.compile(r"^([A-Za-z]+?)_?(\d+)?(_new|_after)?$")


def tex_name(name):
    """A value's name in math: x -> x, x1 -> x_{1}, W1 -> W_{1}, delta2 -> \\delta_{2},
    mul1 -> \\mathrm{mul}_{1}, W1_new -> W_{1}'. Anything else is set upright."""
    name = str(name)
    m = _NAME.match(name)
    if not m:
        return r"\mathrm{" + tex_escape(name) + "}"
    base, index, suffix = m.groups()
    if base in _GREEK:
        base = "\\" + base
    elif base == "yhat":
        base = r"\hat{y}"
    elif len(base) > 1:
        base = r"\mathrm{" + base + "}"
    out = base + (f"_{{{index}}}" if index else "")
    if suffix == "_new":
        out += "'"
    elif suffix == "_after":
        out += r"_{\text{after}}"
    return out
