"""Views share memory and the version counter with their base (as in PyTorch), so an
in-place change through a view is seen by the backward checks of the base, and the
other way round; copies (advanced indexing, reshape of a non-contiguous tensor) do not."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import BackwardError


@pytest.mark.parametrize("make_view", [
    lambda x: x.view(-1), lambda x: x.reshape(6), lambda x: x.t(), lambda x: x.transpose(0, 1),
    lambda x: x.permute(1, 0), lambda x: x[1], lambda x: x[:, 1:], lambda x: x[None],
    lambda x: x.unsqueeze(0), lambda x: x[:1].squeeze(0), lambda x: x.flatten(),
    lambda x: x[1, 2], lambda x: x[-1][0],  # one element: a 0-d view, as PyTorch's
])
def test_in_place_through_a_view_changes_the_base_and_its_version(make_view):
    base = gg.zeros(2, 3)
    v = make_view(base)
    before = base._version
    v.add_(1.0)
    assert base._version == before + 1
    assert v._version == base._version
    assert base.array.sum() == v.array.size  # the base's memory changed


@pytest.mark.parametrize("make_copy", [
    lambda x: x[[0, 1]], lambda x: x[x > 0], lambda x: x.t().reshape(6), lambda x: x.clone(),
])
def test_copies_have_their_own_version(make_copy):
    base = gg.ones(2, 3)
    c = make_copy(base)
    c.add_(1.0)
    assert base._version == 0
    assert base.array.sum() == 6


def test_saved_tensor_changed_through_a_view_fails_backward():
    # exp keeps its output; doubling that output through a view must stop backward
    x = gg.randn(2, 3, requires_grad=True)
    y = x.exp()
    with gg.no_grad():
        y.view(-1).mul_(2)
    with pytest.raises(BackwardError, match=r"modified by an in-place operation.*\(2, 3\)"):
        y.sum().backward()


def test_saved_base_changed_then_view_used_fails_backward():
    x = gg.randn(2, 3, requires_grad=True)
    h = x * 1
    z = h.t().exp()  # the transpose view of h goes into exp, which saves its own output
    w = h.t() * h.t()  # mul saves the view of h
    with gg.no_grad():
        h.mul_(3)  # changes the memory the views look into
    with pytest.raises(BackwardError):
        (w.sum() + z.sum()).backward()


def test_view_refuses_a_layout_that_needs_a_copy():
    x = gg.randn(3, 4).t()
    with pytest.raises(ValueError, match="reshape"):
        x.view(12)
    assert x.reshape(12).shape == (12,)
    assert x.contiguous().view(12).shape == (12,)


def test_contiguous_returns_self_when_already_contiguous():
    x = gg.randn(3, 4)
    assert x.contiguous() is x
    assert x.t().contiguous().array.flags.c_contiguous


def test_max_with_dim_is_a_named_tuple_like_torch():
    import torch

    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], dtype=np.float32)
    got = gg.tensor(a).max(dim=1)
    want = torch.tensor(a).max(dim=1)
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    values, indices = got  # unpacks like a tuple
    assert indices.dtype == np.int64 and not indices.requires_grad
