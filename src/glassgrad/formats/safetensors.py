"""The .safetensors format (Hugging Face), written and read with NumPy alone.

Layout: an 8-byte little-endian length N, a JSON header of N bytes, then the raw bytes of
every tensor (little-endian, C order). The header maps each tensor's name to
``{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`` (offsets into the
data) and may hold ``"__metadata__"``, a map of strings to strings.

glassgrad adds two metadata entries: ``glassgrad`` (the JSON description of what was
saved, see io.py) and ``glassgrad.sha256``, the SHA-256 of the whole file computed with
these 64 hex digits written as zeros. Any changed byte (in the tensors, the header or the
length) is then detected on load. Files written by other tools have no checksum: they
load with a warning.

Reading checks the header before allocating anything: every tensor's byte range must
match its shape and dtype, the ranges must tile the data exactly, and the data must be
as long as the file says.
"""

import hashlib
import json
import math

from ..backend import xp
from . import CheckpointError, check_claim

CHECKSUM_KEY = "glassgrad.sha256"
_MAX_HEADER = 100_000_000  # the safetensors library's own limit
_PLACEHOLDER = "0" * 64

# safetensors dtype names <-> NumPy dtypes (little-endian)
DTYPES = {
    "BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "U32": "<u4", "I32": "<i4",
    "U64": "<u8", "I64": "<i8", "F16": "<f2", "F32": "<f4", "F64": "<f8",
}
_NAMES = {xp.dtype(v): k for k, v in DTYPES.items()}
_NO_NUMPY_TWIN = {"BF16": "bfloat16", "F8_E4M3": "float8", "F8_E5M2": "float8", "C64": "complex64"}


def dtype_name(array, key):
    """The safetensors name of ``array``'s dtype; TypeError if it has none."""
    name = _NAMES.get(array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype)
    if name is None:
        raise TypeError(f"cannot save {key} of dtype {array.dtype} in .safetensors (it stores bool, "
                        "integers and float16/32/64); use a .npz file name")
    return name


def encode(arrays, metadata):
    """The bytes of a .safetensors file holding ``arrays`` (name -> ndarray) and the string
    map ``metadata``, with the glassgrad checksum."""
    # Wider items first: with the data starting 8-aligned, every tensor is then aligned.
    order = sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k))
    header, chunks, offset = {}, [], 0
    header["__metadata__"] = dict(metadata, **{CHECKSUM_KEY: _PLACEHOLDER})
    for key in order:
        array = arrays[key]
        name = dtype_name(array, key)
        data = xp.ascontiguousarray(array, dtype=xp.dtype(DTYPES[name])).tobytes()
        header[key] = {"dtype": name, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad the header so that the data starts 8-aligned
    blob = len(text).to_bytes(8, "little") + text + b"".join(chunks)
    digest = hashlib.sha256(blob).hexdigest()
    return blob.replace(_marker(_PLACEHOLDER), _marker(digest), 1)


def _marker(digest):
    return f'"{CHECKSUM_KEY}":"{digest}"'.encode("ascii")


def read(fh, size, name):
    """(name -> ndarray, metadata dict, checksum state) from the binary file ``fh`` of
    ``size`` bytes. The state is "verified" or "absent"; a wrong checksum is an error."""
    if size < 8:
        raise CheckpointError(f"{name}: only {size} bytes, too short for a .safetensors file")
    prefix = fh.read(8)
    n = int.from_bytes(prefix, "little")
    if n > size - 8 or n > _MAX_HEADER:
        raise CheckpointError(f"{name}: its header length {n:,} is longer than the file ({size:,} bytes): "
                              "truncated, or not a .safetensors file")
    raw_header = fh.read(n)
    try:
        header = json.loads(raw_header.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"{name}: its header is not JSON ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{name}: its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise CheckpointError(f"{name}: its __metadata__ is not a map of strings")
    entries = sorted((_entry(key, value, name) for key, value in header.items()), key=lambda e: e[1])
    data_size = size - 8 - n
    end = 0
    for key, begin, stop, _, _ in entries:
        if begin != end:
            raise CheckpointError(f"{name}: tensor {key!r} starts at byte {begin}, expected {end} "
                                  "(the tensors must tile the data)")
        end = stop
    if end != data_size:
        raise CheckpointError(f"{name}: the header describes {end:,} bytes of tensors, the file holds "
                              f"{data_size:,}: truncated or corrupt")
    check_claim(data_size, name, "the file")
    data = bytearray(data_size)
    if fh.readinto(data) != data_size:
        raise CheckpointError(f"{name}: truncated")
    state = _verify(prefix + raw_header, data, metadata, name)
    arrays = {}
    for key, begin, stop, dtype, shape in entries:
        array = xp.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=begin).reshape(shape)
        arrays[key] = array if array.flags.aligned else array.copy()
    return arrays, metadata, state


def _entry(key, value, name):
    where = f"{name}: tensor {key!r}"
    if not isinstance(value, dict):
        raise CheckpointError(f"{where}: its header entry is not an object")
    dtype, shape, offsets = value.get("dtype"), value.get("shape"), value.get("data_offsets")
    if dtype in _NO_NUMPY_TWIN:
        raise CheckpointError(f"{where} is {_NO_NUMPY_TWIN[dtype]}, which NumPy cannot hold: convert it "
                              "to float32 before saving (in PyTorch: {k: v.float() for k, v in sd.items()})")
    if dtype not in DTYPES:
        raise CheckpointError(f"{where}: unknown dtype {dtype!r}")
    if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)):
        raise CheckpointError(f"{where}: its shape {shape!r} is not a list of sizes")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int and o >= 0 for o in offsets)):
        raise CheckpointError(f"{where}: its data_offsets {offsets!r} are not two byte positions")
    dtype = xp.dtype(DTYPES[dtype])
    nbytes = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != nbytes:
        raise CheckpointError(f"{where}: shape {shape} of {dtype} needs {nbytes:,} bytes but its offsets "
                              f"span {offsets[1] - offsets[0]:,}: refused before allocating")
    return key, offsets[0], offsets[1], dtype, tuple(shape)


def _verify(head, data, metadata, name):
    digest = metadata.get(CHECKSUM_KEY)
    if digest is None:
        return "absent"
    if not (isinstance(digest, str) and len(digest) == 64 and set(digest) <= set("0123456789abcdef")
            and head.count(_marker(digest)) == 1):
        raise CheckpointError(f"{name}: its {CHECKSUM_KEY} entry is malformed")
    h = hashlib.sha256(head.replace(_marker(digest), _marker(_PLACEHOLDER)))
    h.update(data)
    if h.hexdigest() != digest:
        raise CheckpointError(f"{name}: checksum mismatch: the file was changed or damaged after it was "
                              "saved (SHA-256 of its bytes differs from the one stored in it)")
    return "verified"
