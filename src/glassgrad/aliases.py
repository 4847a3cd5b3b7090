"""Two spellings PyTorch accepts on top of its own: NumPy's ``axis=`` / ``keepdims=`` and
the ``out=`` tensor.

PyTorch's argument parser takes ``axis`` for ``dim`` and ``keepdims`` for ``keepdim`` on
its built-in functions (``x.sum(axis=0, keepdims=True)``), and most of them write their
result into a given tensor with ``out=``. glassgrad's ops are written with PyTorch's own
names only; :func:`install` wraps the functions and Tensor methods listed below, once, when
glassgrad is imported, so each op stays one plain function.
"""

import functools
import warnings

from .autograd.grad_mode import is_grad_enabled
from .backend import xp
from .legacy import type_name
from .tensor import Tensor

# Functions (and Tensor methods of the same name) that take axis= for dim= (the list is
# PyTorch's: its Python-level functions such as torch.norm and torch.split do not).
AXIS = (
    "sum", "mean", "max", "min", "std", "var", "prod", "amax", "amin", "any", "all",
    "logsumexp", "argmax", "argmin", "cumsum", "cumprod", "softmax", "log_softmax",
    "count_nonzero", "squeeze", "unsqueeze", "cat", "stack", "sort", "argsort", "topk",
    "unbind", "chunk", "kthvalue", "median", "nanmedian", "quantile", "nanquantile", "nansum",
    "nanmean", "logcumsumexp", "cummax", "cummin", "std_mean", "var_mean",
)

# Functions that write into out= (glassgrad.add(a, b, out=c)); Tensor methods take no out=.
OUT = (
    "matmul", "mm", "bmm", "add", "sub", "mul", "div", "pow", "exp", "log", "sqrt", "abs",
    "neg", "sin", "cos", "tanh", "sigmoid", "maximum", "minimum", "clamp", "where", "sum",
    "mean", "prod", "cat", "stack",
)


def numpy_names(fn):
    """``fn`` also taking ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both dim= and axis= (the same argument)")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            if "keepdim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both keepdim= and keepdims= (the same "
                                "argument)")
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return call


def with_out(fn):
    """``fn`` also taking ``out=``: the result written into that tensor (resized if its shape
    differs, with PyTorch's warning when it was not empty), which is returned. As in
    PyTorch, out= records no graph, so it is refused while an argument requires grad."""

    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{fn.__name__}(): out= must be a Tensor, got {type(out).__name__}")
        if is_grad_enabled() and any(t.requires_grad for t in _tensors(args, kwargs, out)):
            raise RuntimeError(f"{fn.__name__}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires grad.")
        return _write(fn(*args, **kwargs), out)

    return call


def _tensors(args, kwargs, out):
    """Every Tensor among the arguments (cat and stack take a list of them)."""
    for a in (*args, *kwargs.values(), out):
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            yield from (t for t in a if isinstance(t, Tensor))


def _write(result, out):
    value = result.array
    if not xp.can_cast(value.dtype, out.array.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_short(value.dtype)} can't be cast to the desired "
                           f"output type {_short(out.array.dtype)}")
    if value.shape == out.array.shape:
        out.array[...] = value
    else:
        if out.array.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.array.shape)}, which does not match the required output shape "
                f"{list(value.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements.",
                UserWarning, stacklevel=3)
        out.array = value.astype(out.array.dtype)  # a fresh array: the resize
    out._bump()
    return out


def _short(dtype):
    """PyTorch's short name of a dtype in messages: Float, Long, Bool, ..."""
    return type_name(dtype)[len("torch."):-len("Tensor")]


def install(namespace):
    """Wrap the listed functions in ``namespace`` (glassgrad's globals) and Tensor methods."""
    for name in OUT:
        if name in namespace:
            namespace[name] = with_out(namespace[name])
    for name in AXIS:
        if name in namespace:
            namespace[name] = numpy_names(namespace[name])
        method = Tensor.__dict__.get(name)
        if callable(method):
            setattr(Tensor, name, numpy_names(method))
