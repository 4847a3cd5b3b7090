"""Explain: every forward and backward pass as a worked solution.

- ``trace()``: record the nodes of a graph (names, labels, rules, values) and the
  messages of its backward pass (upstream, local derivative, downstream, broadcast sums).
- ``explain_expression(text, values)``: a scalar expression, parsed safely, evaluated with
  glassgrad ops and explained node by node.
- ``load_exercise`` / ``solve_exercise``: TOML exercise specs -> worked solutions
  (forward per layer, loss, deltas, gradients, update), checked against the engine.
- Renderers: plain text / rich, Markdown, LaTeX, Graphviz DOT.

Nothing heavy is imported here (rich, matplotlib, tomllib are imported when used).
"""

from .trace import Trace, trace  # noqa: F401
from .parser import ExpressionError, parse  # noqa: F401
from .expression import ExpressionResult, explain_expression  # noqa: F401
