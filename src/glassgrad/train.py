"""The training loop: ``fit`` and ``evaluate``, and the ``History`` they keep.

One *iteration* is one parameter update: a forward and a backward pass on one mini-batch
(or one example, in online learning) followed by ``optimizer.step()``. One *epoch* is one
full pass over the training set. With N examples and batch size B an epoch is
ceil(N / B) iterations (floor with ``drop_last=True``), so the same number of epochs
means very different numbers of updates at batch 1, 32 and N: ``History`` records both.

``fit`` is the loop a course writes by hand, with the bookkeeping done once and well::

    for epoch in range(epochs):
        for x, y in train_loader:          # one iteration per batch
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        ... evaluate on the validation set, keep the best weights, maybe stop early

Model selection (seed 004): the validation set chooses among the weights seen during
training (``keep_best``); the test set is never looked at here.
"""

import json
import math
import time
import warnings

from .atomic import write_text as write_text_atomic  # noqa: F401 (cli.train uses it)
from .autograd.grad_mode import no_grad
from .backend import xp
from .progress import reporter
from .tensor import Tensor

__all__ = ["fit", "evaluate", "predict", "confusion_matrix", "History", "Callback", "StopTraining"]

_METRICS = ("loss", "accuracy")
_MONITORS = ("val_loss", "val_accuracy")


class StopTraining(Exception):
    """Raise from a callback to end training after the current epoch (cleanly: the best
    weights are still restored and the History is returned)."""


class Callback:
    """Base class for callbacks; override the hooks you need.

    A plain function is also accepted as a callback: it is called as ``fn(epoch, logs)``
    at the end of every epoch, like ``on_epoch_end``.
    """

    def on_train_begin(self, history):
        pass

    def on_epoch_begin(self, epoch):
        pass

    def on_batch_end(self, iteration, loss):
        """Called after every update with the iteration count and the batch loss (a float).
        Only callbacks that override this hook are called per batch."""

    def on_epoch_end(self, epoch, logs):
        """``logs`` is this epoch's record (see History)."""

    def on_train_end(self, history):
        pass


