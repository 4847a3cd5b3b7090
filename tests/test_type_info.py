"""finfo, iinfo, promote_types, result_type and can_cast against torch 2.13, over every
pair of the dtypes glassgrad names."""

import itertools

import pytest
import torch

import glassgrad

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]


def g(name):
    return getattr(glassgrad, "bool_" if name == "bool" else name)


def t(name):
    return getattr(torch, name)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name):
    ours, theirs = glassgrad.finfo(g(name)), torch.finfo(t(name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert ours.dtype == theirs.dtype == name


def test_finfo_of_the_default_dtype():
    assert glassgrad.finfo().eps == torch.finfo().eps
    glassgrad.set_default_dtype(glassgrad.float64)
    assert glassgrad.finfo().bits == 64


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    ours, theirs = glassgrad.iinfo(g(name)), torch.iinfo(t(name))
    assert (ours.bits, ours.min, ours.max, ours.dtype) == (theirs.bits, theirs.min, theirs.max, theirs.dtype)


def test_finfo_and_iinfo_refuse_the_other_kind():
    with pytest.raises(TypeError, match="iinfo for integer"):
        glassgrad.finfo(glassgrad.int64)
    with pytest.raises(TypeError, match="finfo for floating"):
        glassgrad.iinfo(glassgrad.float32)
    with pytest.raises(TypeError, match="expected a dtype"):
        glassgrad.finfo("not a dtype")


@pytest.mark.parametrize("a, b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_and_can_cast_match_torch_on_every_pair(a, b):
    assert str(glassgrad.promote_types(g(a), g(b))).split(".")[-1] == str(torch.promote_types(t(a), t(b))).split(".")[-1]
    assert glassgrad.can_cast(g(a), g(b)) == torch.can_cast(t(a), t(b))


VALUES = {
    "int tensor": ([1, 2], None), "int8 tensor": ([1, 2], "int8"), "float tensor": ([1.0, 2.0], None),
    "double 0-d": (1.5, "float64"), "int 0-d": (3, None), "half tensor": ([1.0], "float16"),
    "bool tensor": ([True], None), "python float": 2.5, "python int": 3, "python bool": True,
}


def _make(lib, value):
    if not isinstance(value, tuple):
        return value
    data, dtype = value
    return lib.tensor(data, dtype=getattr(lib, dtype) if dtype else None)


@pytest.mark.parametrize("a, b", [(a, b) for a, b in itertools.product(VALUES, VALUES)
                                  if isinstance(VALUES[a], tuple) or isinstance(VALUES[b], tuple)])
def test_result_type_matches_torch(a, b):
    ours = glassgrad.result_type(_make(glassgrad, VALUES[a]), _make(glassgrad, VALUES[b]))
    theirs = torch.result_type(_make(torch, VALUES[a]), _make(torch, VALUES[b]))
    assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]
