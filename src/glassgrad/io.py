"""Saving and loading state dicts: ``glassgrad.save(obj, path)`` / ``glassgrad.load(path)``.

Two formats, chosen by the file name:

* ``.npz`` (NumPy's zip of .npy arrays, always available);
* ``.safetensors`` (needs the ``safetensors`` package: pip install safetensors).

Never pickle: nothing in a file can run code when it is loaded. A file is written to a
temporary file in the same folder and renamed over the target only once complete, so a
crash mid-save leaves the previous file intact and no half-written file behind.

What can be saved: Tensors, NumPy arrays and scalars, Python numbers, strings, None, and
dicts (str or int keys), lists and tuples nesting them: a model's state_dict and an
optimizer's state_dict (with its int-keyed ``state`` and its ``param_groups``) alike.

The key scheme. Each array is stored under its path of keys joined by "/": a model's
``{"0.weight": w}`` stores ``0.weight``; an optimizer's
``{"state": {0: {"momentum_buffer": m}}}`` stores ``state/0/momentum_buffer``. The nesting
and the non-array values are described by a JSON document stored next to the arrays
(the npz member ``__glassgrad__``, or the safetensors metadata entry ``glassgrad``) in which
every array appears as ``{"tensor": key}`` (or ``"ndarray"``, ``"scalar"``), a dict as
``{"dict": [[key, value], ...]}`` and a list or tuple as ``{"list": [...]}`` /
``{"tuple": [...]}``. So ``numpy.load("model.npz")["0.weight"]`` works with NumPy alone.
A plain .npz written by numpy.savez loads too, as a dict of name -> Tensor.
"""

from pathlib import Path

from .atomic import atomic_open
from .backend import xp
from .tensor import Tensor

META_KEY = "__glassgrad__"
SAFETENSORS_META_KEY = "glassgrad"
FORMAT_VERSION = 1
FORMATS = (".npz", ".safetensors")


class CheckpointError(ValueError):
    """A file could not be read as a glassgrad checkpoint (the message says why)."""


# ------------------------------------------------------------------ encoding the tree

def _array_of(value, where):
    array = xp.asarray(value)
    if array.dtype.hasobject:
        raise TypeError(f"cannot save {where}: object arrays would need pickle")
    return array


def _encode(value, parts, arrays):
    """The JSON description of ``value``; arrays go into ``arrays`` under their path."""
    if isinstance(value, (Tensor, xp.ndarray, xp.generic)):
        key = "/".join(parts) if parts else "value"
        if key == META_KEY or key in arrays:
            raise ValueError(f"cannot save: two entries would both be stored under the key {key!r}")
        kind = "tensor" if isinstance(value, Tensor) else "ndarray" if isinstance(value, xp.ndarray) else "scalar"
        arrays[key] = _array_of(value.array if isinstance(value, Tensor) else value, key)
        return {kind: key}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise TypeError(f"cannot save a dict key of type {type(k).__name__} ({k!r}); keys must be str or int")
            items.append([k, _encode(v, parts + [str(k)], arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, parts + [str(i)], arrays) for i, v in enumerate(value)]}
    where = "/".join(parts) or "the object"
    raise TypeError(
        f"cannot save {where} of type {type(value).__name__}: only Tensors, arrays, numbers, "
        "strings, None and dicts/lists/tuples of them can be saved (no pickle)"
    )


def _decode(node, arrays, used):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"unreadable metadata entry {str(node)[:60]!r}")
    (kind, body), = node.items()
    if kind in ("tensor", "ndarray", "scalar"):
        if body not in arrays:
            raise CheckpointError(f"mismatched file: its metadata names the array {body!r}, which is not in it")
        used.add(body)
        array = arrays[body]
        if kind == "tensor":
            return Tensor._wrap(array)
        return array if kind == "ndarray" else array[()]
    if kind == "dict":
        return {k: _decode(v, arrays, used) for k, v in body}
    if kind == "list":
        return [_decode(v, arrays, used) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, arrays, used) for v in body)
    raise CheckpointError(f"unknown entry kind {kind!r} in the metadata")


def _describe(obj):
    import json

    arrays = {}
    tree = _encode(obj, [], arrays)
    meta = json.dumps({"format": "glassgrad", "version": FORMAT_VERSION, "root": tree})
    return arrays, meta


