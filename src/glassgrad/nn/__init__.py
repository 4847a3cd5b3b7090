"""Neural-network building blocks: modules, layers, losses, initialisers, functional ops."""

from . import functional  # noqa: F401
