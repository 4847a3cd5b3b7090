"""The reverse-mode engine: one function, ``backward``.

1. Visit the nodes newest first. Every node is numbered when it is created, after the
   nodes of its inputs, so decreasing creation number is a topological order; a heap
   hands out the newest node that has received gradient (no recursion: a chain of
   100,000 ops is fine).
2. Walk that order once. Each node receives the *upstream* gradient (the sum of what all
   its consumers sent), its ``backward`` turns it into one *downstream* gradient per
   input (upstream x local derivative), and the engine adds those into the table entry
   of each input node, or into the ``.grad`` of each leaf.
3. Broadcasting is undone here and only here: a gradient shaped like the broadcast result
   is summed over the broadcast axes down to its input's shape. A gradient is also cast
   to its tensor's dtype (float32 stays float32 behind a float64 op, as in PyTorch).
4. After a node has run, its saved arrays are released (unless retain_graph=True).
"""

from heapq import heappop, heappush, heappushpop

from ..backend import xp
from ..tensor import Tensor
from .function import Function, observers


# Functions to call once the current backward pass has filled every .grad (PyTorch's
# Variable._execution_engine.queue_callback). DistributedDataParallel queues its gradient
# all-reduce here from a hook, so the user's loop stays zero_grad / backward / step.
_final_callbacks = []


def queue_callback(fn):
    """Call ``fn()`` once, after the backward pass now running has accumulated its leaves."""
    _final_callbacks.append(fn)


class BackwardError(RuntimeError):
    """backward was asked for something it cannot do (freed graph, in-place edit, ...)."""


def backward(root, gradient=None, retain_graph=False):
    """``root.backward(gradient)``: d(root)/d(leaf) for every leaf that requires grad,
    accumulated into its ``.grad`` (what x.backward() runs, through autograd.gradients.tensor_backward)."""
    grad = _seed(root, gradient)
    node = root.grad_fn
    if node is None:  # backward on a leaf: d(x)/d(x) = gradient
        _accumulate_leaves({root: grad})
        return
    _accumulate_leaves(propagate([(node, grad)], retain_graph))


def _seed(root, gradient, index=0):
    """The gradient that starts the pass at ``root``: ones for a scalar, else ``gradient``."""
    if not root.requires_grad:
        raise RuntimeError(
            f"element {index} of tensors does not require grad and does not have a grad_fn: "
            "nothing to differentiate (did you create it under no_grad, or forget requires_grad=True?)"
        )
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this tensor has shape "
                f"{tuple(root.shape)}: pass backward(gradient=...) with that shape"
            )
        grad = xp.array(1, dtype=root.array.dtype)  # (np.ones: 5x slower)
        if root.array.ndim:
            grad = grad.reshape(root.array.shape)
        return grad
    grad = gradient.array if isinstance(gradient, Tensor) else xp.asarray(gradient)
    if grad.shape != root.array.shape:
        raise RuntimeError(
            f"backward: gradient has shape {tuple(grad.shape)} but the tensor has shape "
            f"{tuple(root.shape)}; they must match"
        )
    if grad.dtype != root.array.dtype:
        return grad.astype(root.array.dtype)
    # No copy of the caller's array: a read-only view of it. Ops never write into
    # their upstream (an op that did would now raise instead of corrupting the
    # caller's array), and a leaf is handed a copy of any view (_accumulate_leaves),
    # so no .grad aliases it.
    grad = grad.view()
    grad.flags.writeable = False
    return grad


