"""Whether operations are recorded for backward: no_grad, enable_grad, is_grad_enabled.

The flag lives in a one-element list so that Function.apply reads it with one index,
the cheapest check Python offers on the hot path.
"""

import functools

_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


def set_grad_enabled(mode):
    _enabled[0] = bool(mode)


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
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Inside ``with no_grad():`` no graph is recorded; results have requires_grad=False."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a no_grad block."""

    mode = True
