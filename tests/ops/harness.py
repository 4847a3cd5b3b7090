"""The op test harness: one row per op case, three checks generated from each row.

API (stable; other table files use it)
=====================================

A *table file* is ``tests/ops/table_<topic>.py`` defining ``CASES = [Case(...), ...]``.
Every such file is discovered automatically by the ``test_ops_*.py`` modules, so adding
an op is adding one row (or one new table file): nothing else to edit.

``Case(op, *args, fn=None, torch_fn=None, name=None, dtypes=("float64", "float32"),
       gradcheck=True, hyp=None, method=None, rtol=None, atol=None, **kwargs)``

- ``op``: the op's name.  Without ``fn``, the op is looked up by name: in glassgrad on
  ``glassgrad`` then ``glassgrad.ops``; in PyTorch on ``torch`` then
  ``torch.nn.functional`` (or give ``torch_fn``).  It is called as
  ``op(*tensors, **kwargs)`` on both sides.
- ``args``: one entry per positional input, each an ``Arg`` (see below) or a bare shape
  tuple, short for ``randn(shape)``.
- ``fn(F, *tensors)``: for anything that is not ``op(*tensors, **kwargs)``. ``F`` is the
  library module (``glassgrad`` or ``torch``), so one lambda serves both sides when the
  spelling agrees: ``fn=lambda F, x, w: F.matmul(x, w.T)``.  Kwargs are passed on to fn.
- ``torch_fn(torch, *tensors)``: the PyTorch side, when it is spelled differently.
- ``dtypes``: float dtypes to run (float64 is compared at rtol 1e-7, float32 at 1e-4, plus
  an absolute SUM_ULPS ulps of the magnitude of the terms summed into each element: see
  ``check_vs_torch``).
- ``gradcheck``: also run finite differences in float64 (glassgrad.autograd.gradcheck).
- ``hyp``: hypothesis-drawn shapes: ``"broadcast"`` (every input except ``const`` ones
  gets a mutually broadcastable shape; use it for unary ops too), ``"reduce"`` (one input; a fresh shape,
  and when the row has ``dim=`` a fresh dim: int, negative or tuple, plus keepdim when the
  row has ``keepdim=``). ``hyp_min_side=2`` keeps every drawn size >= 2 (var, std: a
  single element has no variance).
- ``method``: also call it as a Tensor method ``x.<method>(*rest, **kwargs)`` on both
  sides (default: the op name when both ``glassgrad.Tensor`` and ``torch.Tensor`` have it
  and no ``fn`` is given; ``False`` to turn off).
- ``rtol`` / ``atol``: overrides of the default tolerances (use sparingly, say why).

Inputs (``Arg``): the value generators keep points away from kinks.

- ``randn(*shape)``               standard normal
- ``uniform(*shape, low, high)``  uniform on [low, high)
- ``pos(*shape)``                 uniform on [0.5, 2]: log, sqrt, pow bases, divisors
- ``away(*shape, gap=0.1)``       normal but |x| >= gap: relu, abs, sign-like kinks
- ``grid(*shape, parity=0)``      values 0.2 k + 0.1 parity (+-0.02 jitter): inputs with
                                  different parity are >= 0.06 apart (maximum, clamp
                                  with tensor bounds), and equal-parity values within
                                  one tensor are distinct enough for max/argmax when
                                  ``distinct=True`` (a permutation, no ties)
- ``index(*shape, high)``         int64 indices in [0, high), no grad
- ``mask(*shape)``                random booleans, no grad
- ``ints(*shape, low, high)``     int64 values, no grad (integer-tensor ops, casts)
- ``const(array)``                a fixed float array (needs a grad unless
                                  requires_grad=False)

Each Arg also takes ``requires_grad=`` (floats default True).

The checks (each returns nothing and raises AssertionError on a mismatch):

- ``check_vs_torch(case, dtype, method=False, shapes=None, kwargs=None)``: forward
  values, output dtypes, requires_grad, and every input's gradient for a random upstream
  gradient, against PyTorch; also that gradients keep their input's dtype.
- ``check_gradcheck(case, shapes=None, kwargs=None)``: finite differences in float64.
- ``hyp_strategy(case)``: a hypothesis strategy of ``(shapes, kwargs)`` for the row's
  ``hyp`` kind; feed its draws to the two checks above.
- ``load_cases()``: every ``CASES`` row of every ``table_*.py`` file, names unique.
"""

from __future__ import annotations

import importlib.util
import pathlib
import zlib

import numpy as np

import glassgrad

TOLERANCES = {"float64": (1e-7, 1e-10), "float32": (1e-4, 1e-6)}  # (rtol, atol)
SUM_ULPS = 16


