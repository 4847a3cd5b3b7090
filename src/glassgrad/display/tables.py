"""HTML tables for the records a run leaves: a training History and a study's findings.

Each is a plain HTML table (numbers right-aligned, in a monospace font), so a notebook
shows it without any extra library; the text forms are the objects' own reprs.
"""

import html

_TH = "style='text-align:right;padding:2px 8px;border-bottom:1px solid #999'"
_TD = "style='text-align:right;padding:1px 8px;font-family:monospace'"
_TDL = "style='text-align:left;padding:1px 8px'"
_COLUMNS = (("train_loss", "loss", "{:.4f}"), ("train_accuracy", "accuracy", "{:.2%}"),
            ("val_loss", "val loss", "{:.4f}"), ("val_accuracy", "val accuracy", "{:.2%}"),
            ("lr", "lr", "{:.4g}"), ("iterations", "updates", "{:d}"), ("time", "time (s)", "{:.2f}"))
MAX_ROWS = 30  # longer histories show their first 10 and last 19 epochs


def history_html(history):
    """One row per epoch; the epoch whose weights were kept is in bold."""
    records = history.epochs
    if not records:
        return "<i>History: no epochs</i>"
    cols = [c for c in _COLUMNS if any(r.get(c[0]) is not None for r in records)]
    rows = list(records)
    if len(rows) > MAX_ROWS:
        rows = rows[:10] + [None] + rows[-(MAX_ROWS - 11):]
    out = ["<div class='glassgrad-history'><table><thead><tr>",
           f"<th {_TH}>epoch</th>" + "".join(f"<th {_TH}>{label}</th>" for _, label, _ in cols),
           "</tr></thead><tbody>"]
    for r in rows:
        if r is None:
            out.append(f"<tr><td {_TD}>...</td></tr>")
            continue
        cells = [str(r["epoch"])] + [fmt.format(r[key]) if r.get(key) is not None else "" for key, _, fmt in cols]
        weight = "font-weight:bold;" if r["epoch"] == history.best_epoch else ""
        out.append(f"<tr style='{weight}'>" + "".join(f"<td {_TD}>{html.escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    facts = [f"{len(records)} epochs, {history.iterations} updates"]
    if history.best_epoch is not None:
        facts.append(f"kept the weights of epoch {history.best_epoch} (best {history.monitor}, in bold)")
    if history.stopped_early:
        facts.append("stopped early")
    out.append(f"<div style='color:#555'>{html.escape('; '.join(facts))}</div></div>")
    return "".join(out)


def findings_html(result, format_value=str):
    """A study's question, then its findings: what was measured, the value, what it answers."""
    e = html.escape
    out = ["<div class='glassgrad-study'>"]
    if result.name:
        out.append(f"<p><b>{e(result.name)}</b>: {e(result.question or '')}</p>")
    out.append(f"<table><thead><tr><th {_TH}>finding</th><th {_TH}>measured</th><th {_TH}>what it answers</th>"
               "</tr></thead><tbody>")
    for f in result.findings:
        out.append(f"<tr><td {_TDL}>{e(f.quantity)}</td><td {_TD}>{e(format_value(f.value))}</td>"
                   f"<td {_TDL}>{e(f.meaning)}</td></tr>")
    out.append("</tbody></table>")
    if result.figure_names:
        out.append(f"<div style='color:#555'>figures: {e(', '.join(result.figure_names))} "
                   "(result.figure(name) draws one)</div>")
    out.append("</div>")
    return "".join(out)
