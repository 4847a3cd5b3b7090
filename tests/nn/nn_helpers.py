"""Shared helpers for the nn tests: move weights and tensors between glassgrad and torch,
and compare with the house tolerances (float64 rtol 1e-7, float32 rtol 1e-4)."""

import numpy as np

import glassgrad as gg
from glassgrad import nn

RTOL = {np.dtype("float64"): 1e-7, np.dtype("float32"): 1e-4}
ATOL = {np.dtype("float64"): 1e-12, np.dtype("float32"): 1e-6}


def assert_close(ours, theirs, dtype=None, rtol=None, atol=None):
    """Compare a glassgrad Tensor/array with a torch tensor/array elementwise."""
    a = ours.array if isinstance(ours, gg.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    dtype = np.dtype(dtype or a.dtype)
    assert a.shape == b.shape, f"shape {a.shape} != torch's {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol or RTOL[dtype], atol=atol if atol is not None else ATOL[dtype])


def copy_weights_to_torch(ours, theirs):
    """Make the torch model's weights equal to ours, key by key (the key names must match)."""
    import torch

    state = ours.state_dict()
    theirs_state = theirs.state_dict()
    assert list(state) == list(theirs_state)
    with torch.no_grad():
        for key, value in state.items():
            theirs_state[key].copy_(torch.from_numpy(np.array(value.array)))


def randn(*shape, seed=0):
    """Standard normal float64 values of ``shape``, drawn from their own seeded generator."""
    return np.random.default_rng(seed).standard_normal(shape)


def twins(make, dtype):
    """The same layer in both libraries, ``make(glassgrad.nn)`` and ``make(torch.nn)``, in
    ``dtype``, with torch's weights set to ours."""
    import torch

    ours, theirs = make(nn), make(torch.nn)
    if dtype == "float64":
        ours.double()
        theirs.double()
    copy_weights_to_torch(ours, theirs)
    return ours, theirs


def compare_with_torch(make, x, dtype, seed=0, training=True, call=None):
    """Forward and backward of the same layer in both libraries from identical weights:
    compare the output and the gradients of the input and of every parameter. ``call(m, x)``
    runs a layer (default ``m(x)``); an output (values, indices) has its indices compared
    exactly and its values as the output."""
    ours, theirs = twins(make, dtype)
    ours.train(training)
    theirs.train(training)
    x_ours, x_theirs = pair(np.asarray(x, dtype=dtype))
    call = call or (lambda m, x: m(x))
    out_ours, out_theirs = call(ours, x_ours), call(theirs, x_theirs)
    if isinstance(out_theirs, tuple):  # (values, indices)
        np.testing.assert_array_equal(out_ours[1].array, out_theirs[1].numpy())
        out_ours, out_theirs = out_ours[0], out_theirs[0]
    assert out_ours.dtype == np.dtype(dtype)
    assert_close(out_ours, out_theirs, dtype)
    backward_with(out_ours, out_theirs, seed)
    assert_close(x_ours.grad, x_theirs.grad, dtype)
    grads_theirs = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, f"no gradient for {name}"
        assert_close(p.grad, grads_theirs[name].grad, dtype)
    return ours, theirs


def pair(array, requires_grad=True):
    """The same values as a glassgrad tensor and a torch tensor (both leaves)."""
    import torch

    array = np.asarray(array)
    ours = gg.tensor(array, requires_grad=requires_grad and array.dtype.kind == "f")
    theirs = torch.tensor(array, requires_grad=requires_grad and array.dtype.kind == "f")
    return ours, theirs


def backward_with(ours_out, theirs_out, seed=0):
    """Backpropagate the same random upstream gradient through both outputs."""
    import torch

    shape = tuple(ours_out.shape)
    upstream = np.random.default_rng(seed).standard_normal(shape).astype(ours_out.array.dtype)
    ours_out.backward(gg.tensor(upstream))
    theirs_out.backward(torch.from_numpy(upstream.copy()))
