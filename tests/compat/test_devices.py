"""torch.device, torch.cuda, torch.accelerator, torch.backends and the device= arguments,
each against torch 2.13 (the oracle) on this CPU-only machine: the boilerplate every PyTorch
program starts with runs unchanged, and asking for a GPU is refused in one line."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.device import CPUOnlyError


@pytest.mark.parametrize("args", [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda:1",),
                                  ("cuda", 2), ("mps",), ("meta",)])
def test_device_objects_print_compare_and_hash_as_torch(args):
    ours, theirs = gg.device(*args), torch.device(*args)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert gg.device(ours) == ours and hash(gg.device(ours)) == hash(ours)


def test_device_equality_follows_torch():
    pairs = [(("cpu",), ("cpu",)), (("cpu",), ("cpu", 0)), (("cuda", 0), ("cuda:0",)),
             (("cuda",), ("cpu",))]
    for a, b in pairs:
        assert (gg.device(*a) == gg.device(*b)) == (torch.device(*a) == torch.device(*b))
    assert (gg.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")  # False in both
    assert len({gg.device("cpu"), gg.device("cpu"), gg.device("cpu", 0)}) == 2


def test_a_device_number_alone_names_an_accelerator_and_is_refused_as_in_torch():
    with pytest.raises(RuntimeError):
        torch.device(0)  # "Cannot access accelerator device when none is available."
    with pytest.raises(CPUOnlyError, match="CPU only"):
        gg.device(0)


@pytest.mark.parametrize("bad", ["gpu", "cpu:x", "cpu:-1"])
def test_a_bad_device_string_is_refused_as_torch_refuses_it(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(RuntimeError):
        gg.device(bad)
    with pytest.raises(RuntimeError, match="negative"):
        gg.device("cpu", -1)


def test_the_cuda_module_answers_as_torch_without_a_gpu():
    assert gg.cuda.is_available() is torch.cuda.is_available() is False
    assert gg.cuda.device_count() == torch.cuda.device_count() == 0
    assert gg.cuda.is_initialized() is torch.cuda.is_initialized() is False
    assert gg.cuda.manual_seed(0) is torch.cuda.manual_seed(0) is None
    assert gg.cuda.manual_seed_all(0) is torch.cuda.manual_seed_all(0) is None
    assert gg.cuda.empty_cache() is torch.cuda.empty_cache() is None


@pytest.mark.parametrize("name", ["current_device", "get_device_name", "synchronize",
                                  "get_device_properties", "set_device"])
def test_what_needs_a_gpu_is_refused_in_one_line(name):
    args = (0,) if name in ("get_device_properties", "set_device") else ()
    # torch: AssertionError "not compiled with CUDA" (set_device: an AttributeError)
    with pytest.raises((AssertionError, RuntimeError, AttributeError)):
        getattr(torch.cuda, name)(*args)
    with pytest.raises(RuntimeError) as err:
        getattr(gg.cuda, name)(*args)
    message = str(err.value)
    assert "\n" not in message and "CPU" in message and name in message


def test_other_cuda_names_are_refused_in_one_line_and_hasattr_says_false():
    with pytest.raises(RuntimeError, match="CPU only") as err:
        gg.cuda.Stream
    assert "\n" not in str(err.value)
    assert not hasattr(gg.cuda, "amp")


def test_accelerator_and_backends_answer_as_torch_without_a_gpu():
    assert gg.accelerator.is_available() is torch.accelerator.is_available() is False
    assert gg.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert gg.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert gg.backends.mps.is_built() is torch.backends.mps.is_built() is False
    cudnn, tcudnn = gg.backends.cudnn, torch.backends.cudnn
    for name in ("enabled", "deterministic", "benchmark", "allow_tf32"):
        assert getattr(cudnn, name) == getattr(tcudnn, name), name
    assert cudnn.is_available() is tcudnn.is_available() is False
    assert cudnn.version() is tcudnn.version() is None
    cudnn.deterministic, cudnn.benchmark = True, False  # settable, as in torch
    try:
        import glassgrad.backends.cudnn as again  # the import form of the official examples
        assert again.deterministic is True
    finally:
        cudnn.deterministic = False


def test_the_usual_device_line_runs_and_picks_the_cpu():
    for lib in (gg, torch):
        device = "cuda" if lib.cuda.is_available() else "cpu"
        device = lib.device(device)
        x = lib.ones(2, 3, device=device).to(device)
        model = lib.nn.Linear(3, 1).to(device)
        assert model(x).shape == (2, 1)
        assert repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu"
        assert x.device == device and x.cpu() is x and x.to("cpu") is x
        assert x.is_cuda is False and x.get_device() == -1
        assert x.is_cpu is True and x.is_meta is False and x.is_pinned() is False
    with pytest.raises(RuntimeError):
        torch.ones(1).pin_memory()  # "Cannot access accelerator device when none is available."
    with pytest.raises(CPUOnlyError, match="CPU only"):
        gg.ones(1).pin_memory()
    mps = "mps" if gg.backends.mps.is_available() else "cpu"
    assert gg.zeros(1, device=mps).device == gg.device("cpu")


FACTORIES = {
    "tensor": lambda lib, d: lib.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda lib, d: lib.as_tensor([1.0, 2.0], device=d),
    "zeros": lambda lib, d: lib.zeros(2, 3, device=d),
    "ones": lambda lib, d: lib.ones((2, 3), device=d),
    "empty": lambda lib, d: lib.empty(2, device=d),
    "full": lambda lib, d: lib.full((2,), 7.0, device=d),
    "rand": lambda lib, d: lib.rand(2, device=d),
    "randn": lambda lib, d: lib.randn(2, device=d),
    "randint": lambda lib, d: lib.randint(0, 5, (3,), device=d),
    "randperm": lambda lib, d: lib.randperm(4, device=d),
    "linspace": lambda lib, d: lib.linspace(0, 1, 5, device=d),
    "logspace": lambda lib, d: lib.logspace(0, 1, 5, device=d),
    "arange": lambda lib, d: lib.arange(5, device=d),
    "eye": lambda lib, d: lib.eye(3, device=d),
    "zeros_like": lambda lib, d: lib.zeros_like(lib.ones(2), device=d),
    "ones_like": lambda lib, d: lib.ones_like(lib.ones(2), device=d),
    "full_like": lambda lib, d: lib.full_like(lib.ones(2), 3.0, device=d),
    "rand_like": lambda lib, d: lib.rand_like(lib.ones(2), device=d),
    "randn_like": lambda lib, d: lib.randn_like(lib.ones(2), device=d),
    "empty_like": lambda lib, d: lib.empty_like(lib.ones(2), device=d),
    "normal": lambda lib, d: lib.normal(0.0, 1.0, (2,), device=d),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_every_factory_takes_device_cpu_and_refuses_cuda(name):
    make = FACTORIES[name]
    for spelling in ("cpu", gg.device("cpu"), None, "cpu:0"):
        t = make(gg, spelling)
        ref = make(torch, spelling if not isinstance(spelling, gg.device) else "cpu")
        assert t.shape == tuple(ref.shape) and t.device == gg.device("cpu")
    with pytest.raises(CPUOnlyError) as err:
        make(gg, "cuda")
    assert "\n" not in str(err.value) and name in str(err.value)


def test_to_takes_devices_dtypes_and_tensors_as_torch():
    x = gg.tensor([1.5, 2.5])
    tx = torch.tensor([1.5, 2.5])
    cases = [("cpu",), (gg.device("cpu"),), ("cpu", gg.float64), (gg.device("cpu"), gg.int64)]
    tcases = [("cpu",), (torch.device("cpu"),), ("cpu", torch.float64),
              (torch.device("cpu"), torch.int64)]
    for args, targs in zip(cases, tcases):
        y, ty = x.to(*args), tx.to(*targs)
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        assert y.numpy().dtype == ty.numpy().dtype
    assert x.to(device="cpu", dtype=gg.float64).dtype == gg.float64
    assert x.to(gg.zeros(1, dtype=gg.float64)).dtype == gg.float64  # a tensor's dtype
    for bad in (("cuda",), (gg.device("cuda", 0),), ("mps", gg.float64)):
        with pytest.raises(CPUOnlyError, match="CPU only"):
            x.to(*bad)
    with pytest.raises(CPUOnlyError):
        x.to(device="cuda")
    with pytest.raises(CPUOnlyError):
        x.cuda()


def test_modules_move_to_the_cpu_and_refuse_a_gpu():
    m = gg.nn.Linear(2, 2)
    assert m.to("cpu") is m and m.to(gg.device("cpu")) is m and m.cpu() is m
    assert m.to(gg.device("cpu"), gg.float64).weight.dtype == gg.float64
    for bad in ("cuda", gg.device("cuda"), "cuda:0"):
        with pytest.raises(CPUOnlyError, match="CPU only"):
            m.to(bad)
    with pytest.raises(CPUOnlyError):
        m.cuda()
    with pytest.raises(CPUOnlyError):
        gg.nn.Linear(2, 2, device="cuda")
    assert gg.nn.Linear(2, 2, device=gg.device("cpu")).weight.device == gg.device("cpu")


def test_default_device_as_torch():
    assert repr(gg.get_default_device()) == repr(torch.get_default_device())
    gg.set_default_device("cpu")
    gg.set_default_device(gg.device("cpu"))
    gg.set_default_device(None)
    assert gg.get_default_device() == gg.device("cpu")
    with pytest.raises(CPUOnlyError):
        gg.set_default_device("cuda")


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_utils_data_after_a_bare_import_loads_only_on_first_use():
    code = ("import sys, glassgrad; print('glassgrad.data' in sys.modules, "
            "'glassgrad.cuda' in sys.modules); "
            "L = glassgrad.utils.data.DataLoader; import glassgrad.data as d; "
            "print(L is d.DataLoader, glassgrad.utils.data.TensorDataset is d.TensorDataset)")
    assert _run(code) == ["False", "False", "True", "True"]
