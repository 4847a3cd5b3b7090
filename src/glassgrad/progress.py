"""How ``fit`` reports a run as it goes, wherever its output goes.

- in a Jupyter kernel: a progress bar drawn in HTML and redrawn in place (an IPython
  display handle), then a table of the epochs;
- on a terminal: a rich progress bar (tqdm's if rich is missing, plain lines if both are),
  with one summary line for about every tenth of the run;
- into a file or a pipe (a log, ``| tee``, a CI job): one line per epoch, flushed.

Every form shows the time left for the whole run (the mean time of an update so far times
the updates still to come: epochs x batches), not only the time spent, and the run ends
with one line naming the epoch whose weights the model holds (the best one under
``keep_best``, else the last).

A reporter has six calls, made by ``fit``: ``start(epochs, batches)``, ``start_epoch``,
``advance`` (after every update; the reporters redraw at most ten times a second, since
drawing costs far more than a training step), ``end_epoch(record)``, ``finish(history)``
and ``close()``.
"""

import html
import sys
import time

__all__ = ["progress_shown", "print_epochs", "kept_line", "reporter"]


def progress_shown(progress=True):
    """Whether ``fit(progress=progress)`` reports the run itself (a bar, HTML or lines)."""
    return bool(progress)


def _isatty():
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def reporter(progress):
    """The reporter for this run: None when ``progress`` is false."""
    if not progress:
        return None
    from .display import in_notebook

    if in_notebook():
        try:
            return _NotebookReport()
        except ImportError:
            pass
    if not _isatty():
        return _LineReport(every_epoch=True)
    try:
        return _RichReport()
    except ImportError:
        pass
    try:
        return _TqdmReport()
    except ImportError:
        return _LineReport(every_epoch=False)


# ---------------------------------------------------------------------- shared pieces
class _Clock:
    """Elapsed time, and the time left from the updates made and the updates to come."""

    interval = 0.1  # seconds between redraws

    def __init__(self, epochs, batches):
        self.t0 = time.perf_counter()
        self.next = 0.0
        self.epochs = epochs
        self.batches = batches  # per epoch; None when the loader has no len()
        self.done = 0  # updates made in the finished epochs

    def due(self):
        now = time.perf_counter()
        if now < self.next:
            return False
        self.next = now + self.interval
        return True

    def elapsed(self):
        return time.perf_counter() - self.t0

    def left(self, epoch, iterations):
        """Seconds left, or None when the run's length in updates is unknown."""
        made = self.done + iterations
        if not self.batches or made == 0:
            return None
        total = self.epochs * self.batches
        return self.elapsed() / made * max(total - made, 0)


def _duration(seconds):
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min"


def _worth_a_line(epoch, epochs):
    """About ten summary lines per run: the first epoch, every tenth of the run, the last."""
    return epoch == 1 or epoch == epochs or epoch % max(1, epochs // 10) == 0


_FIELDS = (("train_loss", "loss", "{:.4f}"), ("train_accuracy", "acc", "{:.2%}"),
           ("val_loss", "val_loss", "{:.4f}"), ("val_accuracy", "val_acc", "{:.2%}"))


def _summary(record, left=None):
    parts = [f"epoch {record['epoch']}"]
    for key, label, fmt in _FIELDS:
        if record.get(key) is not None:
            parts.append(f"{label} {fmt.format(record[key])}")
    parts.append(f"{record['iterations']} it, {record['time']:.1f} s")
    if left is not None:
        parts.append(f"about {_duration(left)} left")
    return "  ".join(parts)


def print_epochs(epoch, logs):
    """A callback that prints one line per epoch (fit does so itself into files and pipes)."""
    print(_summary(logs), flush=True)


def kept_line(history):
    """The run's last line: which epoch's weights the model now holds, and why."""
    if not history.epochs:
        return "no epoch ran"
    last = history.epochs[-1]["epoch"]
    stopped = f"; stopped early after epoch {last}" if history.stopped_early else ""
    if history.best_epoch is not None:
        best = history.epochs[history.best_epoch - 1]
        value = best.get(history.monitor)
        shown = (f"{value:.2%}" if history.monitor.endswith("accuracy") else f"{value:.4f}") if value is not None else "?"
        return f"kept the weights of epoch {history.best_epoch} (best {history.monitor} {shown}){stopped}"
    return f"kept the weights of epoch {last}, the last{stopped}"


# ---------------------------------------------------------------------- files and pipes
class _LineReport:
    """Plain lines: every epoch (files, pipes) or about ten per run (a terminal without
    rich or tqdm)."""

    def __init__(self, every_epoch):
        self.every_epoch = every_epoch

    def start(self, epochs, batches):
        self.clock = _Clock(epochs, batches)
        self.epochs = epochs

    def start_epoch(self, epoch, epochs, total):
        pass

    def advance(self, iterations, seen, loss):
        pass

    def end_epoch(self, record):
        self.clock.done += record["iterations"]
        if self.every_epoch or _worth_a_line(record["epoch"], self.epochs):
            left = self.clock.left(record["epoch"], 0) if record["epoch"] < self.epochs else None
            print(_summary(record, left), flush=True)

    def finish(self, history):
        print(kept_line(history), flush=True)

    def close(self):
        pass


# ---------------------------------------------------------------------- terminals
class _RichReport:
    def __init__(self):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"), TimeElapsedColumn(), TextColumn("left"),
            TimeRemainingColumn(), transient=False,
        )

    def start(self, epochs, batches):
        self.clock = _Clock(epochs, batches)
        self.epochs = epochs
        # one task for the whole run, so that the time left is the run's
        self.task = self.progress.add_task("epoch 1", total=epochs * batches if batches else None, stats="")
        self.progress.start()

    def start_epoch(self, epoch, epochs, total):
        self.progress.update(self.task, description=f"epoch {epoch}/{epochs}")

    def advance(self, iterations, seen, loss):
        if self.clock.due():
            rate = seen / max(self.clock.elapsed(), 1e-9)
            self.progress.update(self.task, completed=self.clock.done + iterations,
                                 stats=f"loss {loss:.4f}  {rate:,.0f} ex/s")

    def end_epoch(self, record):
        self.clock.done += record["iterations"]
        self.progress.update(self.task, completed=self.clock.done)
        if _worth_a_line(record["epoch"], self.epochs):
            self.progress.console.print(_summary(record))

    def finish(self, history):
        self.progress.console.print(kept_line(history))

    def close(self):
        self.progress.stop()


