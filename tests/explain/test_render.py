"""Renderers: golden files for the seed-000 expression (text and Markdown), LaTeX that
compiles, DOT, HTML. The golden files were checked by hand against seed 000's numbers
(a = -12, m = 2, b = -10, f = -20; gradient (-8, 6, 2, 0))."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.explain import explain_expression, trace
from glassgrad.explain.render_latex import to_latex
from glassgrad.explain.render_markdown import to_markdown
from glassgrad.explain.render_text import show, to_text

GOLDEN = Path(__file__).parent / "golden"
SEED000 = ("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})


def _seed000_doc():
    return explain_expression(*SEED000).document()


def test_text_golden():
    assert to_text(_seed000_doc()) == (GOLDEN / "seed000_expression.txt").read_text()


def test_markdown_golden():
    assert to_markdown(_seed000_doc()) == (GOLDEN / "seed000_expression.md").read_text()


def test_golden_text_has_the_seed_numbers():
    text = (GOLDEN / "seed000_expression.txt").read_text()
    forward = text[text.index("Forward pass"):text.index("Backward pass")]
    rows = {line.split()[0]: line.split() for line in forward.splitlines()
            if line[:2] in ("a ", "m ", "b ", "f ")}
    assert rows["a"][-2:] == ["-12", "mul"]
    assert rows["m"][-2:] == ["2", "maximum"]
    assert rows["b"][-2:] == ["-10", "add"]
    assert rows["f"][-2:] == ["-20", "mul"]
    assert "grad f = (df/dx, df/dy, df/dz, df/dw) = (-8, 6, 2, 0)" in text


class _FakeTTY:
    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_show_is_plain_when_piped_and_rich_in_a_terminal(tmp_path):
    doc = _seed000_doc()
    with open(tmp_path / "out.txt", "w") as f:
        show(doc, file=f)
    assert (tmp_path / "out.txt").read_text() == to_text(doc)
    pytest.importorskip("rich")
    tty = _FakeTTY()
    show(doc, file=tty)
    out = "".join(tty.parts)
    assert "max gate" in out and ("─" in out or "━" in out)  # box drawing: rich drew it


def _matrix_trace():
    W = gg.tensor(np.array([[0.1, 0.2], [0.3, -0.4]]), requires_grad=True, name="W1")
    b = gg.tensor(np.array([0.1, 0.1]), requires_grad=True, name="b1")
    x = gg.tensor(np.array([[1.0, 0.5]]), name="x")
    with trace() as t:
        s = (x @ W.T + b).named("s1")
        h = gg.tanh(s).named("h1")
        loss = (h * h).sum().named("L")
        loss.backward()
    return t


def test_latex_structure():
    tex = to_latex(_matrix_trace().document())
    assert tex.startswith(r"\documentclass")
    assert tex.rstrip().endswith(r"\end{document}")
    assert r"\begin{bmatrix}" in tex
    assert r"\section{Forward pass}" in tex and r"\section{Backward pass}" in tex
    assert r"\partial z / \partial s = 1 - z^2" in tex or r"\tanh" in tex  # the op's rule
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}")
    assert tex.count("{") == tex.count("}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("which", ["seed000", "matrix"])
def test_latex_compiles_with_pdflatex(tmp_path, which):
    doc = _seed000_doc() if which == "seed000" else _matrix_trace().document()
    (tmp_path / "doc.tex").write_text(to_latex(doc))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stdout.decode(errors="replace")[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_dot_has_every_node_value_and_gradient():
    r = explain_expression(*SEED000)
    dot = r.trace.to_dot()
    assert dot.startswith("digraph")
    for label in ['a = x*y', 'm = max(z, w)', 'b = a + m', 'f = 2*b', 'value -12', 'grad -8',
                  'grad 6', 'grad 0']:
        assert label in dot
    assert dot.count("->") == 8  # x, y -> a; z, w -> m; a, m -> b; b, the constant 2 -> f
    if shutil.which("dot"):
        from glassgrad.explain.render_dot import dot_to_svg

        assert "<svg" in dot_to_svg(dot)


def test_svg_without_graphviz_says_so(monkeypatch):
    from glassgrad.explain import render_dot

    monkeypatch.setattr(render_dot.shutil, "which", lambda name: None)
    with pytest.raises(render_dot.GraphvizMissing, match="Graphviz"):
        render_dot.dot_to_svg("digraph {}")


def test_jupyter_html():
    r = explain_expression(*SEED000)
    html = r.trace._repr_html_()
    assert html.startswith("<div") and "<table" in html and "max gate" in html


def test_large_arrays_are_summarised():
    x = gg.tensor(np.linspace(-1, 1, 200), requires_grad=True, name="x")
    with trace() as t:
        (x * x).sum().backward()
    text = t.table()
    assert "array (200,)" in text
    assert len(text.splitlines()) < 60


def test_import_glassgrad_does_not_import_rich():
    code = "import sys, glassgrad, glassgrad.explain; print('rich' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([os.environ.get("PYTHON", __import__("sys").executable), "-c", code],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
