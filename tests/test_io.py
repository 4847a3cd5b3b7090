"""glassgrad.save / glassgrad.load: round trips, refusals of bad files, atomic writes."""

import importlib
import json
import os
import sys
import zipfile

import numpy as np
import pytest

import glassgrad
from glassgrad.io import CheckpointError

io_module = importlib.import_module("glassgrad.io")


def _model_state():
    rng = np.random.default_rng(0)
    return {
        "0.weight": glassgrad.tensor(rng.standard_normal((4, 3)).astype(np.float32)),
        "0.bias": glassgrad.tensor(rng.standard_normal(4).astype(np.float32)),
        "2.weight": glassgrad.tensor(rng.standard_normal((2, 4))),  # float64 stays float64
        "bn.num_batches": glassgrad.tensor(np.array(7, dtype=np.int64)),
        "mask": glassgrad.tensor(np.array([True, False])),
    }


def _optimizer_state():
    return {
        "state": {0: {"momentum_buffer": glassgrad.tensor(np.arange(3, dtype=np.float32)), "step": 5},
                  1: {"exp_avg": np.ones((2, 2)), "step": np.int64(5)}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "weight_decay": 0.0,
                          "decay": "decoupled", "foreach": None, "params": [0, 1]}],
    }


def _assert_same(a, b):
    if isinstance(a, glassgrad.Tensor):
        assert isinstance(b, glassgrad.Tensor)
        assert a.array.dtype == b.array.dtype and a.array.shape == b.array.shape
        np.testing.assert_array_equal(a.array, b.array)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert type(a) is type(b) and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    else:
        assert type(a) is type(b) and a == b


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_round_trip_model_and_optimizer_state(tmp_path, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    for obj in (_model_state(), _optimizer_state(), {"model": _model_state(), "optim": _optimizer_state(), "epoch": 3}):
        path = tmp_path / f"ckpt{suffix}"
        assert glassgrad.save(obj, path) == path
        loaded = glassgrad.load(path)
        _assert_same(obj, loaded)
        assert all(not t.requires_grad for t in loaded.values() if isinstance(t, glassgrad.Tensor))


def test_npz_is_readable_by_numpy_alone_with_the_documented_keys(tmp_path):
    path = tmp_path / "both.npz"
    obj = {"model": _model_state(), "optim": _optimizer_state()}
    glassgrad.save(obj, path)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted([
            "model/0.weight", "model/0.bias", "model/2.weight", "model/bn.num_batches", "model/mask",
            "optim/state/0/momentum_buffer", "optim/state/1/exp_avg", "optim/state/1/step", "__glassgrad__"])
        np.testing.assert_array_equal(npz["model/0.weight"], obj["model"]["0.weight"].array)
        meta = json.loads(npz["__glassgrad__"].tobytes())
    assert meta["format"] == "glassgrad" and meta["version"] == 1
    flat = tmp_path / "flat.npz"
    glassgrad.save(_model_state(), flat)
    with np.load(flat) as npz:
        assert "0.weight" in npz.files  # a flat state dict keeps its names as they are


def test_safetensors_file_is_readable_by_safetensors(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    state = _model_state()
    glassgrad.save(state, path)
    arrays = st.load_file(str(path))
    for name, t in state.items():
        np.testing.assert_array_equal(arrays[name], t.array)
        assert arrays[name].dtype == t.array.dtype


def test_plain_numpy_npz_loads_as_tensors(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, w=np.eye(2), b=np.zeros(2, dtype=np.float32))
    loaded = glassgrad.load(path)
    assert sorted(loaded) == ["b", "w"]
    assert isinstance(loaded["w"], glassgrad.Tensor) and loaded["b"].dtype == np.float32


def test_any_key_name_works(tmp_path):
    # numpy.savez(file, **arrays) would clash with a key named "file"
    path = tmp_path / "k.npz"
    glassgrad.save({"file": np.ones(2), "allow_pickle": np.zeros(1)}, path)
    assert sorted(glassgrad.load(path)) == ["allow_pickle", "file"]


# ------------------------------------------------------------------ refusals

def test_bad_names_and_types_are_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"\.pt, \.pth, \.npz or \.safetensors.*never pickle"):
        glassgrad.save(_model_state(), tmp_path / "model.pkl")
    with pytest.raises(TypeError, match="object arrays"):
        glassgrad.save({"x": np.array([1, "a", None], dtype=object)}, tmp_path / "a.npz")
    with pytest.raises(TypeError, match=r"cannot save f of type builtin_function_or_method"):
        glassgrad.save({"f": print}, tmp_path / "a.npz")
    with pytest.raises(TypeError, match="keys must be str or int"):
        glassgrad.save({(1, 2): np.ones(1)}, tmp_path / "a.npz")
    with pytest.raises(ValueError, match="both be stored under the key 'a/b'"):
        glassgrad.save({"a/b": np.ones(1), "a": {"b": np.ones(1)}}, tmp_path / "a.npz")
    assert os.listdir(tmp_path) == []


def test_safetensors_needs_numpy_only(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)  # makes `import safetensors` fail
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    glassgrad.save(_model_state(), tmp_path / "m.safetensors")
    _assert_same(_model_state(), glassgrad.load(tmp_path / "m.safetensors"))


def _saved(tmp_path, name="m.npz"):
    path = tmp_path / name
    glassgrad.save(_model_state(), path)
    return path, path.read_bytes()


def test_flipped_byte_in_the_data_is_refused(tmp_path):
    path, raw = _saved(tmp_path)
    weight = _model_state()["0.weight"].array.tobytes()
    at = raw.index(weight) + 5  # inside the stored array: only the CRC can tell
    path.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        glassgrad.load(path)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.95])