def propagate(seeds, retain_graph=False, capture=None):
    """Run the backward pass from ``seeds``, a list of (node, upstream gradient) pairs.

    Returns {leaf Tensor: summed gradient} for the caller to store (backward) or hand back
    (autograd.grad). ``capture``, a dict keyed by nodes, receives the upstream gradient
    each of those nodes got: the gradient of a non-leaf tensor, for autograd.grad.
    """
    waiting = _NewestFirst()  # the nodes that have received gradient, newest first
    for node, grad in seeds:
        if node._grad is None:
            node._grad = grad
            waiting.add(node)
        else:  # two roots made by the same node
            node._grad = node._grad + grad
    # Newest node first: a node is always created after the nodes of its inputs, so
    # handling nodes in decreasing creation number is a valid topological order, and only
    # nodes that have received some gradient wait. Each node keeps its pending upstream
    # gradient in node._grad until it runs.
    node = waiting.pop()
    leaves = {}  # leaf Tensor -> summed gradient (Tensors hash by identity)
    watch = bool(observers)
    try:
        while node is not None:
            upstream = node._grad
            node._grad = None
            if node._hooks is not None:  # also set by retain_grad(): one test per node
                upstream = _run_hooks(node._hooks, upstream)
                if node._retain is not None:
                    _retain(node, upstream)
            if capture is not None and node in capture:
                capture[node] = upstream
            saved = node.saved
            if saved:
                for counter, expected, shape in node._checks:
                    if counter[0] != expected:
                        _raise_modified(node, counter[0], expected, shape)
            elif saved is None:
                _raise_released(node)

            downstream = node.backward(upstream)
            if type(downstream) is not tuple:
                downstream = (downstream,)

            for index, edge in enumerate(node._next):
                if edge is None:
                    continue
                g = downstream[index]
                if g is None:
                    continue
                if isinstance(edge, Function):
                    if g.shape != edge._out_shape:
                        g = unbroadcast(g, edge._out_shape, node, index)
                    dtype = edge._out_dtype
                    if g.dtype is not dtype and g.dtype != dtype:
                        g = g.astype(dtype)  # as PyTorch: a tensor's gradient has its dtype
                    prev = edge._grad
                    if prev is None:  # its first gradient: the node now waits its turn
                        edge._grad = g
                        waiting.add(edge)
                    else:
                        edge._grad = prev + g
                else:  # a leaf Tensor
                    if g.shape != edge.array.shape:
                        g = unbroadcast(g, edge.array.shape, node, index)
                    prev = leaves.get(edge)
                    leaves[edge] = g if prev is None else prev + g
            if watch:
                for obs in observers:
                    obs.on_backward(node, upstream, downstream)
            if saved and not retain_graph:
                node.saved = None  # free the buffers; a second backward will say so
            node = waiting.pop()
    except BaseException:
        for pending in waiting.drain():  # leave no half-summed gradient behind
            pending._grad = None
        raise
    # NumPy turns 0-d results into scalars (np.float32), which no in-place update can
    # change: every gradient handed out is an ndarray, 0-d ones included.
    for leaf, g in leaves.items():
        if type(g) is not _ndarray:
            leaves[leaf] = xp.array(g)
    if capture:
        for key, g in capture.items():
            if g is not None and type(g) is not _ndarray:
                capture[key] = xp.array(g)
    return leaves


class _NewestFirst:
    """The nodes waiting for their backward, handed out newest (highest creation number)
    first: a heap of (-creation number, node), with one shortcut.

    The shortcut is for chains, where each node feeds one node (most of a network's
    graph): the one node a backward makes ready is held in ``fresh``, outside the heap,
    and the next ``pop`` hands it back at once when nothing else waits, or through
    heappushpop, which returns it without storing it when it is the newest. A chain of N
    ops then costs no heap push or pop at all instead of N of each.
    """

    __slots__ = ("heap", "fresh")

    def __init__(self):
        self.heap = []
        self.fresh = None

    def add(self, node):
        if self.fresh is None:
            self.fresh = node
        else:
            heappush(self.heap, (-node._seq, node))

    def pop(self):
        """The newest waiting node, taken out; None once no node waits."""
        fresh = self.fresh
        if fresh is not None:
            self.fresh = None
            return heappushpop(self.heap, (-fresh._seq, fresh))[1] if self.heap else fresh
        return heappop(self.heap)[1] if self.heap else None

    def drain(self):
        """Every waiting node, taken out (after a failed backward)."""
        nodes = [node for _, node in self.heap]
        if self.fresh is not None:
            nodes.append(self.fresh)
        self.heap, self.fresh = [], None
        return nodes


