"""Explain: every forward and backward pass as a worked solution.

- ``trace()``: record the nodes of a graph (names, labels, rules, values) and the
  messages of its backward pass (upstream, local derivative, downstream, broadcast sums).
- ``explain_expression(text, values)``: a scalar expression, parsed safely, evaluated with
  glassgrad ops and explained node by node.
- ``load_exercise`` / ``solve``: TOML exercise specs -> worked solutions (forward per
  layer, loss, deltas, gradients, update), checked against the engine.
- Renderers: plain text / rich, Markdown, LaTeX, Graphviz DOT (see docs/explain.md).

Only the trace is imported with glassgrad; the rest (the parser, the exercise solver, and
rich, matplotlib, tomllib) is imported on first use, so ``import glassgrad`` stays fast.
"""

import importlib

from .trace import Trace, trace  # noqa: F401

_LAZY = {
    "ExpressionError": "parser", "parse": "parser",
    "ExpressionResult": "expression", "explain_expression": "expression",
    "list_bundled": "exercise", "load_exercise": "exercise", "solve": "exercise",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        if name in ("parser", "expression", "exercise", "answers", "cost", "document", "format",
                    "gates", "render_text", "render_markdown", "render_latex", "render_dot",
                    "trace_doc"):
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
