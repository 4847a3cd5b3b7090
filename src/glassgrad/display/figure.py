"""A matplotlib Figure that shows itself in a notebook.

glassgrad.viz draws on a bare ``Figure`` (no pyplot: no global backend, no window), which
IPython does not know how to show unless ``%matplotlib inline`` was run first: it printed
``<Figure size 500x460 with 1 Axes>``. This subclass answers IPython's ``_repr_png_``, so
a figure returned by a cell is drawn inline with no magic line (and with ``%matplotlib
inline`` it is drawn once, by the same PNG path). Imported only by viz (needs matplotlib).
"""

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class NotebookFigure(Figure):
    """A Figure on the Agg canvas whose ``_repr_png_`` gives its PNG bytes to IPython."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()
