"""The IDX file format of MNIST and Fashion-MNIST (LeCun et al.).

Layout, all integers big-endian ("MSB first"):

    bytes 0-1   0x00 0x00
    byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                           0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    4 d bytes   the size of each dimension, one uint32 each
    the data    prod(sizes) values, row-major (C order)

So train-images-idx3-ubyte starts 00 00 08 03 | 60000 | 28 | 28 and
train-labels-idx1-ubyte starts 00 00 08 01 | 60000.
"""

import math
import struct

from ..backend import xp

TYPE_CODES = {
    0x08: xp.dtype("u1"),
    0x09: xp.dtype("i1"),
    0x0B: xp.dtype(">i2"),
    0x0C: xp.dtype(">i4"),
    0x0D: xp.dtype(">f4"),
    0x0E: xp.dtype(">f8"),
}


_MAX_IDX_BYTES = 1 << 34  # 16 GiB: a header claiming more is not a dataset glassgrad reads


class IDXFormatError(ValueError):
    """The bytes are not a well-formed IDX file."""


def parse_idx(buffer, name="IDX data"):
    """The array held in IDX bytes (a bytes-like object), checked against its header.

    The result may be a read-only view of ``buffer`` (no copy for uint8 data); multi-byte
    types are converted to the machine's byte order. ``name`` is used in error messages.
    """
    view = memoryview(buffer)
    size = view.nbytes
    if size < 4:
        raise IDXFormatError(f"{name}: only {size} bytes, too short for an IDX header")
    zero0, zero1, code, ndim = view[0], view[1], view[2], view[3]
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{name}: not an IDX file (it should start with two zero bytes, found "
            f"{bytes(view[:4]).hex(' ')}; a gzip file starts with 1f 8b)"
        )
    if code not in TYPE_CODES:
        known = ", ".join(f"0x{c:02X}" for c in TYPE_CODES)
        raise IDXFormatError(f"{name}: unknown IDX type code 0x{code:02X} (known: {known})")
    header = 4 + 4 * ndim
    if size < header:
        raise IDXFormatError(f"{name}: truncated header: {ndim} dimensions need {header} bytes, file has {size}")
    shape = struct.unpack(f">{ndim}I", view[4:header])
    dtype = TYPE_CODES[code]
    count = math.prod(shape)
    expected = header + count * dtype.itemsize
    if size != expected:
        what = "truncated" if size < expected else "too long"
        raise IDXFormatError(
            f"{name}: {what}: the header says shape {shape} of {dtype.name} "
            f"({expected} bytes with the header), but there are {size} bytes"
        )
    array = xp.frombuffer(buffer, dtype=dtype, count=count, offset=header).reshape(shape)
    if dtype.itemsize > 1:
        array = array.astype(dtype.newbyteorder("="))
    return array


def read_idx(path):
    """Read an IDX file (uncompressed, or gzip-compressed if the name ends in .gz) into
    a new, writeable NumPy array. A .gz is inflated no further than its own header says
    the file is long, so a gzip bomb costs no memory."""
    path = str(path)
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        raw = _gunzip_idx(raw, path)
    array = parse_idx(raw, name=path)
    return array if array.flags.writeable else array.copy()


def _gunzip_idx(raw, path):
    """The uncompressed bytes of a gzip IDX file: first the header (at most 4 + 4 * 255
    bytes), then exactly the size it announces, plus one byte to tell "too long"."""
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = inflater.decompress(raw, 4 + 4 * 255)
        header = 4 + 4 * head[3] if len(head) >= 4 else 4
        if len(head) < header or head[2] not in TYPE_CODES:
            return head  # parse_idx names what is wrong with it
        count = math.prod(struct.unpack(f">{head[3]}I", head[4:header]))
        expected = header + count * TYPE_CODES[head[2]].itemsize
        if expected > _MAX_IDX_BYTES:
            raise IDXFormatError(f"{path}: its header claims {expected:,} bytes, more than glassgrad reads "
                                 f"({_MAX_IDX_BYTES:,}): refused before inflating it")
        body = inflater.decompress(inflater.unconsumed_tail, max(expected - len(head), 0) + 1)
    except zlib.error as exc:
        raise IDXFormatError(f"{path}: not a valid gzip file ({exc})") from None
    data = head + body
    if len(data) <= expected and not inflater.eof:
        raise IDXFormatError(f"{path}: not a valid gzip file (it ends mid-stream)")
    return data
