"""The notes' ASCII math set as LaTeX math (explain.ascii_math). The expected LaTeX is
written by hand from the ASCII: yhat is \\hat{y}, an index digit a subscript, ^T a
transpose, dL/dW a partial derivative, || || a norm."""

import pytest

from glassgrad.explain import exercise as ex
from glassgrad.explain.ascii_math import formula, notes_tex
from glassgrad.explain.render_latex import to_latex


@pytest.mark.parametrize("ascii, tex", [
    ("||y - yhat||^2", r"\lVert y - \hat{y}\rVert ^2"),
    ("dL/dW3 = delta3 h2^T", r"\partial L/\partial W_{3} = \delta_{3} h_{2}^\top"),
    ("h_(l-1)", r"h_{(l-1)}"),
    ("p_k (delta_kj - p_j)", r"p_{k} (\delta_{kj} - p_{j})"),
    ("0.16396 -> 0.16936", r"0.16396 \to 0.16936"),
    ("2 x 4", r"2 \times 4"),
])
def test_formula(ascii, tex):
    assert formula(ascii).replace("  ", " ") == tex


def test_prose_stays_text_and_formulas_become_math():
    assert notes_tex("the output is linear") == "the output is linear"
    assert notes_tex("so x = (0.5, -0.25), b = 1 here") == r"so $x = (0.5, -0.25)$, $b = 1$ here"
    assert notes_tex("(here s1), a small step") == r"(here $s_{1}$), a small step"
    assert notes_tex("There is no sum: 100% & #") == r"There is no sum: $100\%$ \& \#"


def test_notes_in_latex_have_no_ascii_carets_or_yhat():
    for name, _ in ex.list_bundled():
        tex = to_latex(ex.solve(name).document())
        notes = tex.split(r"\section{Notes}")[-1]
        assert r"\textasciicircum" not in notes and "yhat" not in notes, name
    tex = to_latex(ex.solve("mlp-242-tanh-softmax-ce").document())
    assert r"$\lVert y - \hat{y}\rVert ^2$ has no $1/n$" in tex
