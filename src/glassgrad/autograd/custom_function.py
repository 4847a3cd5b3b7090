r"""PyTorch's custom Function protocol, on Tensors, built on glassgrad's array-level Function.

glassgrad's own ops subclass :class:`glassgrad.autograd.function.Function` and work on raw
arrays. A PyTorch program writes its custom op the other way round, with static methods
that take and return Tensors::

    class Exp(glassgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):          # upstream
            (y,) = ctx.saved_tensors
            return grad_y * y               # upstream x local = downstream

    y = Exp.apply(x)

:class:`Function` below is the class users subclass. When a subclass writes ``forward`` as
a ``@staticmethod`` (PyTorch's protocol), its ``apply`` becomes :func:`_apply`: forward
runs on Tensors with grad mode off, and the outputs get one graph node, an instance of a
class made for the user's class (``ExpBackward``), whose array-level ``backward`` wraps the
upstream arrays as Tensors, calls the user's ``backward`` and hands the resulting arrays to
the engine. A subclass that writes ``forward(ctx, *arrays)`` as a plain method is a
glassgrad array-level op, exactly as before.

Several outputs share one node: their values are laid end to end in one flat "packed"
array owned by the node, and each output is a slice of it (:class:`_Unpack`), so the
engine, which sends one gradient to each node, delivers the sum of the slices' gradients,
which the node cuts back into one gradient per output.

Not written: ``ctx.mark_dirty`` (in-place custom ops) and higher-order gradients (the
engine differentiates arrays, not a graph of Tensors); both are refused in one line.
"""

import contextlib
import inspect
import numbers

