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
from .legacy import *  # noqa: F401,F403  (FloatTensor, LongTensor, ...)
from .creation import *  # noqa: F401,F403
from .autograd import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled,
)
from .ops import *  # noqa: F401,F403

del linalg  # noqa: F821 - the star import's glassgrad.ops.linalg: glassgrad.linalg is linalg.py, on first use
from .aliases import install as _install_aliases

_install_aliases(globals())  # axis=/keepdims= and out= on PyTorch's functions (aliases.py)
from . import autograd, ops  # noqa: F401

bool = bool_  # noqa: A001 - torch.bool

__version__ = "0.1.0"

# Imported on first use (PEP 562): building and differentiating a graph needs only what is
# imported above; importing the rest up front would more than double glassgrad's own import
# time (benchmarks/import_time.py). One table: each name and the module that gives it. A
# row naming itself is a subpackage or module ("nn": "nn"); any other row is a name defined
# in that module ("save": "io"). ``glassgrad.nn.Linear(...)``, ``glassgrad.save(...)``,
# ``from glassgrad import viz`` and ``glassgrad.conv2d(...)`` work as if imported here.
_ON_FIRST_USE = {
    # layers, optimizers, checkpoints and files
    "nn": "nn", "optim": "optim", "utils": "utils", "special": "special",
    "io": "io", "load": "io", "save": "io", "formats": "formats",
    # data, training, sweeps, studies, several processes, probability distributions
    "data": "data", "train": "train", "sweep": "sweep", "studies": "studies",
    "distributed": "distributed", "distributions": "distributions",
    # figures and teaching
    "viz": "viz", "display": "display", "explain": "explain", "textbook": "textbook",
    "playground": "playground",
    # your own ops (torch.autograd.Function), print options, dtype facts (type_info.py)
    "Function": "autograd", "get_printoptions": "printing", "set_printoptions": "printing",
    **dict.fromkeys(("finfo", "iinfo", "can_cast", "promote_types", "result_type"), "type_info"),
    # PyTorch's device modules: small, and rarely needed on a CPU
    "cuda": "cuda", "accelerator": "accelerator", "backends": "backends",
    # thread counts, determinism, compile (runtime.py); torch.testing
    **dict.fromkeys(("set_num_threads", "get_num_threads", "set_num_interop_threads",
                     "get_num_interop_threads", "use_deterministic_algorithms",
                     "are_deterministic_algorithms_enabled",
                     "is_deterministic_algorithms_warn_only_enabled", "compile"), "runtime"),
    "testing": "testing", "linalg": "linalg",
    # the op families behind nn's layers (glassgrad.conv2d, glassgrad.dropout, ...)
    **{name: f"ops.{family}" for family, names in ops._ON_FIRST_USE.items() for name in names},
}


def __getattr__(name):
    import importlib

    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module 'glassgrad' has no attribute {name!r}")
    value = importlib.import_module(f"{__name__}.{_ON_FIRST_USE[name]}")
    if _ON_FIRST_USE[name] != name:
        value = getattr(value, name)  # a name defined in that module
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_ON_FIRST_USE))


def _star_names():
    """`from glassgrad import *`: every public name, those loaded on first use included
    (they load then), but none spelled like a Python builtin (the dtypes bool, float, int;
    the functions max, min, sum, abs, ...), which would shadow it in the importing module."""
    import builtins

    public = set(globals()) | set(_ON_FIRST_USE)
    return sorted(n for n in public if not n.startswith("_") and not hasattr(builtins, n))


__all__ = _star_names()
