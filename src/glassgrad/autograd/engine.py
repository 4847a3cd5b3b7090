"""The reverse-mode engine: one function, ``backward``.

1. Order the nodes reachable from the root so that every node comes before the nodes it
   depends on (an iterative depth-first search: no recursion, so a chain of 100,000 ops
   is fine).
2. Walk that order once. Each node receives the *upstream* gradient (the sum of what all
   its consumers sent), its ``backward`` turns it into one *downstream* gradient per
   input (upstream x local derivative), and the engine adds those into the table entry
   of each input node, or into the ``.grad`` of each leaf.
3. Broadcasting is undone here and only here: a gradient shaped like the broadcast result
   is summed over the broadcast axes down to its input's shape.
4. After a node has run, its saved arrays are released (unless retain_graph=True).
"""

from ..backend import xp
from ..tensor import Tensor
from .function import observers


class BackwardError(RuntimeError):
    """backward was asked for something it cannot do (freed graph, in-place edit, ...)."""


def backward(root, gradient=None, retain_graph=False):
    if not root.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: "
            "nothing to differentiate (did you create it under no_grad, or forget requires_grad=True?)"
        )
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this tensor has shape "
                f"{tuple(root.shape)}: pass backward(gradient=...) with that shape"
            )
        grad = xp.ones(root.data.shape, root.data.dtype)
    else:
        grad = gradient.data if isinstance(gradient, Tensor) else xp.asarray(gradient)
        if grad.shape != root.data.shape:
            raise RuntimeError(
                f"backward: gradient has shape {tuple(grad.shape)} but the tensor has shape "
                f"{tuple(root.shape)}; they must match"
            )
        grad = grad.astype(root.data.dtype, copy=True)

    node = root.grad_fn
    if node is None:  # backward on a leaf: d(x)/d(x) = gradient
        _accumulate_leaves({root: grad})
        return

    grads = {node: grad}
    leaves = {}  # leaf Tensor -> summed gradient (Tensors hash by identity)
    watch = bool(observers)
    for node in _topological_order(node):
        upstream = grads.pop(node, None)
        if upstream is None:  # nothing flowed into this node
            continue
        if node._hooks:
            upstream = _run_hooks(node._hooks, upstream)
        if node._retain is not None:
            _retain(node, upstream)
        if node._released:
            raise BackwardError(
                f"Trying to backward through the graph a second time: the buffers saved by "
                f"'{node.label}' were already freed by the first backward. Specify "
                "retain_graph=True on the first backward() if you need to call it twice."
            )
        if node._checks:
            _check_versions(node)

        downstream = node.backward(upstream)
        if type(downstream) is not tuple:
            downstream = (downstream,)

        index = 0
        for edge in node._next:
            if edge is not None:
                g = downstream[index]
                if g is not None:
                    if type(edge) is Tensor or isinstance(edge, Tensor):  # a leaf
                        if g.shape != edge.data.shape:
                            g = unbroadcast(g, edge.data.shape, node, index)
                        prev = leaves.get(edge)
                        leaves[edge] = g if prev is None else prev + g
                    else:
                        if g.shape != edge._out_shape:
                            g = unbroadcast(g, edge._out_shape, node, index)
                        prev = grads.get(edge)
                        grads[edge] = g if prev is None else prev + g
            index += 1
        if watch:
            for obs in observers:
                obs.on_backward(node, upstream, downstream)
        if not retain_graph:
            if node.saved:
                node._released = True
            node.saved = None
    _accumulate_leaves(leaves)


def _topological_order(root):
    """Nodes reachable from root, each before all of its inputs' nodes (iterative DFS)."""
    order = []
    seen = {root}
    stack = [(root, iter(root._next))]
    while stack:
        node, edges = stack[-1]
        for edge in edges:
            if edge is not None and edge not in seen and not isinstance(edge, Tensor):
                seen.add(edge)
                stack.append((edge, iter(edge._next)))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order


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
    summed = grad.sum(axis=axes) if axes else grad
    summed = summed.reshape(shape)
    if observers and node is not None:
        for obs in observers:
            obs.on_unbroadcast(node, index, grad, summed, axes)
    return summed


def _run_hooks(hooks, grad):
    for hook in list(hooks):
        result = hook(Tensor._wrap(grad))
        if result is not None:
            grad = result.data if isinstance(result, Tensor) else xp.asarray(result)
    return grad


def _retain(node, grad):
    t = node._retain()
    if t is None:
        return
    if t.grad is None:
        t.grad = Tensor._wrap(grad.copy())
    else:
        t.grad.data = t.grad.data + grad


def _check_versions(node):
    for i, (counter, expected, shape) in enumerate(node._checks):
        if counter[0] != expected:
            raise BackwardError(
                "one of the variables needed for gradient computation has been modified by an "
                f"in-place operation: the tensor of shape {tuple(shape)} saved by "
                f"'{node.label}' ({type(node).__name__}) is at version {counter[0]}; expected "
                f"version {expected}. Compute the new value out of place (y = y * 2, not "
                "y *= 2), or clone() the tensor before changing it."
            )


def _accumulate_leaves(leaves):
    """Add each leaf's summed gradient into its .grad (after its hooks have seen it)."""
    handed_out = set()
    for leaf, g in leaves.items():
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g)
        if g.dtype != leaf.data.dtype:
            g = g.astype(leaf.data.dtype)
        if leaf.grad is None:
            # The same array may have been routed to two leaves (a + b sends upstream to
            # both): give each its own copy so that later in-place updates stay private.
            if id(g) in handed_out or not g.flags.writeable:
                g = g.copy()
            handed_out.add(id(g))
            leaf.grad = Tensor._wrap(g)
        else:
            leaf.grad.data += g
            leaf.grad._vc[0] += 1
