"""The .npz format: a zip archive with one ``NAME.npy`` member per array.

Writing stores the members uncompressed, as ``numpy.savez`` does (done by hand so any key
works and pickle is refused on the way out too). Reading checks each member before
allocating its array: the member must be a ``.npy`` (no pickle, no object dtype), stored
or deflated; its ``.npy`` header's shape times the item size must equal the size the zip
directory declares; a deflated member may not claim more than deflate can produce (about
1032 bytes out per byte in: more is a decompression bomb); and the total must fit in
memory. Every member's CRC-32 is checked as it is read.
"""

import math
import zipfile

from ..backend import xp
from . import PICKLE_REFUSAL, CheckpointError, check_claim

_DEFLATE_MAX_RATIO = 1032  # zlib's limit: 258-byte matches coded in 2 bits at best
_MAX_NPY_HEADER = 10000


def write(f, arrays):
    """Write ``arrays`` (name -> ndarray) to the binary file object ``f``."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                xp.lib.format.write_array(member, xp.asanyarray(array), allow_pickle=False)


def is_pytorch_zip(names):
    """torch.save's zip format: ``archive/data.pkl``, ``archive/version``, ``archive/data/0``..."""
    return any(n.endswith(".pkl") or n.endswith("/version") for n in names)


def read(fh, size, name):
    """name -> ndarray from the seekable binary file ``fh`` of ``size`` bytes."""
    archive = zipfile.ZipFile(fh)
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if is_pytorch_zip(names):
        raise CheckpointError(f"{name}: {PICKLE_REFUSAL}")
    if len(set(names)) != len(names):
        raise CheckpointError(f"{name}: the archive names a member twice")
    total = 0
    for info in infos:
        _check_member(info, size, name)
        total += info.file_size
    check_claim(total, name, "the archive")
    return {info.filename[:-4]: _read_member(archive, info, name) for info in infos}


def _check_member(info, size, name):
    member = f"{name}: member {info.filename!r}"
    if not info.filename.endswith(".npy"):
        raise CheckpointError(f"{member} is not a .npy array (not an .npz written by glassgrad or NumPy)")
    if info.flag_bits & 0x1:
        raise CheckpointError(f"{member} is encrypted")
    if info.compress_size > size:
        raise CheckpointError(f"{member} claims {info.compress_size:,} bytes, more than the whole file: truncated")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size != info.compress_size:
            raise CheckpointError(f"{member} is stored but its two sizes differ: corrupt")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
            raise CheckpointError(
                f"{member} claims {info.file_size:,} bytes from {info.compress_size:,} compressed, more "
                "than deflate can produce: a decompression bomb, refused before inflating")
    else:
        raise CheckpointError(f"{member} uses zip compression method {info.compress_type}; "
                              "expected stored (0) or deflated (8)")


def _read_member(archive, info, name):
    member = f"{name}: member {info.filename!r}"
    with archive.open(info) as fp:
        version = xp.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = xp.lib.format.read_array_header_1_0(fp, max_header_size=_MAX_NPY_HEADER)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = xp.lib.format.read_array_header_2_0(fp, max_header_size=_MAX_NPY_HEADER)
        else:
            raise CheckpointError(f"{member}: unknown .npy version {version}")
        if dtype.hasobject:
            raise CheckpointError(f"{member} holds Python objects, which only pickle could read (refused)")
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if fp.tell() + nbytes != info.file_size:
            raise CheckpointError(
                f"{member}: its header claims shape {shape} of {dtype} ({nbytes:,} bytes) but the member "
                f"holds {info.file_size - fp.tell():,}: refused before allocating")
        array = xp.empty(count, dtype=dtype)
        if nbytes and fp.readinto(memoryview(array.reshape(-1).view(xp.uint8))) != nbytes:
            raise CheckpointError(f"{member} is truncated")
        fp.read(1)  # reaching the end checks the member's CRC-32
    return array.reshape(shape, order="F" if fortran else "C")
