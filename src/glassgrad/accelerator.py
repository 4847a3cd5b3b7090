"""``glassgrad.accelerator``: PyTorch's device-agnostic accelerator queries. There is none:
glassgrad computes with NumPy on the CPU."""


def is_available():
    return False


def current_accelerator(check_available=False):
    """None: no accelerator (PyTorch's answer on a CPU-only machine)."""
    return None


def device_count():
    return 0
