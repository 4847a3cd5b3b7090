"""The smaller pieces of PyTorch's surface, against torch 2.13: format specs on tensors,
autograd.Variable, Size, the legacy tensor types (FloatTensor, torch.Tensor(2, 3)) and
x.type()."""

import warnings

import numpy as np
import pytest
import torch

import glassgrad as gg


# ------------------------------------------------------------------ format specs
@pytest.mark.parametrize("value,spec", [(3.14159, ".2f"), (3.14159, ".3e"), (2.5, ""),
                                        (-0.125, "+.1%"), (7, "d"), (7, "05d"), (True, "")])
def test_a_zero_dim_tensor_formats_as_its_number(value, spec):
    assert format(gg.tensor(value), spec) == format(torch.tensor(value), spec)
    assert f"{gg.tensor(value):{spec}}" == f"{torch.tensor(value):{spec}}"


def test_a_tensor_with_dims_takes_only_an_empty_spec():
    x, tx = gg.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    assert format(x, "") == str(x) and format(tx, "") == str(tx)
    for lib_x in (x, tx):
        with pytest.raises(TypeError):
            format(lib_x, ".2f")


def test_the_loss_line_of_a_training_loop_formats():
    loss, tloss = gg.tensor(0.123456), torch.tensor(0.123456)
    assert f"loss: {loss:>7f}" == f"loss: {tloss:>7f}"  # PyTorch's quickstart tutorial


# ------------------------------------------------------------------ Variable
def test_variable_returns_a_new_leaf_sharing_memory_as_torch():
    from glassgrad.autograd import Variable
    from torch.autograd import Variable as TVariable

    for lib, V in ((gg, Variable), (torch, TVariable)):
        x = lib.ones(2, 3)
        v = V(x, requires_grad=True)
        assert type(v) is lib.Tensor or isinstance(v, lib.Tensor)
        assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
        (v * 2).sum().backward()
        np.testing.assert_array_equal(np.asarray(v.grad.tolist()), np.full((2, 3), 2.0))
        w = V(x)
        assert not w.requires_grad
        with lib.no_grad():
            w.add_(1)  # the same memory
        assert x.tolist() == [[2.0] * 3] * 2
        assert isinstance(x, V) and isinstance(v, V)
        assert V().shape == (0,)
    assert type(Variable(gg.ones(1))) is gg.Tensor


def test_variable_volatile_warns_as_torch_and_refuses_non_tensors():
    from glassgrad.autograd import Variable
    from torch.autograd import Variable as TVariable

    for V, x in ((Variable, gg.ones(2)), (TVariable, torch.ones(2))):
        with pytest.warns(UserWarning, match="volatile was removed"):
            v = V(x, volatile=True)
        assert not v.requires_grad
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
            V([1.0, 2.0])


# ------------------------------------------------------------------ Size
def test_shapes_are_sizes_that_compare_as_tuples():
    x, tx = gg.ones(2, 3), torch.ones(2, 3)
    assert x.size() == gg.Size([2, 3]) and tx.size() == torch.Size([2, 3])
    assert x.shape == (2, 3) and isinstance(x.shape, tuple) and isinstance(x.shape, gg.Size)
    assert x.size(1) == tx.size(1) == 3 and type(x.size(1)) is int
    assert repr(x.shape) == repr(tx.shape).replace("torch", "glassgrad")  # glassgrad.Size([2, 3])
    assert str(x.shape) == str(tx.shape).replace("torch", "glassgrad")
    for part, tpart in [(x.shape[1:], tx.shape[1:]), (x.shape + (4,), tx.shape + (4,)),
                        ((1,) + x.shape, (1,) + tx.shape), (x.shape * 2, tx.shape * 2)]:
        assert tuple(part) == tuple(tpart) and isinstance(part, gg.Size)
    assert x.shape.numel() == tx.shape.numel() == 6 and gg.Size([]).numel() == 1
    assert gg.zeros(x.shape).shape == (2, 3) and gg.zeros(gg.Size([4])).shape == (4,)
    with pytest.raises(TypeError):
        gg.Size([2.0])
    with pytest.raises(TypeError):
        torch.Size([2.0])


