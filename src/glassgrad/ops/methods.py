"""Attach the ops to Tensor as methods and Python operators, as PyTorch spells them.

Ops import tensor.py, so tensor.py does not import ops; instead this module, imported once by
``glassgrad.ops``, binds ``Tensor.exp``, ``Tensor.__add__`` and the rest. Each row names the
function a method is: ``"sum": reduction.sum`` says ``x.sum(dim=1)`` is
``glassgrad.ops.reduction.sum(x, dim=1)``.
"""

from ..autograd import gradients
from ..backend import xp
from ..tensor import Tensor
from . import (activation, arithmetic, error_function, gamma_function, indexing, linalg, pointwise,
               reduction, shape)
from .arithmetic import Add, Div, Mul, Neg, Sub
from .linalg import MatMul

# method name -> the op it calls: x.sum(dim=1) is reduction.sum(x, dim=1)
METHODS = {
    # the graph
    "backward": gradients.tensor_backward,
    "__setitem__": indexing.setitem,
    # elementwise
    "add": arithmetic.add, "sub": arithmetic.sub,
    "mul": arithmetic.mul, "div": arithmetic.div,
    "neg": arithmetic.neg, "pow": arithmetic.pow,
    "exp": arithmetic.exp, "log": arithmetic.log,
    "sqrt": arithmetic.sqrt, "abs": arithmetic.abs,
    "maximum": arithmetic.maximum, "minimum": arithmetic.minimum,
    "clamp": arithmetic.clamp, "clip": arithmetic.clamp,
    "where": arithmetic.tensor_where,
    "to": arithmetic.to,  # x.type() is Tensor.type (PyTorch's type names)
    "float": arithmetic.float, "double": arithmetic.double,
    "long": arithmetic.long, "int": arithmetic.int, "bool": arithmetic.bool,
    "half": arithmetic.half,
    "clone": arithmetic.clone,
    # activations
    "relu": activation.relu, "tanh": activation.tanh,
    "sigmoid": activation.sigmoid,
    "prelu": activation.prelu, "hardshrink": activation.hardshrink,
    "erf": error_function.erf, "erfc": error_function.erfc,
    "erfinv": error_function.erfinv, "lgamma": gamma_function.lgamma,
    "digamma": gamma_function.digamma,
    "polygamma": lambda self, n: gamma_function.polygamma(n, self),  # x.polygamma(n)
    # reductions
    "sum": reduction.sum, "mean": reduction.mean, "max": reduction.max,
    "min": reduction.min, "logsumexp": reduction.logsumexp, "var": reduction.var,
    "std": reduction.std, "argmax": reduction.argmax, "argmin": reduction.argmin,
    "amax": reduction.amax, "amin": reduction.amin,
    **{name: getattr(reduction, name) for name in (
        "median", "nanmedian", "quantile", "nanquantile", "nansum", "nanmean", "logcumsumexp",
        "cummax", "cummin")},
    # shape
    "reshape": shape.reshape, "view": shape.view,
    "transpose": shape.transpose, "permute": shape.permute,
    "t": shape.t, "broadcast_to": shape.broadcast_to,
    "expand": shape.expand, "expand_as": shape.expand_as,
    "view_as": shape.view_as, "reshape_as": shape.reshape_as,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze,
    "flatten": shape.flatten, "contiguous": shape.contiguous,
    "__getitem__": indexing.getitem, "index_put": indexing.index_put,
    "narrow": shape.narrow, "select": shape.select,
    "split": shape.split, "chunk": shape.chunk,
    "unbind": shape.unbind, "flip": shape.flip,
    "roll": shape.roll, "repeat": shape.repeat,
    "tile": shape.tile, "tril": shape.tril, "triu": shape.triu,
    "diag": shape.diag, "diagonal": shape.diagonal,
    "trace": shape.trace,
    # indexing along a dim
    "gather": indexing.gather, "scatter": indexing.scatter,
    "scatter_add": indexing.scatter_add, "scatter_": indexing.scatter_,
    "scatter_add_": indexing.scatter_add_, "index_select": indexing.index_select,
    "masked_fill": indexing.masked_fill, "masked_fill_": indexing.masked_fill_,
    "sort": indexing.sort, "argsort": indexing.argsort, "topk": indexing.topk,
    "kthvalue": indexing.kthvalue, "take_along_dim": indexing.take_along_dim,
    "index_add": indexing.index_add, "index_copy": indexing.index_copy,
    "index_fill": indexing.index_fill, "masked_select": indexing.masked_select,
    "fliplr": shape.fliplr, "flipud": shape.flipud,
    "rot90": shape.rot90, "movedim": shape.movedim,
    "moveaxis": shape.moveaxis, "swapaxes": shape.swapaxes,
    "swapdims": shape.swapdims,
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.matmul,
    "outer": linalg.outer, "dot": linalg.dot, "bmm": linalg.bmm,
    "addmm": linalg.addmm, "mv": linalg.mv,
    "baddbmm": linalg.baddbmm, "addbmm": linalg.addbmm, "cross": linalg.cross,
    "cov": linalg.cov, "corrcoef": linalg.corrcoef, "kron": shape.kron,
    "tensor_split": shape.tensor_split, "take": indexing.take, "logit": pointwise.logit,
    "xlogy": pointwise.xlogy, "hypot": pointwise.hypot, "deg2rad": pointwise.deg2rad,
    "rad2deg": pointwise.rad2deg, "sgn": pointwise.sgn, "inner": linalg.inner,
    "isin": indexing.isin,
    "histc": indexing.histc, "diag_embed": shape.diag_embed, "cholesky": linalg.cholesky,
    "inverse": linalg.inverse, "det": linalg.det, "logdet": linalg.logdet,
    "slogdet": linalg.slogdet,
    # pointwise math, rounding, predicates
    **{name: getattr(pointwise, name) for name in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
        "log1p", "expm1", "log2", "log10", "square", "rsqrt", "reciprocal", "clamp_min",
        "clamp_max", "atan2", "lerp",
        "sign", "floor", "ceil", "trunc", "fix", "round", "frac", "nan_to_num", "isnan",
        "isinf", "isposinf", "isneginf", "isfinite", "isclose", "allclose", "equal",
        "logical_and", "logical_or", "logical_xor", "logical_not", "any", "all")},
    "arcsin": pointwise.asin, "arccos": pointwise.acos,
    "arctan": pointwise.atan, "arctan2": pointwise.atan2,
    "arcsinh": pointwise.asinh, "arccosh": pointwise.acosh,
    "arctanh": pointwise.atanh,
    # products, running sums and norms
    "prod": reduction.prod, "cumsum": reduction.cumsum,
    "cumprod": reduction.cumprod, "norm": reduction.norm,
    # nn
    "softmax": activation.softmax, "log_softmax": activation.log_softmax,
    # finding and counting (no gradient), and a few more PyTorch spellings
    **{name: getattr(indexing, name) for name in (
        "nonzero", "argwhere", "count_nonzero", "unique", "bincount")},
    "repeat_interleave": shape.repeat_interleave, "ravel": shape.ravel,
    "unflatten": shape.unflatten,
    "addcmul": pointwise.addcmul, "addcdiv": pointwise.addcdiv,
    "true_divide": arithmetic.div, "diff": shape.diff,
}

