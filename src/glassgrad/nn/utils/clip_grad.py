r"""Gradient clipping, as PyTorch does it.

clip_grad_norm_ treats all gradients as one long vector g and rescales it when it is too
long:  total = \| (\|g_1\|_p, \|g_2\|_p, \dots) \|_p = \|g\|_p, then every gradient is
multiplied by \min(1, max\_norm / (total + 10^{-6})). The direction of the update is kept;
only its length is capped. clip_grad_value_ clamps every entry to [-clip, clip] instead,
which can change the direction.
"""

import math

from ...backend import get_default_dtype, xp
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors, what):
    if isinstance(tensors, Tensor):
        return [tensors]
    if not hasattr(tensors, "__iter__"):
        raise TypeError(f"{what} must be a Tensor or an iterable of Tensors, got "
                        f"{type(tensors).__name__}")
    tensors = list(tensors)  # a generator (model.parameters()) is read once
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what} must hold glassgrad Tensors, got {type(t).__name__}")
    return tensors


def _norm_type(norm_type):
    try:
        return float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"norm_type must be a number or 'inf', got {norm_type!r}") from None


def _vector_norm(a, p):
    """torch.linalg.vector_norm of a flattened array, in the array's dtype. An overflow
    gives inf without a warning, as torch (error_if_nonfinite is the way to hear of it;
    np.linalg.norm is NumPy Python code, past backend.py's filter of glassgrad's warnings)."""
    a = a.reshape(-1)
    if a.size == 0:
        return a.dtype.type(0)
    with xp.errstate(over="ignore"):
        if p == 2:
            return xp.sqrt(xp.dot(a, a)) if a.dtype.kind == "f" else xp.linalg.norm(a)
        return xp.linalg.norm(a, ord=p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""The p-norm of all ``tensors`` seen as one vector: \| (\|t_1\|_p, \|t_2\|_p, \dots) \|_p.
    Returns a 0-d Tensor (0.0 for no tensors)."""
    tensors = _as_list(tensors, "tensors")
    p = _norm_type(norm_type)
    if not tensors:
        return Tensor._wrap(xp.array(0.0, dtype=get_default_dtype()))
    norms = [_vector_norm(t.array, p) for t in tensors]
    dtype = xp.result_type(*[t.array.dtype for t in tensors])
    total = xp.asarray(_vector_norm(xp.array(norms, dtype=dtype), p), dtype=dtype)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._wrap(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    r"""Multiply every ``.grad`` by \min(1, max\_norm / (total\_norm + 10^{-6})), in place."""
    parameters = _as_list(parameters, "parameters")
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    total = total_norm.array if isinstance(total_norm, Tensor) else xp.asarray(total_norm)
    coef = xp.minimum(total.dtype.type(float(max_norm)) / (total + total.dtype.type(1e-6)), 1.0)
    for g in grads:
        g.array *= coef.astype(g.array.dtype)  # always, as PyTorch (a factor of 1 is harmless)
        g._bump()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Rescale the gradients of ``parameters`` in place so that their total p-norm is at most
    ``max_norm``: total = \|(\|g_1\|_p, \dots)\|_p, g_i <- g_i \min(1, max\_norm/(total + 10^{-6})).

    Returns the total norm BEFORE clipping, as a 0-d Tensor (log it: a sudden jump shows an
    exploding gradient). ``norm_type`` may be ``inf`` (largest |entry|).
    ``error_if_nonfinite=True`` raises (and changes nothing) when the norm is nan or inf.
    """
    parameters = _as_list(parameters, "parameters")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry to [-clip_value, clip_value], in place."""
    parameters = _as_list(parameters, "parameters")
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            xp.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)
            p.grad._bump()
