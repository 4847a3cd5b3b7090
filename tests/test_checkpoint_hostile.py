"""Hostile and corrupt checkpoints: every one is refused by glassgrad.load with a
CheckpointError (its only error for a bad file), before anything large is allocated.

Each hostile file is one row. The fuzz tests flip bits, truncate and scramble real files
and count the outcomes: refused, or (for a flip in a part of a zip no reader uses, such as
a timestamp) loaded unchanged; never a changed weight, never another exception.
"""

import functools
import io
import json
import struct
import tracemalloc
import warnings
import zlib

import numpy as np
import pytest

import glassgrad
from glassgrad.io import CheckpointError

MB = 1 << 20


def _state():
    rng = np.random.default_rng(0)
    return {
        "model": {"0.weight": glassgrad.tensor(rng.standard_normal((8, 4)).astype(np.float32)),
                  "0.bias": glassgrad.tensor(rng.standard_normal(8).astype(np.float32)),
                  "steps": glassgrad.tensor(np.array(7, dtype=np.int64))},
        "optimizer": {"state": {0: {"momentum_buffer": glassgrad.tensor(np.ones(3, dtype=np.float32))}},
                      "param_groups": [{"lr": 0.1, "params": [0]}]},
        "epoch": 3,
    }


def _same(a, b):
    if isinstance(a, glassgrad.Tensor):
        return (isinstance(b, glassgrad.Tensor) and a.array.dtype == b.array.dtype
                and a.array.shape == b.array.shape and np.array_equal(a.array, b.array))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _load_bytes(data, suffix, tmp_path):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    return glassgrad.load(path)


def _peak_bytes(fn):
    """Largest Python-side allocation while fn runs (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# ------------------------------------------------------------------ hand-made zip archives

def _npy(shape, dtype="<f4", data=b""):
    header = {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    text = repr(header).encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def _zip(members):
    """A zip archive from (name, stored bytes, method, crc, claimed size, flags) rows,
    written by hand so that its sizes can lie."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, payload, method, crc, size, flags in members:
        offset = out.tell()
        fname = name.encode()
        fields = (20, flags, method, 0, 0x21, crc, len(payload), size, len(fname), 0)
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + fname + payload)
        central.write(b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset) + fname)
    start = out.tell()
    out.write(central.getvalue())
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members),
                                          len(central.getvalue()), start, 0))
    return out.getvalue()


def _stored(name, content, claimed=None, method=0, flags=0):
    return (name, content, method, zlib.crc32(content), len(content) if claimed is None else claimed, flags)


