"""DataLoader: cut a dataset into mini-batches, optionally in a fresh random order each epoch.

One pass over the loader is one epoch; each batch is one iteration (one optimizer step).
With N examples and batch size B there are ceil(N / B) batches, or floor(N / B) with
``drop_last=True`` (the incomplete last batch is dropped): ``len(loader)`` says which.

The hot path: for a TensorDataset (or a Subset of one) a batch is gathered with one NumPy
fancy index per tensor, ``X[idx]``, never a Python loop over examples. Other datasets are
read example by example and stacked ("collated"), as torch's default_collate does.
"""

import math

from .. import backend
from ..backend import xp
from ..tensor import Tensor
from .dataset import batch_fetcher


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` examples.

    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    >>> for xb, yb in loader:           # one epoch
    ...     ...

    shuffle: draw a new permutation at the start of every epoch from ``generator`` (a
        glassgrad.Generator) or, if None, from the global generator, so that after
        ``glassgrad.manual_seed(s)`` the sequence of batches is bit-identical run to run.
    drop_last: drop the last batch if it has fewer than ``batch_size`` examples.

    Each batch is a tuple of Tensors (one per field of an example), or a single Tensor if
    the dataset's examples are single tensors/arrays/numbers.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, xp.integer)) or batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r} "
                "(for full-batch learning use batch_size=len(dataset))"
            )
        if generator is not None:
            backend.rng(generator)  # reject a wrong type now, not at the first epoch
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = backend.rng(self.generator).permutation(n) if self.shuffle else None
        fetch = batch_fetcher(self.dataset)
        bs = self.batch_size
        for start in range(0, len(self) * bs, bs):
            stop = min(start + bs, n)
            # In order, a batch is a contiguous block: a slice copies it with one memcpy.
            index = slice(start, stop) if order is None else order[start:stop]
            if fetch is not None:
                yield fetch(index)
            else:
                rows = range(start, stop) if order is None else index.tolist()
                yield collate([self.dataset[int(i)] for i in rows])

    def __repr__(self):
        return (f"DataLoader({len(self.dataset)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}: {len(self)} batches)")


def collate(examples):
    """Stack a list of examples into a batch (torch's default_collate for the common cases).

    Tensors and arrays are stacked along a new first axis; Python ints become int64,
    Python floats float64 (as in torch), bools bool. Tuples/lists of fields are collated
    field by field and returned as a tuple.
    """
    first = examples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        for e in examples:
            if not isinstance(e, (tuple, list)) or len(e) != width:
                raise ValueError(f"cannot collate examples with different numbers of fields: {width} and "
                                 f"{len(e) if isinstance(e, (tuple, list)) else 1}")
        return tuple(collate([e[i] for e in examples]) for i in range(width))
    if isinstance(first, Tensor):
        return Tensor._wrap(_stack([e.data if isinstance(e, Tensor) else e for e in examples]))
    if isinstance(first, (xp.ndarray, xp.generic)):
        return Tensor._wrap(_stack(examples))
    if isinstance(first, bool):
        return Tensor._wrap(xp.array(examples, dtype=xp.bool_))
    if isinstance(first, int):
        return Tensor._wrap(xp.array(examples, dtype=xp.int64))
    if isinstance(first, float):
        return Tensor._wrap(xp.array(examples, dtype=xp.float64))
    raise TypeError(f"cannot collate examples of type {type(first).__name__}; "
                    "return Tensors, arrays or numbers from the dataset")


def _stack(arrays):
    shapes = {xp.shape(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"cannot stack examples of different shapes into a batch: {sorted(shapes)}")
    return xp.stack(arrays)
