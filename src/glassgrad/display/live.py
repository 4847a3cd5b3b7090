"""A training callback that draws the run in a notebook as it goes.

    live = glassgrad.display.LiveTraining(model, X, y)   # X of shape (N, 2): the boundary too
    fit(model, loss_fn, optimizer, loader, val_loader, epochs=50, callbacks=[live])

After every ``every`` epochs one figure is redrawn in place (an IPython display handle,
updated): the loss curves (training and validation) and, for 2-D inputs, the regions the
model gives each class with the data on top, so a student watches the boundary bend
around the circles while the loss falls. Outside a notebook nothing is drawn during the
run; ``live.figure()`` draws the last state on demand.
"""

from ..train import Callback


class LiveTraining(Callback):
    """Loss curves and, given 2-D data ``X, y``, the decision boundary, redrawn each epoch.

    Args:
        X, y: the points to draw under the boundary (any (N, 2) inputs and their labels);
            without them only the curves are drawn.
        model: the model being trained, needed for the boundary; ``fit`` does not pass it
            to callbacks, so give it here.
        every: redraw every ``every`` epochs (and after the last one).
        resolution: grid points per axis of the boundary (lower is faster).
    """

    def __init__(self, model=None, X=None, y=None, every=1, resolution=120):
        if (X is None) != (y is None):
            raise ValueError("LiveTraining: give both X and y (the points under the boundary), or neither")
        if X is not None and model is None:
            raise ValueError("LiveTraining: the decision boundary needs the model: LiveTraining(model, X, y)")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"LiveTraining: every must be a positive int, got {every!r}")
        from .. import viz

        self.model = model
        self.data = viz._check_2d(X, y) if X is not None else None
        self.every = every
        self.resolution = resolution
        self.records = []
        self.handle = None
        self.draws = 0  # how many times the figure was drawn (for tests and the curious)

    def on_train_begin(self, history):
        from . import in_notebook

        self.records = []
        self.epochs_run = 0
        if in_notebook():
            from IPython.display import HTML, display

            self.handle = display(HTML("<i>the figure appears after the first epoch</i>"), display_id=True)

    def on_epoch_end(self, epoch, logs):
        self.records.append(dict(logs))
        if self.handle is not None and epoch % self.every == 0:
            self._redraw()

    def on_train_end(self, history):
        self.best_epoch = history.best_epoch
        if self.handle is not None and (not self.records or self.records[-1]["epoch"] % self.every):
            self._redraw()

    def _redraw(self):
        self.handle.update(self.figure())
        self.draws += 1

    def figure(self):
        """The figure of the run so far (a matplotlib Figure that a notebook shows inline)."""
        from .. import viz

        panels = 2 if self.data is not None else 1
        fig = viz._figure(4.6 * panels + 0.4, 4)
        axes = fig.subplots(1, panels, squeeze=False)[0]
        ax = axes[0]
        for key, style, label in (("train_loss", "-", "training"), ("val_loss", "--", "validation")):
            xs, ys = viz._series(self.records, key)
            if ys:
                ax.plot(xs, ys, style, marker="o" if len(xs) <= 30 else None, ms=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend()
        last = self.records[-1] if self.records else None
        if last is not None:
            acc = last.get("val_accuracy") if last.get("val_accuracy") is not None else last.get("train_accuracy")
            ax.set_title(f"epoch {last['epoch']}" + (f", accuracy {acc:.1%}" if acc is not None else ""))
        if self.data is not None:
            X, y = self.data
            viz._draw_boundary(axes[1], self.model, X, y, self.resolution, "decision boundary")
        return fig
