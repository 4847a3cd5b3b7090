"""LaTeX rendering: a complete document that compiles with pdflatex.

Only packages of a minimal TeX installation are used (Debian's texlive-latex-base:
amsmath, amssymb, longtable, array, geometry, graphicx), plus Latin Modern when it is
installed (Debian's lmodern): with T1 font encoding the Computer Modern fonts would
otherwise come as bitmaps. Each level-2 heading is a section, tables are longtables,
derivations are align* environments, matrices are bmatrix.

A sheet must fit the page, so the layout is chosen here rather than left to the reader:
- short equations sit side by side (``W_1 = [..]   b_1 = [..]``), packed by an estimate of
  their width, so the column vectors of a small network do not take a line each;
- derivations and tables are set a size smaller than the text;
- every display row goes through ``\fitrow``, which measures it and scales it down to the
  line width only when it is wider (a traced MLP's batch matrices), so pdflatex never
  reports an overfull line.
"""

import numpy as np

from .ascii_math import notes_tex
from .document import Equations, Heading, Math, Paragraph, Table, Value
from .format import tex_escape
from .render_markdown import _tex_value
from .render_text import cell_text

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage[margin=1.8cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{array,longtable,graphicx}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\setlength{\emergencystretch}{3em}
\setcounter{MaxMatrixCols}{40}
\makeatletter  % sections a little tighter than article's, so a sheet stays short
\renewcommand\section{\@startsection{section}{1}{\z@}{-2ex plus -.5ex minus -.2ex}{1ex plus .2ex}{\large\bfseries}}
\renewcommand\subsection{\@startsection{subsection}{2}{\z@}{-1.5ex plus -.5ex minus -.2ex}{.5ex plus .2ex}{\normalsize\bfseries}}
\makeatother
\newsavebox{\ggbox}
% \fitrow{math}: the formula at its size, or scaled down to the line when it is wider
\newcommand{\fitrow}[2][\linewidth]{\sbox{\ggbox}{$\displaystyle #2$}%
  \ifdim\wd\ggbox>#1\resizebox{#1}{!}{\usebox{\ggbox}}\else\usebox{\ggbox}\fi}
% \fitbox{text}: the same for a table too wide for the page
\newcommand{\fitbox}[1]{\sbox{\ggbox}{#1}%
  \ifdim\wd\ggbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\ggbox}}\else\usebox{\ggbox}\fi}
"""

_LONG = 38  # cells longer than this (in plain text) get a wrapping column
_ROW = 120  # plain-text characters of one display row (\small, 17 cm): packing budget
_GAP = 6  # characters of the \qquad between two packed equations


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
    # A table wider than the page (matrices in its cells) is scaled down as a whole; it
    # then cannot break across pages, but such tables are short (one row per node).
    wide = sum(max([_width(r[j], doc) for r in block.rows] + [len(block.columns[j])]) + 2
               for j in cols) > _ROW
    env = "tabular" if wide else "longtable"
    out = []
    if block.title:
        out.append(r"\paragraph{" + tex_escape(block.title) + "}")
    out.append(r"{\small")
    out.append((r"\noindent\fitbox{" if wide else "") + r"\begin{%s}{" % env + "".join(spec) + "}")
    out.append(" & ".join(r"\textbf{" + tex_escape(block.columns[j]) + "}" for j in cols) + r" \\ \hline")
    if not wide:
        out.append(r"\endhead")
    for row in block.rows:
        out.append(" & ".join(_cell(row[j], doc) for j in cols) + r" \\")
    out.append(r"\end{%s}" % env + (r"}\par" if wide else "") + "}")
    return out


def _width(cell, doc):
    """Estimated width of a cell in characters (digits): a formula by its plain spelling,
    a matrix by its columns, each as wide as its widest number plus the column gap."""
    if isinstance(cell, Math):  # a blank matrix of a question sheet is spelled on several lines
        return max((len(line) for line in (cell.plain or "").splitlines()), default=0)
    if isinstance(cell, Value):
        a = np.asarray(cell.array, dtype=float)
        if a.ndim == 0 or a.size == 1:
            return len(cell_text(cell, doc))
        cols = 1 if (a.ndim == 1 and cell.column) else a.shape[-1]
        rows = a.reshape(-1, cols) if a.ndim <= 2 else a.reshape(-1, 1)
        widest = max(len(cell_text(Value(v), doc)) for v in rows.ravel())
        return cols * (widest + 2) + 2
    return len(cell_text(cell, doc))


def _rows(block, doc):
    """The equations of ``block`` packed into display rows: (tex, width) of each equation,
    grouped in order so that a row stays under ``_ROW`` characters."""
    rows, row, used = [], [], 0
    for eq in block.lines:
        tex = " = ".join([_math(eq.lhs, doc)] + [_math(r, doc) for r in eq.rhs])
        width = _width(eq.lhs, doc) + sum(_width(r, doc) + 3 for r in eq.rhs)
        if eq.note:
            note = eq.note
            if isinstance(note, Math):
                tex += r" \qquad \left[\, " + note.tex + r" \,\right]"
            else:
                tex += r" \qquad \text{" + tex_escape(cell_text(note, doc)) + "}"
            width += len(cell_text(note, doc)) + _GAP
        if row and used + _GAP + width > _ROW:
            rows.append(row)
            row, used = [], 0
        row.append(tex)
        used += (_GAP if used else 0) + width
    if row:
        rows.append(row)
    return rows


def _equations(block, doc):
    out = []
    if block.title:
        out.append(r"\paragraph{" + tex_escape(block.title) + "}")
    out.append(r"{\small")
    out.append(r"\begin{align*}")
    out.append(" \\\\\n".join("&\\fitrow{" + r" \qquad ".join(row) + "}" for row in _rows(block, doc)))
    out.append(r"\end{align*}}")
    return out


def to_latex(doc):
    """The document as a complete LaTeX file (``pdflatex`` it)."""
    out = [PREAMBLE.rstrip("\n"), r"\begin{document}",
           r"\begin{center}\Large\bfseries " + tex_escape(doc.title) + r"\end{center}"]
    small = False  # the notes are set small (commentary, not the solution) and their ASCII math as math
    for block in doc.blocks_for("latex"):
        if isinstance(block, Heading):
            cmd = {1: "section", 2: "section", 3: "subsection"}.get(block.level, "subsubsection")
            out.append(f"\\{cmd}{{{block.tex or tex_escape(block.text)}}}")
            if block.level <= 2:
                small = block.text == "Notes"
        elif isinstance(block, Paragraph):
            text = "".join(notes_tex(p) if small and isinstance(p, str) else _cell(p, doc)
                           for p in block.parts)
            out.append(r"{\small " + text + r"\par}" if small else text)
            out.append("")
        elif isinstance(block, Table):
            out.extend(_table(block, doc))
        elif isinstance(block, Equations):
            out.extend(_equations(block, doc))
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
