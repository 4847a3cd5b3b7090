import dataclasses
import hashlib
import importlib

import numpy as np
import pytest
from idx_testdata import gz, tiny_split

import glassgrad
from glassgrad.data import DatasetIntegrityError, DatasetNotFoundError, data_root

mnist_module = importlib.import_module("glassgrad.data.mnist")  # the module, not the function

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch):
    """Tiny IDX files standing in for MNIST, with the hash table patched to match them."""
    contents = {}
    for split, n in (("train", 5), ("test", 3)):
        images, labels = tiny_split(n=n, side=4)
        contents[FILES[split][0]], contents[FILES[split][1]] = images, labels
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name, raw in contents.items():
        (folder / name).write_bytes(raw)
    table = {name: hashlib.sha256(raw).hexdigest() for name, raw in contents.items()}
    monkeypatch.setitem(mnist_module.DATASETS, "mnist", dataclasses.replace(mnist_module.MNIST, sha256=table))
    monkeypatch.setenv("GLASSGRAD_DATA", str(tmp_path))
    return folder, contents


def test_loads_images_scaled_and_labels(fake_mnist):
    ds = glassgrad.data.mnist("train")
    X, y = ds.tensors
    assert X.shape == (5, 1, 4, 4) and X.dtype == np.float32
    assert y.shape == (5,) and y.dtype == np.int64
    assert y.array.tolist() == [0, 1, 2, 3, 4]
    # pixel (k, i, j) = (50 k + 7 i + j) % 256, divided by 255 in float32
    k, i, j = 4, 3, 2
    assert X.array[k, 0, i, j] == np.float32((50 * k + 7 * i + j) % 256) / np.float32(255)
    assert len(glassgrad.data.mnist("test")) == 3


def test_scaling_matches_torch(fake_mnist):
    import torch

    folder, contents = fake_mnist
    X = glassgrad.data.mnist("train").tensors[0].array
    raw = np.frombuffer(contents["train-images-idx3-ubyte"], dtype=np.uint8, offset=16).reshape(5, 1, 4, 4)
    np.testing.assert_array_equal(X, torch.from_numpy(raw.copy()).float().div(255).numpy())


def test_gz_files_are_accepted(fake_mnist):
    folder, contents = fake_mnist
    for name in FILES["test"]:
        (folder / name).unlink()
        (folder / (name + ".gz")).write_bytes(gz(contents[name]))
    assert glassgrad.data.mnist("test").tensors[1].array.tolist() == [0, 1, 2]


def test_missing_files_say_how_to_fetch(fake_mnist):
    folder, _ = fake_mnist
    (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        glassgrad.data.mnist("test")
    message = str(info.value)
    assert "glassgrad data fetch mnist" in message
    assert str(folder) in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz" in message
    assert isinstance(info.value, FileNotFoundError)


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_altered_files_are_refused(fake_mnist, damage):
    folder, contents = fake_mnist
    path = folder / "train-images-idx3-ubyte"
    raw = bytearray(contents["train-images-idx3-ubyte"])
    if damage == "flip":
        raw[40] ^= 0x01
    elif damage == "truncate":
        raw = raw[:-10]
    else:
        raw += b"\x00"
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetIntegrityError) as info:
        glassgrad.data.mnist("train")
    message = str(info.value)
    assert str(path) in message and "delete it" in message and "glassgrad data fetch mnist" in message


def test_truncated_gz_is_refused(fake_mnist):
    folder, contents = fake_mnist
    (folder / "train-labels-idx1-ubyte").unlink()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gz(contents["train-labels-idx1-ubyte"])[:-4])
    with pytest.raises(DatasetIntegrityError, match="train-labels-idx1-ubyte.gz is not a complete gzip file"):
        glassgrad.data.mnist("train")


def test_bad_split(fake_mnist):
    with pytest.raises(ValueError, match="split must be one of 'train', 'test'"):
        glassgrad.data.mnist("validation")


def test_root_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv("GLASSGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_root() == tmp_path / "xdg" / "glassgrad"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_root() == tmp_path / "home" / ".cache" / "glassgrad"
    monkeypatch.setenv("GLASSGRAD_DATA", str(tmp_path / "env"))
    assert data_root() == tmp_path / "env"
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert glassgrad.data.dataset_dir("fashion_mnist") == tmp_path / "env" / "fashion-mnist"


def test_canonical_hash_table_is_complete():
    for spec in mnist_module.DATASETS.values():
        assert sorted(spec.sha256) == sorted(spec.files)
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in spec.sha256.values())


# ------------------------------------------------------------------ the real files

def _real(name):
    folder = data_root() / name
    names = [f for pair in FILES.values() for f in pair]
    absent = [f for f in names if mnist_module.locate(folder, f) is None]
    if absent:
        pytest.skip(f"{name} files absent from {folder} (run `glassgrad data fetch {name}`; "
                    "make data does, for Fashion-MNIST only when Debian's dataset-fashion-mnist "
                    "is installed, as .ci/run does)")


@pytest.mark.mnist
def test_real_mnist():
    _real("mnist")
    train = glassgrad.data.mnist("train")
    X, y = train.tensors
    assert X.shape == (60000, 1, 28, 28) and X.dtype == np.float32
    assert y.shape == (60000,) and y.dtype == np.int64
    assert y.array[0] == 5  # the famous first training digit
    assert X.array.min() == 0.0 and X.array.max() == 1.0
    # Class counts of MNIST as published with the dataset (e.g. in many course notes).
    assert np.bincount(y.array).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    Xt, yt = glassgrad.data.mnist("test").tensors
    assert Xt.shape == (10000, 1, 28, 28) and yt.shape == (10000,)
    assert np.bincount(yt.array).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert yt.array[0] == 7


@pytest.mark.mnist
def test_real_fashion_mnist():
    _real("fashion-mnist")
    X, y = glassgrad.data.fashion_mnist("test").tensors
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32
    assert np.bincount(y.array).tolist() == [1000] * 10  # balanced by construction
    assert y.array[0] == 9  # the first test image is an ankle boot
