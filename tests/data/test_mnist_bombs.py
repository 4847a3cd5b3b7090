"""A dataset file is never inflated or read past the size of the original: a gzip bomb
given as an MNIST .gz, or an oversized file, is refused before the memory is spent.
The sizes come from the IDX layout of the original files (4-byte magic, 4 bytes per
dimension, one byte per pixel or label)."""

import gzip
import tracemalloc
import zlib

import pytest

import glassgrad
from glassgrad.data import DatasetIntegrityError
from glassgrad.data.mnist import MNIST, read_verified

MB = 1 << 20


def _gzip_of_zeros(n_mb):
    """A gzip file of n_mb megabytes of zeros (about 1000 times smaller), built 1 MB at a time."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([c.compress(bytes(MB)) for _ in range(n_mb)] + [c.flush()])


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_the_known_sizes_are_the_originals():
    assert MNIST.sizes == {"train-images-idx3-ubyte": 47040016, "train-labels-idx1-ubyte": 60008,
                           "t10k-images-idx3-ubyte": 7840016, "t10k-labels-idx1-ubyte": 10008}


@pytest.mark.parametrize("filename, n_mb", [("train-labels-idx1-ubyte", 32), ("t10k-images-idx3-ubyte", 512)])
def test_a_gzip_bomb_is_refused_before_inflating(tmp_path, filename, n_mb):
    bomb = _gzip_of_zeros(n_mb)  # n_mb MB inflated, about 1000 times less on disk
    (tmp_path / (filename + ".gz")).write_bytes(bomb)
    limit = MNIST.sizes[filename]

    def read():
        with pytest.raises(DatasetIntegrityError, match=f"decompresses to more than the {limit:,} bytes"):
            read_verified(MNIST, filename, tmp_path)

    assert _peak(read) < len(bomb) + 2 * limit + 4 * MB


def test_a_bomb_through_glassgrad_data_mnist(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in MNIST.files:
        (folder / (name + ".gz")).write_bytes(_gzip_of_zeros(64))
    monkeypatch.setenv("GLASSGRAD_DATA", str(tmp_path))
    with pytest.raises(DatasetIntegrityError, match="train-images-idx3-ubyte.gz decompresses to more than"):
        glassgrad.data.mnist("train")


def test_a_multi_member_gzip_bomb_is_refused(tmp_path):
    name = "train-labels-idx1-ubyte"
    member = gzip.compress(bytes(50000))
    (tmp_path / (name + ".gz")).write_bytes(member * 3)  # 150,000 bytes in three members
    with pytest.raises(DatasetIntegrityError, match="decompresses to more than the 60,008 bytes"):
        read_verified(MNIST, name, tmp_path)


def test_an_oversized_file_is_refused_without_reading_it(tmp_path):
    name = "train-labels-idx1-ubyte"
    with open(tmp_path / name, "wb") as f:
        f.truncate(10 * 1024 * MB)  # a sparse 10 GB file: nothing on disk, refused by its size
    peak = _peak(lambda: pytest.raises(DatasetIntegrityError, read_verified, MNIST, name, tmp_path)
                 .match("more than the 60,008 of the original"))
    assert peak < MB
    (tmp_path / name).unlink()
    (tmp_path / (name + ".gz")).write_bytes(bytes(200000))
    with pytest.raises(DatasetIntegrityError, match="more than a gzip of the 60,008-byte original"):
        read_verified(MNIST, name, tmp_path)


@pytest.mark.parametrize("claim, message", [
    ((60000,), "too long"),               # a header telling the truth about 60,000 labels, then 256 MB more
    ((10**6, 10**6), "claims 1,000,000,000,012 bytes"),  # a header claiming a terabyte
])
def test_read_idx_inflates_no_further_than_the_header_says(tmp_path, claim, message):
    import struct

    from glassgrad.data import IDXFormatError, read_idx

    header = bytes([0, 0, 0x08, len(claim)]) + struct.pack(f">{len(claim)}I", *claim)
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join([c.compress(header)] + [c.compress(bytes(MB)) for _ in range(256)] + [c.flush()])
    (tmp_path / "labels-idx1-ubyte.gz").write_bytes(bomb)
    peak = _peak(lambda: pytest.raises(IDXFormatError, read_idx, tmp_path / "labels-idx1-ubyte.gz").match(message))
    assert peak < len(bomb) + 2 * MB
