"""Hand-made IDX files for the tests: the bytes are packed here with struct, following
the format description (two zero bytes, type code, ndim, big-endian uint32 sizes, data),
independently of glassgrad's reader."""

import gzip
import struct


def idx_bytes(shape, payload, code=0x08):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + bytes(payload)


def tiny_split(n=3, side=4, seed=0):
    """Images (n, side, side) uint8 and labels (n,) as IDX bytes, with known content:
    pixel (k, i, j) = (50 k + 7 i + j) % 256, label k = k % 10."""
    pixels = [(50 * k + 7 * i + j) % 256 for k in range(n) for i in range(side) for j in range(side)]
    labels = [k % 10 for k in range(n)]
    return idx_bytes((n, side, side), pixels), idx_bytes((n,), labels, code=0x08)


def gz(data):
    return gzip.compress(data, mtime=0)