from ..backend import xp
from ..tensor import Tensor
from . import function as _array_level
from . import grad_mode
from .engine import BackwardError

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` a custom Function's forward and backward share.

    Free for the user's own attributes (``ctx.constant = 3``), plus PyTorch's methods.
    """

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad  # one bool per argument of apply
        self._to_save = None  # the Tensors given to save_for_backward, until apply ends
        self._saved = ()  # (tensor, version at save time) pairs; None once backward freed them
        self._non_differentiable = set()  # ids of outputs marked non-differentiable
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        """Keep Tensors (or None) for backward; read them back as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save Tensors or None, got "
                                f"{type(t).__name__} at position {i}; keep other values as "
                                "ctx attributes (ctx.value = ...)")
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise BackwardError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True on the "
                "first backward() if you need to call it twice.")
        tensors = []
        for t, version in self._saved:
            if t is not None and t._vc[0] != version:
                raise BackwardError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: a tensor of shape {tuple(t.shape)} saved by "
                    f"save_for_backward is at version {t._vc[0]}; expected version {version}. "
                    "Change a clone() of it instead.")
            tensors.append(t)
        return tuple(tensors)

    def mark_non_differentiable(self, *outputs):
        """These outputs get no gradient (their grad in backward is zeros, or None)."""
        self._non_differentiable.update(id(t) for t in outputs)

    def set_materialize_grads(self, value):
        """False: an output that received no gradient is passed to backward as None,
        instead of a tensor of zeros."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        raise NotImplementedError("ctx.mark_dirty (a custom Function changing its input in "
                                  "place) is not supported in glassgrad: return a new tensor")


class Function(_array_level.Function):
    """Base class of custom ops: PyTorch's protocol (static forward/backward on Tensors)
    or glassgrad's array-level protocol (plain methods on arrays), told apart by whether
    ``forward`` is a ``@staticmethod``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if _tensor_level(cls):
            cls.apply = classmethod(_apply)
            cls._backward_node = type(f"{cls.__name__}Backward", (_CustomBackward,),
                                      {"label": cls.__name__.lower(), "_user": cls,
                                       "__module__": cls.__module__})

    @staticmethod
    def setup_context(ctx, inputs, output):
        """PyTorch 2's optional split: forward(*args) without ctx, then
        setup_context(ctx, inputs, output) saves what backward needs."""
        raise NotImplementedError


@contextlib.contextmanager
def _one_node():
    """Hide the user's forward and backward from observers (the explain trace, anomaly
    mode): the tensor ops they run are the inside of one node, not nodes of the graph."""
    watching = _array_level.observers[:]
    _array_level.observers.clear()
    try:
        yield
    finally:
        _array_level.observers[:] = watching


def _notify(node, args, out):
    """Show observers the node like any op's, when its arguments are what an op's are:
    Tensors and numbers."""
    if _array_level.observers and all(isinstance(a, (Tensor, numbers.Real)) for a in args):
        node._params = {}
        for obs in _array_level.observers:
            obs.on_forward(node, type(node), args, out)


def _tensor_level(cls):
    return isinstance(inspect.getattr_static(cls, "forward", None), staticmethod)


def _uses_setup_context(cls):
    return inspect.getattr_static(cls, "setup_context") is not \
        inspect.getattr_static(Function, "setup_context")


def once_differentiable(backward):
    """PyTorch's decorator for a backward that cannot itself be differentiated: every
    glassgrad backward is, so it changes nothing."""
    return backward


class _CustomBackward(_array_level.Function):
    """The graph node of one call of a custom Function (subclassed per user class)."""

    _user = None  # the user's Function subclass
    # Per output: its shape, dtype, and its place [start, stop) in the packed array, or
    # None for an output that gets no gradient (non-differentiable, integer, not a Tensor).
    _outputs = ()
    _received = None  # in packed mode: which outputs' slices sent a gradient

    # The engine frees a node's saved buffers by setting node.saved = None; here they
    # live on ctx, where ctx.saved_tensors reads them.
    @property
    def saved(self):
        return self.ctx._saved

    @saved.setter
    def saved(self, value):
        if value is None:
            self.ctx._saved = None

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def backward(self, upstream):
        ctx = self.ctx
        grads = []
        for i, out in enumerate(self._outputs):
            shape, dtype, place = out
            if place is not None and self._received is None:  # the node's one output
                grads.append(Tensor._wrap(upstream))
            elif place is not None and self._received[i]:
                start, stop = place
                grads.append(Tensor._wrap(upstream[start:stop].reshape(shape)))
            elif ctx.materialize_grads and shape is not None:
                grads.append(Tensor._wrap(xp.zeros(shape, dtype=dtype)))
            else:
                grads.append(None)
        if self._received is not None:
            self._received = [False] * len(self._outputs)
        with grad_mode.no_grad(), _one_node():
            result = self._user.backward(ctx, *grads)
        return self._arrays(result)

    def _arrays(self, result):
        """The user's returned gradients as arrays, one per input, checked as PyTorch does."""
        name = type(self).__name__
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self._inputs)
        if len(result) < expected or any(g is not None for g in result[expected:]):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(result)})")
        arrays = []
        for index, (g, shape) in enumerate(zip(result, self._inputs)):
            if g is None or shape is None or not self.needs_input_grad[index]:
                arrays.append(None)
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"function {name} returned a {type(g).__name__} as the "
                                   f"gradient at index {index}; expected a Tensor or None")
            if not _expandable(shape, g.shape):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index "
                                   f"{index} - got {list(g.shape)} but expected shape "
                                   f"compatible with {list(shape)}")
            arrays.append(g.array)
        return tuple(arrays)


def _expandable(shape, grad_shape):
    """Can ``shape`` be broadcast to ``grad_shape`` (so the engine sums grad back down)?"""
    if len(shape) > len(grad_shape):
        return False
    tail = grad_shape[len(grad_shape) - len(shape):]
    return all(n == m or n == 1 for n, m in zip(shape, tail))


class _Unpack(_array_level.Function):
    """One output of a several-output custom Function: a slice of the node's packed array.
    Backward puts the slice's gradient back in place in a zero packed array."""

    label = "unpack"

    def forward(ctx, packed, *, start, stop, shape, dtype, index, owner):
        ctx.place, ctx.size, ctx.index, ctx.owner = (start, stop), packed.shape, index, owner
        return packed[start:stop].reshape(shape).astype(dtype, copy=False)

    def __repr__(self):
        return repr(self.owner)  # as in PyTorch, every output shows the Function's node

    def backward(ctx, upstream):
        start, stop = ctx.place
        whole = xp.zeros(ctx.size, dtype=upstream.dtype)
        whole[start:stop] = upstream.reshape(-1)
        ctx.owner._received[ctx.index] = True
        return whole


def _apply(cls, *args, **kwargs):
    """``MyFunction.apply(*args)``: forward on Tensors, then one node for the outputs."""
    enabled = grad_mode.is_grad_enabled()
    needs = tuple(enabled and isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(needs)
    with grad_mode.no_grad(), _one_node():
        if _uses_setup_context(cls):
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args, **kwargs)
    single = not isinstance(output, tuple)
    outputs = [output] if single else list(output)
    # An input returned as is becomes a new tensor sharing its memory: the input keeps
    # its own place in the graph.
    outputs = [Tensor._wrap(o.array, o._vc) if isinstance(o, Tensor) and
               any(o is a for a in args) else o for o in outputs]

    differentiable = [isinstance(o, Tensor) and id(o) not in ctx._non_differentiable
                      and o.array.dtype.kind in "fc" for o in outputs]
    saved = ctx._to_save or ()
    ctx._to_save = None
    ctx._saved = tuple((t, t._vc[0] if t is not None else None) for t in saved)
    if any(needs) and any(differentiable):
        outputs = _attach(cls, ctx, args, outputs, differentiable)
        # A saved output is kept as an alias without the node (same memory and version):
        # output -> node -> ctx -> output would be a reference cycle, and the graph is
        # freed by reference counting alone.
        ctx._saved = tuple((Tensor._wrap(t.array, t._vc) if t is not None and t.grad_fn is not
                            None and any(t is o for o in outputs) else t, version)
                           for t, version in ctx._saved)
    for o in outputs:
        if isinstance(o, Tensor) and o.grad_fn is None:
            o.requires_grad = False
    return outputs[0] if single else tuple(outputs)


def _attach(cls, ctx, args, outputs, differentiable):
    """Make the node for this call and hang the differentiable outputs from it."""
    node = object.__new__(cls._backward_node)
    node.ctx = ctx
    node.needs_input_grad = list(ctx.needs_input_grad)
    node._next = [(a.grad_fn or a) if need else None for a, need in zip(args, ctx.needs_input_grad)]
    node._inputs = [tuple(a.shape) if isinstance(a, Tensor) else None for a in args]
    node._seq = _array_level._next_seq()
    node._grad = None
    places, start = [], 0
    for o, diff in zip(outputs, differentiable):
        if diff:
            places.append((start, start + o.array.size))
            start += o.array.size
        else:
            places.append(None)
    node._outputs = [(tuple(o.shape), o.array.dtype, place) if isinstance(o, Tensor)
                     else (None, None, None) for o, place in zip(outputs, places)]
    diff_outputs = [o for o, diff in zip(outputs, differentiable) if diff]
    if len(diff_outputs) == 1:  # the usual case: the node is the output's grad_fn
        out = diff_outputs[0]
        node._out_shape = out.array.shape
        node._out_dtype = out.array.dtype
        node._outputs = [(s, d, (0, out.array.size) if p else None) for s, d, p in node._outputs]
        out.grad_fn, out.requires_grad = node, True
        _notify(node, args, out)
        return outputs
    dtype = xp.result_type(*[o.array.dtype for o in diff_outputs])
    packed = Tensor._wrap(xp.concatenate([o.array.reshape(-1).astype(dtype) for o in diff_outputs]))
    node._out_shape, node._out_dtype = packed.array.shape, dtype
    packed.grad_fn, packed.requires_grad = node, True
    _notify(node, args, packed)
    node._received = [False] * len(outputs)
    result = []
    for index, (o, (shape, odtype, place)) in enumerate(zip(outputs, node._outputs)):
        if place is None:
            result.append(o)
        else:
            result.append(_Unpack.apply(packed, start=place[0], stop=place[1], shape=shape,
                                        dtype=odtype, index=index, owner=node))
    return result
