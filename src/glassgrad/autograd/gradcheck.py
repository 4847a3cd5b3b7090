"""gradcheck: hold an op's backward against finite differences of its forward.

For a function F of inputs x_0, x_1, ... the backward pass computes vector-Jacobian
products v^T J_i, where J_i = dF/dx_i. Central differences estimate the same Jacobian
from the forward alone:

    J_i[:, j]  ~  (F(x_i + eps e_j) - F(x_i - eps e_j)) / (2 eps)        (error O(eps^2))

Two modes:

- ``mode="full"`` builds both Jacobians entry by entry: one backward per output element
  (upstream = a unit vector e_m), two forwards per input element. Exact names, small
  inputs only.
- ``mode="fast"`` compares one number per input: for a random unit direction u and a
  random unit upstream v, the directional difference (F(x + eps u) - F(x - eps u))/2eps . v
  against the backward's v^T J u. It costs two forwards and one backward per input. When
  it disagrees, the faulty element is found by bisection (halving the support of u, then
  of v), so the error still names an input element, an output element and both values.

Everything runs in float64: float32 keeps about 7 digits, and a difference quotient with
eps = 1e-6 would keep almost none of them. Random ops inside ``fn`` (dropout) see the
same random numbers on every call: the global RNG state is restored before each call.
"""

import math
import weakref
from dataclasses import dataclass

from .. import backend
from ..backend import xp
from ..tensor import Tensor
from .anomaly import user_frame_site
from .engine import _topological_order
from .function import observers
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """The backward pass disagrees with finite differences of the forward pass."""


class LowPrecisionOutput(TypeError):
    """fn returned a float32 (or lower) output from float64 inputs: nothing to check."""


@dataclass
class Mismatch:
    """Where an analytical gradient disagreed with the numerical one.

    ``input_element``/``output_element`` are index tuples (None when the disagreement
    could only be seen along a random direction). ``numerical`` and ``analytical`` are
    Jacobian entries dF_out[output_element] / dx_in[input_element] when both elements are
    known, otherwise the directional derivatives v^T J u.
    """

    input_index: int
    output_index: object  # int, or None for a directional mismatch over all outputs
    input_element: object
    output_element: object
    numerical: float
    analytical: float
    atol: float
    rtol: float
    single_output: bool = False  # True: say "output index (i, j)", not "output 0 index"

    def describe(self):
        where = f"input {self.input_index}"
        if self.input_element is not None:
            where += f" index {_fmt_index(self.input_element)}"
        if self.output_index is not None:
            where += ", output" if self.single_output else f", output {self.output_index}"
            if self.output_element:  # None: unknown; (): the output is a scalar
                where += f" index {_fmt_index(self.output_element)}"
        else:
            where += " (directional derivative along a random direction)"
        allowed = self.atol + self.rtol * abs(self.numerical)
        return (
            f"{where}: backward {_fmt(self.analytical)} vs finite differences "
            f"{_fmt(self.numerical)} (difference {_fmt(abs(self.analytical - self.numerical))}, "
            f"allowed atol + rtol * |numerical| = {_fmt(allowed)})"
        )


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, mode="full", raise_exception=True):
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    ``fn(*inputs)`` returns a Tensor or a tuple of Tensors. Every input Tensor with
    ``requires_grad=True`` is checked; it must be float64. Other arguments (integer
    targets, Python numbers, tensors without requires_grad) are passed through as they are.

    An analytical entry ``a`` passes against its numerical estimate ``n`` when
    ``|a - n| <= atol + rtol * |n|``. Returns True; on the first failure raises
    GradcheckError naming the input, the element and both values (or returns False when
    ``raise_exception=False``). The inputs' ``.grad`` are not touched: the check runs on
    copies.
    """
    mismatch = find_mismatch(fn, inputs, eps=eps, atol=atol, rtol=rtol, mode=mode)
    if mismatch is None:
        return True
    if raise_exception:
        raise GradcheckError("gradcheck failed: " + mismatch.describe())
    return False


def find_mismatch(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, mode="full", what="input"):
    """Like gradcheck, but return the first Mismatch (or None) instead of raising."""
    if mode not in ("full", "fast"):
        raise ValueError(f"gradcheck: mode must be 'full' or 'fast', got {mode!r}")
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps}")
    args, checked = _prepare(inputs, what)
    problem = _Problem(fn, args, checked)
    try:
        if mode == "full":
            return _check_full(problem, eps, atol, rtol)
        return _check_fast(problem, eps, atol, rtol)
    finally:
        problem.restore_rng()


# --------------------------------------------------------------------- set-up
def _prepare(inputs, what):
    """Copy the inputs that require grad into fresh float64 leaves; refuse float32."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    args = []
    checked = []  # positions in args of the inputs to differentiate
    for i, a in enumerate(inputs):
        if isinstance(a, Tensor) and a.requires_grad:
            if a.dtype != backend.float64:
                raise TypeError(
                    f"gradcheck needs float64 inputs: {what} {i} (shape {tuple(a.shape)}) is "
                    f"{a.dtype}, whose ~7 significant digits drown a finite difference. "
                    "Pass x.double() instead (and build any weights used inside fn in float64)."
                )
            leaf = Tensor._wrap(xp.array(a.array, dtype=backend.float64, copy=True))
            leaf.requires_grad = True
            args.append(leaf)
            checked.append(i)
        else:
            args.append(a)
    if not checked:
        raise ValueError(
            "gradcheck: no input requires grad; mark the tensors to check with requires_grad=True"
        )
    return args, checked