# ------------------------------------------------------------------------------ History
class History:
    """What happened during ``fit``, one record per epoch.

    Each record is a dict with ``epoch`` (1-based), ``train_loss``, ``train_accuracy``,
    ``val_loss``, ``val_accuracy`` (None when not measured), ``lr`` (the learning rate used
    during the epoch), ``time`` (seconds, training plus validation), ``iterations``
    (updates made in this epoch), ``step`` (updates made since the start) and ``examples``
    (training examples seen in this epoch).

    ``history["val_loss"]`` is the list of that value over the epochs; ``best_epoch`` is the
    epoch whose weights ``keep_best`` restored (None without ``keep_best``).
    """

    def __init__(self, epochs=None, monitor=None, best_epoch=None, stopped_early=False):
        self.epochs = list(epochs or [])
        self.monitor = monitor
        self.best_epoch = best_epoch
        self.stopped_early = stopped_early

    def __len__(self):
        return len(self.epochs)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.epochs[key]
        if self.epochs and key not in self.epochs[0]:
            raise KeyError(f"History has no {key!r}; it has {', '.join(self.epochs[0])}")
        return [record[key] for record in self.epochs]

    @property
    def iterations(self):
        """Total number of parameter updates."""
        return self.epochs[-1]["step"] if self.epochs else 0

    @property
    def last(self):
        return self.epochs[-1] if self.epochs else None

    def to_dict(self):
        """Plain data for JSON; an inf/NaN value (a diverged run) becomes None."""
        return {
            "epochs": [{k: _finite_or_none(v) for k, v in r.items()} for r in self.epochs],
            "monitor": self.monitor,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
            "iterations": self.iterations,
        }

    @classmethod
    def from_dict(cls, d):
        if not isinstance(d, dict) or not isinstance(d.get("epochs"), list):
            raise ValueError("not a glassgrad History: expected a dict with an 'epochs' list")
        return cls(d["epochs"], d.get("monitor"), d.get("best_epoch"), d.get("stopped_early", False))

    def to_json(self, path=None):
        """The history as JSON text; with ``path``, also written there (atomically)."""
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            write_text_atomic(path, text + "\n")
        return text

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            try:
                d = json.load(f)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not valid JSON ({exc})") from None
        return cls.from_dict(d)

    def _repr_html_(self):  # Jupyter: a table of the epochs, the kept one in bold
        from .display.tables import history_html

        return history_html(self)

    def __repr__(self):
        if not self.epochs:
            return "History(no epochs)"
        last = self.epochs[-1]
        shown = ", ".join(
            f"{k}={v:.4g}" for k, v in last.items()
            if k in ("train_loss", "train_accuracy", "val_loss", "val_accuracy") and v is not None
        )
        return f"History({len(self.epochs)} epochs, {self.iterations} iterations, last: {shown})"


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ------------------------------------------------------------------------------ fit
def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    epochs=1,
    metrics=("loss", "accuracy"),
    callbacks=(),
    progress=True,
    scheduler=None,
    keep_best=None,
    early_stopping=None,
):
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return a ``History``.

    Every iteration: ``optimizer.zero_grad()``, ``loss = loss_fn(model(x), y)``,
    ``loss.backward()``, ``optimizer.step()``. After every epoch: the validation set is
    evaluated (``evaluate``), ``scheduler.step()`` is called (``ReduceLROnPlateau`` gets the
    validation loss, or the training loss without a validation set), callbacks run.

    Args:
        metrics: which of ``"loss"``, ``"accuracy"`` to record. The training metrics are
            running averages over the epoch (the weights move while they are measured);
            the validation metrics use the weights at the end of the epoch. Accuracy is
            recorded when the outputs and targets look like classification (see
            ``evaluate``), else None.
        progress: report the run as it goes (see progress.py): in a notebook an HTML bar
            and a table of epochs redrawn in place, on a terminal a progress bar (rich, else
            tqdm), into a file or a pipe one line per epoch; each shows the time left, and
            the last line names the epoch whose weights were kept. False: silent.
        keep_best: ``"val_loss"`` or ``"val_accuracy"``: remember the weights of the epoch
            with the best validation value and load them back at the end (model selection
            on the validation set). Among epochs of equal validation accuracy, the lower
            validation loss wins. Needs ``val_loader``.
        early_stopping: a patience ``p``: stop when the monitored value (``keep_best``'s,
            else the validation loss, else the training loss) has not improved for ``p``
            epochs in a row.

    The loss of a batch is weighted by its size when the loss function averages
    (``reduction="mean"``, the default) and added as it is for ``reduction="sum"``, so the
    epoch's loss is the mean over examples either way. A loss that becomes inf/NaN gives
    a RuntimeWarning; training goes on (the History stores such values as null).
    Seeded runs on the same machine (same BLAS kernel and thread count) are bit-identical:
    ``fit`` itself draws no random numbers (shuffling comes from the DataLoader's
    generator, dropout from the global one).
    """
    _check_fit_arguments(epochs, metrics, keep_best, early_stopping, val_loader)
    want_loss = "loss" in metrics
    want_acc = "accuracy" in metrics
    monitor = keep_best or (early_stopping and ("val_loss" if val_loader is not None else "train_loss"))
    callbacks = [_as_callback(c) for c in callbacks]
    batch_callbacks = [c for c in callbacks if _overrides(c, "on_batch_end")]
    loss_weighted = getattr(loss_fn, "reduction", "mean") != "sum"
    counter = _Correct(loss_fn) if want_acc else None

    history = History(monitor=monitor)
    for c in callbacks:
        c.on_train_begin(history)
    bar = reporter(progress)
    if bar is not None:
        bar.start(epochs, _safe_len(train_loader))
    best_score, best_state, stale = None, None, 0
    step = 0
    try:
        for epoch in range(1, epochs + 1):
            for c in callbacks:
                c.on_epoch_begin(epoch)
            lr = _current_lr(optimizer)
            model.train()
            start = time.perf_counter()
            loss_sum = 0.0
            correct = 0
            seen = 0
            iterations = 0
            if bar is not None:
                bar.start_epoch(epoch, epochs, _safe_len(train_loader))
            # ---- the hot loop: keep it to the four calls and cheap bookkeeping
            for batch in train_loader:
                x, y = _unpack(batch)
                optimizer.zero_grad()
                out = model(x)
                loss = loss_fn(out, y)
                loss.backward()
                optimizer.step()

                n = len(y)
                value = float(loss.array)
                loss_sum += value * n if loss_weighted else value
                if counter is not None:
                    correct += counter(out.array, y.array if isinstance(y, Tensor) else y)
                seen += n
                iterations += 1
                step += 1
                for c in batch_callbacks:
                    c.on_batch_end(step, value)
                if bar is not None:
                    bar.advance(iterations, seen, loss_sum / seen)
            if iterations == 0:
                raise ValueError("the training loader gave no batch: is the training set empty?")
            if not math.isfinite(loss_sum):
                _warn_nonfinite(epoch, lr)

            record = {
                "epoch": epoch,
                "train_loss": loss_sum / seen if want_loss else None,
                "train_accuracy": correct / seen if counter is not None and counter.ok else None,
                "val_loss": None,
                "val_accuracy": None,
                "lr": lr,
                "time": None,
                "iterations": iterations,
                "step": step,
                "examples": seen,
            }
            if val_loader is not None:
                scores = evaluate(model, val_loader, loss_fn)
                record["val_loss"] = scores["loss"] if want_loss or monitor else None
                record["val_accuracy"] = scores["accuracy"] if want_acc or monitor == "val_accuracy" else None
            record["time"] = time.perf_counter() - start
            history.epochs.append(record)

            if scheduler is not None:
                _scheduler_step(scheduler, record)

            stop = False
            if monitor:
                score = _score(record, monitor)
                if score is not None and (best_score is None or score > best_score):
                    best_score, stale = score, 0
                    history.best_epoch = epoch if keep_best else None
                    if keep_best:
                        best_state = _snapshot(model)
                else:
                    stale += 1
                    if early_stopping and stale >= early_stopping:
                        stop = True
            if bar is not None:
                bar.end_epoch(record)
            try:
                for c in callbacks:
                    c.on_epoch_end(epoch, record)
            except StopTraining:
                stop = True
            if stop:
                history.stopped_early = epoch < epochs
                break
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        _restore(model, best_state)
    if bar is not None:
        bar.finish(history)  # names the epoch whose weights the model now holds
    for c in callbacks:
        c.on_train_end(history)
    return history


def _check_fit_arguments(epochs, metrics, keep_best, early_stopping, val_loader):
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if isinstance(metrics, str):
        raise TypeError(f"metrics must be a tuple of names, got the string {metrics!r}; write ({metrics!r},)")
    unknown = [m for m in metrics if m not in _METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}; expected some of {_METRICS}")
    if keep_best is not None:
        if keep_best not in _MONITORS:
            raise ValueError(f"keep_best must be None, 'val_loss' or 'val_accuracy', got {keep_best!r}")
        if val_loader is None:
            raise ValueError(f"keep_best={keep_best!r} needs a val_loader: the best weights are chosen on the validation set")
    if early_stopping is not None:
        if isinstance(early_stopping, bool) or not isinstance(early_stopping, int) or early_stopping < 1:
            raise ValueError(f"early_stopping is a patience in epochs: a positive int, got {early_stopping!r}")


class _FunctionCallback(Callback):
    def __init__(self, fn):
        self.fn = fn

    def on_epoch_end(self, epoch, logs):
        self.fn(epoch, logs)


def _as_callback(c):
    if isinstance(c, Callback) or any(hasattr(c, h) for h in ("on_epoch_end", "on_batch_end")):
        return c if isinstance(c, Callback) else _DuckCallback(c)
    if callable(c):
        return _FunctionCallback(c)
    raise TypeError(f"a callback must be a Callback or a function fn(epoch, logs), got {type(c).__name__}")


class _DuckCallback(Callback):
    """An object with some of the Callback hooks but not derived from Callback."""

    def __init__(self, obj):
        self.obj = obj
        for hook in ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end"):
            if hasattr(obj, hook):
                setattr(self, hook, getattr(obj, hook))


def _overrides(callback, hook):
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


def _unpack(batch):
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch
    what = f"a {type(batch).__name__} of length {len(batch)}" if isinstance(batch, (tuple, list)) else f"a {type(batch).__name__}"
    raise ValueError(
        "each batch must be a pair (inputs, targets), as a DataLoader over TensorDataset(x, y) "
        f"gives; got {what}"
    )


def _safe_len(loader):
    try:
        return len(loader)
    except TypeError:
        return None


def _current_lr(optimizer):
    groups = getattr(optimizer, "param_groups", None)
    if groups:
        return float(groups[0]["lr"])
    lr = getattr(optimizer, "lr", None)
    return float(lr) if lr is not None else None


def _scheduler_step(scheduler, record):
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        value = record["val_loss"] if record["val_loss"] is not None else record["train_loss"]
        scheduler.step(value)
    else:
        scheduler.step()


def _score(record, monitor):
    """Higher is better: -loss, or (accuracy, -loss) so that among epochs of equal
    validation accuracy (frequent on small sets) the one with the lower loss wins.
    None for a NaN or missing value, which never counts as an improvement."""
    value = record[monitor]
    if value is None or value != value:
        return None
    if monitor == "val_accuracy":
        loss = record["val_loss"]
        return (value, -loss if loss is not None and loss == loss else float("-inf"))
    return (-value,)


def _snapshot(model):
    """Copies of every array of the model's state (parameters and buffers)."""
    return {name: xp.array(_raw(value), copy=True) for name, value in model.state_dict().items()}


