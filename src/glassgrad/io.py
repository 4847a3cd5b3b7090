"""Saving and loading checkpoints: ``glassgrad.save(obj, f)`` / ``glassgrad.load(f)``.

As in PyTorch, ``f`` is a path or an open binary file (``io.BytesIO`` too), and what is
saved is a state dict or any nesting of them::

    glassgrad.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, "ckpt.pt")
    ckpt = glassgrad.load("ckpt.pt", map_location="cpu", weights_only=True)

Unlike PyTorch, never pickle: nothing in a file can run code when it is loaded. The
format is chosen by the name: ``.safetensors`` writes safetensors (see
formats/safetensors.py: with a SHA-256 checksum verified on load); ``.npz``, ``.pt``,
``.pth`` and file objects write NumPy's ``.npz`` (see formats/npz.py: a CRC-32 per array).
Loading looks at the bytes, not the name; a PyTorch pickle file (``torch.save``'s own
format) is refused with a message on how to convert it.

A file is written through glassgrad.atomic: complete or not at all, the old file intact
until the new one is in place. ``load`` raises ``CheckpointError`` for any file that is
not a sound checkpoint (corrupt, truncated, hostile, inconsistent), and nothing else.

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
A plain .npz written by numpy.savez, or a .safetensors written by another library, loads
too, as a dict of name -> Tensor.
"""

import io
import os
from pathlib import Path

from .atomic import atomic_open
from .backend import xp
from .formats import MAX_DEPTH, PICKLE_REFUSAL, CheckpointError
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]

META_KEY = "__glassgrad__"
SAFETENSORS_META_KEY = "glassgrad"
FORMAT_VERSION = 1
FORMATS = {".npz": "npz", ".pt": "npz", ".pth": "npz", ".safetensors": "safetensors"}


# ------------------------------------------------------------------ encoding the tree

def _array_of(value, where):
    array = xp.asarray(value)
    if array.dtype.hasobject:
        raise TypeError(f"cannot save {where}: object arrays would need pickle")
    return array


def _check_key(k, parts):
    if isinstance(k, bool) or not isinstance(k, (str, int)):
        raise TypeError(f"cannot save a dict key of type {type(k).__name__} ({k!r}); keys must be str or int")
    if isinstance(k, str):
        if "\0" in k:
            raise ValueError(f"cannot save the key {k!r}: a NUL character cannot be stored in a file name")
        try:
            k.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"cannot save the key {k!r}: it is not valid text (a lone surrogate)") from None


def _encode(value, parts, arrays):
    """The JSON description of ``value``; arrays go into ``arrays`` under their path."""
    if len(parts) > MAX_DEPTH:
        raise ValueError(f"cannot save: nested more than {MAX_DEPTH} levels deep")
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
            _check_key(k, parts)
            items.append([k, _encode(v, parts + [str(k)], arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, parts + [str(i)], arrays) for i, v in enumerate(value)]}
    where = "/".join(parts) or "the object"
    if hasattr(value, "state_dict"):  # torch.save(model, PATH) pickles the whole module
        raise TypeError(f"cannot save {where}, a whole {type(value).__name__}: glassgrad saves no code "
                        "(that would need pickle); save its .state_dict() and load it into a new "
                        f"{type(value).__name__} with load_state_dict")
    raise TypeError(
        f"cannot save {where} of type {type(value).__name__}: only Tensors, arrays, numbers, "
        "strings, None and dicts/lists/tuples of them can be saved (no pickle)"
    )


_NUMERIC = "biufc"  # what a Tensor may hold: bool, int, uint, float, complex


def _decode(node, arrays, used, depth=0):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth > MAX_DEPTH:
        raise CheckpointError(f"its metadata is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"unreadable metadata entry {str(node)[:60]!r}")
    (kind, body), = node.items()
    if kind in ("tensor", "ndarray", "scalar"):
        if not isinstance(body, str) or body not in arrays:
            raise CheckpointError(f"mismatched file: its metadata names the array {str(body)[:60]!r}, which is not in it")
        used.add(body)
        array = arrays[body]
        if kind == "tensor" and array.dtype.kind not in _NUMERIC:
            raise CheckpointError(f"the tensor {body!r} holds {array.dtype} values, not numbers")
        if kind == "tensor":
            return Tensor._wrap(array)
        if kind == "scalar" and array.ndim != 0:
            raise CheckpointError(f"the scalar {body!r} has shape {array.shape}")
        return array if kind == "ndarray" else array[()]
    if kind == "dict" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in (str, int)):
                raise CheckpointError(f"unreadable dict entry {str(pair)[:60]!r} in the metadata")
            out[pair[0]] = _decode(pair[1], arrays, used, depth + 1)
        return out
    if kind in ("list", "tuple") and isinstance(body, list):
        items = [_decode(v, arrays, used, depth + 1) for v in body]
        return items if kind == "list" else tuple(items)
    raise CheckpointError(f"unknown entry kind {str(kind)[:30]!r} in the metadata")


