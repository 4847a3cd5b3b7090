"""glassgrad.nn.parallel: data-parallel training over several processes (PyTorch's names)."""

from .distributed import DistributedDataParallel  # noqa: F401

__all__ = ["DistributedDataParallel"]
