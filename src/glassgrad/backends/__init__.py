"""``glassgrad.backends``: the flags PyTorch programs read or set under ``torch.backends``.

glassgrad has one backend, NumPy on the CPU: ``backends.mps.is_available()`` is False and
``backends.cudnn``'s switches (``deterministic``, ``benchmark``) can be set and read but
change nothing (NumPy's results do not depend on them)."""

from . import cudnn, mps  # noqa: F401

__all__ = ["cudnn", "mps"]
