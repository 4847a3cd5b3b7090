"""One playground session: a dataset, a glassgrad network, its optimizer, its history.

    s = Session({"dataset": "circles", "hidden": [4, 4], "lr": 0.1})
    s.step(10)                       # ten training iterations (mini-batches)
    s.state()                        # loss curves, accuracies, boundary, hidden space (JSON-ready)
    s.reset()                        # the same seeded initial weights: the first loss again
    s.explain_html("train", 3)       # the explorer page of example 3's forward and backward pass
    s.explain_json("train", 3)       # its numbers: params, grads, output, loss

The network is ``nn.Sequential(Linear, activation, [Dropout], ..., Linear)`` with one
output per class. Loss: ``cross_entropy`` of the outputs (logits) and the label, or
``mse`` of the outputs and the one-hot label. Optimizers: SGD, SGD with momentum 0.9, Adam,
each with the config's weight decay (L2, added to the gradient as glassgrad.optim does).

Seeds: the weights are drawn as PyTorch's Linear draws them (weight, then bias, uniform on
+-1/sqrt(fan_in)) from the session's own stream (data.stream(seed, WEIGHTS)), and kept:
``reset`` copies them back and restarts the batch order and the dropout masks from their
seeds, so after a reset the same steps give the same numbers again.

Every recorded loss is the mean loss over the whole train (or test) set at the current
weights, in eval mode (no dropout): what the curves show is a property of the weights,
not of the last mini-batch. One loss is recorded per ``step`` call (the page's tick),
and at iteration 0; curves longer than MAX_HISTORY keep every other point.

Threads: glassgrad's switches are process-wide, not per thread (the grad mode that
``no_grad`` sets, the observers a trace registers, the global generator dropout draws
from), so one session's ``no_grad`` drawing its boundary would silence another's training
graph mid-step. Every public method therefore holds one process-wide lock (``_GLASSGRAD``)
while it computes; under the GIL, with networks this small, little is lost. The server
also holds ``session.lock`` around a request's calls (a step and the state after it) so
two requests of one tab do not interleave.
"""

import functools
import threading

import numpy as np

from .. import backend
from ..errors import UserError
from . import limits
from .config import check_config
from .data import BATCHES, DROPOUT, WEIGHTS, make_dataset, parse_csv, split, stream

# Held while any session computes with glassgrad (see the module docstring). Re-entrant:
# a public method may call another.
_GLASSGRAD = threading.RLock()


def _serialised(method):
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with _GLASSGRAD:
            return method(self, *args, **kwargs)

    return locked


