"""Splitting a dataset: random_split (as torch) and train_val_test_split (a helper).

Why split at all: the training set is what the weights are fitted to; the validation set
is what hyper-parameters (learning rate, epochs, width) are chosen on; the test set is
looked at once, at the end, to estimate how the chosen model does on unseen data.
"""

import math

from .. import backend
from ..backend import xp
from ..tensor import Tensor
from .dataset import Dataset, Subset, TensorDataset, batch_fetcher


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths.

    ``lengths`` are either counts summing to ``len(dataset)`` or fractions summing to 1.
    Fractions follow torch.utils.data.random_split exactly: each part gets
    floor(frac * N) examples and the remaining ones are dealt out one at a time to the
    parts in order, starting with the first. The order comes from one permutation drawn
    from ``generator`` (or the global generator).
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split needs at least one length")
    if all(isinstance(k, (int, xp.integer)) and not isinstance(k, bool) for k in lengths):
        counts = [int(k) for k in lengths]
        if any(k < 0 for k in counts):
            raise ValueError(f"random_split: lengths must be non-negative, got {counts}")
    else:
        fracs = [float(f) for f in lengths]
        if any(not 0.0 <= f <= 1.0 for f in fracs) or not math.isclose(sum(fracs), 1.0):
            raise ValueError(f"random_split: fractions must lie in [0, 1] and sum to 1, got {fracs}")
        counts = [math.floor(n * f) for f in fracs]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin, as torch
            counts[i % len(counts)] += 1
    if sum(counts) != n:
        raise ValueError(f"random_split: lengths {counts} sum to {sum(counts)}, but the dataset has {n} examples")
    order = backend.rng(generator).permutation(n)
    parts, offset = [], 0
    for k in counts:
        parts.append(Subset(dataset, order[offset:offset + k]))
        offset += k
    return parts


def _count(part, n, name):
    """A split size given as a fraction of n (float) or as a count (int)."""
    if isinstance(part, bool):
        raise TypeError(f"{name} must be a fraction or a count, got {part!r}")
    if isinstance(part, (int, xp.integer)):
        if not 0 <= part <= n:
            raise ValueError(f"{name}={part} examples is not between 0 and {n}")
        return int(part)
    part = float(part)
    if not 0.0 <= part < 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1) or a count, got {part}")
    return math.floor(part * n + 0.5)  # round half up: round() would round half to even


def _stratified_order(labels, rng):
    """A permutation in which every contiguous block holds the classes in (almost)
    the proportions of the whole: each class's examples are shuffled and spread evenly
    over [0, 1) with keys (j + offset_c) / n_c, then all examples are sorted by key.
    Any block of the order then has within one example per class of its fair share."""
    labels = xp.asarray(labels).reshape(-1)
    keys = xp.empty(len(labels))
    for c in xp.unique(labels):
        members = xp.flatnonzero(labels == c)
        members = members[rng.permutation(len(members))]
        keys[members] = (xp.arange(len(members)) + rng.random()) / len(members)
    ties = rng.random(len(labels))  # break equal keys across classes at random
    return xp.lexsort((ties, keys))


def train_val_test_split(*data, val=0.1, test=0.1, seed=0, stratify=None):
    """Split examples into (train, val, test) datasets, reproducibly.

    data: one Dataset, or one or more Tensors/arrays with the same first dimension
        (they are wrapped in a TensorDataset).
    val, test: fractions of N (floats, rounded half up to whole examples) or counts
        (ints); train gets the rest and must not be empty.
    seed: the split depends on this seed only (a private generator; the global random
        state is not touched), so the same call always gives the same split.
    stratify: None, labels (one per example), or True to use the last tensor given as
        labels. Each class is then represented in every part in nearly the proportions
        of the whole (within one example per class).

    Returns three TensorDatasets when the examples can be gathered in bulk (tensors, a
    TensorDataset or a Subset of one), else three Subsets. Examples in each part are in
    random order.
    """
    if len(data) == 1 and isinstance(data[0], Dataset):
        dataset = data[0]
    elif data:
        dataset = TensorDataset(*data)
    else:
        raise ValueError("train_val_test_split needs a dataset or tensors")
    n = len(dataset)
    n_val, n_test = _count(val, n, "val"), _count(test, n, "test")
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(f"train_val_test_split: val ({n_val}) + test ({n_test}) leave no training "
                         f"examples out of {n}")
    rng = backend.Generator(int(seed)).numpy
    if stratify is None or stratify is False:
        order = rng.permutation(n)
    else:
        if stratify is True:
            if not isinstance(dataset, TensorDataset):
                raise ValueError("stratify=True takes the labels from the last tensor; pass the labels instead")
            stratify = dataset.tensors[-1]
        labels = stratify.array if isinstance(stratify, Tensor) else xp.asarray(stratify)
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(f"stratify must hold one label per example: expected shape ({n},), "
                             f"got {tuple(labels.shape)}")
        order = _stratified_order(labels, rng)
    parts = (order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:])
    fetch = batch_fetcher(dataset)
    if fetch is not None:
        return tuple(TensorDataset(*fetch(idx)) for idx in parts)
    return tuple(Subset(dataset, idx) for idx in parts)
