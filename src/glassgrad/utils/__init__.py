"""Utilities outside the core: ``glassgrad.utils.checkpoint`` (gradient checkpointing) and
``glassgrad.utils.data`` (PyTorch's import path for DataLoader and friends, loaded when
imported: it pulls in glassgrad.data)."""

from . import checkpoint  # noqa: F401

__all__ = ["checkpoint"]
