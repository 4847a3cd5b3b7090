"""Utilities outside the core: ``glassgrad.utils.checkpoint`` (gradient checkpointing) and
``glassgrad.utils.data`` (PyTorch's import path for DataLoader and friends, loaded when
imported: it pulls in glassgrad.data)."""

from . import checkpoint  # noqa: F401

__all__ = ["checkpoint"]


def __getattr__(name):
    # ``glassgrad.utils.data`` after a bare ``import glassgrad``, as ``torch.utils.data``
    # works after ``import torch``; loaded on first use (PEP 562) to keep the import light.
    if name == "data":
        import importlib

        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
