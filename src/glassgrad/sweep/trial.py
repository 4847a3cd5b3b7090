"""One trial of a sweep: train one configuration, score it on the validation split.

This function is what the executors send to other processes and machines, so it takes
plain data (a settings dict and a seed) and returns plain data (a dict of numbers and
text): nothing to pickle but built-in types.

The data and its split come from the sweep's seed (``settings["seed"]``), the same for
every trial, so all trials are scored on the same validation examples. The initial
weights, dropout and shuffling come from the trial's own seed (a hash of its
configuration), so a trial trains the same way whichever executor runs it.

Model selection (seed 004): a trial looks at the validation split only. The test split is
looked at once, for the configuration the validation chose (``test=True``).
"""

import math
import time
import warnings
from contextlib import contextmanager

# What the trial reports, in this order (after its settings) in results.csv.
METRICS = ("val_accuracy", "val_loss", "train_loss", "best_epoch", "epochs_run", "seconds")
TEST_METRICS = ("test_accuracy", "test_loss")


def run_trial(settings, seed, test=False):
    """Train the configuration ``settings`` with weights seeded by ``seed``; returns
    ``{"status": "ok", val_accuracy, val_loss, train_loss, best_epoch, epochs_run,
    seconds}`` (and test_accuracy, test_loss with ``test=True``), or ``{"status":
    "failed", "error": "<one line>", "seconds"}`` when training raised: a failing trial is
    recorded, it does not stop the sweep."""
    start = time.perf_counter()
    try:
        with one_blas_thread(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a diverging trial is a result, not news
            result = _train(settings, seed, test)
        result["status"] = "ok"
    except Exception as exc:  # noqa: BLE001 (any failure of one trial is recorded, the sweep goes on)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result = {"status": "failed", "error": f"{type(exc).__name__}: {first}"[:300]}
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _train(s, seed, test):
    import glassgrad
    from glassgrad.cli.train import build_loss, build_model, build_optimizer, build_scheduler, load_data
    from glassgrad.data import DataLoader
    from glassgrad.train import evaluate, fit

    train, val, test_set, in_shape, n_classes = load_data(s)  # split by the sweep's seed
    if val is None:
        raise ValueError("no validation split: a sweep scores its trials on it (--val-fraction > 0)")
    glassgrad.manual_seed(seed)  # initial weights and dropout: the trial's own seed
    model = build_model(s, in_shape, n_classes)
    loss_fn = build_loss(s)
    optimizer = build_optimizer(s, model)
    scheduler = build_scheduler(s, optimizer)
    batch = s["batch_size"] or len(train)
    loader = DataLoader(train, batch_size=batch, shuffle=batch < len(train), generator=glassgrad.Generator(seed))
    eval_batch = 10000 if in_shape == (2,) else 1000
    history = fit(model, loss_fn, optimizer, loader, DataLoader(val, batch_size=eval_batch), epochs=s["epochs"],
                  progress=False, scheduler=scheduler, keep_best=s["keep_best"],
                  early_stopping=s["early_stopping"])
    scores = evaluate(model, DataLoader(val, batch_size=eval_batch), loss_fn)  # the kept weights
    result = {"val_accuracy": _finite(scores["accuracy"]), "val_loss": _finite(scores["loss"]),
              "train_loss": _finite(history.last["train_loss"]), "best_epoch": history.best_epoch,
              "epochs_run": len(history)}
    if test:
        scores = evaluate(model, DataLoader(test_set, batch_size=eval_batch), loss_fn)
        result.update(test_accuracy=_finite(scores["accuracy"]), test_loss=_finite(scores["loss"]))
    return result


def _finite(x):
    return x if x is not None and math.isfinite(x) else None


# Environment variables read by the BLAS libraries NumPy may use, when they load.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                         "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextmanager
def one_blas_thread():
    """Run with one BLAS thread (threadpoolctl, when installed): trials running side by
    side in several processes must not each start one thread per core, and a trial gives
    the same numbers in every executor because it always runs with the same thread count.
    Processes started by the executors also get the environment variables above set to 1
    before NumPy loads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1):
        yield
