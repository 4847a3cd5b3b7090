"""``glassgrad.special``: PyTorch's ``torch.special`` names for the special functions
glassgrad has. Re-exports only; the ops live in ``glassgrad.ops``.

    import glassgrad
    glassgrad.special.erf(x)   # the same op as glassgrad.erf and x.erf()
"""

from .ops.activation import sigmoid as expit  # noqa: F401
from .ops.error_function import erf, erfc  # noqa: F401

__all__ = ["erf", "erfc", "expit"]
