"""axis=/keepdims= (NumPy's names PyTorch accepts) and out=, against torch 2.13."""

import warnings

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.aliases import AXIS, OUT

A = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]])


def _pair(array=A):
    return gg.tensor(array), torch.tensor(array)


def _same(ours, theirs):
    """Results agree: a tensor, a (values, indices) pair or a tuple of tensors."""
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(np.asarray(ours.tolist()), np.asarray(theirs.tolist()), rtol=1e-6)


CALLS = {  # name -> (arguments before dim, whether keepdim applies)
    "sum": ((), True), "mean": ((), True), "max": ((), True), "min": ((), True),
    "std": ((), True), "var": ((), True), "prod": ((), True), "amax": ((), True),
    "amin": ((), True), "any": ((), True), "all": ((), True), "logsumexp": ((), True),
    "argmax": ((), True), "argmin": ((), True), "cumsum": ((), False), "cumprod": ((), False),
    "softmax": ((), False), "log_softmax": ((), False), "count_nonzero": ((), False),
    "squeeze": ((), False), "unsqueeze": ((), False), "sort": ((), False),
    "argsort": ((), False), "topk": ((1,), False), "unbind": ((), False), "chunk": ((2,), False),
    "kthvalue": ((1,), True), "cat": ((), False), "stack": ((), False),
    "median": ((), True), "nanmedian": ((), True), "quantile": ((0.5,), True),
    "nanquantile": ((0.5,), True), "nansum": ((), True), "nanmean": ((), True),
    "logcumsumexp": ((), False), "cummax": ((), False), "cummin": ((), False),
    "std_mean": ((), True), "var_mean": ((), True),
}


def test_the_table_covers_every_alias():
    assert sorted(CALLS) == sorted(AXIS)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("axis", [0, 1])
def test_axis_and_keepdims_mean_dim_and_keepdim_as_in_torch(name, axis):
    before, keeps = CALLS[name]
    x, tx = _pair(A if name not in ("any", "all") else A > 0)
    if name in ("cat", "stack"):
        x, tx = [x, x], [tx, tx]
    if name == "squeeze":
        x, tx = x.reshape(2, 1, 3), tx.reshape(2, 1, 3)
    extra = {"keepdims": True} if keeps else {}
    ours = getattr(gg, name)(x, *before, axis=axis, **extra)
    theirs = getattr(torch, name)(tx, *before, axis=axis, **extra)
    _same(ours, theirs)
    # the Tensor methods too (torch has no x.cat, x.std_mean)
    if name not in ("cat", "stack", "std_mean", "var_mean"):
        _same(getattr(x, name)(*before, axis=axis, **extra), theirs)
    dims = dict(dim=axis, keepdim=True) if keeps else dict(dim=axis)
    _same(getattr(gg, name)(x, *before, **dims), theirs)


def test_axis_with_dim_is_refused_as_torch_refuses_it():
    x, tx = _pair()
    with pytest.raises(TypeError):
        torch.sum(tx, dim=0, axis=0)
    with pytest.raises(TypeError, match="both dim= and axis="):
        gg.sum(x, dim=0, axis=0)
    with pytest.raises(TypeError, match="keepdims"):
        x.mean(dim=0, keepdim=True, keepdims=True)


def test_a_gradient_flows_through_the_aliased_spelling():
    x = gg.tensor(A, requires_grad=True)
    tx = torch.tensor(A, requires_grad=True)
    (x.amax(axis=1, keepdims=True) * x).sum().backward()
    (tx.amax(axis=1, keepdims=True) * tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


B = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0]])
OUT_CALLS = {
    "matmul": lambda lib, a, b: ((a, b.T), {}), "mm": lambda lib, a, b: ((a, b.T), {}),
    "bmm": lambda lib, a, b: ((a[None], b.T[None]), {}),
    "add": lambda lib, a, b: ((a, b), {"alpha": 2}), "sub": lambda lib, a, b: ((a, b), {}),
    "mul": lambda lib, a, b: ((a, b), {}), "div": lambda lib, a, b: ((a, b), {}),
    "pow": lambda lib, a, b: ((a.abs(), b), {}), "exp": lambda lib, a, b: ((a,), {}),
    "log": lambda lib, a, b: ((a.abs(),), {}), "sqrt": lambda lib, a, b: ((a.abs(),), {}),
    "abs": lambda lib, a, b: ((a,), {}), "neg": lambda lib, a, b: ((a,), {}),
    "sin": lambda lib, a, b: ((a,), {}), "cos": lambda lib, a, b: ((a,), {}),
    "tanh": lambda lib, a, b: ((a,), {}), "sigmoid": lambda lib, a, b: ((a,), {}),
    "maximum": lambda lib, a, b: ((a, b), {}), "minimum": lambda lib, a, b: ((a, b), {}),
    "clamp": lambda lib, a, b: ((a, -0.5, 1.0), {}),
    "where": lambda lib, a, b: ((a > 0, a, b), {}),
    "sum": lambda lib, a, b: ((a, 1), {}), "mean": lambda lib, a, b: ((a, 0), {}),
    "prod": lambda lib, a, b: ((a, 1), {}),
    "cat": lambda lib, a, b: (([a, b],), {}), "stack": lambda lib, a, b: (([a, b], 1), {}),
}


def test_the_out_table_covers_every_function():
    assert sorted(OUT_CALLS) == sorted(OUT)


@pytest.mark.parametrize("name", sorted(OUT_CALLS))
def test_out_writes_the_result_into_the_given_tensor_as_torch(name):
    results = []
    for lib in (gg, torch):
        args, kwargs = OUT_CALLS[name](lib, lib.tensor(A), lib.tensor(B))
        expected = getattr(lib, name)(*args, **kwargs)
        out = lib.zeros(tuple(expected.shape), dtype=expected.dtype)
        returned = getattr(lib, name)(*args, **kwargs, out=out)
        assert returned is out
        results.append(out.numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_out_of_another_shape_is_resized_with_torchs_warning_and_empty_ones_silently():
    for lib in (gg, torch):
        with pytest.warns(UserWarning, match="was resized"):
            out = lib.empty(5)
            lib.exp(lib.tensor(A), out=out)
        assert tuple(out.shape) == (2, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = lib.empty(0, dtype=lib.float64)
            lib.matmul(lib.tensor(A), lib.tensor(B).T, out=out)
        assert tuple(out.shape) == (2, 2)


def test_out_refuses_a_lossy_dtype_and_a_graph_as_torch():
    for lib in (gg, torch):
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the "
                                               "desired output type Long"):
            lib.add(lib.ones(2), 1.0, out=lib.zeros(2, dtype=lib.int64))
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(w, 2, out=lib.empty(2))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.cat([w, w], out=lib.empty(4))
        with lib.no_grad():
            out = lib.mul(w, 2, out=lib.empty(2))
        assert out.tolist() == [2.0, 2.0] and not out.requires_grad


def test_out_moves_the_version_counter_as_an_in_place_change():
    out = gg.zeros(2)
    before = out._version
    gg.add(gg.ones(2), 1, out=out)
    assert out._version > before
