"""Hyper-parameter sweeps and model selection, on one machine or on a Dask cluster.

    import glassgrad.sweep as sweep
    table = sweep.run({"dataset": "circles", "epochs": 20},
                      {"lr": [0.01, 0.1, 0.5], "model": ["mlp:4", "mlp:16"]},
                      executor="local", out="runs/lr_width")

Model selection as seed 004 teaches it: every trial is trained on the training split and
scored on the validation split; the configuration with the best validation score is then
evaluated once on the test split (its row alone gets ``test_accuracy``). The test split
never takes part in the choice.

``run`` checks every setting of every trial before the first one starts, then runs them
on the executor (executors.py), writes ``results.csv`` after every finished trial, and at
the end ``summary.md`` and the figures. The modules: space.py (grids, random draws,
trial names and seeds), trial.py (one trial), executors.py, results.py (the files).
"""

import os
import sys

from glassgrad.errors import UserError

from .executors import EXECUTORS, make_executor
from .results import FIGURES, RESULTS, SUMMARY, best, read_results, write_figures, write_results, write_summary
from .space import MAX_TRIALS, SWEEP_KEYS, Range, check_space, draw, grid, parse_spec, trial_id, trial_seed
from .trial import METRICS, run_trial

__all__ = ["run", "to_dataframe", "plan", "complete_settings", "Range", "parse_spec", "EXECUTORS", "SWEEP_KEYS", "MAX_TRIALS"]

SELECTION_METRICS = ("val_accuracy", "val_loss")


def complete_settings(settings):
    """A full run configuration from a partial one: what is not given takes the value of
    the dataset's lesson, exactly as ``glassgrad train`` fills its options. Checked."""
    import argparse

    from glassgrad.cli.train import PRESETS, _settings

    if not isinstance(settings, dict):
        raise UserError(f"settings: expected a dict such as {{'dataset': 'circles'}}, got {type(settings).__name__}")
    options = dict(dataset="circles", n=None, noise=None, val_fraction=None, test_fraction=0.2, seed=0,
                   model=None, activation=None, dropout=0.0, init="default", loss="ce", optimizer=None, lr=None,
                   momentum=None, weight_decay=0.0, decay=None, batch_size=None, epochs=None, scheduler=None,
                   keep_best="val_accuracy", early_stopping=None, random_shift=None)
    unknown = [k for k in settings if k not in options]
    if unknown:
        raise UserError(f"settings: unknown key {unknown[0]!r}; expected some of {', '.join(options)}")
    options.update(settings)
    if options["dataset"] not in PRESETS:
        raise UserError(f"settings: key 'dataset': expected one of {', '.join(PRESETS)}, got {options['dataset']!r}")
    if options["keep_best"] is None:
        options["keep_best"] = "none"
    return _settings(argparse.Namespace(**options), name=lambda key: f"settings: key {key!r}")


def plan(settings, space, random=None, seed=None):
    """The trials of a sweep, every one checked: a list of ``(varied, settings)`` where
    ``varied`` holds the swept settings of the trial and ``settings`` all of them.
    ``space`` maps settings to lists (a grid) or Ranges (random search with ``random``)."""
    base = complete_settings(settings)
    space = check_space(space)
    configs = grid(space) if random is None else draw(space, random, base["seed"] if seed is None else seed)
    trials = []
    from glassgrad.cli.checks import check_settings, option_name

    for varied in configs:
        s = dict(base, **varied)
        if "optimizer" in varied and "momentum" not in varied and "momentum" not in settings:
            s["momentum"] = 0.9 if s["optimizer"] == "sgd" else 0.0  # as an option left out would be
        if "optimizer" in varied and "decay" not in varied and "decay" not in settings:
            s["decay"] = "decoupled" if s["optimizer"] == "adamw" else "l2"
        where = "trial " + " ".join(f"{k}={v}" for k, v in varied.items())
        check_settings(s, name=lambda key, where=where: f"{where}: {option_name(key)}")
        trials.append((varied, s))
    if not trials:
        raise UserError("--grid: the sweep has no trial")
    if base["val_fraction"] <= 0:
        raise UserError("--val-fraction: a sweep scores its trials on the validation split: expected a "
                        "fraction > 0, got 0")
    return trials


def check_out(out, resume):
    """The folder can take the sweep (nothing is created here): new or empty, or with
    ``resume`` one holding a results.csv."""
    from glassgrad.cli.checks import check_out_folder

    check_out_folder(out)
    results = os.path.join(out, RESULTS)
    if resume:
        if not os.path.isfile(results):
            raise UserError(f"--resume: {out!r} holds no {RESULTS} to continue from")
    elif os.path.isdir(out) and os.listdir(out):
        hint = " (give --resume to continue it)" if os.path.isfile(results) else ""
        raise UserError(f"--out: expected a new or empty folder, got {out!r}, which holds files{hint}")


