"""Module backward hooks: see (and change) the gradients at a layer's boundary.

``module.register_full_backward_hook(hook)`` calls ``hook(module, grad_input,
grad_output)`` once the gradients with respect to the module's inputs are known;
``register_full_backward_pre_hook(hook)`` calls ``hook(module, grad_output)`` as soon as
the gradient of its output is. Both are PyTorch's, with its rules: the gradients are
Tensors, in tuples; ``grad_input`` holds None for an input that needs no gradient (the
first layer's data); a hook may return a tuple that replaces the gradients it was given.

How: while such a hook is registered, the module's call routes every input that needs a
gradient through a node that passes the gradient through unchanged (``backward_hook`` in
the graph), and puts tensor hooks on those nodes' outputs and on the module's output. The
gradient arriving at one of those nodes is this module's part of the input's gradient,
not the input's total over all its uses, as PyTorch's.

A module with several outputs, or with several inputs whose gradients a hook replaces,
is refused with a clear error (PyTorch handles them with multi-output nodes, which
glassgrad's one-output nodes cannot express).
"""

from ..autograd.function import GraphNode
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor


class BackwardHookGate(GraphNode):
    label = "backward_hook"
    rule = r"\partial x/\partial x = 1 \text{ (the module's backward hooks see the gradient here)}"
    plain = "d x/d x = 1 (the module's backward hooks see the gradient here)"
    form = ("backward_hook({...})", r"\mathrm{backward\_hook}({...})")

    def forward(ctx, a):
        return a.view()

    def backward(ctx, upstream):
        return upstream


def call_with_backward_hooks(module, forward, args, kwargs):
    pre_hooks = list(module._backward_pre_hooks.values())
    post_hooks = list(module._backward_hooks.values())
    args = list(args)
    recording = is_grad_enabled()
    tracked = [i for i, a in enumerate(args)
               if recording and isinstance(a, Tensor) and a.requires_grad]
    for i in tracked:
        args[i] = BackwardHookGate.apply(args[i])
    output = forward(*args, **kwargs)
    if not isinstance(output, Tensor):
        raise NotImplementedError(
            f"{type(module).__name__}: backward hooks need a module with one Tensor output, "
            f"got {type(output).__name__}")
    if not output.requires_grad:
        return output
    grad_input = [None] * len(args)
    state = {"grad_output": None, "waiting": len(tracked)}

    def run_post_hooks():
        given = tuple(grad_input)
        for hook in post_hooks:
            result = hook(module, given, state["grad_output"])
            if result is not None:
                given = _as_tuple(result, len(given), module, "grad_input")
        return given

    def on_output(grad):
        grads = (grad,)
        for hook in pre_hooks:
            result = hook(module, grads)
            if result is not None:
                grads = _as_tuple(result, 1, module, "grad_output")
        state["grad_output"] = grads
        if not tracked:  # no input needs a gradient: the hooks run now, as PyTorch's
            run_post_hooks()
        return grads[0]

    def on_input(index):
        def hook(grad):
            grad_input[index] = grad
            state["waiting"] -= 1
            if state["waiting"]:
                return None
            given = run_post_hooks()
            if any(new is not old for new, old in zip(given, grad_input)):
                if len(tracked) > 1:
                    raise NotImplementedError(
                        f"{type(module).__name__}: a backward hook replaced grad_input of a "
                        "module with several inputs that need gradients; glassgrad can only "
                        "replace it for a module with one")
                return given[index]
            return None
        return hook

    output.register_hook(on_output)
    for i in tracked:
        args[i].register_hook(on_input(i))
    return output


def _as_tuple(result, length, module, what):
    result = result if isinstance(result, (tuple, list)) else (result,)
    if len(result) != length:
        raise ValueError(f"{type(module).__name__}: a backward hook returned {len(result)} "
                         f"gradients for {what}, expected {length}")
    return tuple(result)
