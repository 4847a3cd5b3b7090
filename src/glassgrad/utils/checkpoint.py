"""Gradient checkpointing: trade compute for memory by recomputing a block in backward.

Backprop needs every intermediate value of the forward pass, so memory grows with depth.
``checkpoint(fn, x)`` keeps only the block's *inputs*: the forward runs ``fn`` under
no_grad (no intermediate is kept), and the backward runs ``fn`` a second time with
recording on, backpropagates the upstream gradient through that fresh graph, and hands
on the gradients of the inputs. Memory for the block: its inputs plus one block's
intermediates at a time; cost: one extra forward of the block.

The whole block is ONE node of the outer graph (a Function, ``Checkpoint``). Parameters
used inside ``fn`` (module weights captured by the closure) are leaves of the inner graph,
so the inner backward accumulates their gradients straight into their ``.grad``.

Random ops (dropout) must draw the same numbers in the recomputation as in the forward,
or the recomputed graph is a different function: the global RNG state is saved before the
forward and restored around the recomputation (``preserve_rng_state=True``); the caller's
random stream then continues as if no recomputation had happened.
"""

import math

from .. import backend
from ..autograd.function import GraphNode, observers
from ..autograd.gradients import backward as autograd_backward
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..backend import xp
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "Checkpoint"]


class Checkpoint(GraphNode):
    label = "checkpoint"
    rule = r"\partial\,\mathrm{fn}(x)/\partial x\ \text{from a recomputed graph of fn}"
    plain = "d fn(x)/d x from a recomputed graph of fn"
    form = ("checkpoint({...})", r"\mathrm{checkpoint}({...})")

    def forward(ctx, *arrays, fn, is_tensor, anchored, preserve_rng_state):
        if anchored:  # the last argument only made sure this node was recorded
            arrays = arrays[:-1]
        ctx.fn = fn
        ctx.is_tensor = is_tensor
        ctx.rng_state = backend.get_rng_state() if preserve_rng_state else None
        # Keep the inputs (version-checked, released after backward); non-Tensor
        # arguments are small and kept as they are.
        ctx.save_for_backward(*[a for a, t in zip(arrays, is_tensor) if t])
        ctx.others = [None if t else a for a, t in zip(arrays, is_tensor)]
        with no_grad():
            out = fn(*_wrap_inputs(arrays, is_tensor, needs=None))
        # Several outputs travel as one flat array (one node has one output); checkpoint()
        # cuts it back into views, whose gradients the engine sums into the flat upstream.
        ctx.layout = _layout(out)
        return _pack(out, ctx.layout)

    def backward(ctx, upstream):
        needs = ctx.needs_input_grad
        saved = iter(ctx.saved)
        arrays = [next(saved) if t else other for t, other in zip(ctx.is_tensor, ctx.others)]
        # Detached copies of the inputs: leaves of the inner graph, so its backward stops
        # there and leaves their gradients in their .grad.
        inputs = _wrap_inputs(arrays, ctx.is_tensor, needs)

        outer_state = backend.get_rng_state() if ctx.rng_state is not None else None
        try:
            if ctx.rng_state is not None:
                backend.set_rng_state(ctx.rng_state)  # same dropout masks as the forward
            with enable_grad():
                out = ctx.fn(*inputs)
        finally:
            if outer_state is not None:
                backend.set_rng_state(outer_state)
        _layout(out)  # the same kind of result as in the forward, or a clear error
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        pieces = _unpack(upstream, ctx.layout)
        # sum_i J_i^T g_i: one backward pass seeded with each output's upstream gradient
        # g_i as it is (no product out_i * g_i and its own backward: two more arrays of
        # the output's size, alive while the segment's recomputed values are); it also
        # accumulates into the parameters used by fn
        seeded = [(o, g) for o, g in zip(outs, pieces) if o.requires_grad]
        if seeded:
            autograd_backward([o for o, _ in seeded], [g for _, g in seeded])
        del out, outs, pieces, seeded  # the recomputed graph is not needed any more

        grads = []
        for i, t in enumerate(inputs):
            if i < len(needs) and needs[i] and isinstance(t, Tensor) and t.grad is not None:
                grads.append(t.grad.array)
            else:
                grads.append(None)
        if len(needs) > len(inputs):
            grads.append(None)  # the anchor
        return tuple(grads)


