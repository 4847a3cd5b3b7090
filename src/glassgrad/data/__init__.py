"""Data: datasets, mini-batches, splits, and the classic course datasets.

    from glassgrad.data import DataLoader, TensorDataset, mnist, circles
"""

from .dataset import Dataset, Subset, TensorDataset  # noqa: F401
from .loader import DataLoader, collate  # noqa: F401
from .sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler,
)
from .splits import random_split, train_val_test_split  # noqa: F401
from .toy import circles, moons, spirals, xor  # noqa: F401
from .idx import IDXFormatError, parse_idx, read_idx  # noqa: F401
from .mnist import (  # noqa: F401
    DATASETS, FASHION_MNIST, MNIST, DatasetIntegrityError, DatasetNotFoundError, data_root,
    dataset_dir, fashion_mnist, mnist,
)
from .fetch import FetchError, fetch  # noqa: F401

__all__ = [
    "Dataset", "Subset", "TensorDataset", "DataLoader", "collate", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
    "train_val_test_split", "xor", "circles", "moons", "spirals", "read_idx", "parse_idx",
    "mnist", "fashion_mnist", "fetch", "data_root", "dataset_dir", "DATASETS",
    "DatasetNotFoundError", "DatasetIntegrityError", "IDXFormatError", "FetchError",
]
