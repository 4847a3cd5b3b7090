"""How glassgrad's objects show themselves in Jupyter.

IPython asks an object for rich forms of itself through ``_repr_html_``, ``_repr_svg_``,
``_repr_markdown_``, ``_repr_png_``: whichever it finds, the notebook shows (and a plain
Python prompt keeps using ``repr``). The classes of glassgrad define those methods as
one-liners that call in here, so this package holds all the HTML and SVG writing:

- ``tensor_html(t)``: a tensor's values as a small table with its shape, dtype, grad_fn;
- ``summary(model, input_size)``: a torchinfo-style table (layer, output shape, parameter
  count), found by running one forward pass; ``module_html(model)`` is the same without
  the forward pass (parameter shapes only), shown by a Module in a notebook;
- ``graph(t)``: the graph that made a tensor (or a trace's graph), as SVG: through
  Graphviz's ``dot`` when it is installed, else through a small layout written here;
- ``LiveTraining(model, X, y)``: a fit callback redrawing the loss curves and the
  decision boundary in place each epoch;
- ``in_notebook()`` and ``show(obj)``: display now when running inside a kernel.

Nothing here imports IPython at module level: ``import glassgrad`` needs NumPy only.
"""

from .graph import Graph, graph  # noqa: F401
from .live import LiveTraining  # noqa: F401
from .summary import Summary, module_html, summary  # noqa: F401
from .tensor_html import tensor_html  # noqa: F401


def in_notebook():
    """True inside a Jupyter kernel (an IPython shell that is not the terminal one)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell" and hasattr(shell, "kernel")


def show(obj):
    """Display ``obj`` now with IPython's display machinery, in a kernel; elsewhere do nothing.
    Returns True when it was displayed."""
    if not in_notebook():
        return False
    from IPython.display import display

    display(obj)
    return True


__all__ = ["Graph", "LiveTraining", "Summary", "graph", "in_notebook", "module_html", "show", "summary", "tensor_html"]
