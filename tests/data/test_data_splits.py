import numpy as np
import pytest

import glassgrad
from glassgrad.data import Dataset, Subset, TensorDataset, random_split, train_val_test_split


def _ids(part):
    """The row ids held by a part (datasets built from y = row id)."""
    if isinstance(part, TensorDataset):
        return part.tensors[-1].array.tolist()
    return [int(part[i][-1]) for i in range(len(part))]


def _ds(n):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


# ------------------------------------------------------------------ random_split

def test_random_split_counts_partition_the_dataset():
    parts = random_split(_ds(10), [3, 7], generator=glassgrad.Generator(0))
    assert [len(p) for p in parts] == [3, 7]
    ids = [i for p in parts for i in _ids(p)]
    assert sorted(ids) == list(range(10))
    assert all(isinstance(p, Subset) for p in parts)


@pytest.mark.filterwarnings("ignore:Length of split")  # torch warns about an empty part
@pytest.mark.parametrize("n, fracs", [
    (10, [0.5, 0.5]), (11, [0.5, 0.5]), (10, [0.3, 0.3, 0.4]), (7, [0.1, 0.2, 0.7]),
    (103, [0.8, 0.1, 0.1]), (5, [1 / 3, 1 / 3, 1 / 3]), (3, [0.25, 0.25, 0.25, 0.25]),
])
def test_random_split_fraction_lengths_match_torch(n, fracs):
    import torch
    import torch.utils.data as tud

    theirs = tud.random_split(tud.TensorDataset(torch.arange(n)), fracs, generator=torch.Generator().manual_seed(0))
    ours = random_split(_ds(n), fracs)
    assert [len(p) for p in ours] == [len(p) for p in theirs]


def test_random_split_order_is_the_generator_permutation():
    expected = np.random.Generator(np.random.PCG64(4)).permutation(9)
    a, b = random_split(_ds(9), [4, 5], generator=glassgrad.Generator(4))
    assert _ids(a) + _ids(b) == expected.tolist()


def test_random_split_errors():
    with pytest.raises(ValueError, match="sum to 9, but the dataset has 10"):
        random_split(_ds(10), [4, 5])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(_ds(10), [0.5, 0.4])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(_ds(10), [-1, 11])


def test_random_split_parts_feed_a_loader():
    from glassgrad.data import DataLoader

    train, _ = random_split(_ds(10), [0.8, 0.2], generator=glassgrad.Generator(1))
    seen = [i for _, yb in DataLoader(train, batch_size=3) for i in yb.array.tolist()]
    assert seen == _ids(train)


# ------------------------------------------------------------------ train_val_test_split

def test_sizes_and_partition():
    X = np.arange(200, dtype=np.float32).reshape(100, 2)
    y = np.arange(100)
    train, val, test = train_val_test_split(X, y, val=0.1, test=0.2)
    assert (len(train), len(val), len(test)) == (70, 10, 20)
    ids = _ids(train) + _ids(val) + _ids(test)
    assert sorted(ids) == list(range(100))
    for part in (train, val, test):  # rows stay aligned with their labels
        Xp, yp = part.tensors
        np.testing.assert_array_equal(Xp.array, X[yp.array])


def test_fraction_rounds_half_up_and_counts_are_accepted():
    train, val, test = train_val_test_split(np.arange(25), val=0.1, test=0.3)  # 2.5 -> 3, 7.5 -> 8
    assert (len(train), len(val), len(test)) == (14, 3, 8)
    train, val, test = train_val_test_split(np.arange(25), val=5, test=0)
    assert (len(train), len(val), len(test)) == (20, 5, 0)


def test_same_seed_same_split_and_global_rng_untouched():
    state = glassgrad.get_rng_state()
    a = [_ids(p) for p in train_val_test_split(np.arange(50), seed=3)]
    b = [_ids(p) for p in train_val_test_split(np.arange(50), seed=3)]
    c = [_ids(p) for p in train_val_test_split(np.arange(50), seed=4)]
    assert a == b and a != c
    assert glassgrad.get_rng_state() == state


def test_stratified_parts_keep_class_proportions():
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = np.arange(1000)
    parts = train_val_test_split(X, y, val=0.15, test=0.15, stratify=y, seed=1)
    sizes = [len(p) for p in parts]
    assert sizes == [700, 150, 150]
    for part, size in zip(parts, sizes):
        counts = np.bincount(part.tensors[1].array, minlength=3)
        fair = size * np.array([0.6, 0.3, 0.1])
        assert np.all(np.abs(counts - fair) <= 1), (counts, fair)
    ids = sorted(i for p in parts for i in p.tensors[0].array.tolist())
    assert ids == list(range(1000))


def test_stratify_true_uses_the_last_tensor():
    y = np.repeat([0, 1], [80, 20])
    _, _, test = train_val_test_split(np.zeros((100, 3)), y, val=0.1, test=0.1, stratify=True)
    assert np.bincount(test.tensors[1].array).tolist() == [8, 2]


def test_generic_dataset_gives_subsets():
    class Squares(Dataset):
        def __len__(self):
            return 20

        def __getitem__(self, i):
            return i * i, i

    parts = train_val_test_split(Squares(), val=0.25, test=0.25)
    assert all(isinstance(p, Subset) for p in parts)
    assert sorted(i for p in parts for i in _ids(p)) == list(range(20))


def test_split_errors():
    with pytest.raises(ValueError, match="leave no training examples"):
        train_val_test_split(np.arange(10), val=0.5, test=0.5)
    with pytest.raises(ValueError, match="fraction in"):
        train_val_test_split(np.arange(10), val=1.5)
    with pytest.raises(ValueError, match=r"expected shape \(10,\)"):
        train_val_test_split(np.arange(10), stratify=np.zeros(9))
    with pytest.raises(ValueError, match="needs a dataset"):
        train_val_test_split()
