"""Samplers and DataLoader's other PyTorch arguments (sampler, batch_sampler, collate_fn,
the worker options): batches, lengths and errors against torch.utils.data's, on the same
datasets. Random orders are NumPy's, so those are checked for what they must be
(permutations, subsets, frequencies, repeatability), not for torch's exact sequence."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.data import (
    BatchSampler, DataLoader, RandomSampler, SequentialSampler, SubsetRandomSampler,
    TensorDataset, WeightedRandomSampler,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data

N = 10
X = np.arange(N * 2, dtype=np.float32).reshape(N, 2)
Y = np.arange(N, dtype=np.int64)


def ours():
    return TensorDataset(gg.tensor(X), gg.tensor(Y))


def theirs():
    return tud.TensorDataset(torch.tensor(X), torch.tensor(Y))


def labels(loader):
    return [batch[1].tolist() for batch in loader]


def test_sequential_sampler_and_batch_sampler_match_torch():
    for drop_last in (False, True):
        ours_b = list(BatchSampler(SequentialSampler(range(N)), 3, drop_last))
        theirs_b = list(tud.BatchSampler(tud.SequentialSampler(range(N)), 3, drop_last))
        assert ours_b == theirs_b
        assert len(BatchSampler(range(N), 3, drop_last)) == len(theirs_b)


@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_with_a_sampler_matches_torch(drop_last):
    order = [7, 2, 9, 0, 4, 4, 1]  # any iterable of indices with a length, repeats allowed
    mine = DataLoader(ours(), batch_size=3, sampler=order, drop_last=drop_last)
    torchs = tud.DataLoader(theirs(), batch_size=3, sampler=order, drop_last=drop_last)
    assert labels(mine) == labels(torchs)
    assert len(mine) == len(torchs)
    xb, yb = next(iter(mine))
    np.testing.assert_array_equal(xb.array, X[order[:3]])  # rows stay with their labels


def test_loader_with_a_batch_sampler_matches_torch():
    batches = [[3, 1], [0], [9, 8, 7, 6]]
    mine = DataLoader(ours(), batch_sampler=batches)
    assert labels(mine) == labels(tud.DataLoader(theirs(), batch_sampler=batches))
    assert len(mine) == 3 and mine.batch_size is None


def test_collate_fn_gets_the_list_of_examples_as_in_torch():
    def count(examples):
        return len(examples), [int(e[1].item()) for e in examples]

    assert list(DataLoader(ours(), batch_size=4, collate_fn=count)) == \
        list(tud.DataLoader(theirs(), batch_size=4, collate_fn=count))


def test_random_sampler_is_a_permutation_each_pass_and_repeats_with_a_seed():
    sampler = RandomSampler(range(N), generator=gg.Generator(5))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(N)) and first != second
    assert list(RandomSampler(range(N), generator=gg.Generator(5))) == first
    gg.manual_seed(1)
    a = list(RandomSampler(range(N)))
    gg.manual_seed(1)
    assert list(RandomSampler(range(N))) == a
    longer = list(RandomSampler(range(N), num_samples=25, generator=gg.Generator(0)))
    assert len(longer) == 25 and sorted(longer[:N]) == list(range(N))  # whole permutations
    drawn = list(RandomSampler(range(N), replacement=True, num_samples=7))
    assert len(drawn) == 7 and all(0 <= i < N for i in drawn)


def test_subset_random_sampler_keeps_to_its_indices():
    indices = [8, 3, 5]
    drawn = list(SubsetRandomSampler(indices, generator=gg.Generator(2)))
    assert sorted(drawn) == sorted(indices) and len(SubsetRandomSampler(indices)) == 3


def test_weighted_random_sampler_draws_in_proportion():
    weights = [0.0, 1.0, 3.0]
    drawn = np.array(list(WeightedRandomSampler(weights, 40_000, generator=gg.Generator(0))))
    counts = np.bincount(drawn, minlength=3)
    assert counts[0] == 0
    assert counts[2] / counts[1] == pytest.approx(3.0, rel=0.05)  # sd of the ratio ~ 1.3 %
    distinct = list(WeightedRandomSampler(weights, 2, replacement=False))
    assert sorted(distinct) == [1, 2]
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler(weights, 3, replacement=False)


@pytest.mark.parametrize("kwargs, message", [
    ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"timeout": -1}, "timeout option should be non-negative"),
])
def test_bad_combinations_are_refused_as_torch_refuses_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tud.DataLoader(theirs(), **kwargs)
    with pytest.raises(ValueError, match=message):
        DataLoader(ours(), **kwargs)


def test_worker_options_are_accepted_and_change_nothing():
    plain = labels(DataLoader(ours(), batch_size=4, shuffle=True, generator=gg.Generator(3)))
    workers = DataLoader(ours(), batch_size=4, shuffle=True, generator=gg.Generator(3),
                         num_workers=2, pin_memory=True, persistent_workers=True,
                         prefetch_factor=2, timeout=5, worker_init_fn=lambda i: None)
    assert labels(workers) == plain