def _as_outputs(result):
    if isinstance(result, Tensor):
        return (result,)
    if isinstance(result, (tuple, list)) and all(isinstance(r, Tensor) for r in result):
        return tuple(result)
    raise TypeError(
        f"gradcheck: fn must return a Tensor or a tuple of Tensors, got {type(result).__name__}"
    )


class _Problem:
    """fn at fixed inputs: evaluate the forward at perturbed points, run backwards."""

    def __init__(self, fn, args, checked):
        self.fn = fn
        self.args = args
        self.checked = checked
        self.rng_state = backend.get_rng_state()
        self.base = [args[i].array for i in checked]
        self.graph = None  # outputs of a recorded forward, for repeated backwards
        with enable_grad():
            outs = self._call()
        # Non-floating outputs (argmax, masks) have no gradient to check.
        self.differentiable = [o.dtype.kind == "f" for o in outs]
        for k, o in enumerate(outs):
            if o.dtype.kind == "f" and o.dtype != backend.float64:
                raise LowPrecisionOutput(
                    f"gradcheck: output {k} of fn is {o.dtype} although the inputs are float64; "
                    "an op (or a float32 weight) inside fn lowers the precision"
                )
        self.out_shapes = [o.shape for o in outs]
        self.graph = outs

    def _call(self):
        backend.set_rng_state(self.rng_state)  # random ops draw the same numbers every call
        return _as_outputs(self.fn(*self.args))

    def restore_rng(self):
        backend.set_rng_state(self.rng_state)

    def forward_at(self, c, point):
        """Outputs (float64 copies) with checked input c set to ``point``."""
        leaf = self.args[self.checked[c]]
        leaf.array = point
        try:
            with no_grad():
                outs = self._call()
            return [
                xp.array(o.array, dtype=backend.float64, copy=True) if d else None
                for o, d in zip(outs, self.differentiable)
            ]
        finally:
            leaf.array = self.base[c]

    def directional(self, c, u, eps):
        """Central difference of every output along direction u of checked input c."""
        base = self.base[c]
        plus = self.forward_at(c, base + eps * u)
        minus = self.forward_at(c, base - eps * u)
        return [None if p is None else (p - m) / (2 * eps) for p, m in zip(plus, minus)]

    def vjp(self, upstreams):
        """Gradients of sum_k <upstream_k, out_k> w.r.t. every checked input (one backward
        per output, on the graph recorded at construction, which is retained)."""
        leaves = [self.args[i] for i in self.checked]
        for leaf in leaves:
            leaf.grad = None
        for out, v in zip(self.graph, upstreams):
            if v is None or not out.requires_grad:
                continue
            out.backward(gradient=v.astype(out.dtype), retain_graph=True)
        return [
            xp.zeros_like(b) if leaf.grad is None else xp.array(leaf.grad.array, copy=True)
            for leaf, b in zip(leaves, self.base)
        ]