def run(settings, space, executor="sequential", workers=None, scheduler=None, random=None, seed=None,
        out=None, resume=False, metric="val_accuracy", figures=True, progress=True):
    """Run a sweep; return its table: one dict per trial (its swept settings, ``trial``,
    ``status``, the validation metrics, ``seconds``, ``seed``, ``error``), in trial order.
    The chosen trial's row also has ``test_accuracy`` and ``test_loss``.

    Args:
        settings: the fixed settings (missing ones take the dataset's lesson's values).
        space: setting -> list of values (a grid, all combinations) or ``Range(low, high)``
            (random search: needs ``random``); text as on the command line is read too.
        executor: "sequential", "local", "dask-local" or "dask" (see executors.py);
            ``workers`` processes (default: one per core), ``scheduler`` the address of an
            existing Dask cluster.
        random: draw this many configurations instead of the full grid (seeded by
            ``seed``, default the settings' seed).
        out: a folder for results.csv (after every trial), summary.md and figures; with
            ``resume`` one that holds a results.csv whose finished trials are not run again.
        metric: "val_accuracy" (ties: lower val_loss) or "val_loss", the validation score.
    """
    if metric not in SELECTION_METRICS:
        raise UserError(f"--metric: expected one of {', '.join(SELECTION_METRICS)}, got {metric!r}")
    trials = plan(settings, space, random, seed)
    keys = list(trials[0][0])
    ids = [trial_id(s) for _, s in trials]
    done = {}
    if out is not None:
        check_out(out, resume)
        if figures:
            from glassgrad.cli.checks import need_matplotlib

            need_matplotlib("sweep (its figures; or figures=False / --no-figures)")
        if resume:
            done = _finished(os.path.join(out, RESULTS), ids, trials)
    engine = make_executor(executor, workers, scheduler)  # reaches the cluster before anything is written
    rows = {i: done[ids[i]] for i in range(len(trials)) if ids[i] in done}
    todo = [i for i in range(len(trials)) if ids[i] not in done]
    say = (lambda text: print(text, flush=True)) if progress else (lambda text: None)
    if rows:
        say(f"resuming: {len(rows)} of {len(trials)} trials already in {os.path.join(out, RESULTS)}")
    if out is not None:
        _start_folder(out)
    try:
        jobs = [(trials[i][1], trial_seed(trials[i][1])) for i in todo]
        for n, (j, result) in enumerate(engine.results(jobs), 1):
            i = todo[j]
            rows[i] = dict(trials[i][0], trial=ids[i], seed=jobs[j][1], **result)
            say(_progress_line(len(rows), len(trials), trials[i][0], result))
            if out is not None:
                write_results(out, [rows[k] for k in sorted(rows)], keys)
    finally:
        engine.close()
    table = [rows[i] for i in range(len(trials))]
    chosen = best(table, metric)
    if chosen is not None:  # the test split, looked at once, for the configuration chosen
        i = table.index(chosen)
        tested = run_trial(trials[i][1], chosen["seed"], test=True)
        chosen.update({k: tested.get(k) for k in ("test_accuracy", "test_loss")})
        say(f"chosen on validation: {_describe(trials[i][0])}: test accuracy {_percent(chosen['test_accuracy'])}")
    if out is not None:
        write_results(out, table, keys)
        write_summary(out, table, keys, trials[0][1], metric, chosen)
        written = [RESULTS, SUMMARY] + (write_figures(out, table, keys, metric) if figures else [])
        say(f"wrote {', '.join(written)} to {out}")
    return table


def to_dataframe(table):
    """The table ``run`` returned as a pandas DataFrame (one row per trial, in trial order);
    pandas is optional: ``pip install "glassgrad[pandas]"``."""
    from glassgrad.errors import require

    pandas = require("pandas", "sweep.to_dataframe", "pandas")
    return pandas.DataFrame.from_records(table)


def _finished(path, ids, trials):
    """The rows of results.csv as table rows, keyed by trial id (settings typed as in the plan)."""
    rows = read_results(path)
    plan_ids = dict(zip(ids, trials))
    found = {}
    for row in rows:
        if row["trial"] not in plan_ids:
            raise UserError(f"--resume: {path} holds trial {row['trial']}, which is not a trial of this sweep: "
                            "give the options of the sweep that wrote it")
        if row["status"] not in ("ok", "failed"):
            continue
        varied, _ = plan_ids[row["trial"]]
        typed = dict(varied, trial=row["trial"], status=row["status"], seed=int(row["seed"]),
                     error=row.get("error") or None)
        for key in METRICS:
            typed[key] = _number(row.get(key))
        found[row["trial"]] = typed
    return found


def _number(text):
    if text in (None, ""):
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _start_folder(out):
    """Create the sweep's folder, marked as glassgrad's (it may be replaced by a later run)."""
    from glassgrad.atomic import RUN_MARKER, write_text

    os.makedirs(out, exist_ok=True)
    marker = os.path.join(out, RUN_MARKER)
    if not os.path.exists(marker):
        write_text(marker, "a folder written by glassgrad sweep\n")


def _describe(varied):
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in varied.items())


def _percent(x):
    return "n/a" if x is None else f"{100 * x:.2f} %"


def _progress_line(done, total, varied, result):
    if result["status"] != "ok":
        return f"[{done}/{total}] {_describe(varied)}: failed ({result['error']})"
    loss = "diverged" if result["val_loss"] is None else f"{result['val_loss']:.4f}"
    return (f"[{done}/{total}] {_describe(varied)}: val accuracy {_percent(result['val_accuracy'])}, "
            f"val loss {loss} ({result['seconds']:.1f} s)")
