"""What a sweep leaves in its folder: results.csv, summary.md and the figures.

``results.csv`` has one row per finished trial (its settings, its metrics, its time and
status) and is rewritten whole, atomically, after every trial: interrupted at any moment,
the folder holds every finished trial and no half-written row, and ``--resume`` reads it
back to skip them.
"""

import csv
import io
import math
import os

from glassgrad.atomic import write_text

from .trial import METRICS, TEST_METRICS

RESULTS = "results.csv"
SUMMARY = "summary.md"
FIGURES = ("metric_vs_*.png", "heatmap_*.png")


def columns(keys):
    return ["trial", "status", *keys, *METRICS, *TEST_METRICS, "seed", "error"]


def write_results(folder, rows, keys):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns(keys), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns(keys)})
    write_text(os.path.join(folder, RESULTS), text.getvalue())


def read_results(path):
    """The rows of a results.csv, as text (``trial`` and ``status`` are what resume needs)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and ("trial" not in rows[0] or "status" not in rows[0]):
        from glassgrad.errors import UserError

        raise UserError(f"{path}: expected the results.csv of a glassgrad sweep (columns trial, status, ...)")
    return rows


def score(row, metric):
    """Higher is better; a failed or diverged trial is never the best. With
    ``val_accuracy`` ties (frequent on small validation sets) go to the lower val_loss."""
    def number(key):
        value = row.get(key)
        return float(value) if value not in (None, "") and math.isfinite(float(value)) else None

    if row.get("status") != "ok":
        return None
    loss = number("val_loss")
    if metric == "val_loss":
        return None if loss is None else (-loss,)
    acc = number("val_accuracy")
    return None if acc is None else (acc, -loss if loss is not None else -math.inf)


def best(rows, metric):
    """The row the validation split chooses (the first of equals, in trial order), or None."""
    scored = [(score(r, metric), i) for i, r in enumerate(rows)]
    scored = [(s, i) for s, i in scored if s is not None]
    if not scored:
        return None
    top = max(s for s, _ in scored)
    return rows[min(i for s, i in scored if s == top)]


def _show(value):
    if value in (None, ""):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def write_summary(folder, rows, keys, fixed, metric, chosen):
    ok = [r for r in rows if r.get("status") == "ok"]
    failed = [r for r in rows if r.get("status") != "ok"]
    lines = [f"# Sweep on {fixed['dataset']}: {len(rows)} trials ({len(ok)} ok, {len(failed)} failed)", ""]
    lines += ["Every trial was scored on the validation split; the configuration it chose was then "
              "evaluated once on the test split (seed 004: the test set is not used to choose).", ""]
    if chosen is not None:
        setting = ", ".join(f"{k}={_show(chosen[k])}" for k in keys)
        lines += ["## Chosen configuration", "", f"- {setting} (trial {chosen['trial']})",
                  f"- validation accuracy {_show(chosen.get('val_accuracy'))}, validation loss "
                  f"{_show(chosen.get('val_loss'))}",
                  f"- **test accuracy {_show(chosen.get('test_accuracy'))}**, test loss {_show(chosen.get('test_loss'))}",
                  ""]
    else:
        lines += ["No trial finished with a validation score: nothing was chosen.", ""]
    ranked = sorted(ok, key=lambda r: score(r, metric) or (-math.inf,), reverse=True)
    lines += [f"## Trials by {metric}", "", "| " + " | ".join([*keys, "val_accuracy", "val_loss", "seconds"]) + " |",
              "|" + "---|" * (len(keys) + 3)]
    for r in ranked:
        lines.append("| " + " | ".join(_show(r.get(k)) for k in (*keys, "val_accuracy", "val_loss", "seconds")) + " |")
    if failed:
        lines += ["", "## Failed trials", ""]
        lines += [f"- {', '.join(f'{k}={_show(r.get(k))}' for k in keys)}: {r.get('error')}" for r in failed]
    lines += ["", "## Fixed settings", "", ", ".join(f"{k}={_show(v)}" for k, v in fixed.items() if k not in keys), ""]
    write_text(os.path.join(folder, SUMMARY), "\n".join(lines))


def write_figures(folder, rows, keys, metric):
    """``metric_vs_<key>.png`` for every varied setting and, with two or more,
    ``heatmap_<key1>_<key2>.png`` (the mean metric over the trials of each cell)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from glassgrad.viz import save_figure

    ok = [r for r in rows if r.get("status") == "ok" and r.get(metric) not in (None, "")]
    written = []
    for key in keys:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        values = [r[key] for r in ok]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric:
            ax.scatter(values, [float(r[metric]) for r in ok], alpha=0.7)
            if key in ("lr", "weight_decay") and values and min(values) > 0:
                ax.set_xscale("log")
        else:
            labels = sorted({str(v) for v in values})
            ax.scatter([labels.index(str(v)) for v in values], [float(r[metric]) for r in ok], alpha=0.7)
            ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_xlabel(key)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} against {key}")
        fig.tight_layout()
        name = f"metric_vs_{key}.png"
        save_figure(fig, os.path.join(folder, name))
        plt.close(fig)
        written.append(name)
    if len(keys) >= 2:
        a, b = keys[:2]
        xs = sorted({r[a] for r in ok}, key=_order)
        ys = sorted({r[b] for r in ok}, key=_order)
        cells = {}
        for r in ok:
            cells.setdefault((r[a], r[b]), []).append(float(r[metric]))
        import numpy as np

        grid = np.full((len(ys), len(xs)), np.nan)
        for (x, y), found in cells.items():
            grid[ys.index(y), xs.index(x)] = sum(found) / len(found)
        fig, ax = plt.subplots(figsize=(1.2 * len(xs) + 2.5, 0.6 * len(ys) + 2))
        image = ax.imshow(grid, cmap="viridis", aspect="auto", origin="lower")
        ax.set_xticks(range(len(xs)), [_show(x) for x in xs], rotation=30, ha="right")
        ax.set_yticks(range(len(ys)), [_show(y) for y in ys])
        if len(xs) * len(ys) <= 100:
            for i in range(len(ys)):
                for j in range(len(xs)):
                    if not np.isnan(grid[i, j]):
                        ax.text(j, i, f"{grid[i, j]:.3g}", ha="center", va="center", color="w", fontsize=8)
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        fig.colorbar(image, ax=ax, label=metric)
        ax.set_title(f"{metric}: {a} and {b}")
        fig.tight_layout()
        name = f"heatmap_{a}_{b}.png"
        save_figure(fig, os.path.join(folder, name))
        plt.close(fig)
        written.append(name)
    return written


def _order(v):
    return (0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v))
