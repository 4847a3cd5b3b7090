"""Shared helpers for the nn tests: move weights and tensors between glassgrad and torch,
and compare with the house tolerances (float64 rtol 1e-7, float32 rtol 1e-4). A layer's
float32 comparison also allows SUM_ULPS ulps of the magnitude of the terms summed into each
element (float32 sums round differently with and without fused multiply-add, and with the
order a BLAS kernel or thread split adds them): the same layer run in float64 on |weights|,
|input| and |upstream| gives that magnitude (exactly, for the sums of products of linear
and convolution layers)."""

import numpy as np

import glassgrad as gg
from glassgrad import nn

RTOL = {np.dtype("float64"): 1e-7, np.dtype("float32"): 1e-4}
ATOL = {np.dtype("float64"): 1e-12, np.dtype("float32"): 1e-6}


SUM_ULPS = 16


def _numpy(x):
    if isinstance(x, gg.Tensor):
        return x.array
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_close(ours, theirs, dtype=None, rtol=None, atol=None, magnitude=None):
    """Compare a glassgrad Tensor/array with a torch tensor/array elementwise. ``magnitude``:
    per element, the sum of the magnitudes of the terms behind it (adds SUM_ULPS ulps of it
    to the absolute tolerance)."""
    a, b = _numpy(ours), _numpy(theirs)
    dtype = np.dtype(dtype or a.dtype)
    assert a.shape == b.shape, f"shape {a.shape} != torch's {b.shape}"
    rtol = rtol or RTOL[dtype]
    atol = atol if atol is not None else ATOL[dtype]
    if magnitude is None:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    else:
        _allclose(a, b, rtol, atol + SUM_ULPS * np.finfo(dtype).eps * _numpy(magnitude))


def _allclose(a, b, rtol, atol):
    """np.testing.assert_allclose with an elementwise atol."""
    err = np.abs(a.astype(np.float64) - b.astype(np.float64))
    bad = ~(err <= atol + rtol * np.abs(b.astype(np.float64))) & ~(np.isnan(a) & np.isnan(b))
    bad &= ~((a == b) & np.isinf(a))
    assert not bad.any(), (
        f"{int(bad.sum())} of {bad.size} elements differ: first at "
        f"{np.unravel_index(np.argmax(bad), bad.shape)}: glassgrad {a[bad][0]!r}, torch "
        f"{b[bad][0]!r}, |difference| {err[bad][0]:.3g} > tolerance "
        f"{np.broadcast_to(atol + rtol * np.abs(b), bad.shape)[bad][0]:.3g}")


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
    mag = _magnitudes(make, ours, np.asarray(x, dtype=dtype), training, call, seed) \
        if np.dtype(dtype) == np.float32 else {}
    assert_close(out_ours, out_theirs, dtype, magnitude=mag.get("out"))
    backward_with(out_ours, out_theirs, seed)
    assert_close(x_ours.grad, x_theirs.grad, dtype, magnitude=mag.get("x"))
    grads_theirs = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, f"no gradient for {name}"
        assert_close(p.grad, grads_theirs[name].grad, dtype, magnitude=mag.get(name))
    return ours, theirs


def _magnitudes(make, ours, x, training, call, seed):
    """The torch twin in float64 on |weights|, |x| and |upstream|: for each output, input
    and parameter gradient, the sum of the magnitudes of the terms behind each element."""
    import torch

    theirs = make(torch.nn).double()
    theirs.train(training)
    state = ours.state_dict()
    with torch.no_grad():
        for key, value in theirs.state_dict().items():
            value.copy_(torch.from_numpy(np.abs(np.asarray(state[key].array, dtype=np.float64))))
    x_abs = torch.tensor(np.abs(x.astype(np.float64)), requires_grad=True)
    out = call(theirs, x_abs)
    out = out[0] if isinstance(out, tuple) else out
    upstream = np.random.default_rng(seed).standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(np.abs(upstream.astype(x.dtype).astype(np.float64))))
    mags = {"out": out.detach().abs(), "x": x_abs.grad.abs()}
    mags.update({name: p.grad.abs() for name, p in theirs.named_parameters()
                 if p.grad is not None})
    return mags


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
