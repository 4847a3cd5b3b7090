"""Reverse-mode automatic differentiation: Function, the engine, grad modes and checks."""

from .custom_function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .engine import BackwardError
from .gradients import backward, grad
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .variable import Variable

# The checks are imported on first use (PEP 562): they pull in dataclasses and copy, a
# fifth of glassgrad's own import time, and building a graph never needs them.
_CHECKS = ("GradcheckError", "gradcheck", "gradcheck_graph", "record_inputs")


def __getattr__(name):
    if name in _CHECKS:
        import importlib

        module = importlib.import_module(f"{__name__}.gradcheck")  # binds .gradcheck to the module ...

        for check in _CHECKS:
            globals()[check] = getattr(module, check)  # ... and then to the function
        return globals()[name]
    raise AttributeError(f"module 'glassgrad.autograd' has no attribute {name!r}")


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