def _restore(model, state):
    model.load_state_dict({name: Tensor._wrap(array) for name, array in state.items()})


def _raw(value):
    return value.array if isinstance(value, Tensor) else xp.asarray(value)


def _warn_nonfinite(epoch, lr):
    warnings.warn(
        f"fit: the training loss became inf/NaN in epoch {epoch} (lr={lr}); "
        "the learning rate is probably too large",
        RuntimeWarning,
        stacklevel=3,
    )


# ------------------------------------------------------------------------------ accuracy
class _Correct:
    """Counts correct predictions in a batch, deciding once what "correct" means.

    - outputs (B, C) with C > 1 and class-index targets (B,): argmax of the outputs;
    - outputs (B, C) and one-hot / probability targets (B, C): argmax of both;
    - one output per example (B,) or (B, 1) with 0/1 targets: output > 0 for logits
      (BCEWithLogitsLoss), output > 0.5 otherwise (probabilities, squared error on 0/1);
      with -1/+1 targets: the sign of the output.
    Anything else (regression) is not classification: accuracy is None.
    """

    def __init__(self, loss_fn):
        self.logits = type(loss_fn).__name__ == "BCEWithLogitsLoss"
        self.ok = True

    def __call__(self, out, target):
        if not self.ok:
            return 0
        if out.ndim == 2 and out.shape[1] > 1:
            if target.ndim == 1 and target.dtype.kind in "iu":
                return int(xp.count_nonzero(out.argmax(1) == target))
            if target.shape == out.shape:
                return int(xp.count_nonzero(out.argmax(1) == target.argmax(1)))
        elif out.ndim in (1, 2) and out.size == len(target) and target.size == len(target):
            out = out.reshape(-1)
            target = target.reshape(-1)
            if target.min() < 0:  # -1 / +1 labels
                return int(xp.count_nonzero((out > 0) == (target > 0)))
            if target.max() <= 1:
                return int(xp.count_nonzero((out > (0 if self.logits else 0.5)) == (target > 0.5)))
        self.ok = False
        return 0


