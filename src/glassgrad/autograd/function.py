"""Function: the base class of every differentiable op, and the node of the graph.

An op subclasses Function and writes two methods side by side:

    forward(ctx, *arrays, **params) -> array     on raw ndarrays
    backward(ctx, upstream) -> grad or tuple     one gradient per positional input

``Op.apply(*args, **params)`` runs forward and, when any Tensor argument requires grad and
grad mode is on, keeps the instance (``ctx``) as the output's ``grad_fn``: the node.

Rules an op follows (the engine relies on them):
- Positional arguments are the inputs; Tensors among them are the graph edges, anything
  else (a Python number, None) is passed through raw and gets no gradient.
- Keyword arguments are parameters (dim, stride, ...). Small ones may be kept as ctx
  attributes; arrays needed by backward go through ``ctx.save_for_backward`` so that the
  engine can free them after backward and check them for in-place changes.
- backward returns arrays shaped like the broadcast result; undoing broadcasting is the
  engine's job, in one place. It never writes into ``upstream``.
- Every fact about an op is a class attribute, read by the explain mode, the trace, the
  gates and the exercises (nothing is written twice):
    ``label``  its name in a trace ("tanh");
    ``rule``   its local derivative in LaTeX, ``plain`` the same in plain text;
    ``form``   how its forward is written in a worked solution: (plain, LaTeX) templates
               with {0}, {1} for its inputs ({...}: all of them);
    ``kind``   what sort of op it is, given by the base class it derives from:
               Elementwise (ElementwiseUnary, ElementwiseBinary), Reduction, Scan,
               ShapeOp, Indexing, LinearAlgebra, AlongDim, Convolution, Pooling,
               Normalization, Loss, GraphNode (below).

The node holds its inputs' nodes (or the leaf Tensors) but never its output tensor, so
the graph has no reference cycles and is freed by reference counting alone.
"""

import itertools

from ..backend import xp
from ..tensor import Tensor
from . import grad_mode

_enabled = grad_mode._enabled
_ndarray = xp.ndarray

# Objects watching the graph (anomaly detection, the explain trace). Empty in normal use,
# so the hot path pays one truthiness test.
observers = []


class Function:
    label = ""
    rule = ""  # LaTeX
    plain = ""  # the rule in plain text
    form = None  # (plain template, LaTeX template) of the forward, inputs as {0}, {1}, {...}
    kind = None  # set by the base classes below
    float_only = False  # True: refuse integer inputs with a clear TypeError
    # Rarely set per node, so class-level defaults save two stores on every op:
    _hooks = None  # gradient hooks registered on the output tensor
    _retain = None  # weakref to the output tensor when retain_grad() was called
    _checks = ()  # (version counter, expected version, shape) per saved tensor
    _meta = None  # free for observers (creation site, explain name)

    __slots__ = (
        "needs_input_grad",  # list of bools, one per positional argument
        "saved",  # what save_for_backward kept; None once a backward released it
        "_next",  # per positional argument: its node, the leaf Tensor, or None
        "_out_shape",  # shape of the output, to undo broadcasting into it
        "_out_dtype",  # dtype of the output: the gradient sent to this node is cast to it
        "_seq",  # creation number: inputs' nodes always have smaller numbers
        "_grad",  # upstream gradient summed so far, during a backward pass only
        "__dict__",
        "__weakref__",
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.label:
            cls.label = cls.__name__.lower()

    # ------------------------------------------------------------ op author's API
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(ctx, upstream):  # pragma: no cover - abstract
        raise NotImplementedError

    def save_for_backward(ctx, *arrays):
        ctx.saved = arrays

    @property
    def next_functions(self):
        """The input edges, as in PyTorch: per input its node, leaf Tensor or None."""
        return self._next

    @property
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__}Backward>"

    # ------------------------------------------------------------ engine's side
    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = _new(cls)
        ctx.saved = ()
        # One flat pass over the arguments (this is the hottest loop of the library):
        # raw arrays for forward, which inputs need a gradient, and the graph edges.
        raw = []
        need = []
        edges = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                raw.append(a.array)
                if a.requires_grad:
                    record = True
                    need.append(True)
                    edges.append(a.grad_fn or a)
                    continue
            else:
                raw.append(a)
            need.append(False)
            edges.append(None)
        if record and not _enabled[0]:
            record = False
            need = [False] * len(args)
        ctx.needs_input_grad = need

        try:
            data = ctx.forward(*raw, **kwargs) if kwargs else ctx.forward(*raw)
        except Exception:
            if cls.float_only:  # integer input: say so, rather than how NumPy tripped on it
                _check_float(cls, args)
            raise
        if type(data) is not _ndarray:
            data = xp.asarray(data)
        dtype = data.dtype
        # Integer inputs to a float-only op are refused here, after the fact: a float32
        # result (the default dtype, what training runs in) costs one identity test
        # instead of a look at every input's dtype. (NumPy turns int64 into float64.)
        if dtype is not _f32 and cls.float_only:
            _check_float(cls, args)

        out = _wrap(data)  # the one helper that builds a Tensor around an array
        version = out._vc
        if record:
            ctx._next = edges
            ctx._out_shape = data.shape
            ctx._out_dtype = dtype
            ctx._seq = _next_seq()
            ctx._grad = None
            saved = ctx.saved
            if saved:
                # Remember the version of every Tensor whose array was saved, to detect
                # in-place edits at backward (the output's counter is fresh: version 0).
                checks = []
                for s in saved:
                    if s is data:
                        checks.append((version, 0, s.shape))
                    elif isinstance(s, _ndarray):  # not a number an op kept
                        for a in args:
                            if isinstance(a, Tensor) and a.array is s:
                                checks.append((a._vc, a._vc[0], s.shape))
                                break
                ctx._checks = checks
            out.grad_fn = ctx
            out.requires_grad = True
        if observers:
            ctx._params = kwargs  # the keyword parameters, for observers that re-run the op
            for obs in observers:
                obs.on_forward(ctx if record else None, cls, args, out)
        return out


