"""Question sheets (`glassgrad exercise NAME --sheet questions|solutions|both`, `--no-notes`):
the setup given, every computed number left blank in the solution's own layout."""

import os
import shutil
import subprocess
import sys

import pytest

from glassgrad.explain import solve
from glassgrad.explain.document import Heading
from glassgrad.explain.exercise import list_bundled
from glassgrad.explain.render_text import to_text
from glassgrad.explain.sheet import HIDDEN, question_document

BUNDLED = [name for name, _ in list_bundled()]


def run(*args):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", "exercise", *args], capture_output=True,
                          text=True, env=env, timeout=300)


# Numbers of the solutions worked out by hand: seed 001 q1 (tanh(0.3) = 0.291313, the loss
# 1/2 (0.163961^2 + 0.836039^2 + 0.163961^2) = 0.376364) and seed 000's graph (f = -20,
# df/dx = 2y = -8, df/dy = 2x = 6).
ANSWERS = {"seed001-q1": ["0.291313", "0.376364", "0.163961"], "seed000-graph": ["-20", "-8", "  6"]}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_questions_hide_the_numbers_the_solution_shows(name):
    sol = solve(name)
    questions, answers = to_text(question_document(sol)), to_text(sol.document())
    for number in ANSWERS[name]:
        assert number in answers and number not in questions, number
    assert "____" in questions


@pytest.mark.parametrize("name", BUNDLED)
def test_questions_keep_the_solution_layout(name):
    sol = solve(name)
    doc = sol.document()
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    kept = [b.text for b in question_document(sol).blocks if isinstance(b, Heading)]
    assert kept == [h for h in headings if h not in HIDDEN]
    assert len(kept) >= 3
    text = to_text(question_document(sol))
    assert "Notes" not in kept and "____" in text


def test_the_cli_sheets_and_no_notes():
    questions = run("seed001-q1", "--sheet", "questions")
    assert questions.returncode == 0, questions.stderr
    assert "0.291313" not in questions.stdout and "s1 = W1 h0 + b1" in questions.stdout
    both = run("seed001-q1", "--sheet", "both", "--no-notes")
    assert both.returncode == 0, both.stderr
    q, _, s = both.stdout.partition("Solutions\n")
    assert "Questions" in q and "0.291313" not in q and "0.291313" in s
    assert "Slip in the seed" not in both.stdout
    assert "Slip in the seed" in run("seed001-q1").stdout  # solutions keep their notes by default
    refused = run("seed001-q1", "--sheet", "questions", "--format", "dot")
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1
    assert "--format text, markdown or latex" in refused.stderr


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("name", ["seed001-q1", "seed000-graph"])
def test_question_sheets_compile(tmp_path, name):
    tex = tmp_path / "q.tex"
    assert run(name, "--sheet", "both", "--format", "latex", "--out", str(tex)).returncode == 0
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "q.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]


GOLDEN = __import__("pathlib").Path(__file__).parent / "golden" / "sheets"


@pytest.mark.parametrize("name", BUNDLED)
def test_question_sheets_match_their_golden_files(name):
    """The golden sheets were read by hand: the numbers in them are the exercise's given
    numbers (setup, inputs, learning rate); every computed value is a blank."""
    from glassgrad.explain.render_markdown import to_markdown

    assert to_markdown(question_document(solve(name))) == (GOLDEN / f"{name}-questions.md").read_text()
