"""PyTorch's functional entry points to the engine: ``autograd.grad`` and ``autograd.backward``.

    grad(outputs, inputs)      returns d(outputs)/d(inputs), leaving every .grad untouched
    backward(tensors, grads)   adds d(tensors)/d(leaf) into each leaf's .grad (as t.backward())

Both run one pass of the engine (engine.propagate) from several roots at once: the
gradient of sum_k <grad_outputs[k], outputs[k]>, so a leaf reached from two outputs gets the
sum of the two contributions, as the chain rule's sum over uses says.

Higher-order gradients (``create_graph=True``) are refused: glassgrad's backward computes
on arrays, so its result has no graph of its own to differentiate again.
"""

from ..tensor import Tensor
from .engine import _accumulate_leaves, _run_hooks, _seed, propagate
from .engine import backward as engine_backward

__all__ = ["grad", "backward"]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple of Tensors.

    ``grad_outputs`` (one per output; None for a scalar output) weights the outputs: the
    result is the vector-Jacobian product sum_k grad_outputs[k]^T d outputs[k] / d inputs.
    An input the outputs do not depend on is an error unless ``allow_unused=True`` (its
    gradient is then None, or zeros with ``materialize_grads=True``).
    """
    _refuse_higher_order(create_graph, is_grads_batched, "grad")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds, direct = _seeds(outputs, grad_outputs)
    capture = {t.grad_fn: None for t in inputs if t.grad_fn is not None}
    leaves = propagate(seeds, bool(retain_graph), capture) if seeds else {}
    for leaf, g in direct:  # an output that is itself a leaf: d(x)/d(x) = its seed
        leaves[leaf] = g if leaf not in leaves else leaves[leaf] + g

    result = []
    for index, t in enumerate(inputs):
        if t.grad_fn is not None:
            g = capture[t.grad_fn]
        else:
            g = leaves.get(t)
            if g is not None and t._hooks:
                g = _run_hooks(t._hooks, g)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (inputs[{index}], shape "
                    f"{tuple(t.shape)}) appears to not have been used in the graph. Set "
                    "allow_unused=True if this is the desired behavior.")
            result.append(Tensor._wrap(t.array * 0) if materialize_grads else None)
            continue
        if g.dtype != t.array.dtype:
            g = g.astype(t.array.dtype)
        result.append(Tensor._wrap(g.copy()))  # the caller owns it (no view of a seed)
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into the
    ``.grad`` of the leaves; with ``inputs=``, only into those tensors' ``.grad``."""
    _refuse_higher_order(create_graph, False, "backward")
    if grad_tensors is None:
        grad_tensors = grad_variables
    tensors = _as_tuple(tensors, "tensors")
    if inputs is None:
        seeds, direct = _seeds(tensors, grad_tensors)
        leaves = propagate(seeds, bool(retain_graph)) if seeds else {}
        for leaf, g in direct:
            leaves[leaf] = g if leaf not in leaves else leaves[leaf] + g
        _accumulate_leaves(leaves)
        return
    inputs = _as_tuple(inputs, "inputs")
    if not inputs:
        raise RuntimeError("backward: inputs= was given but is empty; pass the tensors "
                           "whose .grad should be filled, or leave inputs out")
    grads = grad(tensors, inputs, grad_tensors, retain_graph, allow_unused=True)
    for t, g in zip(inputs, grads):
        if g is None:
            continue
        if t.grad is None:
            t.grad = g
        else:
            t.grad.array += g.array
            t.grad._vc[0] += 1


def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """``x.backward(gradient)`` (Tensor.backward, bound by ops/methods.py): d(x)/d(leaf) for
    every leaf that requires grad, accumulated into .grad (with ``inputs=``, only into those
    tensors'). ``create_graph=True`` is refused."""
    if create_graph or inputs is not None:
        return backward(self, gradient, retain_graph, create_graph, inputs=inputs)
    engine_backward(self, gradient, bool(retain_graph))


def _refuse_higher_order(create_graph, is_grads_batched, name):
    if create_graph:
        raise NotImplementedError(
            f"autograd.{name}(create_graph=True): higher-order gradients are not supported in "
            "glassgrad (its backward computes on arrays, not on a graph of Tensors); use "
            "finite differences of first gradients, or torch")
    if is_grads_batched:
        raise NotImplementedError(f"autograd.{name}(is_grads_batched=True) is not supported "
                                  "in glassgrad: call it once per gradient")


def _as_tuple(value, name):
    if isinstance(value, Tensor):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(t, Tensor) for t in value):
        return tuple(value)
    raise TypeError(f"autograd: {name} must be a Tensor or a sequence of Tensors, got "
                    f"{type(value).__name__}")


def _seeds(outputs, grad_outputs):
    """(node, seed gradient) pairs for the engine, and (leaf, seed) for outputs that are
    leaves themselves."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got "
                           f"{len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    seeds, direct = [], []
    for index, (out, g) in enumerate(zip(outputs, grad_outputs)):
        seed = _seed(out, g, index)
        if out.grad_fn is None:
            direct.append((out, seed))
        else:
            seeds.append((out.grad_fn, seed))
    return seeds, direct
