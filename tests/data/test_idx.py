import gzip
import struct

import numpy as np
import pytest
from idx_testdata import idx_bytes

from glassgrad.data import IDXFormatError, parse_idx, read_idx


def test_uint8_images():
    raw = idx_bytes((2, 2, 3), range(12))
    a = parse_idx(raw)
    assert a.dtype == np.uint8 and a.shape == (2, 2, 3)
    assert a[1, 0, 2] == 1 * 6 + 0 * 3 + 2


def test_mnist_style_header_bytes():
    # The train-labels header as the format page writes it: 0x00000801, 60000.
    raw = bytes.fromhex("00000801") + (60000).to_bytes(4, "big") + bytes(60000)
    assert parse_idx(raw).shape == (60000,)


@pytest.mark.parametrize("code, fmt, values", [
    (0x09, "b", [-128, -1, 0, 127]),
    (0x0B, "h", [-2, 300, -32768, 32767]),
    (0x0C, "i", [-70000, 1, 2**31 - 1, -(2**31)]),
    (0x0D, "f", [0.5, -1.25, 3.0, 1e-3]),
    (0x0E, "d", [0.1, -2.0, 1e300, 7.0]),
])
def test_big_endian_types(code, fmt, values):
    raw = bytes([0, 0, code, 2]) + struct.pack(">II", 2, 2) + struct.pack(f">{len(values)}{fmt}", *values)
    a = parse_idx(raw)
    assert a.shape == (2, 2) and a.dtype.isnative
    expected = np.array(values, dtype={"b": np.int8, "h": np.int16, "i": np.int32, "f": np.float32, "d": np.float64}[fmt])
    np.testing.assert_array_equal(a.reshape(-1), expected)


@pytest.mark.parametrize("raw, message", [
    (b"\x00\x00", "too short"),
    (b"\x1f\x8b\x08\x00" + bytes(20), "gzip file starts with 1f 8b"),
    (b"\x00\x00\x07\x01" + bytes(8), "unknown IDX type code 0x07"),
    (b"\x00\x00\x08\x03" + struct.pack(">I", 5), "truncated header"),
    (idx_bytes((3, 4), range(12))[:-1], r"truncated: the header says shape \(3, 4\)"),
    (idx_bytes((3, 4), range(12)) + b"\x00", "too long"),
])
def test_malformed_files_are_refused(raw, message):
    with pytest.raises(IDXFormatError, match=message):
        parse_idx(raw, name="some-file")


def test_error_names_the_file(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_bytes((10,), range(9)))
    with pytest.raises(IDXFormatError, match="labels-idx1-ubyte: truncated"):
        read_idx(path)


def test_read_idx_plain_and_gz(tmp_path):
    raw = idx_bytes((2, 3), [1, 2, 3, 4, 5, 250])
    (tmp_path / "a").write_bytes(raw)
    (tmp_path / "a.gz").write_bytes(gzip.compress(raw))
    for name in ("a", "a.gz"):
        a = read_idx(tmp_path / name)
        assert a.tolist() == [[1, 2, 3], [4, 5, 250]]
        a[0, 0] = 9  # a new, writeable array
    (tmp_path / "b.gz").write_bytes(gzip.compress(raw)[:-6])
    with pytest.raises(IDXFormatError, match="not a valid gzip file"):
        read_idx(tmp_path / "b.gz")
