"""Anomaly detection: the first NaN or inf of a forward or backward pass, named and located.

    with glassgrad.autograd.detect_anomaly():
        loss = model(x).log().sum()
        loss.backward()

While it is active an observer (see ``observers`` in function.py) does two things:

1. When a node is recorded, it remembers where in *your* code it was created: the first
   stack frame outside glassgrad's own files (file, line and the source text).
2. It looks at every forward output and every downstream gradient a backward produces.
   At the first NaN or inf it raises a RuntimeError naming the op, the pass, which
   input's gradient went bad, and the line that created the node, e.g.

       Function 'log' (Log) returned nan values in its 0th output during backward
       (the gradient for its input 0); the node was created at train.py:42:
       loss = y.log().sum()

It costs a stack walk per op and a finiteness test per array, so it is a debugging tool,
off by default.
"""

import functools
import linecache
import os
import sys
import weakref

from ..backend import xp
from .function import observers

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


# ----------------------------------------------------------------- creation sites
class CreationSite:
    """Where a node was created: the first frame outside glassgrad."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename, lineno, function):
        self.filename = filename
        self.lineno = lineno
        self.function = function

    @property
    def code(self):
        return linecache.getline(self.filename, self.lineno).strip()

    def __str__(self):
        where = f"{os.path.basename(self.filename)}:{self.lineno}"
        code = self.code
        return f"{where}: {code}" if code else where

    def __repr__(self):
        return f"<CreationSite {self.filename}:{self.lineno} in {self.function}>"


def user_frame_site(skip_package=_PACKAGE_DIR):
    """The innermost stack frame whose file is not part of glassgrad, as a CreationSite."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(skip_package):
            return CreationSite(filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


# Sites of nodes whose _meta slot holds something else than a dict (another observer's).
_fallback_sites = weakref.WeakKeyDictionary()


def remember_site(node, site):
    """Keep ``site`` in ``node._meta['created_at']`` (``_meta`` is shared by observers)."""
    meta = getattr(node, "_meta", None)
    if meta is None:
        node._meta = {"created_at": site}
    elif isinstance(meta, dict):
        meta.setdefault("created_at", site)
    else:
        _fallback_sites[node] = site


def creation_site(node):
    """Where ``node`` was created, if anomaly detection (or gradcheck_graph) recorded it."""
    meta = getattr(node, "_meta", None)
    if isinstance(meta, dict) and "created_at" in meta:
        return meta["created_at"]
    return _fallback_sites.get(node)


# ----------------------------------------------------------------- the observer
def _bad_values(array):
    """'nan' or 'inf' if the floating array holds any, else None."""
    if not isinstance(array, xp.ndarray) or array.dtype.kind not in "fc":
        return None
    if xp.isfinite(array).all():
        return None
    return "nan" if xp.isnan(array).any() else "inf"


def _ordinal(i):
    if 10 <= i % 100 <= 20:
        return f"{i}th"
    return f"{i}" + {1: "st", 2: "nd", 3: "rd"}.get(i % 10, "th")


def _where_created(node):
    site = creation_site(node)
    if site is None:
        return "its creation site was not recorded (it was built before detect_anomaly() was on)"
    return f"the node was created at {site}"


class _AnomalyObserver:
    def __init__(self):
        self.check_forward = True

    def on_forward(self, ctx, cls, args, out):
        site = None
        if ctx is not None:
            site = user_frame_site()
            remember_site(ctx, site)
        if self.check_forward:
            bad = _bad_values(out.array)
            if bad is not None:
                site = site or user_frame_site()
                raise RuntimeError(
                    f"Function '{cls.label}' ({cls.__name__}) returned {bad} values in its 0th "
                    f"output during forward; the op was called at {site}"
                )

    def on_backward(self, node, upstream, downstream):
        for i, g in enumerate(downstream):
            bad = _bad_values(g)
            if bad is None:
                continue
            note = ""
            if _bad_values(upstream) is not None:
                note = (
                    " (its upstream gradient was already non-finite: it came from the "
                    "gradient passed to backward() or from a hook)"
                )
            raise RuntimeError(
                f"Function '{node.label}' ({type(node).__name__}) returned {bad} values in its "
                f"{_ordinal(i)} output during backward (the gradient for its input {i}){note}; "
                f"{_where_created(node)}"
            )

    def on_unbroadcast(self, node, index, grad_before, grad_after, axes):
        pass


_observer = _AnomalyObserver()


def is_anomaly_enabled():
    return _observer in observers


def set_detect_anomaly(mode, check_forward=True):
    """Turn anomaly detection on or off for everything that follows."""
    if mode:
        _observer.check_forward = bool(check_forward)
        if _observer not in observers:
            observers.append(_observer)
    elif _observer in observers:
        observers.remove(_observer)


class detect_anomaly:
    """Context manager (and decorator): name the first NaN/inf and where its node was made.

    ``check_forward=False`` checks only the backward pass (useful when a forward pass
    uses -inf on purpose, as an attention mask does).
    """

    def __init__(self, check_forward=True):
        self.check_forward = check_forward

    def __enter__(self):
        self._prev = (is_anomaly_enabled(), _observer.check_forward)
        set_detect_anomaly(True, self.check_forward)
        return self

    def __exit__(self, *exc):
        enabled, check_forward = self._prev
        set_detect_anomaly(enabled, check_forward)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_forward):
                return fn(*args, **kwargs)

        return wrapper
