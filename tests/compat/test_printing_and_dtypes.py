"""How tensors and dtypes print, against torch 2.13: the same text, with ``glassgrad.``
where PyTorch writes ``torch.`` (glassgrad.float64, glassgrad.Size); set_printoptions; and
glassgrad's dtypes staying interchangeable with NumPy's."""

import copy
import math

import numpy as np
import pytest
import torch

import glassgrad as gg

nan, inf = math.nan, math.inf

CASES = {
    "fixed": lambda L: L.tensor([1.5, 2.25]),
    "whole floats": lambda L: L.tensor([1.0, 2.0]),
    "0-d": lambda L: L.tensor(3.14159),
    "wide range": lambda L: L.tensor([0.1, 100000.0]),
    "tiny": lambda L: L.tensor([1e-5, 1.0, 123.456]),
    "matrix": lambda L: L.tensor([[1.5, -2.0], [3.0, 4.25]]),
    "ints": lambda L: L.tensor([1, 2, -30]),
    "bools": lambda L: L.tensor([True, False]),
    "nan inf": lambda L: L.tensor([nan, 1.5, inf]),
    "nan whole": lambda L: L.tensor([nan, 1.0, -inf]),
    "empty": lambda L: L.tensor([]),
    "empty 2-d": lambda L: L.zeros(0, 3),
    "empty int": lambda L: L.tensor([], dtype=L.int64),
    "float64": lambda L: L.tensor([1.5, 2.0], dtype=L.float64),
    "int32": lambda L: L.tensor([1, 2], dtype=L.int32),
    "float16": lambda L: L.tensor([1.0, 2.0]).half(),
    "summarized": lambda L: L.arange(2000.0),
    "3-d": lambda L: L.arange(24.0).reshape(2, 3, 4),
    "wrapped rows": lambda L: L.arange(30.0).reshape(5, 6) / 7,
    "huge whole": lambda L: L.tensor([1e10, 1.0]),
    "big whole": lambda L: L.tensor([123456789.0, 2.0]),
    "negative zero": lambda L: L.tensor(-0.0),
    "zeros": lambda L: L.tensor([0.0, 0.0]),
    "requires grad": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    "int 0-d": lambda L: L.tensor(5),
    "10x10": lambda L: L.arange(100.0).reshape(10, 10),
    "long row": lambda L: L.linspace(0, 1, 30),
    "mixed signs": lambda L: L.tensor([-1.5, 20.25, 300.125]),
}


def _same_text(ours, theirs):
    assert ours == theirs.replace("torch.", "glassgrad.")


@pytest.mark.parametrize("name", sorted(CASES))
def test_tensors_print_as_torch_prints_them(name):
    _same_text(repr(CASES[name](gg)), repr(CASES[name](torch)))
    _same_text(str(CASES[name](gg)), str(CASES[name](torch)))


OPTIONS = [
    dict(precision=2), dict(sci_mode=False), dict(sci_mode=True), dict(precision=6),
    dict(threshold=5, edgeitems=2), dict(linewidth=20), dict(profile="short"),
    dict(profile="full"), dict(precision=2, sci_mode=False),
]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_set_printoptions_changes_the_printout_as_in_torch(options):
    try:
        gg.set_printoptions(**options)
        torch.set_printoptions(**options)
        for make in (CASES["tiny"], CASES["10x10"], CASES["long row"], CASES["3-d"],
                     lambda L: L.arange(10.0)):
            _same_text(repr(make(gg)), repr(make(torch)))
    finally:
        gg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    _same_text(repr(CASES["tiny"](gg)), repr(CASES["tiny"](torch)))  # back to the defaults


def test_set_printoptions_refuses_nonsense_in_one_line():
    for bad in (dict(precision=-1), dict(profile="loud"), dict(sci_mode="yes"),
                dict(threshold="all")):
        with pytest.raises(ValueError, match="set_printoptions"):
            gg.set_printoptions(**bad)
    assert gg.get_printoptions()["precision"] == 4


NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
         "complex64", "complex128"]


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_print_as_torchs_with_glassgrads_name(name):
    ours, theirs = getattr(gg, name), getattr(torch, name)
    _same_text(repr(ours), repr(theirs))
    _same_text(str(ours), str(theirs))
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_complex == theirs.is_complex
    assert ours.itemsize == theirs.itemsize


def test_torchs_short_dtype_names():
    for short, full in [("float", "float32"), ("double", "float64"), ("long", "int64"),
                        ("half", "float16"), ("bool", "bool")]:
        assert getattr(gg, short) is getattr(gg, full if full != "bool" else "bool_")
        _same_text(repr(getattr(gg, short)), repr(getattr(torch, short)))
    _same_text(repr(gg.get_default_dtype()), repr(torch.get_default_dtype()))


def test_dtypes_compare_with_each_other_and_with_numpys():
    x = gg.ones(2)
    assert x.dtype == gg.float32 and x.dtype is gg.float32 and x.dtype != gg.float64
    assert x.dtype == np.float32 and x.dtype == np.dtype("float32") and np.float32 == x.dtype
    assert np.dtype("float32") == x.dtype and x.numpy().dtype == x.dtype
    assert hash(gg.float32) == hash(np.dtype("float32"))
    assert {np.dtype("float32"): "f"}[x.dtype] == "f" and {gg.int64: "i"}[gg.tensor([1]).dtype] == "i"
    assert gg.float32 != "no such dtype" and gg.float32 != 3
    assert copy.deepcopy(gg.float64) is gg.float64
    assert gg.tensor([1, 2]).dtype == torch.tensor([1, 2]).numpy().dtype  # int64 both


def test_numpy_takes_glassgrad_dtypes_wherever_it_takes_a_dtype():
    assert np.zeros(2, dtype=gg.float64).dtype == np.float64
    assert np.arange(3).astype(gg.float16).dtype == np.float16
    assert np.dtype(gg.int32) == np.int32 and np.issubdtype(gg.float32, np.floating)
    assert np.finfo(gg.float32).eps == np.finfo(np.float32).eps
    assert gg.float32.kind == "f" and gg.int64.type is np.int64 and gg.uint8.name == "uint8"
    x = gg.ones(3)
    assert x.to(gg.float64).numpy().dtype == np.float64 and x.double().dtype is gg.float64
    assert gg.zeros(2, dtype=np.float64).dtype is gg.float64  # a NumPy dtype still works
    gg.set_default_dtype(gg.float64)  # the conftest fixture restores float32
    assert gg.get_default_dtype() is gg.float64 and gg.tensor(1.5).dtype is gg.float64


def test_parameter_lists_print_dtypes_as_torch():
    ours = gg.nn.ParameterList([gg.nn.Parameter(gg.ones(2, 3))])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3))])
    _same_text(repr(ours), repr(theirs))
