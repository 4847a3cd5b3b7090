"""Reverse-mode automatic differentiation: Function, the engine, grad modes and checks."""

from .custom_function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .engine import BackwardError
from .gradients import backward, grad
from .gradcheck import GradcheckError, gradcheck, gradcheck_graph, record_inputs
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .variable import Variable

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
