"""glassgrad.save / glassgrad.load as PyTorch programs call torch.save / torch.load: .pt
and .pth names, open files and io.BytesIO, map_location= and weights_only=, a whole
training checkpoint; PyTorch's own pickle files refused with how to convert them; torch
(the oracle) agreeing on the weights that cross between the two."""

import io

import numpy as np
import pytest

import glassgrad
import glassgrad.nn as nn
from glassgrad.io import CheckpointError

torch = pytest.importorskip("torch")


def _model(seed=0):
    glassgrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def _trained(seed=0):
    """A model and an SGD-with-momentum optimizer after two steps (so it has state)."""
    model = _model(seed)
    opt = glassgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = glassgrad.tensor(np.random.default_rng(seed).standard_normal((6, 3)).astype(np.float32))
    for _ in range(2):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    return model, opt, x


def _checkpoint(model, opt):
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "note": "run 1"}


def _targets(tmp_path):
    """The paths a PyTorch program saves to (as a Path and as a str)."""
    return {
        "path.pt": (tmp_path / "ckpt.pt", tmp_path / "ckpt.pt"),
        "path.pth": (str(tmp_path / "ckpt.pth"), str(tmp_path / "ckpt.pth")),
    }


@pytest.mark.parametrize("where", ["path.pt", "path.pth", "open file", "BytesIO"])
def test_a_training_checkpoint_round_trips(tmp_path, where):
    model, opt, x = _trained()
    ckpt = _checkpoint(model, opt)
    if where == "BytesIO":
        buffer = io.BytesIO()
        glassgrad.save(ckpt, buffer)
        buffer.seek(0)
        loaded = glassgrad.load(buffer)
    elif where == "open file":
        with open(tmp_path / "f.bin", "wb") as f:
            glassgrad.save(ckpt, f)
        with open(tmp_path / "f.bin", "rb") as f:
            loaded = glassgrad.load(f, map_location="cpu", weights_only=True)
    else:
        save_to, load_from = _targets(tmp_path)[where]
        glassgrad.save(ckpt, save_to)
        loaded = glassgrad.load(load_from, map_location=torch.device("cpu"), weights_only=False)
    assert loaded["epoch"] == 3 and loaded["note"] == "run 1"
    assert list(loaded["model"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]

    # Resume: a fresh model and optimizer continue exactly as the originals do.
    fresh, fresh_opt, _ = _trained(seed=1)
    fresh.load_state_dict(loaded["model"])
    fresh_opt.load_state_dict(loaded["optimizer"])
    np.testing.assert_array_equal(fresh(x).array, model(x).array)
    for m, o in ((model, opt), (fresh, fresh_opt)):
        o.zero_grad()
        (m(x) ** 2).mean().backward()
        o.step()
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)


def test_a_bytes_io_in_the_middle_of_a_stream(tmp_path):
    """A checkpoint written after other bytes in the same stream loads from where it starts."""
    buffer = io.BytesIO()
    buffer.write(b"header of my own format\n")
    start = buffer.tell()
    glassgrad.save({"w": glassgrad.tensor([1.0, 2.0])}, buffer)
    buffer.seek(start)
    np.testing.assert_array_equal(glassgrad.load(buffer)["w"].array, [1.0, 2.0])


@pytest.mark.parametrize("map_location", [
    None, "cpu", "cpu:0", {"cuda:0": "cpu"}, lambda storage, location: storage,
])
def test_map_location_forms_are_accepted(tmp_path, map_location):
    glassgrad.save({"w": glassgrad.tensor([1.0])}, tmp_path / "m.pt")
    assert glassgrad.load(tmp_path / "m.pt", map_location=map_location)["w"].item() == 1.0


def test_torch_device_as_map_location(tmp_path):
    glassgrad.save({"w": glassgrad.tensor([1.0])}, tmp_path / "m.pt")
    assert glassgrad.load(tmp_path / "m.pt", map_location=torch.device("cpu"))["w"].item() == 1.0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"map_location": "cuda"}, ValueError, "glassgrad runs on the CPU only"),
    ({"map_location": "cuda:1"}, ValueError, "glassgrad runs on the CPU only"),
    ({"map_location": 3}, TypeError, "map_location must be a device"),
    ({"weights_only": "yes"}, TypeError, "weights_only must be True, False or None"),
])
def test_bad_load_arguments_are_one_line(tmp_path, kwargs, error, message):
    glassgrad.save({"w": glassgrad.tensor([1.0])}, tmp_path / "m.pt")
    with pytest.raises(error, match=message):
        glassgrad.load(tmp_path / "m.pt", **kwargs)