class _TqdmReport:
    def __init__(self):
        import tqdm

        self.tqdm = tqdm.tqdm
        self.bar = None

    def start(self, epochs, batches):
        self.clock = _Clock(epochs, batches)
        self.epochs = epochs
        self.bar = self.tqdm(total=epochs * batches if batches else None, desc="epoch 1", leave=False)
        self.shown = 0

    def start_epoch(self, epoch, epochs, total):
        self.bar.set_description(f"epoch {epoch}/{epochs}")

    def advance(self, iterations, seen, loss):
        if self.clock.due():
            now = self.clock.done + iterations
            self.bar.update(now - self.shown)
            self.shown = now
            self.bar.set_postfix_str(f"loss {loss:.4f}")

    def end_epoch(self, record):
        self.clock.done += record["iterations"]
        self.bar.update(self.clock.done - self.shown)
        self.shown = self.clock.done
        if _worth_a_line(record["epoch"], self.epochs):
            self.tqdm.write(_summary(record))

    def finish(self, history):
        self.tqdm.write(kept_line(history))

    def close(self):
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------- notebooks
class _NotebookReport:
    """An HTML bar and a table of epochs, each one display redrawn in place."""

    MAX_ROWS = 12  # the epoch table shows the first epoch and the last ones

    def __init__(self):
        from IPython.display import HTML, display

        self.HTML = HTML
        self.display = display

    def start(self, epochs, batches):
        self.clock = _Clock(epochs, batches)
        self.epochs = epochs
        self.records = []
        self.bar = self.display(self.HTML(self._bar(1, 0, None)), display_id=True)
        self.table = self.display(self.HTML(""), display_id=True)
        self.epoch = 1

    def start_epoch(self, epoch, epochs, total):
        self.epoch = epoch

    def advance(self, iterations, seen, loss):
        if self.clock.due():
            self.bar.update(self.HTML(self._bar(self.epoch, iterations, loss)))

    def end_epoch(self, record):
        self.clock.done += record["iterations"]
        self.records.append(record)
        self.bar.update(self.HTML(self._bar(record["epoch"], 0, record.get("train_loss"))))
        self.table.update(self.HTML(self._table()))

    def finish(self, history):
        self.bar.update(self.HTML(self._bar(self.epoch, 0, None, done=kept_line(history))))

    def close(self):
        pass

    def _bar(self, epoch, iterations, loss, done=None):
        c = self.clock
        total = c.epochs * c.batches if c.batches else None
        made = c.done + iterations
        left = c.left(epoch, iterations)
        facts = [f"epoch {epoch}/{self.epochs}"]
        if total:
            facts.append(f"{made}/{total} updates")
        if loss is not None:
            facts.append(f"loss {loss:.4f}")
        facts.append(f"{_duration(c.elapsed())} spent")
        if done is None:
            facts.append(f"about {_duration(left)} left")
        else:
            facts = [f"done: {len(self.records)} epochs, {made} updates in {_duration(c.elapsed())}", done]
        bar = (f"<progress value='{made}' max='{total}' style='width:18em;vertical-align:middle'></progress> "
               if total else "")
        return f"<div class='glassgrad-progress'>{bar}<span>{html.escape(' · '.join(facts))}</span></div>"

    def _table(self):
        keys = [k for k in ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
                if any(r.get(k) is not None for r in self.records)]
        rows = self.records
        if len(rows) > self.MAX_ROWS:
            rows = rows[:1] + [None] + rows[-(self.MAX_ROWS - 2):]
        fmt = {"train_loss": "{:.4f}", "val_loss": "{:.4f}", "train_accuracy": "{:.2%}", "val_accuracy": "{:.2%}"}
        td = "style='text-align:right;padding:1px 8px;font-family:monospace'"
        head = "".join(f"<th {td}>{h}</th>" for h in ["epoch", *keys, "time"])
        body = []
        for r in rows:
            if r is None:
                body.append(f"<tr><td {td}>...</td></tr>")
                continue
            cells = [str(r["epoch"])] + [fmt[k].format(r[k]) if r.get(k) is not None else "" for k in keys]
            cells.append(f"{r['time']:.1f} s")
            body.append("<tr>" + "".join(f"<td {td}>{c}</td>" for c in cells) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