def checkpoint(fn, *args, use_reentrant=False, preserve_rng_state=True):
    """``fn(*args)``, computed without keeping its intermediates; recomputed in backward.

    The gradients are those of ``fn(*args)`` itself, for the Tensor arguments and for
    every parameter ``fn`` uses. ``fn`` returns one Tensor or a tuple of Tensors of one
    float dtype (returned as a tuple of views of one flat output; each of them requires
    grad when the block does), and must compute the same function when called again
    (random ops are made to repeat by ``preserve_rng_state``).
    ``use_reentrant`` is accepted for PyTorch compatibility; both values behave like
    PyTorch's ``use_reentrant=False`` (parameters get gradients even when no input
    requires grad).
    """
    if not callable(fn):
        raise TypeError(f"checkpoint expects a callable first, got {type(fn).__name__}")
    if use_reentrant not in (True, False):
        raise TypeError(f"checkpoint: use_reentrant must be True or False, got {use_reentrant!r}")
    if not is_grad_enabled():
        return fn(*args)  # nothing will be recorded: just run it
    is_tensor = tuple(isinstance(a, Tensor) for a in args)
    params = dict(fn=fn, is_tensor=is_tensor, preserve_rng_state=preserve_rng_state)
    if any(isinstance(a, Tensor) and a.requires_grad for a in args):
        return _outputs(Checkpoint.apply(*args, anchored=False, **params))

    # No input requires grad (the first block of a network): the node is recorded only
    # if some Tensor inside fn does (a weight). An anchor input makes apply record the
    # node; a watcher tells whether fn touched anything that requires grad, and if not,
    # the output is cut loose again, as fn(*args) would have been.
    anchor = Tensor._wrap(xp.zeros((), backend.get_default_dtype()))
    anchor.requires_grad = True
    watcher = _RequiresGradWatcher(ignore=anchor)
    observers.append(watcher)
    try:
        out = Checkpoint.apply(*args, anchor, anchored=True, **params)
    finally:
        observers.remove(watcher)
    layout = out.grad_fn.layout
    if not watcher.found:
        out.grad_fn = None
        out.requires_grad = False
    return _outputs(out, layout)


def _outputs(flat, layout=None):
    """What fn returned: the node's output itself, or the tuple cut out of it (as views,
    through getitem and reshape, so the engine routes each piece's gradient back)."""
    if layout is None and flat.grad_fn is not None:
        layout = flat.grad_fn.layout
    return flat if layout is None else _unpack(flat, layout)


def checkpoint_sequential(functions, segments, input, use_reentrant=False, preserve_rng_state=True):
    """Run ``functions`` (a list of callables or a Sequential) one after another, in
    ``segments`` checkpointed chunks; the last chunk runs normally, as in PyTorch (its
    output's backward comes first, so there is nothing to gain by recomputing it)."""
    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    functions = list(functions)
    if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be a positive int, got {segments!r}")
    if not functions:
        return input
    size = -(-len(functions) // segments)  # ceiling division

    def run(chunk):
        def forward(x):
            for f in chunk:
                x = f(x)
            return x

        return forward

    chunks = [functions[i : i + size] for i in range(0, len(functions), size)]
    for chunk in chunks[:-1]:
        input = checkpoint(
            run(chunk), input, use_reentrant=use_reentrant, preserve_rng_state=preserve_rng_state
        )
    return run(chunks[-1])(input)


# --------------------------------------------------------------------- helpers
def _wrap_inputs(arrays, is_tensor, needs):
    inputs = []
    for i, (a, t) in enumerate(zip(arrays, is_tensor)):
        if not t:
            inputs.append(a)
            continue
        leaf = Tensor._wrap(a)
        if needs is not None and needs[i]:
            leaf.requires_grad = True
        inputs.append(leaf)
    return inputs


def _layout(out):
    """The shapes of fn's result: one Tensor (None) or a tuple/list of Tensors of one
    float dtype (their shapes)."""
    if isinstance(out, Tensor):
        return None
    if isinstance(out, (tuple, list)) and out and all(isinstance(o, Tensor) for o in out):
        dtypes = {o.array.dtype for o in out}
        if len(dtypes) == 1 and next(iter(dtypes)).kind == "f":
            return tuple(o.array.shape for o in out)
        raise TypeError(f"checkpoint: the Tensors fn returns must share one float dtype, got "
                        f"{sorted(str(d) for d in dtypes)}")
    raise TypeError(f"checkpoint: fn must return a Tensor or a tuple of Tensors, got "
                    f"{type(out).__name__}")


def _pack(out, layout):
    if layout is None:
        return out.array
    return xp.concatenate([o.array.reshape(-1) for o in out])


def _unpack(flat, layout):
    """The flat array (or Tensor) cut back into pieces of the layout's shapes."""
    if layout is None:
        return (flat,)
    pieces, start = [], 0
    for shape in layout:
        n = math.prod(shape)
        pieces.append(flat[start:start + n].reshape(shape))
        start += n
    return tuple(pieces)


class _RequiresGradWatcher:
    """Observer: did any op see an input that requires grad (a parameter)?"""

    def __init__(self, ignore):
        self.found = False
        self.ignore = ignore  # the anchor, seen when the Checkpoint node itself is applied

    def on_forward(self, ctx, cls, args, out):
        if not self.found:
            self.found = any(
                isinstance(a, Tensor) and a.requires_grad and a is not self.ignore for a in args
            )

    def on_backward(self, node, upstream, downstream):
        pass

    def on_unbroadcast(self, node, index, grad_before, grad_after, axes):
        pass