def _rebuild(arrays, meta, path):
    import json

    if meta is None:  # a plain archive of named arrays (numpy.savez, another library)
        return {name: Tensor._wrap(a) for name, a in arrays.items()}
    try:
        doc = json.loads(meta)
        root = doc["root"]
    except (ValueError, TypeError, KeyError):
        raise CheckpointError(f"{path}: its glassgrad metadata is unreadable") from None
    if doc.get("format") != "glassgrad" or doc.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: unsupported format {doc.get('format')!r} version {doc.get('version')!r}")
    used = set()
    try:
        obj = _decode(root, arrays, used)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
    extra = sorted(set(arrays) - used)
    if extra:
        raise CheckpointError(f"{path}: mismatched file: arrays {extra[:5]} are not described by its metadata")
    return obj


# ------------------------------------------------------------------ the two formats

def _format_of(path):
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(path)!r}: use a name ending in .npz or .safetensors "
            "(glassgrad never uses pickle, so .pt/.pth files are not written)"
        )
    return suffix


def _safetensors():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "saving or loading .safetensors needs the safetensors package "
            "(pip install safetensors); or use a .npz file name"
        ) from None
    return safetensors.numpy


def save(obj, path):
    """Write ``obj`` (a state dict, or any nesting of tensors, arrays, numbers, strings,
    dicts, lists) to ``path`` (.npz or .safetensors), atomically. Returns the path."""
    fmt = _format_of(path)
    arrays, meta = _describe(obj)  # validates everything before touching the disk
    if fmt == ".npz":
        payload = dict(arrays)
        payload[META_KEY] = xp.frombuffer(meta.encode("utf-8"), dtype=xp.uint8)
        with atomic_open(path) as f:
            _write_npz(f, payload)
    else:
        st = _safetensors()
        blob = st.save({k: xp.require(a, requirements="C") for k, a in arrays.items()},
                       metadata={SAFETENSORS_META_KEY: meta})
        with atomic_open(path) as f:
            f.write(blob)
    return path


def _write_npz(f, arrays):
    """What numpy.savez writes (a zip of NAME.npy members, stored uncompressed), done by
    hand so that any key works (savez would choke on a key named "file") and pickle is
    refused on the way out too."""
    import zipfile

    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                xp.lib.format.write_array(member, xp.asanyarray(array), allow_pickle=False)


def load(path):
    """Read a file written by ``save`` (or a plain .npz of arrays). Arrays come back as
    Tensors (requires_grad=False) with their saved dtypes. Raises CheckpointError if the
    file is corrupt, truncated, not in the expected format, or inconsistent."""
    fmt = _format_of(path)
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if fmt == ".npz":
        arrays, meta = _read_npz(path)
    else:
        arrays, meta = _read_safetensors(path)
    return _rebuild(arrays, meta, path)


def _read_npz(path):
    import zipfile

    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":  # every .npz is a zip archive
            raise CheckpointError(f"{path}: not an .npz archive (it does not start like a zip file)")
    try:
        with xp.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}  # reading checks each CRC
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise CheckpointError(f"{path}: corrupt or truncated .npz archive ({exc})") from None
    meta = arrays.pop(META_KEY, None)
    if meta is not None:
        if meta.dtype != xp.uint8 or meta.ndim != 1:
            raise CheckpointError(f"{path}: its {META_KEY} entry is not glassgrad metadata")
        meta = meta.tobytes().decode("utf-8", errors="replace")
    return arrays, meta


def _read_safetensors(path):
    import json

    st = _safetensors()
    data = Path(path).read_bytes()
    try:
        # Layout: 8-byte little-endian header length, a JSON header, then the raw data.
        n = int.from_bytes(data[:8], "little")
        if len(data) < 8 or n > len(data) - 8:
            raise ValueError("header longer than the file")
        header = json.loads(data[8:8 + n])
        arrays = st.load(data)
    except Exception as exc:  # the Rust reader raises its own SafetensorError type
        raise CheckpointError(f"{path}: corrupt or truncated .safetensors file ({exc})") from None
    meta = (header.get("__metadata__") or {}).get(SAFETENSORS_META_KEY)
    return arrays, meta
