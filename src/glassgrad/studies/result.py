"""StudyResult: what a study measured (numbers, settings, findings) and its figures.

``result.save(DIR)`` writes ``DIR/results.json`` (the numbers, the settings, the findings
and the versions of glassgrad, NumPy and Python) and every figure as ``NAME.png`` and
``NAME.svg``. Figures are kept as drawing functions and drawn only when asked for, so a
study runs (and its test asserts) without matplotlib; drawing needs the ``viz`` extra.
"""

import json
import math
import os
import platform

import numpy as np

from ..atomic import write_text

MIN_DPI, MAX_DPI = 20, 1200


class Finding:
    """One row of the findings table: what was measured, its value, and what it answers."""

    def __init__(self, quantity, value, meaning=""):
        self.quantity, self.value, self.meaning = quantity, value, meaning

    def to_dict(self):
        return {"quantity": self.quantity, "value": _jsonable(self.value), "meaning": self.meaning}

    def __repr__(self):
        return f"Finding({self.quantity!r}, {self.value!r})"


class StudyResult:
    """Numbers (a dict), settings (a dict), findings (rows) and figures (name -> draw())."""

    def __init__(self, numbers=None, settings=None):
        self.name = self.question = self.seed_note = None  # filled in by the registry
        self.numbers = dict(numbers or {})
        self.settings = dict(settings or {})
        self.findings = []
        self._figures = {}

    # ---------------------------------------------------------------- building
    def find(self, quantity, value, meaning=""):
        """Add a row to the findings table (and return the value, for chaining)."""
        self.findings.append(Finding(quantity, value, meaning))
        return value

    def add_figure(self, name, draw):
        """Register ``draw() -> matplotlib Figure`` under ``name`` (the file stem)."""
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"a figure name is a file stem of letters, digits, - and _, got {name!r}")
        self._figures[name] = draw

    # ---------------------------------------------------------------- reading
    @property
    def figure_names(self):
        return list(self._figures)

    def figure(self, name):
        """Draw the figure ``name`` and return the matplotlib Figure."""
        require_matplotlib()
        return self._figures[name]()

    @property
    def figures(self):
        """Every figure, drawn: {name: matplotlib Figure}."""
        return {name: self.figure(name) for name in self._figures}

    def table(self):
        """The findings as an aligned text table."""
        rows = [("finding", "measured", "what it answers")]
        rows += [(f.quantity, _format(f.value), f.meaning) for f in self.findings]
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        lines = [f"{a:<{w0}}  {b:>{w1}}  {c}".rstrip() for a, b, c in rows]
        lines.insert(1, "-" * min(100, max(len(line) for line in lines)))
        head = f"{self.name}: {self.question}" if self.name else ""
        return "\n".join(([head] if head else []) + lines)

    def to_dict(self):
        return {
            "study": self.name, "question": self.question, "seed_note": self.seed_note,
            "settings": _jsonable(self.settings), "numbers": _jsonable(self.numbers),
            "findings": [f.to_dict() for f in self.findings],
            "figures": self.figure_names, "versions": versions(),
        }

    # ---------------------------------------------------------------- writing
    def save(self, directory, dpi=150, figures=True):
        """Write results.json and (``figures=True``) each figure as PNG and SVG into
        ``directory`` (created if missing). Returns the list of file names written."""
        check_dpi(dpi)
        if figures and self._figures:
            require_matplotlib()
        directory = os.fspath(directory)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise ValueError(f"cannot save the study to {directory!r}: it is a file, not a folder")
        os.makedirs(directory, exist_ok=True)
        written = []
        if figures:
            for name in self._figures:
                fig = self.figure(name)
                for ext in ("png", "svg"):
                    _save_figure(fig, os.path.join(directory, f"{name}.{ext}"), dpi)
                    written.append(f"{name}.{ext}")
        write_text(os.path.join(directory, "results.json"),
                      json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")
        written.append("results.json")
        return written

    def _repr_html_(self):  # Jupyter: the findings as a table
        from ..display.tables import findings_html

        return findings_html(self, _format)

    def __repr__(self):
        return f"StudyResult({self.name!r}, {len(self.findings)} findings, figures {self.figure_names})"


# ------------------------------------------------------------------------------ helpers
def versions():
    import glassgrad

    return {"glassgrad": glassgrad.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def check_dpi(dpi):
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be a whole number from {MIN_DPI} to {MAX_DPI}, got {dpi!r}")


def require_matplotlib():
    """One line naming the extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError("the study figures need matplotlib: pip install 'glassgrad[viz]'") from None


def _jsonable(value):
    """Numbers as JSON can hold them: NumPy scalars and arrays to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _format(value):
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if v == 0 or not math.isfinite(v):
            return str(v)
        return f"{v:.3g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.2e}"
    return str(value)


def _metadata(path):
    # no creation date in the files, so the same run writes the same bytes
    return {"Date": None} if path.endswith(".svg") else {"Software": "glassgrad"}


def _save_figure(fig, path, dpi):
    from matplotlib import rc_context

    from ..viz import save_figure

    # SVG text as text (not glyph outlines): smaller files, editable, LaTeX-friendly
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "glassgrad"}):
        save_figure(fig, path, dpi=dpi, metadata=_metadata(path))
