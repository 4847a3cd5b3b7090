"""A small document model that every renderer reads: headings, paragraphs, tables and
equation lines, whose cells are text, math or arrays.

The trace and the exercise solver build a Document once; ``render_text``,
``render_markdown`` and ``render_latex`` each turn it into one format. Math carries both
a plain spelling (for the terminal) and a LaTeX one.
"""

from dataclasses import dataclass, field


@dataclass
class Math:
    """A formula: ``plain`` for text and Markdown tables, ``tex`` for LaTeX."""

    plain: str
    tex: str


@dataclass
class Value:
    """An array (or number) to be written with the document's number format.
    ``column``: write a 1-D array as a column vector (the seeds' convention)."""

    array: object
    column: bool = False


@dataclass
class Heading:
    text: str
    level: int = 1
    only: tuple = ()
    tex: str = None  # the heading in LaTeX (math allowed) when it differs from text


@dataclass
class Paragraph:
    """Running text: a list of str and Math pieces."""

    parts: list
    only: tuple = ()

    @classmethod
    def of(cls, *parts):
        return cls(list(parts))


@dataclass
class Table:
    """``columns``: header texts; ``rows``: lists of cells (str, Math, Value or a list of
    those, joined by spaces). ``text_hidden``: indices of columns left out of the plain
    text rendering (e.g. LaTeX rules)."""

    columns: list
    rows: list
    title: str = ""
    text_hidden: tuple = ()
    only: tuple = ()  # renderers that show this block ("text", "markdown", "latex"); () = all


@dataclass
class Equation:
    """One line of a derivation: lhs = rhs_1 = rhs_2 = ... (each a Math or a Value).
    ``note``: a short comment after the line."""

    lhs: object
    rhs: list
    note: object = ""


@dataclass
class Equations:
    lines: list
    title: str = ""
    only: tuple = ()


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)
    digits: int = 6
    zero_tol: float = 0.0

    def blocks_for(self, fmt):
        return [b for b in self.blocks if not getattr(b, "only", ()) or fmt in b.only]

    def add(self, *blocks):
        self.blocks.extend(blocks)
        return self