# --------------------------------------------------------------------- full Jacobian
def _check_full(p, eps, atol, rtol):
    # Analytical Jacobian rows: for each output element m, the backward with upstream e_m.
    analytical = []  # [output k] -> [element m] -> per checked input, row m of dF_k/dx
    for k, shape in enumerate(p.out_shapes):
        if not p.differentiable[k]:
            analytical.append(None)
            continue
        rows = []
        size = math.prod(shape)
        for m in range(size):
            ups = [None] * len(p.out_shapes)
            e = xp.zeros(size, backend.float64)
            e[m] = 1.0
            ups[k] = e.reshape(shape)
            rows.append(p.vjp(ups))
        analytical.append(rows)

    for c, base in enumerate(p.base):
        for j in range(base.size):
            e = xp.zeros(base.size, backend.float64)
            e[j] = 1.0
            column = p.directional(c, e.reshape(base.shape), eps)
            for k, shape in enumerate(p.out_shapes):
                if column[k] is None:
                    continue
                num = column[k].reshape(-1)
                ana = xp.array([row[c].reshape(-1)[j] for row in analytical[k]])
                bad = _failing(ana, num, atol, rtol)
                if bad is not None:
                    return Mismatch(
                        p.checked[c], k, _unravel(j, base.shape), _unravel(bad, shape),
                        float(num[bad]), float(ana[bad]), atol, rtol,
                    )
    return None


# --------------------------------------------------------------------- fast mode
def _check_fast(p, eps, atol, rtol):
    gen = xp.random.default_rng(12345)  # fixed: a failing check fails the same way again
    v = [_unit(gen, s) if d else None for s, d in zip(p.out_shapes, p.differentiable)]
    grads = p.vjp(v)
    for c, base in enumerate(p.base):
        if base.size == 0:
            continue
        u = _unit(gen, base.shape)
        num = _dot(v, p.directional(c, u, eps))
        ana = float(xp.vdot(grads[c], u))
        if _passes(ana, num, atol, rtol):
            continue
        return _localise(p, c, u, v, grads[c], num, ana, eps, atol, rtol)
    return None


