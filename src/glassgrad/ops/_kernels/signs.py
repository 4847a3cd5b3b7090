"""Signs and signed zeros: array helpers that the ops' backward formulas call by name."""

from ...backend import xp


def torch_sign(a):
    """PyTorch's sign, (0 < a) - (a < 0): 0 for nan and +0.0 for -0.0, where np.sign gives
    nan and -0.0. (Backward formulas that multiply by sign(a) use it too: the L1 loss and
    the norms push an exactly-right value nowhere.)"""
    return xp.greater(a, 0).astype(a.dtype) - xp.less(a, 0)


def keep_bits(keep, dtype):
    """A boolean mask as whole-element bit patterns of ``dtype``'s width: all ones where
    kept, all zeros elsewhere (for where_kept)."""
    # 1 -> 0xFF..FF (unsigned wrap-around), 0 -> 0
    return xp.negative(keep.astype(xp.dtype(f"u{xp.dtype(dtype).itemsize}")))


def where_kept(upstream, bits):
    """where(keep, upstream, +0.0), PyTorch's masked backward, to the bit: a bitwise AND
    of the upstream's bits with keep_bits' mask. upstream * mask would give -0.0 for a
    negative upstream and nan for an inf one where PyTorch writes +0.0, and np.where
    costs about 10x (a branch per element). The AND itself costs half the multiply, but
    making the mask in forward costs about as much again: hardtanh forward + backward at
    (128, 256) float32 went 70 -> 92 us, for torch's zeros to the bit."""
    out = xp.empty(xp.broadcast_shapes(xp.shape(upstream), bits.shape), upstream.dtype)
    xp.bitwise_and(upstream.view(bits.dtype), bits, out=out.view(bits.dtype))
    return out  # (an array of its own: a view of the integers made the engine copy it)


def masked(upstream, mask):
    """upstream where mask is True, +0.0 elsewhere: PyTorch's where(mask, grad, 0), written
    as a product because np.where costs about 20x a multiply on a random mask. The product
    alone gives -0.0 for a negative upstream; adding +0.0 turns -0.0 into +0.0 and changes
    nothing else. (An inf or nan upstream where the mask is False still gives nan, where
    PyTorch gives 0: tests/ops/test_special_values.py lists it.)"""
    out = upstream * mask
    out += 0.0
    return out


def positive_zeros(a):
    """a with every -0.0 turned into +0.0 and nothing else changed (a += 0.0, in place):
    for a backward whose products give -0.0 where PyTorch's route (a difference such as
    upstream - softmax * sum(upstream)) gives +0.0."""
    a += 0.0
    return a
