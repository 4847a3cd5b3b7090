"""The seeds' backprop written out by hand: an MLP whose backward pass is the explicit
delta recursion with matrices (no autograd), as in seeds 003 and 004. The tests hold it
equal to the autograd engine (``engine_gradients``) to 1e-12 in float64.
"""

from .activations import ACTIVATIONS  # noqa: F401
from .losses import LOSSES, get_loss  # noqa: F401
from .mlp import MLP, BackwardPass, ForwardPass  # noqa: F401
from .engine import engine_gradients  # noqa: F401