# x.name_(...) for these: the result of x.name(...) written into x (Tensor._unary_inplace)
IN_PLACE = (
    "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "neg", "erf", "erfc",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "log1p", "expm1", "log2", "log10", "square", "rsqrt", "reciprocal", "clamp_min",
    "clamp_max", "sign", "floor", "ceil", "trunc", "fix", "round", "frac", "nan_to_num", "pow",
    "lerp", "clip", "addcmul", "addcdiv", "erfinv", "lgamma", "digamma",
    "logit", "polygamma", "xlogy", "hypot", "deg2rad", "rad2deg", "sgn", "baddbmm", "addbmm",
)


def _bind_methods():
    for method, fn in METHODS.items():
        setattr(Tensor, method, fn)
    for name in IN_PLACE:
        if hasattr(Tensor, name) and not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", _in_place(getattr(Tensor, name), name))


def _in_place(method, name):
    def in_place(self, *args, **kwargs):
        return self._unary_inplace(lambda t: method(t, *args, **kwargs), *args, *kwargs.values())

    in_place.__name__ = in_place.__qualname__ = name + "_"
    in_place.__doc__ = f"In-place version of :meth:`{name}`: x.{name}_() writes x.{name}() into x."
    return in_place


def _swap(fn):
    def reflected(self, other):
        return fn(other, self)

    return reflected


def _no_grad_compare(ufunc):
    def compare(self, other):
        o = other.array if isinstance(other, Tensor) else other
        return Tensor._wrap(ufunc(self.array, o))

    return compare


def _bind_operators():
    # The arithmetic operators and @ call Function.apply directly: the hottest path.
    Tensor.__add__ = lambda self, other: Add.apply(self, other)
    Tensor.__radd__ = lambda self, other: Add.apply(other, self)
    Tensor.__sub__ = lambda self, other: Sub.apply(self, other)
    Tensor.__rsub__ = lambda self, other: Sub.apply(other, self)
    Tensor.__mul__ = lambda self, other: Mul.apply(self, other)
    Tensor.__rmul__ = lambda self, other: Mul.apply(other, self)
    Tensor.__truediv__ = lambda self, other: Div.apply(self, other)
    Tensor.__rtruediv__ = lambda self, other: Div.apply(other, self)
    Tensor.__neg__ = lambda self: Neg.apply(self)
    Tensor.__matmul__ = lambda self, other: MatMul.apply(self, other)
    Tensor.__pos__ = lambda self: self
    if hasattr(Tensor, "pow"):
        Tensor.__pow__ = Tensor.pow
        Tensor.__rpow__ = _swap(Tensor.pow)
    if hasattr(Tensor, "matmul"):
        Tensor.__rmatmul__ = _swap(Tensor.matmul)
    if hasattr(Tensor, "abs"):
        Tensor.__abs__ = Tensor.abs
    # In-place operators go through the version-counted in-place methods.
    Tensor.__iadd__ = lambda self, other: self.add_(other)
    Tensor.__isub__ = lambda self, other: self.sub_(other)
    Tensor.__imul__ = lambda self, other: self.mul_(other)
    Tensor.__itruediv__ = lambda self, other: self.div_(other)
    # Comparisons never carry gradient.
    for name, ufunc in [
        ("__lt__", xp.less), ("__le__", xp.less_equal), ("__gt__", xp.greater),
        ("__ge__", xp.greater_equal), ("__eq__", xp.equal), ("__ne__", xp.not_equal),
    ]:
        setattr(Tensor, name, _no_grad_compare(ufunc))
    Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge = (
        Tensor.__eq__, Tensor.__ne__, Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__,
    )
    Tensor.__hash__ = object.__hash__  # __eq__ is elementwise, so hash by identity
    if hasattr(Tensor, "transpose"):
        Tensor.T = property(lambda self: self.permute(*reversed(range(self.ndim))))
        Tensor.mT = property(lambda self: self.transpose(-2, -1))


_bind_methods()
_bind_operators()
