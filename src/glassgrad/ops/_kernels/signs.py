"""Signs and signed zeros: array helpers that the ops' backward formulas call by name."""

from ...backend import xp


def torch_sign(a):
    """PyTorch's sign, (0 < a) - (a < 0): 0 for nan and +0.0 for -0.0, where np.sign gives
    nan and -0.0. (Backward formulas that multiply by sign(a) use it too: the L1 loss and
    the norms push an exactly-right value nowhere.)"""
    return xp.greater(a, 0).astype(a.dtype) - xp.less(a, 0)
