"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad,
1-D (the last dim) and 2-D (the last two), each a Module around ``F.pad`` in its mode.

``padding`` is an int (the same on every side) or PyTorch's tuple, starting from the last
dim: (left, right) in 1-D, (left, right, top, bottom) in 2-D. The gradient of a padded
tensor flows back to the elements it copied (F.pad's backward): a reflected or
replicated edge element collects the gradient of each of its copies.
"""

from ..ops.shape import pad
from .module import Module

__all__ = [
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
]


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding, value=0.0):
        super().__init__()
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (padding,) * (2 * self.dims)
        padding = tuple(padding)
        if len(padding) != 2 * self.dims or not all(isinstance(n, int) for n in padding):
            raise ValueError(f"{type(self).__name__}: padding must be an int or {2 * self.dims} "
                             f"ints, got {padding!r}")
        self.padding = padding
        self.value = value

    def forward(self, input):
        if self.mode == "constant":
            return pad(input, self.padding, "constant", self.value)
        return pad(input, self.padding, self.mode)

    def extra_repr(self):
        return repr(self.padding)


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


def _layer(name, base, mode, dims, doc):
    return type(name, (base,), {"mode": mode, "dims": dims, "__doc__": doc,
                                "__module__": __name__})


ZeroPad1d = _layer("ZeroPad1d", _PadNd, "constant", 1, "Pad the last dim with zeros.")
ZeroPad2d = _layer("ZeroPad2d", _PadNd, "constant", 2, "Pad the last two dims with zeros.")
ConstantPad1d = _layer("ConstantPad1d", _ConstantPadNd, "constant", 1,
                       "Pad the last dim with ``value``.")
ConstantPad2d = _layer("ConstantPad2d", _ConstantPadNd, "constant", 2,
                       "Pad the last two dims with ``value``.")
ReflectionPad1d = _layer("ReflectionPad1d", _PadNd, "reflect", 1,
                         "Mirror the last dim without repeating the edge: 3 2 [1 2 3] 2 1.")
ReflectionPad2d = _layer("ReflectionPad2d", _PadNd, "reflect", 2,
                         "Mirror the last two dims without repeating the edges.")
ReplicationPad1d = _layer("ReplicationPad1d", _PadNd, "replicate", 1,
                          "Repeat the edge element of the last dim: 1 1 [1 2 3] 3 3.")
ReplicationPad2d = _layer("ReplicationPad2d", _PadNd, "replicate", 2,
                          "Repeat the edge elements of the last two dims.")
CircularPad1d = _layer("CircularPad1d", _PadNd, "circular", 1,
                       "Wrap the last dim around: 2 3 [1 2 3] 1 2.")
CircularPad2d = _layer("CircularPad2d", _PadNd, "circular", 2,
                       "Wrap the last two dims around (a torus).")
