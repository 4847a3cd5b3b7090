"""Every differentiable op, forward and backward side by side, one file per family
(docs/architecture.md): arithmetic, pointwise, activation, reduction, shape, indexing,
linalg, softmax, loss, convolution, pooling, normalization, dropout, lookup, attention,
error and gamma functions. Speed tricks live behind named functions in the private
``_kernels`` package."""

from .arithmetic import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .error_function import *  # noqa: F401,F403
from .gamma_function import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from . import methods  # noqa: F401  (binds Tensor methods and operators)

# The families behind the layers of glassgrad.nn are imported on first use (PEP 562): no
# Tensor method needs them, and compiling their sources is a third of what `import
# glassgrad` costs without a bytecode cache (benchmarks/import_time.py). Each family with
# the public functions it gives glassgrad.ops (and glassgrad): glassgrad.ops.conv2d, and
# glassgrad.ops.convolution itself, import it when first reached.
_ON_FIRST_USE = {
    "stochastic": ("dropout",),
    "loss": ("cross_entropy", "nll_loss"),
    "convolution": ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"),
    "pooling": ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
                "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate"),
    "normalization": ("layer_norm", "group_norm", "instance_norm", "rms_norm",
                      "cosine_similarity", "pairwise_distance"),
    "lookup": (),
    "attention": (),  # scaled_dot_product_attention is nn.functional's only
}
_FAMILY_OF = {name: family for family, names in _ON_FIRST_USE.items() for name in names}


def __getattr__(name):
    import importlib

    if name in _ON_FIRST_USE:
        return importlib.import_module(f"{__name__}.{name}")  # also binds glassgrad.ops.<name>
    if name in _FAMILY_OF:
        value = getattr(importlib.import_module(f"{__name__}.{_FAMILY_OF[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'glassgrad.ops' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ON_FIRST_USE) | set(_FAMILY_OF))
