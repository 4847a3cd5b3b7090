"""``glassgrad.cuda``: PyTorch's CUDA module as seen on a machine without a GPU.

glassgrad computes with NumPy on the CPU, so ``is_available()`` is False and
``device_count()`` is 0: the usual ``device = "cuda" if torch.cuda.is_available() else "cpu"``
picks the CPU. Seeding and emptying the cache do nothing (there is nothing to seed or
empty, as in PyTorch without CUDA); what needs a GPU is refused in one line.
"""

from .device import CPUOnlyError, not_on_cpu


class NoCUDAError(CPUOnlyError, AttributeError):
    """A CUDA-only name of this module was used (an AttributeError too, so that
    ``hasattr(glassgrad.cuda, name)`` answers False instead of raising)."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Nothing to seed: there is no CUDA generator (``glassgrad.manual_seed`` seeds the CPU's)."""


def manual_seed_all(seed):
    """Nothing to seed: there is no CUDA generator."""


def seed():
    """Nothing to seed: there is no CUDA generator."""


def seed_all():
    """Nothing to seed: there is no CUDA generator."""


def empty_cache():
    """Nothing to release: glassgrad keeps no GPU memory (a no-op, as in PyTorch without CUDA)."""


def _refuse(name):
    def refuse(*args, **kwargs):
        raise CPUOnlyError(not_on_cpu(f"glassgrad.cuda.{name}()", "CUDA"))

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = "Refused: glassgrad has no CUDA device."
    return refuse


current_device = _refuse("current_device")
get_device_name = _refuse("get_device_name")
get_device_properties = _refuse("get_device_properties")
get_device_capability = _refuse("get_device_capability")
set_device = _refuse("set_device")
synchronize = _refuse("synchronize")


def __getattr__(name):
    # Any other CUDA name (streams, events, amp, memory statistics) needs a GPU.
    if name.startswith("__"):
        raise AttributeError(f"module 'glassgrad.cuda' has no attribute {name!r}")
    raise NoCUDAError(not_on_cpu(f"glassgrad.cuda.{name}", "CUDA"))