def _topological_order(root):
    """Nodes reachable from root, each before all of its inputs' nodes (newest first).

    Not used by backward itself (which orders nodes with a heap as it goes); kept for
    tools that walk a whole graph: gradcheck_graph, the explain trace, graph drawing.
    """
    order = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for edge in node._next:
            if edge is not None and edge not in seen and isinstance(edge, Function):
                seen.add(edge)
                stack.append(edge)
    order.sort(key=_seq_key)
    return order


def _seq_key(node):
    return -node._seq


def unbroadcast(grad, shape, node=None, index=None):
    """Sum ``grad`` over the axes that broadcasting added or stretched, down to ``shape``.

    If y = f(x) broadcast x from shape (3, 1) to (2, 3, 4), each x[i, 0] was used 2 * 4
    times, so its gradient is the sum of the 8 gradients of its copies (the chain rule's
    sum over uses).
    """
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    # add.reduce, not grad.sum: ndarray.sum runs in NumPy's Python layer, whose overflow
    # warning backend.py's filter of glassgrad's own warnings cannot see.
    summed = _add_reduce(grad, axes) if axes else grad
    summed = summed.reshape(shape)
    if observers and node is not None:
        for obs in observers:
            obs.on_unbroadcast(node, index, grad, summed, axes)
    return summed


def _run_hooks(hooks, grad):
    for hook in list(hooks):
        result = hook(Tensor._wrap(_as_ndarray(grad)))
        if result is not None:
            grad = result.array if isinstance(result, Tensor) else xp.asarray(result)
    return grad


def _retain(node, grad):
    t = node._retain()
    if t is None:
        return
    if t.grad is None:
        t.grad = Tensor._wrap(_as_ndarray(grad).copy())
    else:
        t.grad.array = t.grad.array + grad


def _raise_released(node):
    raise BackwardError(
        f"Trying to backward through the graph a second time: the buffers saved by "
        f"'{node.label}' were already freed by the first backward. Specify "
        "retain_graph=True on the first backward() if you need to call it twice."
    )


def _raise_modified(node, actual, expected, shape):
    raise BackwardError(
        "one of the variables needed for gradient computation has been modified by an "
        f"in-place operation: the tensor of shape {tuple(shape)} saved by "
        f"'{node.label}' ({type(node).__name__}) is at version {actual}; expected "
        f"version {expected}. Compute the new value out of place (y = y * 2, not "
        "y *= 2), or clone() the tensor before changing it."
    )


def _accumulate_leaves(leaves):
    """Add each leaf's summed gradient into its .grad (after its hooks have seen it)."""
    handed_out = None  # ids of the arrays given to a .grad so far
    for leaf, g in leaves.items():
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g)
        dtype = leaf.array.dtype
        if g.dtype is not dtype and g.dtype != dtype:
            g = g.astype(dtype)
        if type(g) is not _ndarray:
            # NumPy turns 0-d results into scalars (np.float32), which no in-place update
            # can change: a 0-d parameter's .grad must be a 0-d array like any other, or
            # p.grad.zero_() fails and an optimizer's momentum buffer never moves.
            g = xp.array(g)
        grad = leaf.grad
        if grad is None:
            # .grad must own its memory: the same array may have been routed to two leaves
            # (a + b sends upstream to both), or be a view of another gradient (reshape,
            # broadcast_to). A private copy keeps later in-place updates private.
            if g.base is not None:
                g = g.copy()
            elif handed_out is None:
                handed_out = {id(g)}
            elif id(g) in handed_out:
                g = g.copy()
            else:
                handed_out.add(id(g))
            leaf.grad = _wrap(g)
        else:
            grad.array += g
            grad._vc[0] += 1
    if _final_callbacks:
        _run_final_callbacks()


def _run_final_callbacks():
    callbacks = _final_callbacks[:]
    _final_callbacks.clear()  # cleared first: a failing callback must not fire again next pass
    for fn in callbacks:
        fn()


def _as_ndarray(g):
    """A gradient as an ndarray (a NumPy scalar, the result of 0-d arithmetic, made 0-d)."""
    return g if type(g) is _ndarray else xp.array(g)


_wrap = Tensor._wrap
_add_reduce = xp.add.reduce
_ndarray = xp.ndarray
