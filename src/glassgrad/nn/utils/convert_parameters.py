"""A model's parameters as one flat vector and back (for line searches, second-order
methods, or printing the whole model as one list of numbers)."""

from ...autograd.grad_mode import no_grad
from ...ops.shape import cat, reshape
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """Concatenate the parameters, each flattened in row-major order, into one vector.
    Differentiable (a cat of reshapes), as in PyTorch."""
    flat = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected glassgrad Tensors, got {type(p).__name__}")
        flat.append(reshape(p, (-1,)))
    if not flat:
        raise ValueError("parameters_to_vector: no parameters given")
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into the parameters (in order, reshaped).

    The values are copied into each parameter's array (PyTorch instead points ``.data`` at
    a view of vec): the parameters keep their identity, and a later change of vec does not
    reach them. The sizes are checked before anything is written.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected glassgrad.Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    total = sum(p.array.size for p in parameters)
    if vec.ndim != 1 or vec.array.size != total:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {total} entries (the "
                         f"parameters' total size), got shape {tuple(vec.shape)}")
    pointer = 0
    with no_grad():
        for p in parameters:
            n = p.array.size
            p.array[...] = vec.array[pointer:pointer + n].reshape(p.array.shape)
            p._bump()
            pointer += n