def test_text_mode_files_and_other_objects_are_refused(tmp_path):
    with open(tmp_path / "t.txt", "w") as f, pytest.raises(TypeError, match="binary mode"):
        glassgrad.save({"w": glassgrad.tensor([1.0])}, f)
    with pytest.raises(TypeError, match="a path or a binary file object"):
        glassgrad.save({}, 42)
    with pytest.raises(TypeError, match="a path or a binary file object"):
        glassgrad.load(42)


# ------------------------------------------------------------------ PyTorch's own files

@pytest.mark.parametrize("legacy", [False, True])
def test_a_pytorch_pickle_file_is_refused_with_how_to_convert_it(tmp_path, legacy):
    path = tmp_path / "torch_model.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path, _use_new_zipfile_serialization=not legacy)
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as info:
        glassgrad.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "never unpickles" in message and "arbitrary code" in message
    assert "save_file(model.state_dict(), 'model.safetensors')" in message
    assert path.read_bytes() == before
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer, _use_new_zipfile_serialization=not legacy)
    buffer.seek(0)
    with pytest.raises(CheckpointError, match="never unpickles"):
        glassgrad.load(buffer)


def test_the_conversion_the_message_gives_works(tmp_path):
    """What the refusal tells a user to run in PyTorch gives a file glassgrad loads, with
    the weights torch had and, in the same architecture, torch's outputs."""
    st_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    path = tmp_path / "model.safetensors"
    st_torch.save_file(tmodel.state_dict(), str(path))
    with pytest.warns(UserWarning, match="no glassgrad checksum"):
        state = glassgrad.load(path)
    for name, t in tmodel.state_dict().items():
        assert state[name].dtype == np.float32
        np.testing.assert_array_equal(state[name].array, t.numpy())
    model = _model()
    model.load_state_dict(state)
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    expected = tmodel(torch.from_numpy(x)).detach().numpy()
    # Same weights; float32 sums of 3 and 5 terms may round in another order: a few ulps.
    np.testing.assert_allclose(model(glassgrad.tensor(x)).array, expected, rtol=1e-5, atol=1e-6)


def test_a_glassgrad_safetensors_file_loads_in_torch(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    model, _, _ = _trained()
    path = tmp_path / "m.safetensors"
    glassgrad.save(model.state_dict(), path)
    tstate = st_torch.load_file(str(path))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    tmodel.load_state_dict(tstate)
    for name, t in model.state_dict().items():
        np.testing.assert_array_equal(tstate[name].numpy(), t.array)


def test_a_saved_module_gives_identical_outputs(tmp_path):
    model, _, x = _trained()
    glassgrad.save(model.state_dict(), tmp_path / "model.pth")
    fresh = _model(seed=5)
    fresh.load_state_dict(glassgrad.load(tmp_path / "model.pth", weights_only=True))
    np.testing.assert_array_equal(fresh(x).array, model(x).array)


def test_a_gzip_file_object_works_both_ways(tmp_path):
    """Any binary file object: here a GzipFile (not seekable when writing, mode an int)."""
    import gzip

    with gzip.open(tmp_path / "m.pt.gz", "wb") as f:
        glassgrad.save({"w": glassgrad.tensor([1.0, 2.0])}, f)
    with gzip.open(tmp_path / "m.pt.gz", "rb") as f:
        np.testing.assert_array_equal(glassgrad.load(f)["w"].array, [1.0, 2.0])


def test_saving_a_whole_module_says_to_save_its_state_dict(tmp_path):
    """torch.save(model, PATH) pickles the module's code; glassgrad says what to do instead."""
    model, opt, _ = _trained()
    for obj, name in ((model, "Sequential"), ({"opt": opt}, "SGD")):
        with pytest.raises(TypeError, match=f"a whole {name}: .*save its .state_dict\\(\\)"):
            glassgrad.save(obj, tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []
