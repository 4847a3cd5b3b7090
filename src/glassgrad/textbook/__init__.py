"""The seeds' backprop written out by hand: an MLP whose backward pass is the explicit
delta recursion with matrices (no autograd), as in seeds 003 and 004. The tests hold it
equal to the autograd engine (``engine_gradients``) to 1e-12 in float64.

Imported on first use (``glassgrad.textbook.MLP``), so ``import glassgrad`` stays fast.
"""

import importlib

_LAZY = {
    "MLP": "mlp", "ForwardPass": "mlp", "BackwardPass": "mlp",
    "ACTIVATIONS": "activations", "LOSSES": "losses", "get_loss": "losses",
    "engine_gradients": "engine",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        if name in ("mlp", "activations", "losses", "engine"):
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
