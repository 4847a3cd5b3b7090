"""Utilities outside the core: ``glassgrad.utils.checkpoint`` (gradient checkpointing)."""

from . import checkpoint  # noqa: F401

__all__ = ["checkpoint"]