# ---------------------------------------------------------------- inputs
class Arg:
    """One positional input of a case: a shape and a way to fill it."""

    def __init__(self, shape, kind="randn", requires_grad=None, **params):
        self.shape = tuple(shape)
        self.kind = kind
        self.params = params
        self.is_float = kind in ("randn", "uniform", "pos", "away", "grid", "const")
        self.requires_grad = self.is_float if requires_grad is None else requires_grad

    def with_shape(self, shape):
        return Arg(shape, self.kind, self.requires_grad, **self.params)

    def make(self, rng, dtype):
        """A NumPy array of the given float dtype (ints and bools keep their own)."""
        s, p = self.shape, self.params
        if self.kind == "randn":
            a = rng.standard_normal(s)
        elif self.kind == "uniform":
            a = rng.uniform(p["low"], p["high"], s)
        elif self.kind == "pos":
            a = rng.uniform(0.5, 2.0, s)
        elif self.kind == "away":
            gap = p.get("gap", 0.1)
            a = np.asarray(rng.standard_normal(s))
            a = np.where(a < 0, -1.0, 1.0) * (gap + np.abs(a))
        elif self.kind == "grid":
            n = int(np.prod(s))
            if p.get("distinct"):
                k = rng.permutation(n) - n // 2
            else:
                k = rng.integers(-10, 11, n)
            a = 0.2 * k + 0.1 * p.get("parity", 0) + rng.uniform(-0.02, 0.02, n)
            a = a.reshape(s)
        elif self.kind == "const":
            a = np.array(p["value"], dtype=np.float64)
        elif self.kind == "index":
            return rng.integers(0, p["high"], s).astype(np.int64)
        elif self.kind == "mask":
            return rng.random(s) < 0.5
        elif self.kind == "ints":
            return rng.integers(p.get("low", -5), p.get("high", 6), s).astype(np.int64)
        else:
            raise ValueError(f"unknown Arg kind {self.kind!r}")
        return np.asarray(a, dtype=dtype)

    def __repr__(self):
        return f"{self.kind}{self.shape}"


def _shape(shape):
    return shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape


def randn(*shape, requires_grad=True):
    return Arg(_shape(shape), "randn", requires_grad)


def uniform(*shape, low, high, requires_grad=True):
    return Arg(_shape(shape), "uniform", requires_grad, low=low, high=high)


def pos(*shape, requires_grad=True):
    return Arg(_shape(shape), "pos", requires_grad)


def away(*shape, gap=0.1, requires_grad=True):
    return Arg(_shape(shape), "away", requires_grad, gap=gap)


def grid(*shape, parity=0, distinct=False, requires_grad=True):
    return Arg(_shape(shape), "grid", requires_grad, parity=parity, distinct=distinct)


def index(*shape, high):
    return Arg(_shape(shape), "index", False, high=high)


def mask(*shape):
    return Arg(_shape(shape), "mask", False)


def ints(*shape, low=-5, high=6):
    return Arg(_shape(shape), "ints", False, low=low, high=high)


def const(value, requires_grad=True):
    return Arg(np.shape(value), "const", requires_grad, value=value)


# ---------------------------------------------------------------- cases
class Case:
    """One row of the op table (see the module docstring)."""

    def __init__(self, op, *args, fn=None, torch_fn=None, name=None,
                 dtypes=("float64", "float32"), gradcheck=True, hyp=None, method=None,
                 rtol=None, atol=None, hyp_min_side=1, **kwargs):
        self.op = op
        self.args = [a if isinstance(a, Arg) else randn(*a) for a in args]
        self.fn = fn
        self.torch_fn = torch_fn
        self.kwargs = kwargs
        self.name = name or _default_name(op, self.args, kwargs)
        self.dtypes = tuple(dtypes)
        self.gradcheck = gradcheck
        if hyp not in (None, "broadcast", "reduce"):
            raise ValueError(f"hyp must be None, 'broadcast' or 'reduce', got {hyp!r}")
        self.hyp = hyp
        self.hyp_min_side = hyp_min_side
        self.method = method
        self.rtol = rtol
        self.atol = atol

    def __repr__(self):
        return self.name

    # -- how the op is called on each side
    def call(self, lib, tensors, kwargs, method=False):
        if method:
            return getattr(tensors[0], self.method_name())(*tensors[1:], **kwargs)
        if lib is glassgrad:
            fn = self.fn or (lambda F, *t, **kw: _lookup_glassgrad(self.op)(*t, **kw))
        else:
            fn = self.torch_fn or self.fn or (lambda F, *t, **kw: _lookup_torch(self.op)(*t, **kw))
        return fn(lib, *tensors, **kwargs)

    def method_name(self):
        if self.method is False:
            return None
        if isinstance(self.method, str):
            return self.method
        if self.fn is not None:
            return None
        import torch

        if hasattr(glassgrad.Tensor, self.op) and hasattr(torch.Tensor, self.op):
            return self.op
        return None

    def seed(self, salt=""):
        return zlib.crc32((self.name + salt).encode())


