"""Shared helpers for the nn tests: move weights and tensors between glassgrad and torch,
and compare with the house tolerances (float64 rtol 1e-7, float32 rtol 1e-4)."""

import numpy as np

import glassgrad as gg

RTOL = {np.dtype("float64"): 1e-7, np.dtype("float32"): 1e-4}
ATOL = {np.dtype("float64"): 1e-12, np.dtype("float32"): 1e-6}


def assert_close(ours, theirs, dtype=None, rtol=None, atol=None):
    """Compare a glassgrad Tensor/array with a torch tensor/array elementwise."""
    a = ours.data if isinstance(ours, gg.Tensor) else np.asarray(ours)
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
            theirs_state[key].copy_(torch.from_numpy(np.array(value.data)))


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
    upstream = np.random.default_rng(seed).standard_normal(shape).astype(ours_out.data.dtype)
    ours_out.backward(gg.tensor(upstream))
    theirs_out.backward(torch.from_numpy(upstream.copy()))
