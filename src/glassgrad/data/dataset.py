"""Datasets: an indexable collection of examples, as torch.utils.data.Dataset.

A dataset answers two questions: how many examples it has (``len``) and what example
``i`` is (``dataset[i]``, usually a tuple such as ``(x, y)``). A dataset that can hand out
many examples in one go also defines ``get_batch(indices)``, which returns the whole batch
already stacked; DataLoader then skips the per-example Python loop (see loader.py).
"""

from ..backend import xp
from ..tensor import Tensor


class Dataset:
    """Base class: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


def _as_tensor(value, position):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, xp.ndarray):
        return Tensor._wrap(value)  # no copy, as torch.from_numpy
    raise TypeError(
        f"TensorDataset expects Tensors or NumPy arrays, got {type(value).__name__} "
        f"at position {position}"
    )


class TensorDataset(Dataset):
    """Examples are the rows of equally long tensors: ``dataset[i] = (X[i], y[i])``.

    >>> ds = TensorDataset(X, y)        # X: (N, ...), y: (N,)
    >>> x0, y0 = ds[0]
    >>> X, y = ds.tensors               # the full tensors back

    NumPy arrays are accepted and wrapped without a copy.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(_as_tensor(t, i) for i, t in enumerate(tensors))
        for i, t in enumerate(tensors):
            if t.array.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-dimensional; examples are rows")
        sizes = [t.array.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            listing = ", ".join(f"tensor {i}: {n}" for i, n in enumerate(sizes))
            raise ValueError(f"TensorDataset: all tensors must have the same first dimension, got {listing}")
        self.tensors = tensors
        self._arrays = tuple(t.array for t in tensors)

    def __len__(self):
        return self._arrays[0].shape[0]

    def __getitem__(self, index):
        return tuple(Tensor._wrap(a[index]) for a in self._arrays)

    def get_batch(self, indices):
        """The examples at ``indices`` (an int array or a slice), stacked: one fancy index
        per tensor, no Python loop over examples. Always returns new arrays (copies)."""
        if isinstance(indices, slice):
            return tuple(Tensor._wrap(a[indices].copy()) for a in self._arrays)
        return tuple(Tensor._wrap(a[indices]) for a in self._arrays)

    def __repr__(self):
        shapes = ", ".join(f"{tuple(a.shape)} {a.dtype}" for a in self._arrays)
        return f"TensorDataset({len(self)} examples: {shapes})"


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order (as torch's Subset)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = xp.asarray(indices, dtype=xp.int64).reshape(-1)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Subset(self.dataset, self.indices[index])
        return self.dataset[int(self.indices[index])]

    def __repr__(self):
        return f"Subset({len(self)} of {len(self.dataset)} examples)"


def batch_fetcher(dataset):
    """A function ``indices -> batch`` that gathers a whole batch at once, or None.

    TensorDataset (and any dataset with ``get_batch``) has one; a Subset of such a dataset
    composes its indices with the batch's, so splits keep the fast path.
    """
    if isinstance(dataset, Subset):
        inner = batch_fetcher(dataset.dataset)
        if inner is None:
            return None
        indices = dataset.indices
        return lambda batch: inner(indices[batch])
    get_batch = getattr(dataset, "get_batch", None)
    return get_batch if callable(get_batch) else None