def _describe(obj):
    import json

    arrays = {}
    tree = _encode(obj, [], arrays)
    meta = json.dumps({"format": "glassgrad", "version": FORMAT_VERSION, "root": tree})
    return arrays, meta


def _rebuild(arrays, meta, name):
    import json

    if meta is None:  # a plain archive of named arrays (numpy.savez, another library)
        return {key: _plain_tensor(a, key, name) for key, a in arrays.items()}
    try:
        doc = json.loads(meta)
    except (ValueError, RecursionError):
        raise CheckpointError(f"{name}: its glassgrad metadata is unreadable") from None
    if not isinstance(doc, dict) or "root" not in doc:
        raise CheckpointError(f"{name}: its glassgrad metadata is unreadable")
    if doc.get("format") != "glassgrad" or doc.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"{name}: unsupported format {repr(doc.get('format'))[:30]} "
                              f"version {repr(doc.get('version'))[:30]}")
    used = set()
    try:
        obj = _decode(doc["root"], arrays, used)
    except CheckpointError as exc:
        raise CheckpointError(f"{name}: {exc}") from None
    extra = sorted(set(arrays) - used)
    if extra:
        raise CheckpointError(f"{name}: mismatched file: arrays {extra[:5]} are not described by its metadata")
    return obj


def _plain_tensor(array, key, name):
    if array.dtype.kind not in _NUMERIC:
        raise CheckpointError(f"{name}: the array {key!r} holds {array.dtype} values, not numbers")
    return Tensor._wrap(array)


# ------------------------------------------------------------------ where to write, what to read

def _is_file_object(f, method):
    return not isinstance(f, (str, bytes, os.PathLike)) and hasattr(f, method)


def _format_of(path):
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r}: use a name ending in .pt, .pth, .npz "
            "or .safetensors (glassgrad writes its own safe formats, never pickle)"
        )
    return FORMATS[suffix]


def _check_binary(f, what):
    mode = getattr(f, "mode", "b")  # a str for open() files; absent for BytesIO, an int for GzipFile
    if isinstance(f, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode):
        raise TypeError(f"{what} needs a file opened in binary mode ('wb' / 'rb'), got a text file")


def save(obj, f):
    """Write ``obj`` (a state dict, or any nesting of tensors, arrays, numbers, strings,
    dicts, lists) to ``f``: a path (.pt, .pth, .npz or .safetensors; written atomically) or
    an open binary file object. Everything is checked before anything is written.
    Returns ``f``."""
    if _is_file_object(f, "write"):
        _check_binary(f, "glassgrad.save")
        fmt = "npz"
    elif isinstance(f, (str, os.PathLike)):
        fmt = _format_of(f)
    else:
        raise TypeError(f"glassgrad.save(obj, f): f must be a path or a binary file object, got {type(f).__name__}")
    arrays, meta = _describe(obj)  # validates everything before touching the disk
    if fmt == "npz":
        from .formats import npz

        # The description goes first: damage to the zip directory that hides the members
        # after a point (a corrupted length can) then shows as arrays missing from it.
        payload = {META_KEY: xp.frombuffer(meta.encode("utf-8"), dtype=xp.uint8), **arrays}
        write = lambda handle: npz.write(handle, payload)  # noqa: E731
    else:
        from .formats import safetensors

        blob = safetensors.encode(arrays, {SAFETENSORS_META_KEY: meta})
        write = lambda handle: handle.write(blob)  # noqa: E731
    if _is_file_object(f, "write"):
        # Encoded in memory first: the stream gets the whole checkpoint or nothing, and
        # streams that cannot seek back (pipes, GzipFile) work as well.
        buffer = io.BytesIO()
        write(buffer)
        f.write(buffer.getvalue())
    else:
        with atomic_open(f) as handle:
            write(handle)
    return f


def _check_map_location(map_location):
    """PyTorch's map_location moves storages between devices; glassgrad has one, the CPU."""
    if map_location is None or isinstance(map_location, dict) or callable(map_location):
        return
    where = map_location if isinstance(map_location, str) else getattr(map_location, "type", None)
    if not isinstance(where, str):
        raise TypeError(f"map_location must be a device, a device name, a dict or a function, "
                        f"got {type(map_location).__name__}")
    if where.split(":")[0] != "cpu":
        raise ValueError(f"map_location={str(map_location)!r}: glassgrad runs on the CPU only, and loads "
                         "every tensor there; use map_location='cpu' or leave it out")