class Session:
    """A playground network and its data, built from a config (config.py) and ``seed``:
    the same config gives the same points, the same weights and the same run."""

    @_serialised
    def __init__(self, config=None, session_id=""):
        self.config = check_config(config)
        self.id = session_id
        self.lock = threading.Lock()
        c = self.config
        if c["dataset"] == "csv":
            X, y = parse_csv(c["csv"])
        else:
            X, y = make_dataset(c["dataset"], c["points"], c["noise"], c["seed"])
        (self.X_train, self.y_train), (self.X_test, self.y_test) = split(X, y, c["test_fraction"], c["seed"])
        self.classes = max(2, int(y.max()) + 1)
        self.extent = _extent(X)
        self.model = self._build_model()
        self._initial = [p.array.copy() for p in self.model.parameters()]
        self.reset()

    # ------------------------------------------------------------------ building
    def _build_model(self):
        from .. import float32, nn

        c = self.config
        activation = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}[c["activation"]]
        widths = [2] + c["hidden"]
        layers = []
        for fan_in, fan_out in zip(widths, widths[1:]):
            layers += [nn.Linear(fan_in, fan_out, dtype=float32), activation()]
            if c["dropout"] > 0:
                layers.append(nn.Dropout(c["dropout"]))
        layers.append(nn.Linear(widths[-1], self.classes, dtype=float32))  # float32, as the points
        model = nn.Sequential(*layers)
        rng = stream(c["seed"], WEIGHTS)
        for layer in model:
            if isinstance(layer, nn.Linear):  # PyTorch's rule: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
                bound = 1.0 / np.sqrt(layer.in_features)
                nn.init.uniform_(layer.weight, -bound, bound, generator=rng)
                nn.init.uniform_(layer.bias, -bound, bound, generator=rng)
        return model

    def _build_optimizer(self):
        from .. import optim

        c = self.config
        params = self.model.parameters()
        if c["optimizer"] == "adam":
            return optim.Adam(params, lr=c["lr"], weight_decay=c["weight_decay"])
        momentum = 0.9 if c["optimizer"] == "momentum" else 0.0
        return optim.SGD(params, lr=c["lr"], momentum=momentum, weight_decay=c["weight_decay"])

    def _loss(self, output, labels):
        """The mean loss of ``output`` (n, classes) against integer ``labels`` (n,) Tensors."""
        from ..nn import functional as F

        if self.config["loss"] == "cross_entropy":
            return F.cross_entropy(output, labels)
        return F.mse_loss(output, F.one_hot(labels, self.classes).to(output.dtype))

    # ------------------------------------------------------------------ training
    @_serialised
    def reset(self):
        """Back to the initial weights, a fresh optimizer, the first batch order and the
        first dropout masks; the history restarts with the loss at iteration 0."""
        for p, initial in zip(self.model.parameters(), self._initial):
            p.array[...] = initial
            p.grad = None
        self.optimizer = self._build_optimizer()
        self.iteration = 0
        self.seen = 0  # training examples used so far (epoch = seen / train size)
        self._batches = stream(self.config["seed"], BATCHES)
        self._order, self._at = self._batches.permutation(len(self.y_train)), 0
        self._dropout_state = np.random.PCG64(np.random.SeedSequence((self.config["seed"], DROPOUT))).state
        self.history = {"iteration": [], "train": [], "test": []}
        self._record()

    @_serialised
    def step(self, steps=1):
        """``steps`` training iterations, each one mini-batch: forward, loss, backward,
        optimizer step. Then one point on the loss curves."""
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= limits.MAX_STEPS:
            raise UserError(f"steps: expected a whole number from 1 to {limits.MAX_STEPS}, got {steps!r}")
        size = min(self.config["batch_size"], len(self.y_train))
        if steps * size > limits.MAX_STEP_EXAMPLES:
            raise UserError(f"steps: {steps} steps of {size} examples is {steps * size} examples; expected at "
                            f"most {limits.MAX_STEP_EXAMPLES} per request, so at most "
                            f"{limits.MAX_STEP_EXAMPLES // size} steps with this batch size")
        if self.config["dropout"] > 0:  # the session's own dropout masks, from the global generator
            saved = backend.get_rng_state()
            backend.set_rng_state(self._dropout_state)
            try:
                self._train(steps)
            finally:
                self._dropout_state = backend.get_rng_state()
                backend.set_rng_state(saved)
        else:
            self._train(steps)
        self._record()

    def _train(self, steps):
        from ..tensor import Tensor

        self.model.train()
        size = min(self.config["batch_size"], len(self.y_train))
        for _ in range(steps):
            batch = self._next_batch(size)
            x = Tensor._wrap(self.X_train[batch])
            labels = Tensor._wrap(self.y_train[batch])
            self.optimizer.zero_grad()
            self._loss(self.model(x), labels).backward()
            self.optimizer.step()
            self.iteration += 1
            self.seen += len(batch)

    def _next_batch(self, size):
        """The next ``size`` indices of this epoch's shuffled order; an epoch's last batch
        may be smaller (as DataLoader with drop_last=False), then a new order is drawn."""
        batch = self._order[self._at:self._at + size]
        self._at += size
        if self._at >= len(self._order):
            self._order, self._at = self._batches.permutation(len(self.y_train)), 0
        return batch

    # ------------------------------------------------------------------ what the page shows
    def _outputs(self, X):
        """The network's outputs (eval mode, no graph) for the points X, as a NumPy array."""
        from .. import no_grad
        from ..tensor import Tensor

        self.model.eval()
        with no_grad():
            return self.model(Tensor._wrap(np.ascontiguousarray(X, dtype=np.float32))).array

    def _mean_loss(self, X, y):
        from .. import no_grad
        from ..tensor import Tensor

        if len(y) == 0:
            return None
        self.model.eval()
        with no_grad():
            loss = self._loss(self.model(Tensor._wrap(X)), Tensor._wrap(y))
        return _finite(float(loss.item()))

    def _accuracy(self, X, y):
        if len(y) == 0:
            return None
        return float((self._outputs(X).argmax(axis=1) == y).mean())

    def _record(self):
        h = self.history
        if len(h["iteration"]) >= limits.MAX_HISTORY:  # thin: keep every other point, the first included
            for key in h:
                h[key] = h[key][::2]
        h["iteration"].append(self.iteration)
        h["train"].append(self._mean_loss(self.X_train, self.y_train))
        h["test"].append(self._mean_loss(self.X_test, self.y_test))

    def _probability(self, outputs):
        """p(class 1) per row: the softmax of the logits (cross_entropy), or the output
        for class 1 clipped to [0, 1] (mse, whose outputs approximate the one-hot label)."""
        if self.config["loss"] == "cross_entropy":
            shifted = outputs - outputs.max(axis=1, keepdims=True)
            e = np.exp(shifted)
            return e[:, 1] / e.sum(axis=1)
        return np.clip(outputs[:, 1], 0.0, 1.0)

    @_serialised
    def boundary(self, size=limits.GRID):
        """The network on a size x size grid over the data's extent: p(class 1) and the
        predicted class, row-major, rows from the top (ymax) down."""
        xmin, xmax, ymin, ymax = self.extent
        gx, gy = np.meshgrid(np.linspace(xmin, xmax, size), np.linspace(ymax, ymin, size))
        out = self._outputs(np.stack([gx.ravel(), gy.ravel()], axis=1))
        prob = self._probability(out).reshape(size, size)
        return {"extent": list(self.extent), "size": size,
                "probability": _finite_lists(prob),
                "predicted": out.argmax(axis=1).reshape(size, size).tolist()}

    @_serialised
    def hidden_space(self):
        """The first two units of the last hidden layer (after its activation) for the
        train points, or None where that layer has fewer than two units."""
        hidden = self.config["hidden"]
        if not hidden:
            return {"layer": None, "points": None}
        if hidden[-1] < 2:
            return {"layer": len(hidden) - 1, "points": None}
        from .. import no_grad
        from ..tensor import Tensor

        # the Sequential up to and including the last hidden activation
        from ..nn import Linear

        linears = [k for k, layer in enumerate(self.model) if isinstance(layer, Linear)]
        upto = linears[-1]  # the output layer starts here; drop it (and the dropout before it)
        self.model.eval()
        h = Tensor._wrap(self.X_train)
        with no_grad():
            for layer in list(self.model)[:upto]:
                h = layer(h)
        return {"layer": len(hidden) - 1, "points": _finite_lists(h.array[:, :2])}

    @_serialised
    def state(self):
        """Everything the page shows, JSON-ready (PLAYGROUND_API.md's STATE)."""
        n_train = len(self.y_train)
        return {
            "session": self.id,
            "iteration": self.iteration,
            "epoch": self.seen / n_train,
            "loss_iterations": list(self.history["iteration"]),
            "train_loss": list(self.history["train"]),
            "test_loss": list(self.history["test"]),
            "train_accuracy": self._accuracy(self.X_train, self.y_train),
            "test_accuracy": self._accuracy(self.X_test, self.y_test),
            "classes": self.classes,
            "points": {"train": _points(self.X_train, self.y_train),
                       "test": _points(self.X_test, self.y_test)},
            "boundary": self.boundary(),
            "hidden": self.hidden_space(),
            "config": dict(self.config),
        }

    # ------------------------------------------------------------------ one example, explained
    def example(self, split_name, index):
        """The point and label of example ``index`` of ``split_name`` ('train' or 'test')."""
        if split_name not in ("train", "test"):
            raise UserError(f"split: expected train or test, got {split_name!r}")
        X, y = (self.X_train, self.y_train) if split_name == "train" else (self.X_test, self.y_test)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(y):
            raise UserError(f"index: expected a whole number from 0 to {len(y) - 1} "
                            f"(the {split_name} set has {len(y)} points), got {index!r}")
        return X[index], int(y[index])

    @_serialised
    def trace_example(self, split_name, index):
        """Example ``index``'s forward and backward pass at the current weights (eval mode:
        no dropout), traced by glassgrad.explain. The loss is that single example's.
        Returns the trace and what the page's numbers need; the parameters' .grad are
        cleared after (the next training step starts from none anyway)."""
        from ..explain import trace
        from ..tensor import Tensor

        point, label = self.example(split_name, index)
        x = Tensor._wrap(point.reshape(1, 2).copy())
        x.name = "x"
        target = Tensor._wrap(np.array([label], dtype=np.int64))
        target.name = "label"
        self.model.eval()
        params = list(self.model.named_parameters())
        for _, p in params:
            p.grad = None
        with trace(names=self.model) as t:
            output = self.model(x)
            loss = self._loss(output, target)
            loss.backward()
        grads = {name: p.grad.array.copy() for name, p in params}
        for _, p in params:
            p.grad = None
        numbers = {"point": point, "label": label, "loss": float(loss.item()),
                   "output": output.array[0].copy(),
                   "params": {name: p.array.copy() for name, p in params}, "grads": grads}
        return t, numbers

    @_serialised
    def explain_html(self, split_name, index):
        """The explorer page (glassgrad.explain's, self-contained) of that example."""
        from ..explain.explorer import to_html

        t, n = self.trace_example(split_name, index)
        x, y = (float(v) for v in n["point"])
        title = (f"{split_name} point {index} at ({x:.4g}, {y:.4g}), label {n['label']}, "
                 f"after {self.iteration} iterations")
        return to_html(t, title=title)

    @_serialised
    def explain_json(self, split_name, index):
        """That example's numbers: point, label, loss, output, every parameter and its gradient."""
        _, n = self.trace_example(split_name, index)
        return {"split": split_name, "index": index,
                "point": [float(v) for v in n["point"]], "label": n["label"],
                "loss": _finite(n["loss"]), "output": _finite_lists(n["output"]),
                "params": {k: _finite_lists(v) for k, v in n["params"].items()},
                "grads": {k: _finite_lists(v) for k, v in n["grads"].items()},
                "layers": self.layers()}

    def layers(self):
        """The network as the page and the tests rebuild it: one entry per module."""
        out = []
        for k, layer in enumerate(self.model):
            kind = type(layer).__name__
            entry = {"index": k, "kind": kind}
            if kind == "Linear":
                entry.update({"weight": f"{k}.weight", "bias": f"{k}.bias"})
            elif kind == "Dropout":
                entry["p"] = layer.p
            out.append(entry)
        return out


# ---------------------------------------------------------------------- helpers
def _extent(X):
    """The square-ish region the boundary is drawn over: the points' range plus 10 % on
    each side (at least 0.1), fixed for the session so the picture does not move."""
    lo, hi = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
    pad = np.maximum((hi - lo) * 0.1, 0.1)
    lo, hi = lo - pad, hi + pad
    return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]


def _finite(v):
    """JSON has no NaN or infinity: a diverged number is sent as null."""
    return v if np.isfinite(v) else None


def _finite_lists(a):
    """An array as nested lists of floats, a non-finite number as None (JSON's null)."""
    a = np.asarray(a, dtype=np.float64)
    if np.isfinite(a).all():
        return a.tolist()
    if a.ndim == 0:
        return _finite(float(a))
    return [_finite_lists(row) for row in a]


def _points(X, y):
    return [[float(a), float(b), int(c)] for (a, b), c in zip(X.tolist(), y.tolist())]