def evaluate(model, loader, loss_fn=None):
    """Loss and accuracy of ``model`` over every batch of ``loader``.

    Runs under ``no_grad`` in eval mode (dropout off) and puts the model back in the mode
    it was in. Returns ``{"loss": mean loss per example (None without loss_fn),
    "accuracy": fraction correct (None if the task is not classification),
    "examples": n}``.
    """
    was_training = getattr(model, "training", True)
    model.eval()
    loss_weighted = getattr(loss_fn, "reduction", "mean") != "sum"
    counter = _Correct(loss_fn)
    loss_sum = 0.0
    correct = 0
    seen = 0
    try:
        with no_grad():
            for batch in loader:
                x, y = _unpack(batch)
                out = model(x)
                n = len(y)
                if loss_fn is not None:
                    value = float(loss_fn(out, y).array)
                    loss_sum += value * n if loss_weighted else value
                correct += counter(out.array, y.array if isinstance(y, Tensor) else xp.asarray(y))
                seen += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("evaluate: the loader gave no example: is the dataset empty?")
    return {
        "loss": loss_sum / seen if loss_fn is not None else None,
        "accuracy": correct / seen if counter.ok else None,
        "examples": seen,
    }


def predict(model, x, batch_size=4096):
    """The model's outputs for the inputs ``x`` (Tensor or array), as a NumPy array.

    No graph is recorded (``no_grad``), dropout is off (eval mode), and large inputs go
    through in chunks of ``batch_size`` so that a 500x500 decision-boundary grid stays
    within memory.
    """
    data = _raw(x)
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        with no_grad():
            parts = [model(Tensor._wrap(data[i:i + batch_size])).array for i in range(0, len(data), batch_size)]
    finally:
        model.train(was_training)
    if not parts:
        raise ValueError("predict: no input")
    return parts[0] if len(parts) == 1 else xp.concatenate(parts)


def predict_classes(model, x, batch_size=4096):
    """The predicted class of every input: argmax of the outputs, or output > 0 when the
    model has one output per example (a logit)."""
    out = predict(model, x, batch_size)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(1)
    return (out.reshape(-1) > 0).astype(xp.int64)


def confusion_matrix(y_true, y_pred, num_classes=None):
    """``M[i, j]`` = how many examples of true class i were predicted as class j."""
    t = xp.asarray(_raw(y_true)).reshape(-1).astype(xp.int64)
    p = xp.asarray(_raw(y_pred)).reshape(-1).astype(xp.int64)
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: {t.size} true labels but {p.size} predictions")
    k = num_classes or int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    if t.size and (t.min() < 0 or p.min() < 0 or t.max() >= k or p.max() >= k):
        raise ValueError(f"confusion_matrix: labels must lie in [0, {k}), got values outside")
    return xp.bincount(t * k + p, minlength=k * k).reshape(k, k)


# ------------------------------------------------------------------------------ progress
# How a run is reported (notebook, terminal, file or pipe) lives in progress.py.
from .progress import print_epochs, progress_shown  # noqa: E402,F401 (public names of train)
