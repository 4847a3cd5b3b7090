"""Plain-text rendering (for pipes, files and tests) and a rich table in a terminal.

``to_text(doc)`` never imports rich: its output is the same wherever it runs, which is
what golden-file tests and ``glassgrad explain ... | less`` want. ``show(doc)`` prints
with rich when standard output is a terminal and rich is installed, plain text otherwise.
"""

import sys

from .document import Equations, Heading, Math, Paragraph, Table, Value
from .format import array_plain


def cell_text(cell, doc):
    """A table cell as (possibly multi-line) plain text."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Math):
        return cell.plain or ""
    if isinstance(cell, Value):
        return array_plain(cell.array, doc.digits, doc.zero_tol)
    if isinstance(cell, (list, tuple)):
        return " ".join(cell_text(c, doc) for c in cell)
    return str(cell)


def _visible_columns(table, doc):
    cols = []
    for j, _ in enumerate(table.columns):
        if j in table.text_hidden:
            continue
        if all(not cell_text(row[j], doc) for row in table.rows):
            continue  # a column with nothing in it (e.g. numbers of array nodes)
        cols.append(j)
    return cols


def _table_lines(table, doc):
    cols = _visible_columns(table, doc)
    header = [table.columns[j] for j in cols]
    body = [[cell_text(row[j], doc).split("\n") for j in cols] for row in table.rows]
    widths = [len(h) for h in header]
    for row in body:
        for k, lines in enumerate(row):
            widths[k] = max(widths[k], max(len(s) for s in lines))
    out = []
    if table.title:
        out.append(table.title)
    out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths).rstrip())
    for row in body:
        height = max(len(lines) for lines in row)
        for i in range(height):
            parts = [(lines[i] if i < len(lines) else "").ljust(w) for lines, w in zip(row, widths)]
            out.append("  ".join(parts).rstrip())
    return out


def _equation_lines(eqs, doc):
    out = []
    if eqs.title:
        out.append(eqs.title)
    for eq in eqs.lines:
        lhs = cell_text(eq.lhs, doc)
        pieces = [cell_text(r, doc) for r in eq.rhs]
        note = cell_text(eq.note, doc)
        if all("\n" not in p for p in pieces):
            line = " = ".join([lhs] + pieces)
            out.append(line + (f"    ({note})" if note else ""))
            continue
        # a matrix: write it under the equation, indented
        head = " = ".join([lhs] + [p for p in pieces if "\n" not in p])
        out.append(head + " =" + (f"    ({note})" if note else ""))
        for p in pieces:
            if "\n" in p:
                out.extend("    " + s for s in p.split("\n"))
    return out


def _paragraph_text(par, doc):
    return "".join(cell_text(p, doc) for p in par.parts)


def to_text(doc):
    """The document as plain text (no colours, no box drawing)."""
    out = [doc.title, "=" * len(doc.title)]
    for block in doc.blocks_for("text"):
        if isinstance(block, Heading):
            out.append("")
            out.append(block.text)
            out.append(("-" if block.level >= 2 else "=") * len(block.text))
        elif isinstance(block, Paragraph):
            out.append(_paragraph_text(block, doc))
        elif isinstance(block, Table):
            out.extend(_table_lines(block, doc))
        elif isinstance(block, Equations):
            out.extend(_equation_lines(block, doc))
    return "\n".join(line.rstrip() for line in out) + "\n"


def show(doc, file=None, force_plain=False):
    """Print the document: rich tables in a terminal, plain text when piped."""
    file = sys.stdout if file is None else file
    if not force_plain and _isatty(file):
        try:
            import rich  # noqa: F401
        except ImportError:
            pass
        else:
            _show_rich(doc, file)
            return
    file.write(to_text(doc))


def _isatty(file):
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


def _show_rich(doc, file):
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(file=file, highlight=False)
    console.rule(f"[bold]{doc.title}")
    for block in doc.blocks_for("text"):
        if isinstance(block, Heading):
            console.print()
            console.print(f"[bold underline]{_esc(block.text)}")
        elif isinstance(block, Paragraph):
            console.print(_esc(_paragraph_text(block, doc)))
        elif isinstance(block, Table):
            cols = _visible_columns(block, doc)
            table = RichTable(title=block.title or None, show_lines=False)
            for j in cols:
                table.add_column(block.columns[j] or " ", overflow="fold")
            for row in block.rows:
                table.add_row(*[_esc(cell_text(row[j], doc)) for j in cols])
            console.print(table)
        elif isinstance(block, Equations):
            for line in _equation_lines(block, doc):
                console.print(_esc(line))


def _esc(text):
    from rich.markup import escape

    return escape(text)
