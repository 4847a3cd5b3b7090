"""LaTeX rendering: a complete document that compiles with pdflatex.

Only packages of a minimal TeX installation are used (Debian's texlive-latex-base:
amsmath, amssymb, longtable, array, geometry). Each level-2 heading is a section, tables
are longtables, derivations are align* environments, matrices are bmatrix.
"""

from .document import Equations, Heading, Math, Paragraph, Table, Value
from .format import tex_escape
from .render_markdown import _tex_value
from .render_text import cell_text

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{array,longtable}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\setcounter{MaxMatrixCols}{20}
"""

_LONG = 38  # cells longer than this (in plain text) get a wrapping column


def _cell(cell, doc):
    if cell is None:
        return ""
    if isinstance(cell, str):
        return tex_escape(cell)
    if isinstance(cell, Math):
        return f"${cell.tex}$" if cell.tex else ""
    if isinstance(cell, Value):
        return "$" + _tex_value(cell, doc) + "$"
    if isinstance(cell, (list, tuple)):
        return " ".join(_cell(c, doc) for c in cell)
    return tex_escape(str(cell))


def _math(cell, doc):
    if isinstance(cell, Math):
        return cell.tex
    if isinstance(cell, Value):
        return _tex_value(cell, doc)
    return r"\text{" + tex_escape(str(cell)) + "}"


def _table(block, doc):
    cols = [j for j in range(len(block.columns)) if any(cell_text(r[j], doc) for r in block.rows)
            or (j in block.text_hidden and any(_cell(r[j], doc) for r in block.rows))]
    spec = []
    for j in cols:
        longest = max([len(cell_text(r[j], doc)) for r in block.rows] + [0])
        text_like = all(isinstance(r[j], str) for r in block.rows)
        spec.append(r">{\raggedright\arraybackslash}p{5.5cm}" if longest > _LONG and text_like else "l")
    out = []
    if block.title:
        out.append(r"\paragraph{" + tex_escape(block.title) + "}")
    out.append(r"{\small")
    out.append(r"\begin{longtable}{" + "".join(spec) + "}")
    out.append(" & ".join(r"\textbf{" + tex_escape(block.columns[j]) + "}" for j in cols) + r" \\ \hline")
    out.append(r"\endhead")
    for row in block.rows:
        out.append(" & ".join(_cell(row[j], doc) for j in cols) + r" \\")
    out.append(r"\end{longtable}}")
    return out


def _equations(block, doc):
    out = []
    if block.title:
        out.append(r"\paragraph{" + tex_escape(block.title) + "}")
    out.append(r"\begin{align*}")
    lines = []
    for eq in block.lines:
        rhs = " = ".join(_math(r, doc) for r in eq.rhs)
        line = f"{_math(eq.lhs, doc)} &= {rhs}"
        if eq.note:
            note = eq.note
            if isinstance(note, Math):
                line += r" && \left[\, " + note.tex + r" \,\right]"
            else:
                line += r" && \text{" + tex_escape(cell_text(note, doc)) + "}"
        lines.append(line)
    out.append(" \\\\\n".join(lines))
    out.append(r"\end{align*}")
    return out


def to_latex(doc):
    """The document as a complete LaTeX file (``pdflatex`` it)."""
    out = [PREAMBLE.rstrip("\n"), r"\title{" + tex_escape(doc.title) + "}", r"\date{}",
           r"\begin{document}", r"\maketitle"]
    for block in doc.blocks_for("latex"):
        if isinstance(block, Heading):
            cmd = {1: "section", 2: "section", 3: "subsection"}.get(block.level, "subsubsection")
            out.append(f"\\{cmd}{{{block.tex or tex_escape(block.text)}}}")
        elif isinstance(block, Paragraph):
            out.append("".join(_cell(p, doc) for p in block.parts))
            out.append("")
        elif isinstance(block, Table):
            out.extend(_table(block, doc))
        elif isinstance(block, Equations):
            out.extend(_equations(block, doc))
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
