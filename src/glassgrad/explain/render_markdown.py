"""Markdown rendering (math as $...$, which GitHub and Jupyter display); the HTML shown
in Jupyter is render_html's."""

from .document import Equations, Heading, Math, Paragraph, Table, Value
from .format import array_tex
from .render_text import cell_text


def _md_cell(cell, doc):
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.replace("|", r"\|").replace("\n", " ")
    if isinstance(cell, Math):
        return f"${cell.tex}$" if cell.tex else ""
    if isinstance(cell, Value):
        a = cell.array
        if getattr(a, "size", 1) == 1:
            return cell_text(cell, doc)
        return "$" + _tex_value(cell, doc) + "$"
    if isinstance(cell, (list, tuple)):
        return " ".join(_md_cell(c, doc) for c in cell)
    return str(cell)


def _tex_value(value, doc):
    import numpy as np

    a = np.asarray(value.array, dtype=float)
    if value.column and a.ndim == 1:
        a = a.reshape(-1, 1)
    return array_tex(a, doc.digits, doc.zero_tol)


def _tex(cell, doc):
    if isinstance(cell, Math):
        return cell.tex
    if isinstance(cell, Value):
        return _tex_value(cell, doc)
    if isinstance(cell, str):
        return r"\text{" + cell + "}"
    return str(cell)


def to_markdown(doc):
    out = [f"# {doc.title}", ""]
    for block in doc.blocks_for("markdown"):
        if isinstance(block, Heading):
            out += ["#" * min(block.level + 1, 6) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += ["".join(_md_cell(p, doc) for p in block.parts), ""]
        elif isinstance(block, Table):
            cols = [j for j in range(len(block.columns))
                    if any(_md_cell(row[j], doc) for row in block.rows)]
            if block.title:
                out += [f"**{block.title}**", ""]
            out.append("| " + " | ".join(block.columns[j] for j in cols) + " |")
            out.append("|" + "|".join("---" for _ in cols) + "|")
            for row in block.rows:
                out.append("| " + " | ".join(_md_cell(row[j], doc) for j in cols) + " |")
            out.append("")
        elif isinstance(block, Equations):
            if block.title:
                out += [f"**{block.title}**", ""]
            for eq in block.lines:
                line = " = ".join([_tex(eq.lhs, doc)] + [_tex(r, doc) for r in eq.rhs])
                note = _md_cell(eq.note, doc) if eq.note else ""
                out.append(f"$$ {line} $$" + (f" {note}" if note else ""))
                out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(line.rstrip() for line in out) + "\n"


def to_html(doc):
    """A self-contained HTML fragment (Jupyter's rich display): see render_html."""
    from .render_html import to_html as html_of

    return html_of(doc)
