"""LaTeX sheets a teacher can hand out, checked the way a teacher would: compile them with
pdflatex and read its log. The log says how many pages were written ("Output written on
X.pdf (N pages") and how far each overfull line sticks out ("Overfull \\hbox (W pt too
wide)"); the bounds come from the issue (seed001-q1's solution on at most 2 pages, no line
more than 1 pt too wide). Skipped when pdflatex is not installed."""

import re
import shutil
import subprocess

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.explain import exercise as ex
from glassgrad.explain import trace
from glassgrad.explain.render_latex import to_latex
from glassgrad.explain.sheet import question_document

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
BUNDLED = [name for name, _ in ex.list_bundled()]


def compile_log(tex, tmp_path):
    """(pages, widest overfull line in pt, the log) of ``tex`` compiled by pdflatex."""
    (tmp_path / "sheet.tex").write_text(tex)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"],
                          cwd=tmp_path, capture_output=True, timeout=120)
    log = (tmp_path / "sheet.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    pages = int(re.search(r"Output written on sheet\.pdf \((\d+) pages?", log).group(1))
    over = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    return pages, max(over, default=0.0), log


@needs_pdflatex
@pytest.mark.parametrize("name", BUNDLED)
def test_solution_and_question_sheets_fit_the_page(tmp_path, name):
    sol = ex.solve(name)
    for doc in (sol.document(), question_document(sol)):
        pages, widest, _ = compile_log(to_latex(doc), tmp_path)
        assert widest <= 1.0, f"{doc.title}: a line is {widest} pt too wide"
        assert pages <= 3, f"{doc.title}: {pages} pages"


@needs_pdflatex
def test_seed001_q1_solution_and_question_sheet_fit_on_two_pages(tmp_path):
    sol = ex.solve("mlp-4433-tanh-sse")
    for doc in (sol.document(), question_document(sol)):
        pages, widest, _ = compile_log(to_latex(doc), tmp_path)
        assert pages <= 2 and widest <= 1.0, (doc.title, pages, widest)


@needs_pdflatex
def test_traced_mlp_batch_fits_the_page(tmp_path):
    """A batch of 4 examples through a 4-8-3 MLP: 4x8 and 8x4 matrices in the trace's
    tables and derivations (before the fit, 1235 pt too wide)."""
    gg.manual_seed(0)
    net = gg.nn.Sequential(gg.nn.Linear(4, 8), gg.nn.Tanh(), gg.nn.Linear(8, 3))
    x = gg.tensor(np.linspace(-1, 1, 16).reshape(4, 4).astype("float32"))
    with trace() as t:
        loss = gg.nn.functional.cross_entropy(net(x), gg.tensor(np.array([0, 1, 2, 1])))
        loss.backward()
    _, widest, _ = compile_log(to_latex(t.document()), tmp_path)
    assert widest <= 1.0


@needs_pdflatex
def test_text_is_t1_encoded_in_latin_modern_when_installed(tmp_path):
    """With T1 and no Latin Modern, pdflatex would embed bitmap (.pk) fonts; the log lists
    every font file it embeds."""
    _, _, log = compile_log(to_latex(ex.solve("neuron-tanh-upstream").document()), tmp_path)
    assert "fontenc.sty" in log
    if subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True).stdout.strip():
        assert "lmodern.sty" in log and "/lm/lmr10.pfb" in log.replace("\n", "")
        assert ".pk>" not in log.replace("\n", "")


def test_the_mean_s_one_over_n_stands_in_the_formula():
    """seed003-ex2-mean: 4 examples, so delta2 = (1/4) (yhat - y) f'(s2) (hand derivation:
    the mean's 1/N scales the loss derivative of every example), written in the formula,
    not as a side note; the sum version has no 1/4."""
    mean = to_latex(ex.solve("mlp-231-relu-mean").document())
    assert r"\delta_{2} = \tfrac{1}{4} (" in mean
    assert "times 1/4" not in mean and "the mean over examples)" not in mean
    total = to_latex(ex.solve("mlp-231-relu-sum").document())
    assert r"\tfrac{1}{4}" not in total.split(r"\section{Backward")[1]
