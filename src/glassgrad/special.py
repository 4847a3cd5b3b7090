"""``glassgrad.special``: PyTorch's ``torch.special`` names for the special functions
glassgrad has. Re-exports only; the ops live in ``glassgrad.ops``.

    import glassgrad
    glassgrad.special.erf(x)   # the same op as glassgrad.erf and x.erf()
"""

from .ops.activation import sigmoid as expit  # noqa: F401
from .ops.error_function import erf, erfc, erfinv  # noqa: F401
from .ops.gamma_function import digamma, lgamma as gammaln, polygamma  # noqa: F401
from .ops.pointwise import logit  # noqa: F401
from .ops.reduction import logsumexp  # noqa: F401

psi = digamma  # torch.special.psi is digamma

__all__ = ["digamma", "erf", "erfc", "erfinv", "expit", "gammaln", "logit", "logsumexp",
           "polygamma", "psi"]