def _localise(p, c, u, v, grad, num, ana, eps, atol, rtol):
    """Bisect the support of u, then of v, to name one failing Jacobian entry.

    The mismatch along u is the sum of the mismatches along the two halves of u, so one
    half carries at least half of it: follow the larger one down to a single element j.
    Then do the same over the output elements with the column dF/dx_j.
    """
    flat_u = u.reshape(-1)
    support = xp.arange(flat_u.size)
    while support.size > 1:
        halves = (support[: support.size // 2], support[support.size // 2 :])
        errors = [abs(_restricted_mismatch(p, c, flat_u, h, v, grad, eps)) for h in halves]
        support = halves[0] if errors[0] >= errors[1] else halves[1]
    j = int(support[0])
    e = xp.zeros(flat_u.size, backend.float64)
    e[j] = 1.0
    column = p.directional(c, e.reshape(u.shape), eps)  # dF/dx_j for every output
    in_element = _unravel(j, u.shape)

    # Which output element? Bisect over the support of v with one backward per step.
    candidates = [
        (k, m) for k, col in enumerate(column) if col is not None for m in range(col.size)
    ]
    while len(candidates) > 1:
        halves = (candidates[: len(candidates) // 2], candidates[len(candidates) // 2 :])
        errors = []
        for half in halves:
            ups = _restrict_upstream(v, half, p.out_shapes)
            ana_h = float(p.vjp(ups)[c].reshape(-1)[j])
            num_h = sum(float(v[k].reshape(-1)[m] * column[k].reshape(-1)[m]) for k, m in half)
            errors.append(abs(ana_h - num_h))
        candidates = halves[0] if errors[0] >= errors[1] else halves[1]
    if candidates:
        k, m = candidates[0]
        unit = [None] * len(p.out_shapes)
        e = xp.zeros(math.prod(p.out_shapes[k]), backend.float64)
        e[m] = 1.0
        unit[k] = e.reshape(p.out_shapes[k])
        ana_e = float(p.vjp(unit)[c].reshape(-1)[j])
        num_e = float(column[k].reshape(-1)[m])
        if not _passes(ana_e, num_e, atol, rtol):
            return Mismatch(
                p.checked[c], k, in_element, _unravel(m, p.out_shapes[k]), num_e, ana_e, atol, rtol
            )
    # The disagreement is real but spread too thin to show in a single entry.
    return Mismatch(p.checked[c], None, None, None, num, ana, atol, rtol)


def _restricted_mismatch(p, c, flat_u, idx, v, grad, eps):
    """(backward - finite differences) along u restricted to the elements idx."""
    d = xp.zeros_like(flat_u)
    d[idx] = flat_u[idx]
    norm = float(xp.linalg.norm(d))
    if norm == 0.0:
        return 0.0
    d = d.reshape(grad.shape)
    # Differentiate along the unit direction (a full-size step), then scale back.
    num = norm * _dot(v, p.directional(c, d / norm, eps))
    ana = float(xp.vdot(grad, d))
    return ana - num


def _restrict_upstream(v, pairs, shapes):
    ups = [None if vk is None else xp.zeros(vk.size, backend.float64) for vk in v]
    for k, m in pairs:
        ups[k][m] = v[k].reshape(-1)[m]
    return [None if u is None else u.reshape(s) for u, s in zip(ups, shapes)]


# --------------------------------------------------------------------- small helpers
def _unit(gen, shape):
    r = gen.standard_normal(shape)
    n = xp.linalg.norm(r)
    return r / n if n > 0 else r


def _dot(v, column):
    return float(sum(xp.vdot(vk, ck) for vk, ck in zip(v, column) if vk is not None))


def _passes(a, n, atol, rtol):
    return bool(xp.isclose(a, n, rtol=rtol, atol=atol))


def _failing(ana, num, atol, rtol):
    """Index of the first entry where ana and num disagree, or None."""
    bad = ~xp.isclose(ana, num, rtol=rtol, atol=atol)
    if bad.any():
        return int(xp.argmax(bad))
    return None


def _unravel(j, shape):
    return tuple(int(i) for i in xp.unravel_index(j, shape)) if shape else ()


def _fmt_index(idx):
    return "(" + ", ".join(str(i) for i in idx) + ("," if len(idx) == 1 else "") + ")"


def _fmt(x):
    return f"{x:.6g}"


# --------------------------------------------------------------------- a whole graph
class _NodeRecord:
    """What it takes to run a node's forward again: its class, inputs and parameters."""

    __slots__ = ("cls", "inputs", "is_tensor", "params", "site")

    def __init__(self, cls, inputs, is_tensor, params, site):
        self.cls = cls
        self.inputs = inputs
        self.is_tensor = is_tensor
        self.params = params
        self.site = site


# node -> _NodeRecord; weak, so a recorded graph is freed as usual when it goes away.
_records = weakref.WeakKeyDictionary()


class _InputRecorder:
    """Observer: copy every recorded node's input arrays (later in-place edits can't
    change them) with its class and keyword parameters."""

    def on_forward(self, ctx, cls, args, out):
        if ctx is None:
            return
        inputs = []
        is_tensor = []
        for a in args:
            if isinstance(a, Tensor):
                inputs.append(xp.array(a.array, copy=True))
                is_tensor.append(True)
            else:
                inputs.append(a)
                is_tensor.append(False)
        params = dict(getattr(ctx, "_params", {}))
        _records[ctx] = _NodeRecord(cls, inputs, is_tensor, params, user_frame_site())

    def on_backward(self, node, upstream, downstream):
        pass

    def on_unbroadcast(self, node, index, grad_before, grad_after, axes):
        pass


class record_inputs:
    """``with record_inputs(): loss = model(x)``: keep what gradcheck_graph(loss) needs.

    Every node recorded inside the block remembers its class, a copy of its inputs and
    its keyword parameters, so that its forward can be run again on its own.
    """

    def __enter__(self):
        self._observer = _InputRecorder()
        observers.append(self._observer)
        return self

    def __exit__(self, *exc):
        observers.remove(self._observer)
        return False


def gradcheck_graph(loss, eps=1e-6, atol=1e-5, rtol=1e-3, mode="fast", skip=(),
                    raise_exception=True):
    """Check every node of a real model's graph; name the first whose backward is wrong.

    ``loss`` is a closure that builds the loss (``lambda: loss_fn(model(x), y)``), or a
    loss Tensor built inside ``with record_inputs():``. The nodes are visited in backward
    order from the loss (node 0 is the loss's own node). Each node's forward is run again
    on float64 copies of the inputs it really saw, and its backward is held against
    central differences of that forward, as in ``gradcheck(..., mode=mode)``.

    ``skip`` lists op labels or Function classes not to check (ops evaluated at a kink,
    such as relu at exactly 0 or a max with ties, have no single derivative there).
    Nodes whose forward returns float32 from float64 inputs (casts) are skipped.

    Returns True; at the first wrong node raises GradcheckError, e.g.
    ``node 3 'tanh' (Tanh), created at model.py:12: h = x.tanh(): input 0 index (1, 2),
    output index (1, 2): backward -0.123 vs finite differences 0.456 (...)``
    (or returns False when ``raise_exception=False``).
    """
    if callable(loss) and not isinstance(loss, Tensor):
        with record_inputs():
            loss = loss()
    if not isinstance(loss, Tensor):
        raise TypeError(
            f"gradcheck_graph expects a loss Tensor or a closure returning one, got "
            f"{type(loss).__name__}"
        )
    if loss.grad_fn is None:
        raise ValueError("gradcheck_graph: the loss has no graph (no input requires grad)")
    skip_labels = {s for s in skip if isinstance(s, str)}
    skip_classes = {s for s in skip if isinstance(s, type)}

    for n, node in enumerate(_topological_order(loss.grad_fn)):  # the engine's order
        cls = type(node)
        rec = _records.get(node)
        if rec is None:
            raise ValueError(
                f"gradcheck_graph: node {n} '{node.label}' ({cls.__name__}) was built without "
                "recording its inputs: pass a closure that builds the whole loss, or build it "
                "inside `with glassgrad.autograd.record_inputs():`"
            )
        if node.label in skip_labels or cls in skip_classes:
            continue
        args = _float64_inputs(rec, node.needs_input_grad)
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            continue  # only non-float inputs need a gradient: nothing to compare

        def forward(*xs, _cls=rec.cls, _params=rec.params):
            return _cls.apply(*xs, **_params)

        try:
            mismatch = find_mismatch(forward, args, eps=eps, atol=atol, rtol=rtol, mode=mode)
        except LowPrecisionOutput:
            continue
        if mismatch is not None:
            if not raise_exception:
                return False
            mismatch.single_output = True  # a node has one output
            where = f", created at {rec.site}" if rec.site is not None else ""
            raise GradcheckError(
                f"gradcheck_graph: node {n} '{node.label}' ({cls.__name__}){where}: "
                + mismatch.describe()
            )
    return True


def _float64_inputs(rec, needs):
    """Leaves for the inputs that needed a gradient (floating ones), float64 throughout."""
    args = []
    for a, is_tensor, need in zip(rec.inputs, rec.is_tensor, needs):
        if not is_tensor:
            args.append(a)
            continue
        if a.dtype.kind == "f":
            a = a.astype(backend.float64)
        t = Tensor._wrap(a)
        if need and a.dtype.kind == "f":
            t.requires_grad = True
        args.append(t)
    return args