def _default_name(op, args, kwargs):
    parts = [op, "-".join("x".join(map(str, a.shape)) or "s" for a in args)]
    parts += [f"{k}={v}" for k, v in kwargs.items()]
    return ",".join(p for p in parts if p)


def _lookup_glassgrad(op):
    for space in (glassgrad, glassgrad.ops):
        if hasattr(space, op):
            return getattr(space, op)
    raise AttributeError(f"glassgrad has no op {op!r}")


def _lookup_torch(op):
    import torch
    import torch.nn.functional as F

    for space in (torch, F):
        if hasattr(space, op):
            return getattr(space, op)
    raise AttributeError(f"torch has no op {op!r}")


# ---------------------------------------------------------------- running one side
def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _numpy_of(t):
    import torch

    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.array)


def make_arrays(case, dtype, shapes=None, salt=""):
    rng = np.random.default_rng(case.seed(salt))
    args = case.args if shapes is None else [a.with_shape(s) for a, s in zip(case.args, shapes)]
    return [a.make(rng, dtype) for a in args], args


def _run(lib, case, arrays, args, kwargs, upstream_rng, method=False):
    """Call the op on fresh tensors, backprop a random upstream gradient (the same on both
    sides), return (outputs as arrays, output tensors, input grads as arrays or None)."""
    import torch

    is_torch = lib is torch
    tensors = []
    for a, arr in zip(args, arrays):
        if is_torch:
            t = torch.tensor(arr)
            if a.requires_grad:
                t.requires_grad_(True)
        else:
            t = glassgrad.tensor(arr, requires_grad=a.requires_grad)
        tensors.append(t)
    outs = _as_tuple(case.call(lib, tensors, kwargs, method=method))
    diff = [o for o in outs if o.requires_grad]
    if diff:
        # the upstream gradient of every differentiable output, drawn in output order
        ups = [upstream_rng.standard_normal(o.shape).astype(_numpy_of(o).dtype) for o in diff]
        if is_torch:
            torch.autograd.backward(diff, [torch.tensor(u) for u in ups])
        elif len(diff) == 1:
            diff[0].backward(glassgrad.tensor(ups[0]))
        else:
            total = sum((o * glassgrad.tensor(u)).sum() for o, u in zip(diff, ups))
            total.backward()
    grads = [None if t.grad is None else _numpy_of(t.grad) for t in tensors]
    return [_numpy_of(o) for o in outs], outs, grads


def _close(actual, expected, rtol, atol, what, magnitude=None):
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != torch {expected.shape}"
    if magnitude is not None and magnitude.shape != actual.shape:
        magnitude = None  # |inputs| took another path (a mask, a data-dependent shape)
    if expected.dtype.kind in "fc" and magnitude is not None:
        tol = atol + SUM_ULPS * np.finfo(actual.dtype).eps * magnitude + rtol * np.abs(expected)
        bad = ~(np.abs(actual - expected.astype(actual.dtype)) <= tol)
        bad &= ~(np.isnan(actual) & np.isnan(expected)) & ~((actual == expected) & np.isinf(actual))
        assert not bad.any(), (
            f"{what}: {int(bad.sum())} of {bad.size} elements differ, e.g. glassgrad "
            f"{actual[bad][:3]}, torch {expected[bad][:3]}, tolerance {tol[bad][:3]}")
    elif expected.dtype.kind in "fc":
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


# ---------------------------------------------------------------- the checks
def check_vs_torch(case, dtype, method=False, shapes=None, kwargs=None, salt=""):
    """Forward values and dtypes, requires_grad and input gradients agree with PyTorch."""
    import torch

    kwargs = case.kwargs if kwargs is None else kwargs
    arrays, args = make_arrays(case, dtype, shapes, salt)
    rtol, atol = TOLERANCES[dtype]
    rtol = case.rtol if case.rtol is not None else rtol
    atol = case.atol if case.atol is not None else atol

    exp_out, exp_t, exp_grads = _run(torch, case, arrays, args, kwargs,
                                     np.random.default_rng(case.seed("up")), method)
    got_out, got_t, got_grads = _run(glassgrad, case, arrays, args, kwargs,
                                     np.random.default_rng(case.seed("up")), method)
    mag_out, mag_grads = (_magnitudes(case, arrays, args, kwargs, method) if dtype == "float32"
                          else (None, None))

    assert len(got_out) == len(exp_out), f"{case}: {len(got_out)} outputs, torch has {len(exp_out)}"
    for i, (g, e, gt, et) in enumerate(zip(got_out, exp_out, got_t, exp_t)):
        assert g.dtype == e.dtype, f"{case}: output {i} dtype {g.dtype}, torch {e.dtype}"
        assert bool(gt.requires_grad) == bool(et.requires_grad), (
            f"{case}: output {i} requires_grad={gt.requires_grad}, torch {et.requires_grad}"
        )
        _close(g, e, rtol, atol, f"{case}: forward output {i}", mag_out and mag_out[i])
    for i, (g, e, arr) in enumerate(zip(got_grads, exp_grads, arrays)):
        assert (g is None) == (e is None), f"{case}: grad of input {i} is {g} but torch {e}"
        if g is not None:
            assert g.dtype == arr.dtype, f"{case}: grad {i} dtype {g.dtype}, input {arr.dtype}"
            _close(g, e, rtol, atol, f"{case}: gradient of input {i}", mag_grads and mag_grads[i])


