"""A progress bar for the long runs of a study (rich, from the ``progress`` extra).

``progress`` is False (silent), True (a rich bar on a terminal; silent without rich or
without a terminal) or a function ``progress(done, total, label)`` (for notebooks/tests).
"""

import sys


class Steps:
    """Count the units of work of a study: ``with Steps(total, label, progress) as s: s.advance()``."""

    def __init__(self, total, label, progress=False):
        self.total, self.label, self.done = total, label, 0
        self._callback = progress if callable(progress) else None
        self._bar = None
        if progress is True and sys.stderr.isatty():
            try:
                from rich.progress import Progress
            except ImportError:  # the bar is a nicety: without rich the study runs silently
                Progress = None
            if Progress is not None:
                self._bar = Progress(transient=True)
                self._task = self._bar.add_task(label, total=total)

    def __enter__(self):
        if self._bar is not None:
            self._bar.start()
        return self

    def advance(self, label=None):
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=label or self.label)
        if self._callback is not None:
            self._callback(self.done, self.total, label or self.label)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False