# ---------------------------------------------------------------- kinds of op
class Elementwise(Function):
    """Output element i depends on input element i only (after broadcasting): backward is
    upstream x a local derivative of the output's shape, so the trace can show that local
    derivative (downstream / upstream, or the op's backward with an upstream of 1)."""

    kind = "elementwise"


class ElementwiseUnary(Elementwise):
    kind = "elementwise unary"


class ElementwiseBinary(Elementwise):
    kind = "elementwise binary"


class Reduction(Function):
    """Many input elements reduced to one output element (sum, mean, max, norm, ...): backward
    gives the upstream its reduced axes back and spreads it over the inputs."""

    kind = "reduction"


class Scan(Function):
    """A running reduction along one dim (cumsum, cumprod): output i reads inputs 0..i."""

    kind = "scan"


class ShapeOp(Function):
    """Moves values without computing new ones (reshape, transpose, cat, pad, ...): backward
    moves the upstream back to where each element came from."""

    kind = "shape"


class Indexing(Function):
    """Picks or writes elements by index (gather, scatter, x[i], sort, embedding): backward
    sends each upstream element back to the position it was read from."""

    kind = "indexing"


class LinearAlgebra(Function):
    """Matrix products and their relatives (matmul, linear, einsum, trace): backward is
    products with the other operand, transposed."""

    kind = "linear algebra"


class AlongDim(Function):
    """Each output depends on a whole vector of inputs along one dim (softmax, glu): backward
    is a Jacobian-vector product along that dim."""

    kind = "along a dim"


class Convolution(Function):
    kind = "convolution"


class Pooling(Function):
    kind = "pooling"


class Normalization(Function):
    kind = "normalization"


class Loss(Function):
    """A loss: predictions and targets in, a reduced loss out (fused forward and closed-form
    backward)."""

    kind = "loss"


class GraphNode(Function):
    """A node that routes gradients without math of its own (hooks, checkpoints)."""

    kind = "graph"


_new = object.__new__
_wrap = Tensor._wrap
_next_seq = itertools.count().__next__
_f32 = xp.dtype("float32")


def _check_float(cls, args):
    for a in args:
        if isinstance(a, Tensor) and a.array.dtype.kind not in "fc":
            _refuse_dtype(cls, a)


def _refuse_dtype(cls, t):
    raise TypeError(
        f"{cls.label} expects a floating-point tensor, got dtype {t.array.dtype} "
        f"(shape {tuple(t.shape)}); convert it with .float() or .double()"
    )

