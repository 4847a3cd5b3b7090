"""PyTorch's process-wide switches, as glassgrad can honour them: thread counts,
deterministic algorithms and ``compile``.

- ``set_num_threads(n)`` / ``get_num_threads()``: glassgrad's own code is single-threaded
  Python; the only threads are those of NumPy's BLAS library (matmul, conv). With
  threadpoolctl installed (the ``dask`` extra has it), set_num_threads limits the BLAS
  pools to n threads, for the rest of the process; without it, the number is recorded and
  returned by get_num_threads, but BLAS keeps its own count (set OMP_NUM_THREADS or
  OPENBLAS_NUM_THREADS before starting Python instead).
- ``use_deterministic_algorithms(True)``: glassgrad has no nondeterministic kernels (no
  atomic adds on a GPU); on one machine with one BLAS and thread count a run repeats bit for
  bit. The setting is recorded and reported, and changes nothing.
- ``compile(model)``: there is no compiler; the model or function is returned unchanged, so
  ``model = torch.compile(model)`` and ``@torch.compile`` run as before (not faster).
"""

import os

_threads = [None]  # the count given to set_num_threads, None before
_deterministic = [False, False]  # (mode, warn_only)


def set_num_threads(num):
    """Limit the BLAS thread pools to ``num`` threads (through threadpoolctl when it is
    installed; otherwise only recorded, see the module docstring)."""
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"set_num_threads expects a positive int, got {num!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        threadpool_limits(limits=num)  # stays in force: the returned handle is not restored
    _threads[0] = num


def get_num_threads():
    """The count given to set_num_threads; before any, the largest BLAS pool's size
    (threadpoolctl), else the number of CPUs this process may use."""
    if _threads[0] is not None:
        return _threads[0]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        pools = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return max(pools)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def get_num_interop_threads():
    """1: glassgrad runs ops one after another."""
    return 1


def set_num_interop_threads(num):
    """Accepted and ignored: glassgrad has no inter-op thread pool."""
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"set_num_interop_threads expects a positive int, got {num!r}")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the request; every glassgrad op is already deterministic (see above)."""
    if not isinstance(mode, bool) or not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms expects True or False, got mode={mode!r}, "
                        f"warn_only={warn_only!r}")
    _deterministic[:] = [mode, warn_only]


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic[0] and _deterministic[1]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable=False):
    """``model`` unchanged (glassgrad has no compiler); without a model, a decorator that
    returns what it decorates (``@compile(mode="max-autotune")``)."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile expects a model or a function, got {type(model).__name__}")
    return model