class _AbsNormal:
    """The upstream draws of ``rng``, made positive."""

    def __init__(self, rng):
        self.rng = rng

    def standard_normal(self, shape):
        return np.abs(self.rng.standard_normal(shape))


def _magnitudes(case, arrays, args, kwargs, method):
    """float32: per output and gradient element, the magnitude of the terms summed into
    it (float32 sums round differently with and without fused multiply-add, and in the
    order a kernel or a thread split adds them). It is the op run by torch in float64 on
    |inputs| and |upstream|: exact for sums of products (matmul, conv, sum, mean), a
    measure of size for the rest. None where that run fails or is not finite (an op
    defined on a smaller domain), leaving the plain tolerances."""
    import torch

    wide = [np.abs(a.astype(np.float64)) if a.dtype.kind == "f" else a for a in arrays]
    try:
        with np.errstate(all="ignore"):
            outs, _, grads = _run(torch, case, wide, args, kwargs,
                                  _AbsNormal(np.random.default_rng(case.seed("up"))), method)
    except Exception:  # the op is not defined at |inputs|: no magnitude
        return None, None

    def usable(m):
        if m is None or m.dtype.kind != "f":
            return None
        m = np.abs(m)
        return np.where(np.isfinite(m), m, 0.0)

    return [usable(m) for m in outs], [usable(m) for m in grads]


def check_gradcheck(case, shapes=None, kwargs=None, salt=""):
    """Finite differences in float64 agree with backward (glassgrad.autograd.gradcheck)."""
    from glassgrad.autograd import gradcheck

    kwargs = case.kwargs if kwargs is None else kwargs
    arrays, args = make_arrays(case, "float64", shapes, salt)
    tensors = [glassgrad.tensor(arr, requires_grad=a.requires_grad) for a, arr in zip(args, arrays)]

    def first_float_output(*ts):
        # gradcheck calls fn under no_grad too, so pick by dtype, not by requires_grad
        for o in _as_tuple(case.call(glassgrad, list(ts), kwargs)):
            if o.dtype.kind == "f":
                return o
        raise AssertionError(f"{case}: no differentiable output to gradcheck")

    assert gradcheck(first_float_output, tuple(tensors)) is True


# ---------------------------------------------------------------- hypothesis
def hyp_strategy(case):
    """A strategy of (shapes, kwargs) for the row's ``hyp`` kind."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    if case.hyp == "broadcast":
        shaped = [i for i, a in enumerate(case.args) if a.kind != "const"]

        def to_shapes(drawn):
            shapes = [a.shape for a in case.args]
            for i, s in zip(shaped, drawn.input_shapes):
                shapes[i] = s
            return shapes, case.kwargs

        return hnp.mutually_broadcastable_shapes(
            num_shapes=len(shaped), min_dims=0, max_dims=4, min_side=case.hyp_min_side, max_side=4
        ).map(to_shapes)

    if case.hyp == "reduce":

        @st.composite
        def reduce_case(draw):
            shape = draw(hnp.array_shapes(min_dims=1, max_dims=4,
                                                min_side=case.hyp_min_side, max_side=4))
            kwargs = dict(case.kwargs)
            if "dim" in kwargs:
                n = len(shape)
                if isinstance(kwargs["dim"], tuple):
                    dims = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n,
                                              unique=True))
                    kwargs["dim"] = tuple(d - n if draw(st.booleans()) else d for d in dims)
                elif kwargs["dim"] is not None:
                    kwargs["dim"] = draw(st.integers(-n, n - 1))
            if "keepdim" in kwargs:
                kwargs["keepdim"] = draw(st.booleans())
            return [shape] + [a.shape for a in case.args[1:]], kwargs

        return reduce_case()

    raise ValueError(f"{case}: no hypothesis strategy for hyp={case.hyp!r}")


# ---------------------------------------------------------------- discovery
def load_cases():
    """All rows of every tests/ops/table_*.py (names must be unique across files)."""
    cases = []
    for path in sorted(pathlib.Path(__file__).parent.glob("table_*.py")):
        spec = importlib.util.spec_from_file_location(f"_optable_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.extend(module.CASES)
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"duplicate case names in the op table: {dupes}")
    return cases
