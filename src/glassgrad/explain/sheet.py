"""Sheets a teacher hands out: the question sheet of an exercise, laid out as its solution.

``question_document(solution)`` keeps what the exercise gives (the title, the setup: the
network, its weights, the data, the expression and its values) and, for everything the
student computes, keeps the formula but leaves the numbers blank: an empty box (LaTeX) or
a line of underscores (text) of the value's own shape, so that the blank matrices of a
layer sit where the solution's numbers sit. The notes and the checks of the seed's numbers
are left out (they give the answers away).

``without_notes(doc)`` is a solution without its Notes section; ``both(questions,
solutions)`` is one document with the questions first and the solutions after.
"""

import re

import numpy as np

from .document import Document, Equation, Equations, Heading, Math, Paragraph, Table, Value

GIVEN = ("Setup", "Inputs")  # sections whose numbers the exercise gives
HIDDEN = ("Notes", "The seed's numbers, checked", "Your answers")  # not on a question sheet
BLANK_COLUMNS = {"value", "with numbers", "upstream", "local", "downstream"}
_ONLY_NUMBERS = re.compile(r"^[\s\d.eE+\-*/(),\[\]=]+$")
_PARENS = re.compile(r"\s*\(([^)]*)\)")
_A_NUMBER = re.compile(r"\d\.\d|^\s*-?\d+\s*$")  # a computed value, not math like (1 - z)
_WIDTH = 8  # characters of a blank number


def blank(shape=(), column=False):
    """An empty answer box of ``shape``: underscores in text, phantom digits in LaTeX."""
    shape = tuple(shape)
    if len(shape) == 0 or int(np.prod(shape)) == 1:
        return Math("_" * _WIDTH, r"\underline{\phantom{-0.000000}}")
    rows, cols = (shape[0], 1) if len(shape) == 1 and column else ((1, shape[0]) if len(shape) == 1 else shape[:2])
    plain = "\n".join("[" + "  ".join(["_" * _WIDTH] * cols) + "]" for _ in range(rows))
    tex = (r"\begin{bmatrix} " + r" \\ ".join(" & ".join([r"\phantom{-0.00000}"] * cols) for _ in range(rows))
           + r" \end{bmatrix}")
    return Math(plain, tex)


def _without_numbers(text):
    """A "how" cell without the values it would give away: a parenthesis holding a number
    goes; one holding math, such as the (1 - z) of sigmoid's rule, stays."""
    return _PARENS.sub(lambda m: "" if _A_NUMBER.search(m.group(1)) else m.group(0), text)


def _blank_of(cell):
    if isinstance(cell, Value):
        return blank(np.shape(cell.array), cell.column)
    if isinstance(cell, Math) and _ONLY_NUMBERS.match(cell.plain or "") and any(c.isdigit() for c in cell.plain):
        return blank()
    if isinstance(cell, (list, tuple)):
        return [_blank_of(c) for c in cell]
    return cell


def _question_equation(eq):
    """lhs = formula = [blank]: the symbolic steps stay, the numbers go."""
    rhs = [r for r in eq.rhs[:-1] if isinstance(r, Math) and _blank_of(r) is r]
    last = eq.rhs[-1] if eq.rhs else None
    if last is not None:
        rhs.append(_blank_of(last))
    note = eq.note if isinstance(eq.note, str) and not any(c.isdigit() for c in eq.note) else ""
    return Equation(eq.lhs, rhs, note)


def _question_table(table):
    rows = []
    for row in table.rows:
        new = []
        for j, cell in enumerate(row):
            column = table.columns[j]
            if column in BLANK_COLUMNS and cell not in ("", None, "-"):
                new.append(blank(np.shape(cell.array), cell.column) if isinstance(cell, Value) else blank())
            elif isinstance(cell, str) and column == "how":
                new.append(_without_numbers(cell))
            else:
                new.append(_blank_of(cell))
        rows.append(new)
    return Table(table.columns, rows, table.title, table.text_hidden, table.only)


def question_document(solution):
    """The question sheet of ``solution`` (an ``explain.Solution``): same layout, no answers."""
    doc = solution.document()
    out = Document(f"{doc.title} (questions)", digits=doc.digits, zero_tol=doc.zero_tol)
    given, hidden = True, False
    for block in doc.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            hidden = block.text in HIDDEN
            given = block.text in GIVEN
        if hidden:
            continue
        if given or isinstance(block, Heading):
            out.add(block)
        elif isinstance(block, Equations):
            out.add(Equations([_question_equation(eq) for eq in block.lines], block.title, block.only))
        elif isinstance(block, Table):
            out.add(_question_table(block))
        elif isinstance(block, Paragraph):
            text = "".join(p if isinstance(p, str) else "" for p in block.parts)
            if not text.startswith(("Check:", "WARNING:", "Note:")):
                out.add(Paragraph([_blank_of(p) for p in block.parts], block.only))
    return out


def without_notes(doc):
    """``doc`` without its Notes section."""
    out = Document(doc.title, digits=doc.digits, zero_tol=doc.zero_tol)
    skipping = False
    for block in doc.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            skipping = block.text == "Notes"
        if not skipping:
            out.add(block)
    return out


def both(questions, solutions):
    """One document: the question sheet, then the solution under a "Solutions" heading."""
    title = questions.title.removesuffix(" (questions)")
    out = Document(f"{title}: questions and solutions", digits=solutions.digits, zero_tol=solutions.zero_tol)
    out.add(Heading("Questions", 1), *questions.blocks, Heading("Solutions", 1), *solutions.blocks)
    return out
