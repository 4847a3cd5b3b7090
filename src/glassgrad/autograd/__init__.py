"""Reverse-mode automatic differentiation: Function, the engine, grad modes and checks."""

from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .engine import BackwardError
from .gradients import backward, grad

# Imported on first use (PEP 562): building and differentiating a graph never needs the
# tensor-level Function protocol (your own ops), anomaly detection, Variable or the
# gradient checks (which pull in dataclasses). One table: each name and its module.
_ON_FIRST_USE = {
    "Function": "custom_function", "FunctionCtx": "custom_function",
    "once_differentiable": "custom_function",
    "detect_anomaly": "anomaly", "set_detect_anomaly": "anomaly", "is_anomaly_enabled": "anomaly",
    "Variable": "variable",
    "GradcheckError": "gradcheck", "gradcheck": "gradcheck", "gradcheck_graph": "gradcheck",
    "record_inputs": "gradcheck",
}


def __getattr__(name):
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module 'glassgrad.autograd' has no attribute {name!r}")
    import importlib

    source = _ON_FIRST_USE[name]
    module = importlib.import_module(f"{__name__}.{source}")
    # Importing binds glassgrad.autograd.<source> to the module; every name of the table
    # from it is bound now too, so that glassgrad.autograd.gradcheck is the function.
    for other, other_source in _ON_FIRST_USE.items():
        if other_source == source:
            globals()[other] = getattr(module, other)
    return globals()[name]


def __dir__():
    return sorted(set(globals()) | set(_ON_FIRST_USE))


__all__ = [
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "backward",
    "grad",
    "BackwardError",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "inference_mode",
    "gradcheck",
    "GradcheckError",
    "gradcheck_graph",
    "record_inputs",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "Variable",
]
