import math

import numpy as np
import pytest

import glassgrad
from glassgrad.data import DataLoader, Dataset, Subset, TensorDataset


def _rows(n, width=3):
    """X row i = [w*i, w*i+1, ...], y = i: a batch's y says which rows X must hold."""
    X = np.arange(n * width, dtype=np.float32).reshape(n, width)
    y = np.arange(n, dtype=np.int64)
    return X, y


class ListDataset(Dataset):
    """A generic dataset: examples come one at a time as (ndarray, int)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])


# ------------------------------------------------------------------ TensorDataset

def test_tensor_dataset_rows_and_tensors():
    X, y = _rows(5)
    ds = TensorDataset(glassgrad.tensor(X), glassgrad.tensor(y))
    assert len(ds) == 5
    x2, y2 = ds[2]
    np.testing.assert_array_equal(x2.array, [6.0, 7.0, 8.0])
    assert y2.item() == 2
    Xt, yt = ds.tensors
    np.testing.assert_array_equal(Xt.array, X)
    assert yt.dtype == np.int64


def test_tensor_dataset_accepts_arrays_without_copy():
    X, y = _rows(4)
    ds = TensorDataset(X, y)
    assert np.shares_memory(ds.tensors[0].array, X)


def test_tensor_dataset_names_mismatched_sizes():
    with pytest.raises(ValueError, match=r"tensor 0: 5, tensor 1: 4"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_tensor_dataset_rejects_lists_and_scalars():
    with pytest.raises(TypeError, match="position 1"):
        TensorDataset(np.zeros(3), [1, 2, 3])
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(np.zeros(()))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_base_dataset_is_abstract():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# ------------------------------------------------------------------ batching

def test_sequential_batches_are_consecutive_rows():
    X, y = _rows(10)
    batches = list(DataLoader(TensorDataset(X, y), batch_size=4))
    assert [b[1].array.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(batches[1][0].array, X[4:8])
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_drop_last_drops_the_short_batch():
    X, y = _rows(10)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(b[1].array) for b in loader] == [4, 4]


@pytest.mark.parametrize("n", [0, 1, 7, 10, 64, 65])
@pytest.mark.parametrize("batch_size", [1, 3, 10, 64, 100])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_counts_match_torch(n, batch_size, drop_last):
    import torch
    import torch.utils.data as tud

    X, y = _rows(n)
    ours = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                            batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert sum(1 for _ in ours) == sum(1 for _ in theirs)
    assert [len(b[1].array) for b in ours] == [len(b[1]) for b in theirs]


def test_len_formula():
    ds = TensorDataset(*_rows(50))
    assert len(DataLoader(ds, batch_size=8)) == math.ceil(50 / 8) == 7
    assert len(DataLoader(ds, batch_size=8, drop_last=True)) == 50 // 8 == 6


def test_batches_are_copies_not_views_of_the_dataset():
    X, y = _rows(6)
    for shuffle in (False, True):
        xb, _ = next(iter(DataLoader(TensorDataset(X, y), batch_size=3, shuffle=shuffle)))
        xb.array[...] = -1.0
        np.testing.assert_array_equal(X, _rows(6)[0])


@pytest.mark.parametrize("bad", [0, -1, None, 2.5, True])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(TensorDataset(*_rows(3)), batch_size=bad)


def test_bad_generator_type():
    with pytest.raises(TypeError, match="generator"):
        DataLoader(TensorDataset(*_rows(3)), shuffle=True, generator=42)


# ------------------------------------------------------------------ shuffling

def test_shuffled_epoch_is_a_permutation_with_rows_kept_together():
    X, y = _rows(23)
    seen = []
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True):
        np.testing.assert_array_equal(xb.array, X[yb.array])  # X and y stay aligned
        seen.extend(yb.array.tolist())
    assert sorted(seen) == list(range(23))
    assert seen != list(range(23))


def test_shuffle_uses_the_generator_permutation():
    # Documented: one permutation per epoch, drawn from the given generator.
    X, y = _rows(12)
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, generator=glassgrad.Generator(7))
    reference = np.random.Generator(np.random.PCG64(7))
    for _ in range(2):  # two epochs: two successive permutations
        expected = reference.permutation(12)
        got = np.concatenate([yb.array for _, yb in loader])
        np.testing.assert_array_equal(got, expected)


def test_seeded_runs_are_bit_identical_and_epochs_differ():
    X, y = _rows(40)
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)

    def two_epochs():
        glassgrad.manual_seed(123)
        return [np.concatenate([yb.array for _, yb in loader]) for _ in range(2)]

    first, second = two_epochs(), two_epochs()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], first[1])


def test_private_generator_ignores_global_seed():
    X, y = _rows(30)
    orders = []
    for global_seed in (1, 2):
        glassgrad.manual_seed(global_seed)
        loader = DataLoader(TensorDataset(X, y), batch_size=30, shuffle=True, generator=glassgrad.Generator(5))
        orders.append(next(iter(loader))[1].array)
    np.testing.assert_array_equal(*orders)


# ------------------------------------------------------------------ generic datasets and the fast path

def test_generic_dataset_is_collated_like_the_fast_path():
    X, y = _rows(17)
    fast = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=glassgrad.Generator(3))
    slow = DataLoader(ListDataset(X, y), batch_size=4, shuffle=True, generator=glassgrad.Generator(3))
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf.array, xs.array)
        np.testing.assert_array_equal(yf.array, ys.array)
        assert ys.dtype == np.int64  # Python ints collate to int64, as in torch


def test_collate_python_floats_and_single_values_like_torch():
    import torch
    import torch.utils.data as tud

    class Floats(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return 0.5 * i

    ours = next(iter(DataLoader(Floats(), batch_size=5)))
    theirs = next(iter(tud.DataLoader(Floats(), batch_size=5)))
    assert isinstance(ours, glassgrad.Tensor)  # single values: a Tensor, not a tuple
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "glassgrad.") == "glassgrad.float64"
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert torch.is_tensor(theirs)


def test_collate_refuses_ragged_examples():
    class Ragged(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros(i + 1), 0

    with pytest.raises(ValueError, match="different shapes"):
        next(iter(DataLoader(Ragged(), batch_size=2)))


class NoPerExample(TensorDataset):
    """Per-example access is forbidden: only the batched path can work."""

    def __getitem__(self, index):
        raise AssertionError("per-example __getitem__ called on the fast path")


def test_tensor_dataset_and_its_subsets_never_go_example_by_example():
    X, y = _rows(20)
    ds = NoPerExample(X, y)
    batches = list(DataLoader(ds, batch_size=6, shuffle=True))
    assert sum(len(b[1].array) for b in batches) == 20
    sub = Subset(ds, [19, 3, 5, 7, 11])
    (xb, yb), = list(DataLoader(sub, batch_size=5))
    assert yb.array.tolist() == [19, 3, 5, 7, 11]
    np.testing.assert_array_equal(xb.array, X[[19, 3, 5, 7, 11]])


def test_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(np.zeros((0, 2)), np.zeros(0)), batch_size=4, shuffle=True)
    assert len(loader) == 0 and list(loader) == []
