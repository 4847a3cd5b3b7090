"""``glassgrad.Size``: the type of ``x.shape`` and ``x.size()``, a tuple of ints as
``torch.Size`` is. It compares equal to plain tuples (``x.shape == (2, 3)``) and to other
Sizes (``x.size() == glassgrad.Size([2, 3])``), and prints naming its module:
``glassgrad.Size([2, 3])``, as PyTorch prints ``torch.Size([2, 3])``.
"""


class Size(tuple):
    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for n in sizes:
            if isinstance(n, bool) or not hasattr(n, "__index__"):
                raise TypeError(f"Size takes an iterable of ints, got an element of type "
                                f"{type(n).__name__}: {n!r}")
        return super().__new__(cls, (n.__index__() for n in sizes))

    @classmethod
    def _of(cls, shape):
        """A Size from a NumPy shape (already a tuple of ints: no checks, the fast path)."""
        return tuple.__new__(cls, shape)

    def numel(self):
        """The number of elements of a tensor of this shape (1 for ())."""
        count = 1
        for n in self:
            count *= n
        return count

    def __getitem__(self, index):
        part = super().__getitem__(index)
        return Size(part) if isinstance(index, slice) else part

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times):
        return Size(tuple(self) * times)

    __rmul__ = __mul__

    def __repr__(self):
        return f"glassgrad.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))
