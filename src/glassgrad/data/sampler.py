"""Samplers: which examples a DataLoader reads, and in what order (torch.utils.data's).

A sampler is any iterable of example indices with a length; a batch sampler is an
iterable of lists of indices (one list per batch). ``DataLoader(dataset, sampler=s)`` cuts
the indices of ``s`` into batches of ``batch_size``; ``DataLoader(dataset,
batch_sampler=b)`` takes the batches of ``b`` as they are. ``shuffle=True`` is
``RandomSampler`` underneath.

Random samplers draw from their ``generator`` (a glassgrad.Generator) or, if None, from
the global generator, so ``glassgrad.manual_seed(s)`` makes them repeat run to run. The
orders are NumPy's, not torch's: the same seed gives other (equally random) orders.
"""

import math

from .. import backend
from ..backend import xp

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and, usually, ``__len__``."""

    def __iter__(self):  # pragma: no cover - abstract
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the examples: a new permutation every pass, or, with
    ``replacement=True``, ``num_samples`` independent uniform draws."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got {replacement!r}")
        if num_samples is not None:
            _check_positive_int("num_samples", num_samples)
        if generator is not None:
            backend.rng(generator)  # a wrong type is refused now, not at the first pass
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self):
        n, rng = len(self.data_source), backend.rng(self.generator)
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples).tolist())
        # without replacement: whole permutations, as many as num_samples needs
        order = [rng.permutation(n) for _ in range(math.ceil(self.num_samples / n))]
        return iter(xp.concatenate(order)[:self.num_samples].tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order every pass (e.g. a validation subset)."""

    def __init__(self, indices, generator=None):
        if generator is not None:
            backend.rng(generator)
        self.indices = list(indices)
        self.generator = generator

    def __iter__(self):
        order = backend.rng(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights``
    (e.g. to balance classes): index i with probability w_i / sum_j w_j."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got {replacement!r}")
        w = xp.asarray(getattr(weights, "array", weights), dtype=xp.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        if not xp.all(xp.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError("weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > int((w > 0).sum()):
            raise ValueError(f"cannot draw {num_samples} distinct indices without replacement "
                             f"from {int((w > 0).sum())} indices of non-zero weight")
        if generator is not None:
            backend.rng(generator)
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = backend.rng(self.generator)
        drawn = rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


def _check_positive_int(name, value):
    """torch's check (and words) for a count."""
    if isinstance(value, bool) or not isinstance(value, (int, xp.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