def test_truncated_file_is_refused(tmp_path, keep):
    path, raw = _saved(tmp_path)
    path.write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(CheckpointError):
        glassgrad.load(path)


def test_non_npz_files_are_refused(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("weights: 1 2 3\n")
    with pytest.raises(CheckpointError, match="not an .npz archive"):
        glassgrad.load(text)
    single = tmp_path / "single.npz"
    with open(single, "wb") as f:
        np.save(f, np.ones(3))  # a .npy under an .npz name
    with pytest.raises(CheckpointError, match="not an .npz archive"):
        glassgrad.load(single)
    pickled = tmp_path / "objects.npz"
    np.savez(pickled, x=np.array([{"a": 1}], dtype=object))  # would need pickle to read
    with pytest.raises(CheckpointError, match="only pickle could read"):
        glassgrad.load(pickled)
    with pytest.raises(FileNotFoundError):
        glassgrad.load(tmp_path / "absent.npz")


def _npz_with(path, arrays, meta):
    with zipfile.ZipFile(path, "w") as z:
        for name, a in arrays.items():
            with z.open(name + ".npy", "w") as f:
                np.lib.format.write_array(f, a)
        if meta is not None:
            with z.open("__glassgrad__.npy", "w") as f:
                np.lib.format.write_array(f, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def test_mismatched_metadata_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    _npz_with(path, {"a": np.ones(2)}, {"format": "glassgrad", "version": 1,
                                         "root": {"dict": [["a", {"tensor": "a"}], ["b", {"tensor": "b"}]]}})
    with pytest.raises(CheckpointError, match="names the array 'b', which is not in it"):
        glassgrad.load(path)
    _npz_with(path, {"a": np.ones(2), "extra": np.ones(1)},
              {"format": "glassgrad", "version": 1, "root": {"dict": [["a", {"tensor": "a"}]]}})
    with pytest.raises(CheckpointError, match=r"arrays \['extra'\] are not described"):
        glassgrad.load(path)
    _npz_with(path, {"a": np.ones(2)}, {"format": "glassgrad", "version": 99, "root": None})
    with pytest.raises(CheckpointError, match="version 99"):
        glassgrad.load(path)


def test_corrupt_safetensors_is_refused(tmp_path):
    pytest.importorskip("safetensors")
    path, raw = _saved(tmp_path, "m.safetensors")
    path.write_bytes(raw[:-7])
    with pytest.raises(CheckpointError, match="truncated"):
        glassgrad.load(path)
    path.write_bytes(b"\xff" * 8 + b"{}")
    with pytest.raises(CheckpointError):
        glassgrad.load(path)


# ------------------------------------------------------------------ atomic writes

@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    path = tmp_path / f"ckpt{suffix}"
    old = {"w": glassgrad.tensor([1.0, 2.0])}
    glassgrad.save(old, path)
    before = path.read_bytes()

    real_open = io_module.atomic_open

    class DiskFull(OSError):
        pass

    def failing_open(target):
        cm = real_open(target)

        class Wrapper:
            def __enter__(self):
                handle = cm.__enter__()
                handle.write(b"PK\x03\x04 half a file")  # some bytes reach the temp file

                class Breaks:
                    def write(self, data):
                        raise DiskFull("no space left on device")

                    def __getattr__(self, name):
                        return getattr(handle, name)
                self.broken = Breaks()
                return self.broken

            def __exit__(self, *exc):
                return cm.__exit__(*exc)
        return Wrapper()

    monkeypatch.setattr(io_module, "atomic_open", failing_open)
    with pytest.raises(DiskFull):
        glassgrad.save({"w": glassgrad.tensor([9.0, 9.0, 9.0])}, path)
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left behind
    assert path.read_bytes() == before
    _assert_same(old, glassgrad.load(path))


def test_new_files_get_ordinary_permissions(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "m.npz"
        glassgrad.save(_model_state(), path)
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_resuming_from_a_checkpoint_continues_exactly(tmp_path):
    """Train 3 steps, save, train 3 more; versus: load into fresh objects, train 3 more.
    The two runs must agree to the bit (the oracle is the uninterrupted run)."""
    nn = pytest.importorskip("glassgrad.nn")
    X = glassgrad.tensor(np.random.default_rng(1).standard_normal((16, 2)).astype(np.float32))
    y = glassgrad.tensor(np.arange(16) % 2)

    def make():
        glassgrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 2))
        return model, glassgrad.optim.Adam(model.parameters(), lr=0.05)

    def steps(model, opt, k):
        for _ in range(k):
            opt.zero_grad()
            nn.CrossEntropyLoss()(model(X), y).backward()
            opt.step()

    model, opt = make()
    steps(model, opt, 3)
    glassgrad.save({"model": model.state_dict(), "optim": opt.state_dict()}, tmp_path / "c.npz")
    steps(model, opt, 3)

    fresh, fresh_opt = make()
    checkpoint = glassgrad.load(tmp_path / "c.npz")
    fresh.load_state_dict(checkpoint["model"])
    fresh_opt.load_state_dict(checkpoint["optim"])
    steps(fresh, fresh_opt, 3)
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)