# ------------------------------------------------------------------ legacy types
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
          "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_types_build_tensors_of_their_dtype_as_torch(name):
    ours, theirs = getattr(gg, name), getattr(torch, name)
    for args in [(2, 3), (4,), ([1, 0, 2],), ([[1.7, 0.0]],), ()]:
        t, tt = ours(*args), theirs(*args)
        assert t.shape == tuple(tt.shape)
        assert t.type() == tt.type() == f"torch.{name}"
        if args and isinstance(args[0], list):
            np.testing.assert_array_equal(t.numpy(), tt.numpy())
    assert isinstance(ours([1]), ours) and isinstance(ours([1]), gg.Tensor)
    other = "LongTensor" if name != "LongTensor" else "FloatTensor"
    assert not isinstance(getattr(gg, other)([1]), ours)
    assert not isinstance(getattr(torch, other)([1]), theirs)


def test_legacy_types_refuse_a_gpu_and_a_tensor_of_another_dtype():
    with pytest.raises(RuntimeError, match="CPU only"):
        gg.FloatTensor(2, device="cuda")
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.tensor([1, 2]))
    with pytest.raises(TypeError):
        gg.FloatTensor(gg.tensor([1, 2]))


def test_the_tensor_constructor_takes_sizes_or_float_data_as_torch():
    for args in [(2, 3), (3,), ([1, 2],), ([[1.5, 2.0]],), ((2, 3),), (np.arange(3),), ()]:
        t, tt = gg.Tensor(*args), torch.Tensor(*args)
        assert t.shape == tuple(tt.shape) and t.type() == tt.type() == "torch.FloatTensor"
        if args and not isinstance(args[0], int):
            np.testing.assert_array_equal(t.numpy(), tt.numpy())
    assert gg.Tensor(gg.Size([2, 3])).shape == (2, 3) == tuple(torch.Tensor(torch.Size([2, 3])).shape)
    assert gg.Tensor(2, 3).numpy().tolist() == [[0.0] * 3] * 2  # zeros where torch has garbage
    ints = gg.tensor([1, 2])
    assert gg.Tensor(ints).type() == torch.Tensor(torch.tensor([1, 2])).type() == "torch.LongTensor"
    with pytest.raises(TypeError):
        torch.Tensor(2.5)
    with pytest.raises(TypeError, match="sequence"):
        gg.Tensor(2.5)
    gg.set_default_dtype(gg.float64)  # the conftest fixture restores float32
    torch.set_default_dtype(torch.float64)
    try:
        assert gg.Tensor([1]).type() == torch.Tensor([1]).type() == "torch.DoubleTensor"
    finally:
        torch.set_default_dtype(torch.float32)


# ------------------------------------------------------------------ x.type()
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_type_with_no_argument_gives_torchs_type_name(dtype):
    x = gg.zeros(2).to(getattr(gg, dtype if dtype != "bool" else "bool"))
    tx = torch.zeros(2).to(getattr(torch, dtype))
    assert x.type() == tx.type()


def test_type_with_an_argument_converts_as_torch():
    x, tx = gg.tensor([1.5, -2.5]), torch.tensor([1.5, -2.5])
    for arg, targ in [(gg.DoubleTensor, torch.DoubleTensor), ("torch.LongTensor", "torch.LongTensor"),
                      (gg.float64, torch.float64), (gg.IntTensor, torch.IntTensor)]:
        y, ty = x.type(arg), tx.type(targ)
        assert y.type() == ty.type()
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
    assert x.type(gg.FloatTensor) is x and tx.type(torch.FloatTensor) is tx
    with pytest.raises(TypeError, match="invalid type"):
        x.type("torch.NoSuchTensor")
