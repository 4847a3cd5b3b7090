"""Every differentiable op, forward and backward side by side (see DESIGN.md)."""

from .elementwise import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .error_function import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .lookup import *  # noqa: F401,F403
from .channel_dropout import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .resample import *  # noqa: F401,F403
from .shape_more import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .accumulate import *  # noqa: F401,F403
from .counting import *  # noqa: F401,F403
from . import methods  # noqa: F401  (binds Tensor methods and operators)
