"""Figure helpers shared by the studies: readable as they are.

- Okabe-Ito colours (distinguishable with every common colour-vision deficiency);
- integer ticks for epochs and layers; log axes with labels at powers of ten only (no
  "6x10^-1" minor-tick clutter);
- legends placed outside the axes when they could cover data.

matplotlib is imported here, so only figure-drawing code imports this module.
"""

from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter

from ..display.figure import NotebookFigure

# Okabe & Ito (2008), "Color Universal Design": black first, then the seven colours.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", ":", "-."]


def figure(ncols=1, nrows=1, width=4.8, height=3.6, **kwargs):
    """A Figure on the Agg canvas (no pyplot, no window) and its axes array (squeezed).
    It draws itself inline when a notebook cell returns it (display/figure.py)."""
    fig = NotebookFigure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    for ax in axes.flat:
        ax.set_prop_cycle(color=OKABE_ITO)
    return fig, (axes[0, 0] if axes.size == 1 else axes.squeeze())


def colour(i):
    return OKABE_ITO[i % len(OKABE_ITO)]


def integer_ticks(ax, axis="x"):
    """Epochs, layers, shifts: whole numbers only."""
    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True))


def log_axis(ax, axis="y"):
    """A log axis labelled at powers of ten only; unlabelled minor ticks between them."""
    getattr(ax, f"set_{axis}scale")("log")
    a = getattr(ax, f"{axis}axis")
    a.set_major_locator(LogLocator(base=10, numticks=12))
    a.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10)), numticks=12))
    a.set_minor_formatter(NullFormatter())


def legend_outside(ax, **kwargs):
    """The legend to the right of the axes, where it covers no data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, frameon=False, **kwargs)


def image_grid(ax, images, ncols, title=None, cmap="gray_r"):
    """Square images (N, H, W) tiled into one picture on ``ax`` (no ticks)."""
    import numpy as np

    images = np.asarray(images)
    n, h, w = images.shape
    nrows = -(-n // ncols)
    canvas = np.ones((nrows * (h + 1) - 1, ncols * (w + 1) - 1)) * np.nan
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        canvas[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = img
    ax.imshow(canvas, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
