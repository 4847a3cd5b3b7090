"""Every differentiable op, forward and backward side by side, one file per family
(docs/architecture.md): arithmetic, pointwise, activation, reduction, shape, indexing,
linalg, softmax, loss, convolution, pooling, normalization, dropout, lookup. Speed tricks
live behind named functions in the private ``_kernels`` package."""

from .arithmetic import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .error_function import *  # noqa: F401,F403
from .gamma_function import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .stochastic import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .lookup import *  # noqa: F401,F403
from . import methods  # noqa: F401  (binds Tensor methods and operators)
