"""``Variable``: PyTorch's pre-0.4 wrapper, kept for old code.

Since PyTorch 0.4 a Tensor records its own graph, and ``Variable(t, requires_grad=True)``
returns a plain Tensor: a new leaf sharing ``t``'s memory, with ``requires_grad`` set.
``isinstance(x, Variable)`` is true of every Tensor. ``volatile=`` is accepted with
PyTorch's warning (it has no effect; ``no_grad`` is its replacement).
"""

import warnings

from ..backend import get_default_dtype, xp
from ..tensor import Tensor


class _VariableMeta(type):
    def __call__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use "
                          "`with torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            data = Tensor._wrap(xp.zeros((0,), dtype=get_default_dtype()))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        leaf = data.detach()
        return leaf.requires_grad_(True) if requires_grad else leaf

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False, volatile=False)`` -> a Tensor (see module)."""
