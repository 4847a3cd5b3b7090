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
from .sampler import BatchSampler


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` examples (torch's DataLoader,
    with its arguments in its order).

    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    >>> for xb, yb in loader:           # one epoch
    ...     ...

    shuffle: draw a new permutation at the start of every epoch from ``generator`` (a
        glassgrad.Generator) or, if None, from the global generator, so that after
        ``glassgrad.manual_seed(s)`` the sequence of batches is the same run to run.
    sampler: which examples, in which order (glassgrad.data.sampler; any iterable of
        indices with a length), cut into batches of ``batch_size``. Not with shuffle.
    batch_sampler: the batches themselves, as lists of indices. Not with batch_size,
        shuffle, sampler or drop_last.
    collate_fn: turns the list of a batch's examples (``dataset[i]`` each) into the batch;
        by default they are stacked (``collate``), or, for a TensorDataset, gathered
        with one NumPy index per tensor.
    drop_last: drop the last batch if it has fewer than ``batch_size`` examples.
    num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
        prefetch_factor, persistent_workers, pin_memory_device, in_order: accepted (and
        checked as torch checks them) so that PyTorch code runs unchanged. glassgrad reads
        every batch in the main process and has only CPU memory, so they change nothing:
        the batches are the same as with num_workers=0 (worker_init_fn is not called,
        as in torch with num_workers=0).

    Each batch is a tuple of Tensors (one per field of an example), or a single Tensor if
    the dataset's examples are single tensors/arrays/numbers.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
        elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, xp.integer)) \
                or batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r} "
                "(for full-batch learning use batch_size=len(dataset))"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        if generator is not None:
            backend.rng(generator)  # reject a wrong type now, not at the first epoch
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        fetch = None if self.collate_fn is not None else batch_fetcher(self.dataset)
        if self.batch_sampler is not None or self.sampler is not None:
            batches = self.batch_sampler or BatchSampler(self.sampler, self.batch_size,
                                                         self.drop_last)
            for rows in batches:
                yield fetch(xp.asarray(rows, dtype=xp.intp)) if fetch is not None \
                    else self._collate(rows)
            return
        n = len(self.dataset)
        order = backend.rng(self.generator).permutation(n) if self.shuffle else None
        bs = self.batch_size
        for start in range(0, len(self) * bs, bs):
            stop = min(start + bs, n)
            # In order, a batch is a contiguous block: a slice copies it with one memcpy.
            index = slice(start, stop) if order is None else order[start:stop]
            if fetch is not None:
                yield fetch(index)
            else:
                yield self._collate(range(start, stop) if order is None else index.tolist())

    def _collate(self, rows):
        examples = [self.dataset[int(i)] for i in rows]
        return (self.collate_fn or collate)(examples)

    def __repr__(self):
        size = f"batch_size={self.batch_size}" if self.batch_sampler is None else "batch_sampler"
        return (f"DataLoader({len(self.dataset)} examples, {size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}: {len(self)} batches)")


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    """torch's checks of the worker options, which glassgrad otherwise ignores."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, (int, xp.integer)) \
            or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         f"disable multiprocessing (got {num_workers!r})")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing. "
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


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
        return Tensor._wrap(_stack([e.array if isinstance(e, Tensor) else e for e in examples]))
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
