"""Grading a class: one CSV row of answers per student, a report per student and a summary.

The CSV has a header ``student,variant,QUANTITY,...``: the student's name, the variant
they were given (empty for the exercise's own numbers) and one column per quantity, named
as check-my-answer names them (``loss``, ``s1``, ``dW1[0,0]``, ``W1[0,0]``, ``df/dx``).
An empty cell is a question left unanswered (it counts as wrong). Each value is right when
it matches the solution to the decimals the student wrote (see ``answers.tolerance``) or
within ``tol``; the report names the first wrong value in the order the solution computes
them and which later right answers are computed from it. Reports never contain the right
values unless asked (``show_solution=True``).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from .answers import dependencies, first_divergence, parse_value
from .exercise import solve
from .format import array_inline
from .variants import variant


@dataclass
class StudentResult:
    student: str
    variant: int  # None: the exercise's own numbers
    checks: list = field(default_factory=list)
    unanswered: list = field(default_factory=list)
    divergence: str = ""

    @property
    def correct(self):
        return sum(c.correct for c in self.checks)

    @property
    def total(self):
        return len(self.checks) + len(self.unanswered)

    @property
    def score(self):
        return self.correct / self.total if self.total else 0.0

    @property
    def first_wrong(self):
        wrong = [c.name for c in self.checks if not c.correct]
        return wrong[0] if wrong else ""


def read_answers(text):
    """Rows of the answers CSV (its text) as (student, variant or None, {quantity: text})."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValueError("the answers file is empty: expected a header student,variant,QUANTITY,...") from None
    if header[:2] != ["student", "variant"] or len(header) < 3:
        raise ValueError(f"the answers file must start with the columns student,variant and then one column "
                         f"per quantity; its header is {','.join(header)!r}")
    rows, seen = [], set()
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise ValueError(f"line {line}: {len(cells)} cells but the header has {len(header)} columns")
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        student, k = cells[0], cells[1]
        if not student:
            raise ValueError(f"line {line}: no student name")
        if student in seen:
            raise ValueError(f"line {line}: {student!r} appears twice")
        seen.add(student)
        if k and not re.fullmatch(r"[1-9]\d{0,5}", k):
            raise ValueError(f"line {line}: variant must be empty or a whole number >= 1, got {k!r}")
        answers = {}
        for name, value in zip(header[2:], cells[2:]):
            if value:
                try:
                    parse_value(value)
                except ValueError as exc:
                    raise ValueError(f"line {line}, {name}: {exc}") from None
            answers[name] = value
        rows.append((student, int(k) if k else None, answers))
    if not rows:
        raise ValueError("the answers file has a header but no student")
    return rows


def grade(spec, rows, tol=None):
    """A StudentResult per row (see ``read_answers``) of the exercise ``spec``."""
    results = []
    for student, k, answers in rows:
        given = {name: value for name, value in answers.items() if value}
        spec_k = variant(spec, k) if k else spec
        solution = solve(spec_k, answers=given or None, tol=tol)
        depends = dependencies(list(solution.quantities)) if spec.kind == "network" else None
        result = StudentResult(student, k, list(solution.checks), [n for n, v in answers.items() if not v])
        result.solution = solution
        if solution.checks:
            _, result.divergence = first_divergence(solution.checks, who="The", depends=depends)
        results.append(result)
    return results


# ---------------------------------------------------------------------- reports
def student_report(result, digits=6, show_solution=False):
    """Markdown: each answer right or wrong, the first divergence, the score."""
    head = f"# {result.student}" + (f" (variant {result.variant})" if result.variant else "")
    cols = ["quantity", "given", "verdict"] + (["right value"] if show_solution else [])
    lines = [head, "", f"Score: {result.correct} / {result.total} ({result.score:.0%})", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for c in result.checks:
        cells = [c.name, array_inline(c.given, digits), "right" if c.correct else "wrong"]
        if show_solution:
            cells.append(array_inline(c.expected, digits))
        lines.append("| " + " | ".join(cells) + " |")
    for name in result.unanswered:
        lines.append("| " + " | ".join([name, "", "not answered"] + ([""] if show_solution else [])) + " |")
    if result.divergence:
        lines += ["", result.divergence]
    return "\n".join(lines) + "\n"


def summary_csv(results):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student", "variant", "correct", "total", "score", "first_wrong"])
    for r in results:
        w.writerow([r.student, r.variant or "", r.correct, r.total, f"{r.score:.4f}", r.first_wrong])
    return out.getvalue()


def summary_markdown(results, title):
    lines = [f"# {title}: class summary", "", "| student | variant | score | first wrong |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.student} | {r.variant or ''} | {r.correct} / {r.total} | {r.first_wrong or '-'} |")
    names = []
    for r in results:
        names += [c.name for c in r.checks if c.name not in names] + [n for n in r.unanswered if n not in names]
    lines += ["", "| quantity | right | of |", "|---|---|---|"]
    for name in names:
        answered = [c for r in results for c in r.checks if c.name == name]
        asked = len(answered) + sum(name in r.unanswered for r in results)
        lines.append(f"| {name} | {sum(c.correct for c in answered)} | {asked} |")
    mean = sum(r.score for r in results) / len(results)
    lines += ["", f"Mean score: {mean:.0%} over {len(results)} students."]
    return "\n".join(lines) + "\n"


def file_stem(student):
    """A student's name made safe as a file name."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", student).strip("._") or "student"
    return stem[:80]
