"""HTML rendering of a Document: what a trace, an explained expression and an exercise's
solution show in Jupyter.

Tables are HTML tables, and an array inside a cell is a table of its own (one number per
cell, brackets drawn as borders), so a matrix never wraps in the middle of a number.
Formulas and rules are LaTeX between ``$...$`` (``$$...$$`` for a derivation line), which
Jupyter typesets with MathJax; everything else is escaped text.
"""

import html

from .document import Equations, Heading, Math, Paragraph, Table, Value
from .format import MAX_SHOWN, number, summary

_e = html.escape
_TABLE = "border-collapse:collapse;margin:4px 0"
_TH = "text-align:left;padding:3px 8px;border-bottom:1px solid #999"
_TD = "text-align:left;padding:3px 8px;vertical-align:middle;border-bottom:1px solid #eee"
_NUM = "text-align:right;padding:0 4px;font-family:monospace;white-space:nowrap;border:none"


def _math(tex, display=False):
    if not tex:
        return ""
    return f"$${_e(tex)}$$" if display else f"${_e(tex)}$"


def value_html(array, digits=6, zero_tol=0.0, column=False):
    """A number as text; a vector or matrix as a bracketed grid of cells."""
    import numpy as np

    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return f"<span style='font-family:monospace'>{_e(number(a.reshape(()).item(), digits, zero_tol))}</span>"
    if a.size > MAX_SHOWN or a.ndim > 2:
        return f"<span style='font-family:monospace'>{_e(summary(a))}</span>"
    if a.ndim == 1:
        a = a.reshape(-1, 1) if column else a.reshape(1, -1)
    rows = "".join("<tr>" + "".join(f"<td style='{_NUM}'>{_e(number(v, digits, zero_tol))}</td>" for v in row)
                   + "</tr>" for row in a)
    return ("<table style='display:inline-table;border-collapse:collapse;border-left:1.5px solid #444;"
            f"border-right:1.5px solid #444;margin:1px 2px;vertical-align:middle'>{rows}</table>")


def cell_html(cell, doc):
    if cell is None:
        return ""
    if isinstance(cell, str):
        return _e(cell)
    if isinstance(cell, Math):
        return _math(cell.tex) if cell.tex else _e(cell.plain or "")
    if isinstance(cell, Value):
        return value_html(cell.array, doc.digits, doc.zero_tol, cell.column)
    if isinstance(cell, (list, tuple)):
        return " ".join(cell_html(c, doc) for c in cell)
    return _e(str(cell))


def _equation_html(eq, doc):
    """lhs = rhs = ...: formulas as one display-math line, arrays as grids after it."""
    parts = [_math(eq.lhs.tex) if isinstance(eq.lhs, Math) else cell_html(eq.lhs, doc)]
    for r in eq.rhs:
        parts.append(" $=$ " + cell_html(r, doc))
    note = f" <span style='color:#555'>({cell_html(eq.note, doc)})</span>" if eq.note else ""
    return f"<div style='margin:3px 0'>{''.join(parts)}{note}</div>"


def to_html(doc):
    """A self-contained HTML fragment for ``doc`` (every block that Markdown shows)."""
    out = [f"<div class='glassgrad-explain'><h3>{_e(doc.title)}</h3>"]
    for block in doc.blocks_for("markdown"):
        if isinstance(block, Heading):
            out.append(f"<h4>{_e(block.text)}</h4>")
        elif isinstance(block, Paragraph):
            out.append("<p>" + "".join(cell_html(p, doc) for p in block.parts) + "</p>")
        elif isinstance(block, Table):
            cols = [j for j in range(len(block.columns)) if any(cell_html(r[j], doc) for r in block.rows)]
            if block.title:
                out.append(f"<p><b>{_e(block.title)}</b></p>")
            out.append(f"<table style='{_TABLE}'><thead><tr>"
                       + "".join(f"<th style='{_TH}'>{_e(block.columns[j])}</th>" for j in cols)
                       + "</tr></thead><tbody>")
            for row in block.rows:
                out.append("<tr>" + "".join(f"<td style='{_TD}'>{cell_html(row[j], doc)}</td>" for j in cols) + "</tr>")
            out.append("</tbody></table>")
        elif isinstance(block, Equations):
            if block.title:
                out.append(f"<p><b>{_e(block.title)}</b></p>")
            out.extend(_equation_html(eq, doc) for eq in block.lines)
    out.append("</div>")
    return "".join(out)