def load(f, map_location=None, weights_only=None, mmap=None):
    """Read a checkpoint written by ``save`` (or a plain .npz of arrays, or a .safetensors
    file written by another library) from a path or an open binary file object.

    Arrays come back as Tensors (requires_grad=False) with their saved dtypes.
    ``map_location`` ("cpu", a device, a dict or a function) and ``weights_only`` are
    accepted as PyTorch's are: glassgrad loads to the CPU and never unpickles, so every
    load is weights-only. Raises FileNotFoundError for a missing path and CheckpointError,
    naming the file and the problem, for anything that is not a sound checkpoint (corrupt,
    truncated, hostile, inconsistent, or a PyTorch pickle)."""
    _check_map_location(map_location)
    for flag, value in (("weights_only", weights_only), ("mmap", mmap)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{flag} must be True, False or None, got {value!r}")
    if _is_file_object(f, "read"):
        _check_binary(f, "glassgrad.load")
        return _load_from(f, getattr(f, "name", None) or "the file object", None)
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"glassgrad.load(f): f must be a path or a binary file object, got {type(f).__name__}")
    name = os.fspath(f)
    expected = FORMATS.get(Path(name).suffix.lower())
    if not Path(name).exists():
        raise FileNotFoundError(f"no such file: {name}")
    if not Path(name).is_file():
        raise CheckpointError(f"{name}: not a regular file")
    with open(name, "rb") as fh:
        return _load_from(fh, name, expected)


def _load_from(fh, name, expected):
    try:
        start = fh.tell()
        size = fh.seek(0, io.SEEK_END) - start
        fh.seek(start)
    except (AttributeError, OSError, ValueError):  # a pipe, a GzipFile: read it whole
        fh = io.BytesIO(fh.read())
        start, size = 0, len(fh.getbuffer())
    try:
        kind = _sniff(fh.read(16), name, expected)
        fh.seek(start)
        if kind == "npz":
            from .formats import npz

            arrays = npz.read(_Window(fh, start), size, name)
            meta = arrays.pop(META_KEY, None)
            if meta is not None:
                if meta.dtype != xp.uint8 or meta.ndim != 1:
                    raise CheckpointError(f"{name}: its {META_KEY} entry is not glassgrad metadata")
                meta = meta.tobytes().decode("utf-8", errors="replace")
        else:
            arrays, meta = _read_safetensors(fh, size, name)
        return _rebuild(arrays, meta, name)
    except CheckpointError:
        raise
    except Exception as exc:  # whatever else a hostile file provokes is still a bad file
        raise CheckpointError(f"{name}: corrupt or truncated ({type(exc).__name__}: {str(exc)[:200]})") from exc


def _read_safetensors(fh, size, name):
    import warnings

    from .formats import safetensors

    arrays, metadata, state = safetensors.read(fh, size, name)
    if state == "absent" and SAFETENSORS_META_KEY in metadata:  # glassgrad always writes both
        raise CheckpointError(f"{name}: its checksum entry is missing (damaged, or altered by hand)")
    if state == "absent":
        warnings.warn(f"{name} has no glassgrad checksum (written by another tool): loaded "
                      "without an integrity check", stacklevel=4)
    return arrays, metadata.get(SAFETENSORS_META_KEY)


class _Window(io.RawIOBase):
    """The bytes of ``fh`` from ``start`` on, as a file of their own (a zip archive found
    in the middle of an open file object reads its offsets from where it starts)."""

    def __init__(self, fh, start):
        self.fh, self.start = fh, start

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_SET:
            offset += self.start
        return self.fh.seek(offset, whence) - self.start

    def tell(self):
        return self.fh.tell() - self.start

    def readinto(self, buffer):
        data = self.fh.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _sniff(head, name, expected):
    """Which format the first bytes say (the content decides, not the name); refuses
    pickles and foreign files in one line."""
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise CheckpointError(f"{name}: {PICKLE_REFUSAL}")
    if head[:4] == b"PK\x03\x04":  # a zip: an .npz, or PyTorch's zip of pickles (the zip reader tells)
        return "npz"
    if len(head) > 8 and head[8:9] == b"{":  # a length, then a JSON header
        return "safetensors"
    if expected == "npz":
        raise CheckpointError(f"{name}: not an .npz archive (it does not start like a zip file)")
    if expected == "safetensors":
        raise CheckpointError(f"{name}: not a .safetensors file (no JSON header after its length)")
    raise CheckpointError(f"{name}: not a glassgrad checkpoint (neither a zip/.npz nor a .safetensors file)")
