"""``glassgrad.utils.data``: PyTorch's import path for the data tools, so that
``from torch.utils.data import DataLoader, TensorDataset`` becomes
``from glassgrad.utils.data import DataLoader, TensorDataset``. The tools themselves live
in ``glassgrad.data`` (with the course datasets); this module only names them."""

from ..data import (  # noqa: F401
    BatchSampler, DataLoader, Dataset, RandomSampler, Sampler, SequentialSampler, Subset,
    SubsetRandomSampler, TensorDataset, WeightedRandomSampler, random_split,
)
from ..data import collate as default_collate  # noqa: F401

__all__ = [
    "Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "default_collate",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
]