def _deflate_stream(prefix, zeros):
    """Raw deflate of prefix + `zeros` zero bytes, produced 1 MB at a time."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(prefix)]
    for _ in range(zeros // MB):
        parts.append(c.compress(bytes(MB)))
    parts.append(c.flush())
    return b"".join(parts)


def _meta_member(root):
    """The __glassgrad__ member describing ``root`` (JSON text, so nesting can be deep)."""
    meta = ('{"format": "glassgrad", "version": 1, "root": ' + root + "}").encode()
    return _stored("__glassgrad__.npy", _npy((len(meta),), "|u1", meta))


@functools.lru_cache(maxsize=None)
def _npz_rows():
    ok = _npy((2,), "<f4", np.ones(2, np.float32).tobytes())
    return {
        "npy header claims 10^12 elements": (_zip([_stored("w.npy", _npy((10**12,), "<f4", bytes(16)))]),
                                             "claims shape .*refused before allocating"),
        "10^9 elements, zip size agreeing": (_zip([_stored("w.npy", _npy((10**9,)), claimed=4 * 10**9 + 128)]),
                                             "two sizes differ"),
        "deflate bomb claiming 4 GB": (
            _zip([("w.npy", _deflate_stream(_npy((10**9,)), 16 * MB), 8, 0, 4 * 10**9 + 128, 0)]),
            "decompression bomb, refused before inflating"),
        "member that is not .npy": (_zip([_stored("w.txt", b"hello")]), "is not a .npy array"),
        "encrypted member": (_zip([_stored("w.npy", ok, flags=1)]), "encrypted"),
        "bzip2 member": (_zip([_stored("w.npy", ok, method=12)]), "compression method 12"),
        "member named twice": (_zip([_stored("w.npy", ok), _stored("w.npy", ok)]), "twice"),
        "object array (pickle)": (_zip([_stored("w.npy", _npy((1,), "|O", b"\x80\x04N."))]), "only pickle"),
        "npy version 9": (_zip([_stored("w.npy", b"\x93NUMPY\x09\x00" + ok[8:])]), "corrupt|version"),
        "npy header is code": (_zip([_stored("w.npy", b"\x93NUMPY\x01\x00\x20\x00__import__('os').system('x')  \n")]),
                               "corrupt"),
        "tensor wrapping bytes": (_zip([_stored("w.npy", _npy((2,), "|S4", b"abcdefgh")),
                                        _meta_member('{"dict": [["w", {"tensor": "w"}]]}')]),
                                  "holds \\|S4 values, not numbers"),
        "plain archive of strings": (_zip([_stored("w.npy", _npy((2,), "<U1", "ab".encode("utf-32-le")))]),
                                     "not numbers"),
        "metadata nested 5000 deep": (_zip([_meta_member("[" * 5000 + "]" * 5000)]), "unreadable|deep"),
        "metadata list nested 200 deep": (_zip([_meta_member('{"list": [' * 200 + "]}" * 200)]), "deep"),
        "metadata names a missing array": (_zip([_meta_member('{"tensor": "nope"}')]), "not in it"),
        "metadata names an array by a number": (_zip([_meta_member('{"tensor": 5}')]), "not in it"),
        "metadata dict body not a list": (_zip([_meta_member('{"dict": {"a": 1}}')]), "unknown entry kind"),
        "metadata dict key a list": (_zip([_meta_member('{"dict": [[[1], 2]]}')]), "unreadable dict entry"),
        "metadata unknown kind": (_zip([_meta_member('{"pickle": "x"}')]), "unknown entry kind"),
        "metadata scalar with a shape": (_zip([_stored("s.npy", ok), _meta_member('{"scalar": "s"}')]), "has shape"),
        "metadata not an object": (_zip([_stored("__glassgrad__.npy", _npy((2,), "|u1", b"[]"))]), "unreadable"),
        "metadata not JSON": (_zip([_stored("__glassgrad__.npy", _npy((2,), "|u1", b"{x"))]), "unreadable"),
        "PyTorch legacy pickle": (b"\x80\x02\x8a\x0alZ\xfc\x9cF\xf9 j\xa8P\x19.", "never unpickles"),
        "PyTorch zip of pickles": (_zip([_stored("archive/data.pkl", b"\x80\x02}q\x00."),
                                         _stored("archive/version", b"3\n")]), "never unpickles.*safetensors"),
        "empty file": (b"", "not an .npz archive"),
        "a .npy, not an .npz": (ok, "not an .npz archive"),
        "only a zip signature": (b"PK\x03\x04", "corrupt"),
    }


NPZ_CASES = ["npy header claims 10^12 elements", "10^9 elements, zip size agreeing",
             "deflate bomb claiming 4 GB", "member that is not .npy",
             "encrypted member", "bzip2 member", "member named twice", "object array (pickle)", "npy version 9",
             "npy header is code", "tensor wrapping bytes", "plain archive of strings", "metadata nested 5000 deep",
             "metadata list nested 200 deep", "metadata names a missing array", "metadata names an array by a number",
             "metadata dict body not a list", "metadata dict key a list", "metadata unknown kind",
             "metadata scalar with a shape", "metadata not an object", "metadata not JSON", "PyTorch legacy pickle",
             "PyTorch zip of pickles", "empty file", "a .npy, not an .npz", "only a zip signature"]


def test_every_npz_case_is_listed():
    assert sorted(NPZ_CASES) == sorted(_npz_rows())


@pytest.mark.parametrize("case", NPZ_CASES)
def test_hostile_npz_is_refused(tmp_path, case):
    data, message = _npz_rows()[case]
    path = tmp_path / "f.npz"
    path.write_bytes(data)
    peak = _peak_bytes(lambda: pytest.raises(CheckpointError, glassgrad.load, path).match(message))
    assert peak < 20 * MB  # refused before allocating what the file claims


def test_a_deflate_bomb_behind_a_small_claim_is_never_inflated(tmp_path):
    """A member that claims 80 bytes of floats but whose deflate stream would go on to
    256 MB: only the claimed bytes are inflated (and CRC-checked), the rest never is."""
    small = _npy((20,), "<f4", bytes(80))
    path = tmp_path / "f.npz"
    path.write_bytes(_zip([("w.npy", _deflate_stream(small, 256 * MB), 8, zlib.crc32(small), len(small), 0)]))
    loaded = {}
    peak = _peak_bytes(lambda: loaded.update(glassgrad.load(path)))
    assert peak < 20 * MB
    np.testing.assert_array_equal(loaded["w"].array, np.zeros(20, np.float32))


# ------------------------------------------------------------------ safetensors

def _st(header, data=b"", length=None):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


ST_ROWS = {
    "header length past the end": (_st({}, length=10**15), "longer than the file"),
    "header not JSON": (struct.pack("<Q", 4) + b"{abc", "not JSON"),
    "header nested 100000 deep": (struct.pack("<Q", 100000) + b'{"a":' + b"[" * 99995, "not JSON"),
    "header a list": (_st([1, 2]), "not a .safetensors file"),
    "header a string": (struct.pack("<Q", 5) + b'{"a":' + b"", "not JSON"),
    "claims 10^12 elements": (_st({"w": {"dtype": "F32", "shape": [10**12], "data_offsets": [0, 8]}}, bytes(8)),
                              "refused before allocating"),
    "claims 10^12 elements, offsets agreeing": (
        _st({"w": {"dtype": "F32", "shape": [10**12], "data_offsets": [0, 4 * 10**12]}}, bytes(8)), "holds 8"),
    "bfloat16": (_st({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bytes(4)),
                 "bfloat16, which NumPy cannot hold"),
    "unknown dtype": (_st({"w": {"dtype": "OBJ", "shape": [1], "data_offsets": [0, 1]}}, bytes(1)), "unknown dtype"),
    "negative size": (_st({"w": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}}, bytes(1)), "not a list of sizes"),
    "float size": (_st({"w": {"dtype": "U8", "shape": [1.5], "data_offsets": [0, 1]}}, bytes(1)), "not a list of sizes"),
    "offsets not a pair": (_st({"w": {"dtype": "U8", "shape": [1], "data_offsets": "0-1"}}, bytes(1)), "byte positions"),
    "overlapping tensors": (_st({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                                 "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, bytes(3)), "tile"),
    "a gap between tensors": (_st({"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}, bytes(2)), "tile"),
    "data longer than described": (_st({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, bytes(9)),
                                   "truncated or corrupt"),
    "entry not an object": (_st({"a": 5}), "not an object"),
    "metadata not strings": (_st({"__metadata__": {"glassgrad": 5}}), "not a map of strings"),
    "checksum not hex": (_st({"__metadata__": {"glassgrad.sha256": "z" * 64}}), "malformed"),
    "checksum wrong": (_st({"__metadata__": {"glassgrad.sha256": "0" * 64}}), "checksum mismatch"),
    "glassgrad metadata without checksum": (_st({"__metadata__": {"glassgrad": "[" * 5000}}), "checksum entry is missing"),
    "seven bytes": (b"\x01" * 7, "not a .safetensors file"),
}


@pytest.mark.parametrize("case", list(ST_ROWS))
def test_hostile_safetensors_is_refused(tmp_path, case):
    data, message = ST_ROWS[case]
    path = tmp_path / "f.safetensors"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # files without a checksum warn; refused all the same
        peak = _peak_bytes(lambda: pytest.raises(CheckpointError, glassgrad.load, path).match(message))
    assert peak < 20 * MB


def test_the_checksum_is_stored_and_checked(tmp_path):
    path = tmp_path / "m.safetensors"
    glassgrad.save(_state(), path)
    raw = path.read_bytes()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])
    assert len(header["__metadata__"]["glassgrad.sha256"]) == 64
    weight = _state()["model"]["0.weight"].array.tobytes()
    at = raw.index(weight) + 3
    path.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])  # one bit of one weight
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        glassgrad.load(path)


def test_a_file_without_checksum_loads_with_a_warning(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "other.safetensors"
    st.save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3)}, str(path))
    with pytest.warns(UserWarning, match="no glassgrad checksum"):
        loaded = glassgrad.load(path)
    np.testing.assert_array_equal(loaded["w"].array, np.arange(6, dtype=np.float32).reshape(2, 3))


# ------------------------------------------------------------------ keys that cannot round-trip

@pytest.mark.parametrize("key, error, message", [
    ("a\0b", ValueError, "NUL"),
    ("\ud800", ValueError, "lone surrogate"),
    (1.5, TypeError, "keys must be str or int"),
    (True, TypeError, "keys must be str or int"),
    (("a", 1), TypeError, "keys must be str or int"),
    (None, TypeError, "keys must be str or int"),
])
@pytest.mark.parametrize("suffix", [".npz", ".safetensors", ".pt"])
def test_a_key_that_cannot_round_trip_is_refused_before_the_old_file_is_touched(tmp_path, key, error,
                                                                                message, suffix):
    path = tmp_path / f"ckpt{suffix}"
    glassgrad.save(_state(), path)
    before = path.read_bytes()
    with pytest.raises(error, match=message):
        glassgrad.save({"model": {key: glassgrad.tensor([1.0])}}, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_nesting_too_deep_is_refused_at_save(tmp_path):
    deep = glassgrad.tensor([1.0])
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 100"):
        glassgrad.save(deep, tmp_path / "d.npz")
    assert list(tmp_path.iterdir()) == []


def test_int_keys_and_odd_strings_round_trip(tmp_path):
    obj = {0: {"a/b c": 1, "é\t\n\"'": glassgrad.tensor([2.0])}, "": [None, 1.5, "x"], -3: (1, 2)}
    for suffix in (".npz", ".safetensors"):
        glassgrad.save(obj, tmp_path / f"k{suffix}")
        assert _same(obj, glassgrad.load(tmp_path / f"k{suffix}"))


# ------------------------------------------------------------------ fuzz

def _outcome(original, data, suffix, tmp_path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = _load_bytes(data, suffix, tmp_path)
    except CheckpointError:
        return "refused"
    return "unchanged" if _same(original, loaded) else "CHANGED"


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_fuzz_bit_flips_truncations_and_random_bytes(tmp_path, suffix):
    """Measured here (seeded): every single-bit flip of a .safetensors checkpoint is refused
    (the checksum covers every byte); in an .npz, flips land either in checked bytes
    (refused) or in zip fields no reader uses, such as timestamps (loaded unchanged)."""
    original = _state()
    path = tmp_path / f"orig{suffix}"
    glassgrad.save(original, path)
    raw = path.read_bytes()
    rng = np.random.default_rng(12345)
    counts = {"refused": 0, "unchanged": 0, "CHANGED": 0}
    for _ in range(600):  # single-bit flips
        at, bit = int(rng.integers(len(raw))), int(rng.integers(8))
        counts[_outcome(original, raw[:at] + bytes([raw[at] ^ (1 << bit)]) + raw[at + 1:], suffix, tmp_path)] += 1
    flips = dict(counts)
    for keep in range(0, len(raw), max(1, len(raw) // 200)):  # truncations
        assert _outcome(original, raw[:keep], suffix, tmp_path) == "refused"
    for n in (0, 1, 8, 9, 64, 4096):  # random bytes, and random bytes behind the right magic
        for head in (b"", b"PK\x03\x04", raw[:16]):
            data = head + rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            assert _outcome(original, data, suffix, tmp_path) == "refused"
    for _ in range(200):  # random runs of bytes overwritten
        at, n = int(rng.integers(len(raw))), int(rng.integers(1, 64))
        data = raw[:at] + rng.integers(0, 256, n, dtype=np.uint8).tobytes() + raw[at + n:]
        assert _outcome(original, data[:len(raw)], suffix, tmp_path) in ("refused", "unchanged")
    print(f"\n{suffix}: 600 single-bit flips -> {flips}")
    assert flips["CHANGED"] == 0
    if suffix == ".safetensors":
        assert flips["refused"] == 600
