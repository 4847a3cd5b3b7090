"""Whether operations are recorded for backward: no_grad, enable_grad, is_grad_enabled.

The flag lives in a one-element list so that Function.apply reads it with one index,
the cheapest check Python offers on the hot path.
"""

import functools

_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _GradMode:
    """Context manager and decorator that sets the recording flag, restoring it on exit."""

    mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self.mode
        return self

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._again():
                return fn(*args, **kwargs)

        return wrapper

    def _again(self):
        """A fresh manager like this one, entered on each call of a decorated function."""
        return self.__class__()


class no_grad(_GradMode):
    """Inside ``with no_grad():`` no graph is recorded; results have requires_grad=False."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a no_grad block."""

    mode = True


class set_grad_enabled(_GradMode):
    """Set recording on or off, as PyTorch's: at once as a call
    (``set_grad_enabled(False)``), for a block as a context manager
    (``with set_grad_enabled(phase == "train"):``, restored on exit), or for a function as
    a decorator."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self.mode = bool(mode)
        _enabled[0] = self.mode

    def __enter__(self):
        return self  # already set by __init__

    def __call__(self, fn):
        _enabled[0] = self._prev  # as a decorator it changes nothing until fn is called
        return super().__call__(fn)

    def _again(self):
        return set_grad_enabled(self.mode)


class inference_mode(_GradMode):
    """PyTorch's inference_mode: here the same as no_grad (glassgrad has no separate
    inference tensors). ``inference_mode(False)`` leaves recording as it is."""

    def __init__(self, mode=True):
        self.active = bool(mode)

    def __enter__(self):
        self._prev = _enabled[0]
        if self.active:
            _enabled[0] = False
        return self

    def _again(self):
        return inference_mode(self.active)
