"""glassgrad: a deep-learning framework on NumPy whose backward pass you can see through.

The public face: re-exports only, no logic. ``import glassgrad`` needs NumPy alone.
"""

from .backend import (  # noqa: F401
    Generator, bool_, complex64, complex128, default_generator, double, dtype, float, float16,
    float32, float64, get_default_dtype, get_rng_state, half, int8, int16, int32, int64, long,
    manual_seed, set_default_dtype, set_rng_state, uint8,
)
from .tensor import Tensor  # noqa: F401
from .device import device, get_default_device, set_default_device  # noqa: F401
from .size import Size  # noqa: F401
from .printing import get_printoptions, set_printoptions  # noqa: F401
from .legacy import *  # noqa: F401,F403  (FloatTensor, LongTensor, ...)
from .creation import *  # noqa: F401,F403
from .autograd import (  # noqa: F401
    Function, enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled,
)
from .ops import *  # noqa: F401,F403
from .type_info import can_cast, finfo, iinfo, promote_types, result_type  # noqa: F401
from .aliases import install as _install_aliases

_install_aliases(globals())  # axis=/keepdims= and out= on PyTorch's functions (aliases.py)
from . import autograd, ops  # noqa: F401

bool = bool_  # noqa: A001 - torch.bool

__version__ = "0.1.0"

# Imported on first use (PEP 562): layers, optimizers, files, datasets, the training loop,
# figures and the explain mode are not needed to build and differentiate a graph, and
# importing them all would triple glassgrad's own import time (benchmarks/import_time.py).
# ``glassgrad.nn.Linear(...)``, ``glassgrad.save(...)`` and ``from glassgrad import viz``
# work as if they had been imported here.
# PyTorch's device modules (cuda, accelerator, backends) are small and rarely needed.
_ON_FIRST_USE = ("nn", "optim", "utils", "special", "io", "data", "train", "viz", "explain",
                 "textbook", "display", "cuda", "accelerator", "backends", "distributions", "testing")
_FROM_MODULE = {"load": "io", "save": "io"}  # names defined in a module imported on first use
_FROM_MODULE.update(dict.fromkeys((  # thread counts, determinism, compile: runtime.py
    "set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "compile"), "runtime"))


def __getattr__(name):
    import importlib

    if name in _ON_FIRST_USE:
        return importlib.import_module(f"{__name__}.{name}")  # also binds glassgrad.<name>
    if name in _FROM_MODULE:
        value = getattr(importlib.import_module(f"{__name__}.{_FROM_MODULE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'glassgrad' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ON_FIRST_USE) | set(_FROM_MODULE))
