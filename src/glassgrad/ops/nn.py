"""Neural-network ops: softmax, log_softmax, cross_entropy, nll_loss, dropout, conv2d,
max_pool2d, avg_pool2d.

Each op is one Function with its forward and backward side by side, under PyTorch's names,
argument names and defaults (``glassgrad.nn.functional`` re-exports them).

Two ideas carry the convolution and pooling code (docs/conv.md tells the whole story):

- **No Python loop over pixels.** A window of every output pixel is a *view* of the input
  (``as_strided``: only strides change, nothing is copied). conv2d copies those windows
  once into a patch matrix and does one matrix product; pooling loops over the kh*kw
  offsets of the kernel instead (4 offsets for a 2x2 pool), each offset a strided slice.
- **Channels-last memory.** conv2d returns an (N, C, H, W) tensor whose memory is ordered
  (N, H, W, C): the patch matrix of the next convolution then reads runs of C contiguous
  numbers, and the GEMM result needs no transpose. Shapes, values and gradients are the
  same as PyTorch's; only ``.data.strides`` show the difference.
"""

import math
import threading

from .. import backend
from ..autograd.function import Function
from ..backend import xp
from ..tensor import Tensor

_as_strided = xp.lib.stride_tricks.as_strided


# ===================================================================== small helpers
def _data(t):
    return t.array if isinstance(t, Tensor) else t


def _check_dim(dim, ndim, op):
    """Normalise a dim (negative allowed) or raise an IndexError naming the valid range."""
    if dim is None:
        raise TypeError(
            f"{op}() needs dim=: the axis along which the outputs sum to 1 "
            f"(for a batch of scores of shape (N, C), dim=1)"
        )
    if isinstance(dim, bool) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}(): dim {dim} is out of range for a {ndim}-D tensor "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return int(dim) % n


def _check_reduction(reduction, op):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(losses, reduction, denominator):
    if reduction == "none":
        return losses
    total = xp.add.reduce(losses, axis=None)
    if reduction == "sum":
        return total
    with xp.errstate(invalid="ignore", divide="ignore"):  # all targets ignored: nan, as torch
        return total / denominator


# ===================================================================== softmax
class Softmax(Function):
    label = "softmax"
    rule = r"\partial y_i/\partial x_j = y_i(\delta_{ij} - y_j)"
    float_only = True

    def forward(ctx, x, dim):
        # Subtracting the max changes nothing mathematically (e^{x-m}/sum e^{x-m}) but keeps
        # exp from overflowing: the largest exponent is e^0 = 1.
        y = x - x.max(axis=dim, keepdims=True)
        xp.exp(y, out=y)
        y /= xp.add.reduce(y, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)  # the Jacobian needs only the output
        return y

    def backward(ctx, upstream):
        (y,) = ctx.saved
        # sum_i g_i y_i (delta_ij - y_j) = y_j (g_j - sum_i g_i y_i), in this order (PyTorch's:
        # the same rounding, and the same zero signs where y_j = 0)
        return y * (upstream - xp.add.reduce(upstream * y, axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    label = "log_softmax"
    rule = r"\partial y_i/\partial x_j = \delta_{ij} - \mathrm{softmax}(x)_j"
    float_only = True

    def forward(ctx, x, dim):
        y = x - x.max(axis=dim, keepdims=True)
        y -= xp.log(xp.add.reduce(xp.exp(y), axis=dim, keepdims=True))  # log sum exp, stable
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    def backward(ctx, upstream):
        (y,) = ctx.saved
        # sum_i g_i (delta_ij - softmax_j) = g_j - softmax_j sum_i g_i, and softmax = e^y
        return upstream - xp.exp(y) * xp.add.reduce(upstream, axis=ctx.dim, keepdims=True)


def _along(fn_class, input, dim, op):
    x = _data(input)
    dim = _check_dim(dim, x.ndim, op)
    if x.ndim == 0:  # one number (softmax 1, log_softmax 0): as a vector of length 1
        from .shape import reshape

        return reshape(fn_class.apply(reshape(input, (1,)), dim=0), ())
    return fn_class.apply(input, dim=dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim`` (computed as exp(x_i - max)).
    ``dtype``: the input is cast to it first, as in PyTorch.

    Backward with the saved output y: dL/dx = y * (g - sum(g * y)).
    """
    if dtype is not None:
        input = input.to(dtype)
    return _along(Softmax, input, dim, "softmax")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log_softmax(x)_i = x_i - log sum_j exp(x_j) along ``dim`` (stable: max subtracted).
    ``dtype``: the input is cast to it first, as in PyTorch.

    Backward with the saved output y: dL/dx = g - exp(y) * sum(g).
    """
    if dtype is not None:
        input = input.to(dtype)
    return _along(LogSoftmax, input, dim, "log_softmax")


# ===================================================================== classification losses
def _class_targets(op, logits_shape, target, weight, ignore_index, dtype):
    """Check class-index targets against (N, C, d1, ...) scores and return
    (at, valid, sample_weight): ``scores[at]`` is the score of each sample's target class,
    of shape (N, d1, ...) (ignored samples point at class 0, a safe index); ``valid`` is
    False where target == ignore_index; ``sample_weight`` = weight[target] (1 without
    weight), 0 where ignored."""
    n_classes = logits_shape[1]
    expected = logits_shape[:1] + logits_shape[2:]
    if target.shape != expected:
        raise ValueError(
            f"{op}: target has shape {tuple(target.shape)} but the input has shape "
            f"{tuple(logits_shape)}; class-index targets need shape {tuple(expected)} "
            "(the input's shape without the class dim 1)"
        )
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        value = int(target[bad].flat[0])
        raise IndexError(
            f"{op}: target {value} is out of bounds: the input has {n_classes} classes, so "
            f"class indices must be in [0, {n_classes - 1}] (or equal ignore_index={ignore_index})"
        )
    index = target if valid.all() else xp.where(valid, target, 0)
    positions = xp.indices(target.shape, sparse=True)  # n (and d1, ...) as broadcast ranges
    at = (positions[0], index) + tuple(positions[1:])
    if weight is None:
        sample_weight = valid.astype(dtype)
    else:
        sample_weight = weight[index] * valid
    return at, valid, sample_weight


def _ignored_are_zero(losses, valid):
    """The loss of an ignored sample is 0, as PyTorch's: its weight 0 times a score of
    +-inf or nan (at class 0, where it points) would be nan and poison the sum."""
    return losses if valid.all() else xp.where(valid, losses, 0)


def _check_weight(op, weight, n_classes):
    if weight is None:
        return None
    w = _data(weight)
    if not isinstance(w, xp.ndarray) or w.shape != (n_classes,) or w.dtype.kind != "f":
        got = (f"shape {tuple(w.shape)}, dtype {w.dtype}" if isinstance(w, xp.ndarray)
               else type(w).__name__)
        raise ValueError(f"{op}: weight must be a float tensor of shape ({n_classes},), one "
                         f"weight per class; got {got}")
    return w


def _as_batch(x, op):
    """Scores of shape (C,) are one unbatched sample: view them as (1, C)."""
    if x.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    return x[None] if x.ndim == 1 else x


def _per_sample(values):
    """Per-sample values of shape (N, d1, ...) as (N, 1, d1, ...), to broadcast over the
    classes on dim 1 (a 0-d value broadcasts as it is)."""
    values = xp.asarray(values)
    return values.reshape(values.shape[:1] + (1,) + values.shape[1:]) if values.ndim else values


class CrossEntropy(Function):
    label = "cross_entropy"
    rule = (r"L_i = -\sum_c q_{ic} \log \mathrm{softmax}(z_i)_c,\ "
            r"\partial L_i/\partial z_{ic} = \mathrm{softmax}(z_i)_c \sum_{c'} q_{ic'} - q_{ic}"
            r"\ (= \hat{y} - y \text{ for one-hot } q)")

    def forward(ctx, input, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0):
        z = _as_batch(input, "cross_entropy")
        n_classes, eps = z.shape[1], label_smoothing
        shifted = z - z.max(axis=1, keepdims=True)  # stable: the largest exponent is 0
        p = xp.exp(shifted)
        sumexp = _sum(p, axis=1, keepdims=True)
        p /= sumexp  # softmax(z): what the backward needs
        log_sumexp = xp.log(sumexp)
        class_index = target.dtype.kind in "iu"
        q = log_p = None
        if class_index:
            at, valid, sample_weight = _class_targets(
                "cross_entropy", z.shape, _as_index(target, input), weight, ignore_index, z.dtype)
            denominator = _sum(sample_weight, axis=None)  # 'mean': by sum_i weight[y_i]
        else:
            denominator = z.size // n_classes  # 'mean' divides by the number of samples

        if class_index and eps == 0:
            # The common case, kept sparse: q_i is weight[y_i] at class y_i and 0 elsewhere,
            # so L_i = -weight[y_i] log softmax(z_i)_{y_i}.
            losses = -sample_weight * (shifted[at] - log_sumexp[:, 0])
            ctx.at, ctx.sample_weight = at, sample_weight
        else:
            # Dense q (label smoothing or probability targets): L_i = -sum_c q_ic log p_ic.
            w = 1 if weight is None else weight.reshape((1, n_classes) + (1,) * (z.ndim - 2))
            if class_index:  # torch: (1 - eps) one-hot + eps/C everywhere, both weighted
                q = xp.empty_like(z)
                q[...] = (eps / n_classes) * (w * _per_sample(valid.astype(z.dtype)))
                q[at] += (1 - eps) * sample_weight
            else:
                t = target.reshape(z.shape)
                q = (t * (1 - eps) + eps / n_classes) * w if eps else t * w
            log_p = shifted - log_sumexp
            losses = -_sum(q * log_p, axis=1)
        if class_index:
            losses = _ignored_are_zero(losses, valid)
        ctx.eps, ctx.weight, ctx.reduction, ctx.denominator = eps, weight, reduction, denominator
        ctx.in_shape = input.shape
        ctx.save_for_backward(p, q, log_p)
        out = _reduce(losses, reduction, denominator)
        return out.reshape(()) if input.ndim == 1 and reduction == "none" else out

    def backward(ctx, upstream):
        p, q, log_p = ctx.saved
        need_input, need_target = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        # dTotal/dL_i: the upstream of each sample ('none'), or the one upstream of the
        # sum, divided by the denominator for 'mean'
        coef = upstream.reshape(p.shape[:1] + p.shape[2:]) if ctx.reduction == "none" else upstream
        if ctx.reduction == "mean":
            coef = coef / ctx.denominator
        d_input = d_target = None
        if need_input:
            if q is None:  # one-hot q: softmax * weight[y], minus weight[y] at class y
                scale = ctx.sample_weight * coef  # per sample
                d_input = p * _per_sample(scale)
                d_input[ctx.at] -= scale
            else:  # softmax * sum_c q_c - q
                d_input = (p * _sum(q, axis=1, keepdims=True) - q) * _per_sample(coef)
            # + 0.0 turns -0.0 into +0.0 and changes nothing else: PyTorch's backward,
            # (upstream - softmax * sum(upstream)) through log_softmax, gives +0.0 where
            # a product here gave -0.0 (a softmax of 0 times a negative coefficient)
            d_input += 0.0
            d_input = d_input.reshape(ctx.in_shape)
        if need_target:  # probability targets: dL_i/dt_ic = -(1 - eps) w_c log p_ic
            w = 1 if ctx.weight is None else ctx.weight.reshape((1, -1) + (1,) * (p.ndim - 2))
            d_target = (-(1 - ctx.eps) * _per_sample(coef) * w * log_p).reshape(ctx.in_shape)
        return d_input, d_target


class CrossEntropyIndices(CrossEntropy):
    """The common case of cross_entropy, on its own short path: scores (N, C), one class
    index per row, no weight, no ignored rows, no smoothing, reduction 'mean' or 'sum'.
    Same math and same label as CrossEntropy; it only skips the general bookkeeping
    (per-sample weights, ignore masks, dense targets), which at batch 32 cost more than
    the arithmetic itself.

        L = (1/N) sum_i [log sum_c e^{s_ic} - s_{i,y_i}],  s_i = z_i - max_c z_ic
        dL/dz_ic = (softmax(z_i)_c - [c = y_i]) / N
    """

    def forward(ctx, z, target, reduction="mean"):
        rows = _arange(len(z))
        # (the ufuncs' reduce directly: .max() and .sum() add a Python layer, ~1 us each)
        shifted = z - _max(z, axis=1, keepdims=True)  # stable: the largest exponent is 0
        p = xp.exp(shifted)
        sumexp = _sum(p, axis=1)
        total = _sum(xp.log(sumexp)) - _sum(shifted[rows, target])
        p /= sumexp[:, None]  # softmax(z): all the backward needs
        ctx.rows, ctx.target, ctx.reduction = rows, target, reduction
        ctx.save_for_backward(p)
        return total / z.dtype.type(len(z)) if reduction == "mean" else total

    def backward(ctx, upstream):
        (p,) = ctx.saved
        coef = upstream / p.dtype.type(len(p)) if ctx.reduction == "mean" else upstream
        d_input = p * coef  # softmax - onehot, times dTotal/dL_i
        if coef < 0:  # PyTorch gives +0.0 where p = 0, here -0.0: + 0.0 changes only that
            d_input += 0.0
        d_input[ctx.rows, ctx.target] -= coef
        return d_input, None


_ROWS = {}  # n -> arange(n), read-only
_max, _sum = xp.maximum.reduce, xp.add.reduce


def _arange(n):
    """0, 1, ..., n-1 as a read-only int64 array, kept per n: every batch of a training
    run has the same size, and np.arange costs as much as the gather it feeds."""
    rows = _ROWS.get(n)
    if rows is None:
        rows = _ROWS[n] = xp.arange(n)
        rows.flags.writeable = False
    return rows


def _plain_class_indices(x, t):
    """True when cross_entropy may take its short path: 2-D float scores and one int64
    class index per row, every index in [0, C). One reduction checks both bounds: seen
    as unsigned, a negative index (ignore_index included) is a huge number."""
    return (x.ndim == 2 and t.ndim == 1 and t.dtype == xp.int64 and x.dtype.kind == "f"
            and len(t) == len(x) and len(t) > 0
            and _max(t.view(xp.uint64)) < x.shape[1])


def _as_index(target, input):
    """Unbatched scores (C,) take a 0-d target; see it as (1,)."""
    return target.reshape(1) if input.ndim == 1 else target


def _target_array(op, target, input):
    """The target as an array, with a clear error for the wrong dtype or shape."""
    t = xp.asarray(_data(target))
    if isinstance(target, (int, xp.integer)) and not isinstance(target, bool):
        t = t.astype(xp.int64)
    x = _data(input)
    batch_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    if t.dtype.kind in "iu":
        return t
    if t.dtype.kind == "f" and op == "cross_entropy" and t.shape == x.shape:
        if t.dtype != x.dtype:
            raise TypeError(f"{op}: probability targets must have the input's dtype {x.dtype}, "
                            f"got {t.dtype}")
        return t
    hint = (f"probabilities must be a float tensor of the input's shape {tuple(x.shape)}"
            if op == "cross_entropy" else "nll_loss takes class indices only")
    raise TypeError(
        f"{op}: target has dtype {t.dtype} and shape {tuple(t.shape)}; class indices must be "
        f"an integer tensor (int64, e.g. target.long()) of shape {tuple(batch_shape)}; {hint}"
    )


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of softmax(input) against ``target``, fused with log-softmax.

    ``input``: scores (logits) of shape (N, C), (N, C, d1, ...) or (C,); the classes are on
    dim 1. ``target``: class indices (integer, shape (N,) or (N, d1, ...)) or class
    probabilities (float, the input's shape). With q the target distribution (one-hot,
    smoothed by ``label_smoothing``, scaled by ``weight``):

        L_i = -sum_c q_ic log softmax(z_i)_c,      dL_i/dz_i = softmax(z_i) sum_c q_ic - q_i

    which for one-hot targets is the familiar y_hat - y. ``reduction='mean'`` divides by
    sum_i weight[y_i] over non-ignored samples (class indices) or by N (probabilities).
    """
    # ignore_index < 0 cannot match an index in [0, C), which the short path checks
    if (weight is None and not label_smoothing and ignore_index < 0 and type(input) is Tensor
            and type(target) is Tensor and (reduction == "mean" or reduction == "sum")
            and _plain_class_indices(input.array, target.array)):
        if reduction == "mean":  # the default as the default: keywords cost ~1 us per call
            return CrossEntropyIndices.apply(input, target.array)
        return CrossEntropyIndices.apply(input, target.array, reduction=reduction)
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, "
                         f"got {label_smoothing}")
    x = _data(input)
    if x.dtype.kind != "f":
        raise TypeError(f"cross_entropy expects float scores (logits), got dtype {x.dtype}")
    _as_batch(x, "cross_entropy")
    t = _target_array("cross_entropy", target, input)
    w = _check_weight("cross_entropy", weight, x.shape[1] if x.ndim > 1 else x.shape[0])
    if w is not None and w.dtype != x.dtype:
        w = w.astype(x.dtype)
    if t.dtype.kind == "f":
        target_in = target if isinstance(target, Tensor) else t
    else:
        target_in = t
        if x.ndim == 1 and t.ndim != 0:
            raise ValueError(f"cross_entropy: unbatched scores of shape {tuple(x.shape)} take a "
                             f"0-d target, got shape {tuple(t.shape)}")
    return CrossEntropy.apply(input, target_in, weight=w, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=float(label_smoothing))


class NLLLoss(Function):
    label = "nll_loss"
    rule = r"L_i = -w_{y_i} x_{i,y_i},\ \partial L_i/\partial x_{ic} = -w_{y_i} [c = y_i]"

    def forward(ctx, input, target, weight=None, ignore_index=-100, reduction="mean"):
        x = _as_batch(input, "nll_loss")
        at, valid, sample_weight = _class_targets("nll_loss", x.shape, _as_index(target, input),
                                                  weight, ignore_index, x.dtype)
        losses = _ignored_are_zero(-sample_weight * x[at], valid)
        ctx.at, ctx.sample_weight, ctx.valid = at, sample_weight, valid
        ctx.denominator = xp.add.reduce(sample_weight, axis=None)
        ctx.reduction, ctx.shape, ctx.in_shape = reduction, x.shape, input.shape
        out = _reduce(losses, reduction, ctx.denominator)
        return out.reshape(()) if input.ndim == 1 and reduction == "none" else out

    def backward(ctx, upstream):
        coef = upstream.reshape(ctx.sample_weight.shape) if ctx.reduction == "none" else upstream
        if ctx.reduction == "mean":
            coef = coef / ctx.denominator
        d_input = xp.zeros(ctx.shape, dtype=ctx.sample_weight.dtype)
        # only the target class moves L_i; an ignored sample's row stays +0.0, as torch's
        d_input[ctx.at] = _ignored_are_zero(-ctx.sample_weight * coef, ctx.valid)
        return d_input.reshape(ctx.in_shape), None


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at class indices
    ``target``: L_i = -weight[y_i] * input[i, y_i]; 'mean' divides by sum_i weight[y_i]
    over non-ignored samples. Use it after log_softmax (cross_entropy fuses both)."""
    _check_reduction(reduction, "nll_loss")
    x = _data(input)
    if x.dtype.kind != "f":
        raise TypeError(f"nll_loss expects float log-probabilities, got dtype {x.dtype}")
    _as_batch(x, "nll_loss")
    t = _target_array("nll_loss", target, input)
    w = _check_weight("nll_loss", weight, x.shape[1] if x.ndim > 1 else x.shape[0])
    if w is not None and w.dtype != x.dtype:
        w = w.astype(x.dtype)
    if x.ndim == 1 and t.ndim != 0:
        raise ValueError(f"nll_loss: unbatched input of shape {tuple(x.shape)} takes a 0-d "
                         f"target, got shape {tuple(t.shape)}")
    return NLLLoss.apply(input, t, weight=w, ignore_index=ignore_index, reduction=reduction)


# ===================================================================== dropout
class Dropout(Function):
    label = "dropout"
    rule = r"y = x \cdot m/(1-p),\ m \sim \mathrm{Bernoulli}(1-p),\ \partial y/\partial x = m/(1-p)"
    float_only = True

    def forward(ctx, x, p, mask_shape=None):
        # mask_shape: one draw per unit by default; dropout2d (ChannelDropout) passes
        # (N, C, 1, ...) for one draw per channel, broadcast over the positions.
        shape = x.shape if mask_shape is None else mask_shape
        if p == 1:  # nothing kept (1/(1-p) would be inf): the output and gradient are 0
            scaled_mask = xp.zeros(shape, dtype=x.dtype)
        else:
            # Inverted dropout: scale the kept units by 1/(1-p) now, so that the expected
            # activation is unchanged and evaluation needs no rescaling.
            draws = x.dtype if x.dtype in (backend.float32, backend.float64) else backend.float32
            keep = backend.rng().random(shape, dtype=draws) >= p
            scaled_mask = keep.astype(x.dtype)
            scaled_mask *= x.dtype.type(1.0 / (1.0 - p))
        ctx.save_for_backward(scaled_mask)
        return x * scaled_mask

    def backward(ctx, upstream):
        (scaled_mask,) = ctx.saved
        return upstream * scaled_mask  # a dropped unit (or channel) passes no gradient


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: zero each element with probability ``p`` and scale the kept ones
    by 1/(1-p), so E[output] = input. ``training=False`` returns ``input`` unchanged.
    ``inplace=True`` writes the result into ``input`` and returns it (the same mask).

    The mask comes from the global generator (``glassgrad.manual_seed``), so restoring the
    RNG state (as ``glassgrad.utils.checkpoint`` does) reproduces the same mask.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, xp.floating, xp.integer)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if inplace:
        return input._unary_inplace(lambda t: Dropout.apply(t, float(p)))
    return Dropout.apply(input, float(p))


# ===================================================================== conv / pool helpers
def _pair(value, name, op, minimum=1):
    """An int or a pair of ints as a pair, checked against a lower bound."""
    if isinstance(value, (int, xp.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, xp.integer)) and not isinstance(v, bool) for v in value):
        pair = (int(value[0]), int(value[1]))
    elif isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], int):
        pair = (int(value[0]),) * 2
    else:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return pair


def _out_size(size, kernel, stride, pad_before, pad_after, dilation, ceil_mode=False):
    """Number of window positions: floor((size + pads - dilation*(kernel-1) - 1)/stride) + 1
    (ceil in ceil_mode, where the last window must still start inside the input or the
    left padding)."""
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def _is_channels_last(x):
    return x.shape[1] > 1 and x.strides[1] < x.strides[3]


def _padded(x, top, bottom, left, right, value, channels_last):
    """x (N, C, H, W) inside a border of ``value``, as a new (N, C, H', W') array whose
    memory is (N, H', W', C) when ``channels_last``. Returns x itself without padding."""
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    hp, wp = h + top + bottom, w + left + right
    if channels_last:
        buf = xp.full((n, hp, wp, c), value, dtype=x.dtype).transpose(0, 3, 1, 2)
    else:
        buf = xp.full((n, c, hp, wp), value, dtype=x.dtype)
    buf[:, :, top:top + h, left:left + w] = x
    return buf


def _offsets(kh, kw, dh, dw, sh, sw, oh, ow):
    """For each kernel offset (i, j): the index k = i*kw + j and the slices of the padded
    input that offset touches, one per output pixel (a strided view, no copy)."""
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            yield i * kw + j, (slice(None), slice(None), rows, cols)


def _unbatched(x, op, what="input"):
    if x.ndim == 3:
        return x[None], True
    if x.ndim != 4:
        raise ValueError(f"{op}: {what} must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    return x, False


# ===================================================================== conv2d
class Conv2d(Function):
    label = "conv2d"
    rule = (r"y_{nfij} = b_f + \sum_{c,k,l} w_{fckl}\, x_{n,c,s i+d k,s j+d l};\ "
            r"\partial y_{nfij}/\partial w_{fckl} = x_{n,c,si+dk,sj+dl},\ "
            r"\partial y_{nfij}/\partial x_{n,c,si+dk,sj+dl} = w_{fckl},\ "
            r"\partial y_{nfij}/\partial b_f = 1")
    float_only = True

    def forward(ctx, given, weight, bias, stride, padding, dilation):
        x, unbatched = _unbatched(given, "conv2d")
        n, c, h, w = x.shape
        f, _, kh, kw = weight.shape
        (top, bottom, left, right) = padding
        oh = _out_size(h, kh, stride[0], top, bottom, dilation[0])
        ow = _out_size(w, kw, stride[1], left, right, dilation[1])
        xpad = _padded(x, top, bottom, left, right, 0, channels_last=True)
        if xpad is x and not _is_narrow(kw, c) and not _is_channels_last(x):
            # NCHW input (an image batch, not a conv output): one channels-last copy first
            # makes the patch copies read runs of C numbers (measured 1.8x faster overall)
            xpad = x.transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2)
        windows = _windows(xpad, (kh, kw), stride, dilation, (oh, ow))
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        # dL/dw needs the patch matrix again. Up to _KEEP_PATCHES numbers it is written
        # into an array of its own and kept for backward, which saves copying it twice
        # (measured: 9 ms of the benchmark's 94 ms step); above that, backward keeps only
        # the padded input, KH*KW times smaller, and copies the patches again.
        keep = need_w and windows.size <= _KEEP_PATCHES
        kept = _patch_matrix(windows) if keep else None
        # The weights as a (KH*KW*C, F) matrix whose rows follow the patch columns.
        w_mat = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c, f)
        out = xp.empty((n * oh * ow, f), dtype=x.dtype)  # row (n, i, j), column f
        # The bias repeated along an output row, so that it is added to rows of OW*F numbers
        # rather than of F: with few filters NumPy's cost per row outweighs the additions
        # (the benchmark's F = 32 layer: 1.46 -> 1.07 ms)
        bias_row = None if bias is None else xp.tile(bias, ow)
        for rows, patches in _patch_chunks(windows, into=kept):
            xp.matmul(patches, w_mat, out=out[rows])  # (pixels, KH*KW*C) @ (KH*KW*C, F)
            if bias is not None:  # while the chunk is in cache
                by_output_row = out[rows].reshape(-1, ow * f)
                by_output_row += bias_row
        ctx.geometry = ((top, left), (h, w), stride, dilation, unbatched)
        saved_for_w = None if not need_w else _as_patch_rows(kept) if keep else xpad
        # The input itself is saved too, though backward reads only its copies: an in-place
        # edit of it is then refused at backward, as in PyTorch (which saves the input).
        ctx.save_for_backward(saved_for_w, weight if need_x else None,
                              given if need_w else None)
        ctx.patches_kept, ctx.padded_shape, ctx.kernel = keep, xpad.shape, (kh, kw)
        y = out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)  # NCHW view of NHWC memory
        return y[0] if unbatched else y

    def backward(ctx, upstream):
        for_w, weight, _ = ctx.saved  # for_w: the patch matrix if kept, else the padded input
        (top, left), (h, w), stride, dilation, unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        n, f, oh, ow = g.shape
        # The upstream as a matrix (N*OH*OW, F), one row per output pixel, like `out`.
        g_mat = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, f)
        need_x, need_w, need_b = ctx.needs_input_grad
        d_x = d_w = d_b = None
        if need_w:  # dL/dw = sum over output pixels of upstream x patch = patches^T @ G
            (kh, kw), c = ctx.kernel, ctx.padded_shape[1]
            if ctx.patches_kept:
                d_w_mat = _tall_product(for_w, g_mat)
            else:
                d_w_mat = xp.zeros((kh * kw * c, f), dtype=g.dtype)
                windows = _windows(for_w, ctx.kernel, stride, dilation, (oh, ow))
                for rows, patches in _patch_chunks(windows):
                    d_w_mat += _tall_product(patches, g_mat[rows])
            d_w = d_w_mat.reshape(kh, kw, c, f).transpose(3, 2, 0, 1).copy()
        if need_b:  # every output pixel of channel f added b_f once: a column sum of G
            # as a product with ones: 2.5x faster than g.sum(axis=(0, 2, 3)) and more
            # accurate in float32 (BLAS keeps several partial sums)
            d_b = xp.ones(g_mat.shape[0], dtype=g_mat.dtype) @ g_mat
        if need_x:
            d_xpad = _col2im(g_mat, weight, ctx.padded_shape, oh, ow, stride, dilation)
            d_x = d_xpad[:, :, top:top + h, left:left + w]
            if unbatched:
                d_x = d_x[0]
        return d_x, d_w, d_b


def _windows(xpad, kernel, stride, dilation, out_size):
    """The window of every output pixel, as a view of shape (N, OH, OW, KH, KW, C) into
    xpad (N, C, H, W): entry [n, i, j, k, l, c] is xpad[n, c, s*i + d*k, s*j + d*l].
    Only strides are chosen; nothing is copied."""
    n, c = xpad.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    s_n, s_c, s_h, s_w = xpad.strides
    return _as_strided(xpad, (n, oh, ow, kh, kw, c),
                       (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)


# Chunk sizes, in numbers. Small chunks stay in cache; large chunks make fewer BLAS calls,
# which matters on a loaded machine, where each multithreaded BLAS call may wait for a
# descheduled thread. Measured (float32, the benchmark's conv): 8 MB / 1 MB chunks ran 3x
# faster than 2 MB / 256 KB on the loaded 2-core machine, and within 5 % of them alone.
_PATCH_FLOATS = 1 << 21  # an im2col chunk (8 MB of float32)
_KEEP_PATCHES = 1 << 25  # the largest patch matrix conv2d keeps for backward (128 MB of float32)
_CACHE_FLOATS = 1 << 18  # one kernel offset's contribution in a col2im chunk (1 MB)


_scratch = threading.local()  # per thread: role -> a flat buffer, reused from call to call


def _scratch_buffer(role, shape, dtype):
    """An empty array for numbers that never leave conv2d (an im2col chunk, a col2im
    contribution), taken from a per-thread buffer that is reused from call to call.

    Why: glibc hands a freed multi-megabyte array back to the operating system, and a
    fresh one of the same size is then faulted in again page by page (measured: 4,100
    minor page faults and ~10 ms of a 150 ms benchmark step). Buffers are kept only up
    to the chunk sizes below (8 MB + 1 MB of float32 per thread and dtype); a larger
    request (one image bigger than a chunk) gets a fresh array. Each role has one
    buffer per thread, so a caller must be done with it before the next request for
    the same role on the same thread (conv2d's forward, dW and col2im loops are)."""
    size = math.prod(shape)
    if size > _PATCH_FLOATS:
        return xp.empty(shape, dtype=dtype)
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    key = (role, xp.dtype(dtype))
    flat = buffers.get(key)
    if flat is None or flat.size < size:
        flat = buffers[key] = xp.empty(size, dtype=dtype)
    return flat[:size].reshape(shape)


# A window row shorter than this (KW*C numbers) is copied offset by offset instead: the
# channels-last copy would move runs of KW*C numbers (3 for a 3x3 kernel on one channel),
# and NumPy's per-run overhead then dominates. Measured, float32, batch 128, one thread:
# the patch copy of conv 1->16 3x3 on 28x28 2.5 -> 0.5 ms; conv 3->16 3x3 on 32x32
# (padding 1) forward + backward 42 -> 38 ms.
_NARROW_ROW = 16


def _is_narrow(kw, c):
    return kw * c < _NARROW_ROW


def _patch_chunks(windows, into=None):
    """im2col, a few images at a time: yields (rows, patches), the patch matrix of those
    images (one row per output pixel, columns ordered kernel row, kernel column, channel)
    and which rows of the whole matrix they are. The patches are copied into one reused
    buffer of at most _PATCH_FLOATS numbers, so the GEMM that follows reads them from cache;
    use each chunk before asking for the next. From channels-last memory the copy moves
    runs of C contiguous numbers. With ``into`` (an array from _patch_matrix) the chunks
    are written into it instead, so that the whole matrix outlives the loop.

    For a narrow window (few channels: an image batch) the matrix is filled one kernel
    offset and channel at a time, as a column-major (Fortran-ordered) view: each copy then
    moves whole image rows. The products that follow read either layout (BLAS takes the
    transpose flag)."""
    n, oh, ow, kh, kw, c = windows.shape
    per_image, width = oh * ow, kh * kw * c
    chunk = max(1, _PATCH_FLOATS // (per_image * width))  # images per chunk
    narrow = _is_narrow(kw, c)
    if into is None:
        buffer = _scratch_buffer("patches", (min(chunk, n) * per_image * width,), windows.dtype)
    for n0 in range(0, n, chunk):
        b = min(chunk, n - n0)
        block, rows = windows[n0:n0 + b], slice(n0 * per_image, (n0 + b) * per_image)
        if narrow:
            columns = (into[:, :, :, n0:n0 + b] if into is not None
                       else buffer[:width * b * per_image].reshape(kh, kw, c, b, oh, ow))
            for i in range(kh):
                for j in range(kw):
                    xp.copyto(columns[i, j], block[:, :, :, i, j, :].transpose(3, 0, 1, 2))
            patches = columns.reshape(width, b * per_image).T
        else:
            patches = (into[rows] if into is not None
                       else buffer[:b * per_image * width].reshape(b * per_image, width))
            xp.copyto(patches.reshape(b, oh, ow, kh, kw, c), block)
        yield rows, patches


def _patch_matrix(windows):
    """A new, empty array for the whole patch matrix of ``windows``, in the layout
    _patch_chunks writes: (KH, KW, C, N, OH, OW) for a narrow window, else
    (N*OH*OW, KH*KW*C)."""
    n, oh, ow, kh, kw, c = windows.shape
    if _is_narrow(kw, c):
        return xp.empty((kh, kw, c, n, oh, ow), dtype=windows.dtype)
    return xp.empty((n * oh * ow, kh * kw * c), dtype=windows.dtype)


def _as_patch_rows(matrix):
    """An array from _patch_matrix as the (N*OH*OW, KH*KW*C) patch matrix (a view)."""
    if matrix.ndim == 2:
        return matrix
    kh, kw, c, n, oh, ow = matrix.shape
    return matrix.reshape(kh * kw * c, n * oh * ow).T


def _tall_product(a, b):
    """a^T @ b for tall a (M, K1) and b (M, K2): one GEMM with a long inner dimension."""
    if a.dtype == xp.float32:
        _warm_up_sgemm()
    return a.T @ b


_sgemm_warm = [False]


def _warm_up_sgemm():
    """One 512x512x512 float32 product, once per process (about 5 ms).

    Measured on the development machine (OpenBLAS 0.3.31, AMD EPYC, 2 cores): until a
    process has run a float32 product of roughly that size, OpenBLAS runs products with
    a long inner dimension, like conv2d's dW = patches^T @ upstream, about 2x slower
    (50 ms instead of 26 ms for the benchmark's dW), and stays so. float64 is not
    affected. Harmless where the effect does not exist."""
    if not _sgemm_warm[0]:
        _sgemm_warm[0] = True
        square = xp.ones((512, 512), dtype=xp.float32)
        square @ square


def _col2im(g_mat, weight, padded_shape, oh, ow, stride, dilation):
    """dL/dx for conv2d: each input pixel receives upstream x weight from every window that
    covered it. One kernel offset (i, j) at a time: the GEMM upstream @ w[:, :, i, j] gives
    that offset's contribution for all windows at once, and a strided add puts it where
    the offset touched the input: kh*kw GEMMs and adds, no loop over pixels. The batch is
    cut into chunks of images so that each contribution is added while it is still in
    cache."""
    n, c, hp, wp = padded_shape
    f, _, kh, kw = weight.shape
    (sh, sw), (dh, dw) = stride, dilation
    w_offsets = weight.transpose(2, 3, 0, 1).copy()  # (KH, KW, F, C): one (F, C) per offset
    d_xpad = xp.zeros((n, hp, wp, c), dtype=g_mat.dtype)  # channels-last, like the forward
    chunk = max(1, _CACHE_FLOATS // (oh * ow * c))  # images per chunk
    contribution = _scratch_buffer("contribution", (min(chunk, n) * oh * ow, c), g_mat.dtype)
    for n0 in range(0, n, chunk):
        b = min(chunk, n - n0)
        g_chunk = g_mat[n0 * oh * ow:(n0 + b) * oh * ow]
        out = contribution[:b * oh * ow]
        out4 = out.reshape(b, oh, ow, c)
        d_chunk = d_xpad[n0:n0 + b]
        for i in range(kh):
            for j in range(kw):
                xp.matmul(g_chunk, w_offsets[i, j], out=out)
                d_chunk[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                        j * dw:j * dw + sw * (ow - 1) + 1:sw] += out4
    return d_xpad.transpose(0, 3, 1, 2)


def _conv_padding(padding, kernel, dilation, stride):
    """padding as (top, bottom, left, right): an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("conv2d: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride}); give the padding as numbers")
            # total padding d*(k-1) keeps the size; an odd total puts the extra row at the
            # bottom (and the extra column at the right), as PyTorch does
            (th, tw) = (dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1))
            return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', "
                         f"got {padding!r}")
    ph, pw = _pair(padding, "padding", "conv2d", minimum=0)
    return (ph, ph, pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in every DL library) of ``input`` (N, C, H, W)
    with ``weight`` (F, C, KH, KW) and optional ``bias`` (F,):

        y[n, f, i, j] = b[f] + sum_{c,k,l} w[f, c, k, l] * x[n, c, s*i + d*k, s*j + d*l]

    over the zero-padded input; output size floor((H + 2p - d(KH-1) - 1)/s) + 1 per axis.
    ``padding`` is an int, a pair, 'valid' (0) or 'same' (stride 1). Computed as one matrix
    product of the patch matrix (N*OH*OW, KH*KW*C) with the weights (im2col); backward is
    two more: dW = patches^T @ upstream, and dX by kernel offset (col2im). The patch matrix
    (KH*KW times the input) is kept for dW up to 2^25 numbers and built again above that.

    ``groups`` = G splits the C input channels and the F filters into G groups: filters
    f of group g see only the C/G channels of group g, so ``weight`` is (F, C/G, KH, KW)
    (G = C: a depthwise convolution). Computed as G convolutions of channel slices,
    concatenated along the channels (the slices and the concatenation route the gradients).
    """
    x = _data(input)
    wt = _data(weight)
    if isinstance(groups, bool) or not isinstance(groups, (int, xp.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    if x.ndim not in (3, 4):
        raise ValueError(f"conv2d: input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    if wt.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels, KH, KW), got "
                         f"shape {tuple(wt.shape)}")
    if wt.shape[0] % groups:
        raise ValueError(f"conv2d: the {wt.shape[0]} filters of the weight of shape "
                         f"{tuple(wt.shape)} cannot be split into groups={groups}")
    if x.shape[-3] != wt.shape[1] * groups:
        per_group = f" x groups={groups}" if groups != 1 else ""
        raise ValueError(
            f"conv2d: input of shape {tuple(x.shape)} has {x.shape[-3]} channels but weight of "
            f"shape {tuple(wt.shape)} expects {wt.shape[1] * groups} input channels "
            f"(weight.shape[1]{per_group})"
        )
    if x.dtype != wt.dtype:
        raise TypeError(f"conv2d: input dtype {x.dtype} and weight dtype {wt.dtype} differ; "
                        "convert one of them (.float() or .double())")
    if bias is not None:
        b = _data(bias)
        if b.shape != (wt.shape[0],):
            raise ValueError(f"conv2d: bias must have shape ({wt.shape[0]},), one per output "
                             f"channel; got {tuple(b.shape)}")
        if b.dtype != x.dtype:
            raise TypeError(f"conv2d: bias dtype {b.dtype} differs from input dtype {x.dtype}")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    kernel = wt.shape[2:]
    pads = _conv_padding(padding, kernel, dilation, stride)
    h, w = x.shape[-2:]
    if (_out_size(h, kernel[0], stride[0], pads[0], pads[1], dilation[0]) < 1
            or _out_size(w, kernel[1], stride[1], pads[2], pads[3], dilation[1]) < 1):
        raise ValueError(
            f"conv2d: the padded input ({h + pads[0] + pads[1]} x {w + pads[2] + pads[3]}) is "
            f"smaller than the dilated kernel ({dilation[0] * (kernel[0] - 1) + 1} x "
            f"{dilation[1] * (kernel[1] - 1) + 1}); input shape {tuple(x.shape)}, weight "
            f"shape {tuple(wt.shape)}"
        )
    if groups == 1:
        return Conv2d.apply(input, weight, bias, stride=stride, padding=pads, dilation=dilation)
    from .shape import cat

    c, f = wt.shape[1], wt.shape[0] // groups  # channels and filters per group
    outputs = []
    for g in range(groups):
        channels = (Ellipsis, slice(g * c, (g + 1) * c), slice(None), slice(None))
        filters = slice(g * f, (g + 1) * f)
        outputs.append(Conv2d.apply(input[channels], weight[filters],
                                    None if bias is None else bias[filters],
                                    stride=stride, padding=pads, dilation=dilation))
    return cat(outputs, dim=-3)


# ===================================================================== pooling
def _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    kh, kw = _pair(kernel_size, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        sh, sw = kh, kw  # PyTorch's default: windows side by side
    else:
        sh, sw = _pair(stride, "stride", op)
    ph, pw = _pair(padding, "padding", op, minimum=0)
    dh, dw = _pair(dilation, "dilation", op)
    if 2 * ph > dh * (kh - 1) + 1 or 2 * pw > dw * (kw - 1) + 1:
        raise ValueError(f"{op}: pad should be at most half of effective kernel size, but got "
                         f"padding={padding}, kernel_size={kernel_size} and dilation={dilation}")
    h, w = x.shape[-2:]
    oh = _out_size(h, kh, sh, ph, ph, dh, ceil_mode)
    ow = _out_size(w, kw, sw, pw, pw, dw, ceil_mode)
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} is too small for "
                         f"kernel_size={kernel_size} (padding={padding}, dilation={dilation}): "
                         f"the output would be {oh} x {ow}")
    # ceil_mode may let the last window hang over the padded border: pad a bit more there
    bottom = max(ph, (oh - 1) * sh + dh * (kh - 1) + 1 - h - ph)
    right = max(pw, (ow - 1) * sw + dw * (kw - 1) + 1 - w - pw)
    return (kh, kw), (sh, sw), (ph, bottom, pw, right), (dh, dw), (oh, ow)


class MaxPool2d(Function):
    label = "max_pool2d"
    rule = r"y = \max_{k \in \text{window}} x_k,\ \partial y/\partial x_k = [k = \arg\max]"
    float_only = True

    def forward(ctx, x, kernel, stride, pads, dilation, out_size):
        x, unbatched = _unbatched(x, "max_pool2d")
        out, arg, xpad_shape = _max_windows(x, kernel, stride, pads, dilation, out_size)
        ctx.save_for_backward(arg)
        ctx.geometry = (x.shape, xpad_shape, kernel, stride, pads, dilation, out_size, unbatched)
        ctx.channels_last = _is_channels_last(x)
        return out[0] if unbatched else out

    def backward(ctx, upstream):
        (arg,) = ctx.saved
        shape, xpad_shape, (kh, kw), (sh, sw), pads, (dh, dw), (oh, ow), unbatched = ctx.geometry
        g = upstream[None] if unbatched else upstream
        # Each window sends its upstream to the one input that was its max (the first one
        # on ties, as PyTorch); overlapping windows add up.
        d_xpad = _zeros(xpad_shape, g.dtype, ctx.channels_last)
        overlapping = _overlapping((kh, kw), (sh, sw), (dh, dw))
        for k, where in _offsets(kh, kw, dh, dw, sh, sw, oh, ow):
            if overlapping:
                d_xpad[where] += g * (arg == k)
            else:  # every input cell in at most one window: write, don't add (5x faster)
                xp.multiply(g, arg == k, out=d_xpad[where])
        top, left = pads[0], pads[2]
        d_x = d_xpad[:, :, top:top + shape[2], left:left + shape[3]]
        return d_x[0] if unbatched else d_x


def _overlapping(kernel, stride, dilation):
    """Do windows share input cells (a stride shorter than the dilated kernel)?"""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _zeros(shape, dtype, channels_last):
    """Zeros of an (N, C, H, W) shape, with (N, H, W, C) memory when ``channels_last``: a
    pool's input gradient takes the layout of its input, so that the next elementwise
    backward (a ReLU's) multiplies arrays of one layout."""
    if channels_last:
        n, c, h, w = shape
        return xp.zeros((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2)
    return xp.zeros(shape, dtype=dtype)


def _max_windows(x, kernel, stride, pads, dilation, out_size):
    """Max over every window, and which kernel offset k = i*kw + j held it: the first max
    on ties, and a NaN wins over numbers (the last NaN), as in PyTorch. A few passes per
    kernel offset, each over a strided view."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    xpad = _padded(x, *pads, -xp.inf, channels_last=_is_channels_last(x))
    candidates = [xpad[where] for _, where in _offsets(kh, kw, dh, dw, sh, sw, oh, ow)]
    out = candidates[0].copy(order="K")  # keeps the input's memory layout
    for candidate in candidates[1:]:
        xp.maximum(out, candidate, out=out)  # NaN propagates, as in PyTorch
    # Which offset: walk the offsets backwards, so that the first one equal to the max is
    # written last.
    arg = xp.zeros_like(out, dtype=xp.int8 if kh * kw < 128 else xp.int32)  # same layout
    for k in range(len(candidates) - 1, -1, -1):
        xp.copyto(arg, k, where=candidates[k] == out)
    nan = out != out
    if nan.any():  # rare: a NaN window sends its gradient to its last NaN
        for k, candidate in enumerate(candidates):
            xp.copyto(arg, k, where=nan & (candidate != candidate))
    if xpad is not x:
        _first_inside_on_all_neg_inf(x.shape, xpad.shape, pads, out, arg, kernel, stride,
                                     dilation, out_size)
    return out, arg, xpad.shape


def _first_inside_on_all_neg_inf(shape, padded_shape, pads, out, arg, kernel, stride,
                                 dilation, out_size):
    """A window over the border whose input cells are all -inf ties with its -inf padding:
    as in PyTorch, its max is then its first cell inside the input, not a padding cell
    (whose gradient would be cut away with the padding, and whose index lies outside the
    input). Only the windows over the border are read, so this costs little."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    top, left = pads[0], pads[2]
    inside = xp.zeros((1, 1) + tuple(padded_shape[2:]), dtype=bool)
    inside[:, :, top:top + shape[2], left:left + shape[3]] = True
    offsets = list(_offsets(kh, kw, dh, dw, sh, sw, oh, ow))
    border = ~xp.logical_and.reduce([inside[where] for _, where in offsets])[0, 0]
    if not (out[:, :, border] == -xp.inf).any():
        return
    all_neg_inf = (out == -xp.inf) & border
    for k, where in reversed(offsets):  # the first inside cell is written last
        xp.copyto(arg, k, where=all_neg_inf & inside[where])


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over each kernel_size window of ``input`` (N, C, H, W), moved by ``stride``
    (default: kernel_size) over the input padded with -inf. The gradient goes to the
    argmax of each window (the first one on ties). With ``return_indices`` also returns
    the flat index h*W + w of each max in its (unpadded) input plane."""
    x = _data(input)
    x4, _ = _unbatched(x, "max_pool2d")
    kernel, stride, pads, dilation, out_size = _pool_geometry(
        "max_pool2d", x4, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2d.apply(input, kernel=kernel, stride=stride, pads=pads, dilation=dilation,
                          out_size=out_size)
    if not return_indices:
        return out
    return out, Tensor._wrap(_max_indices(x, kernel, stride, pads, dilation, out_size))


def _max_indices(x, kernel, stride, pads, dilation, out_size):
    x4, unbatched = _unbatched(x, "max_pool2d")
    _, arg, _ = _max_windows(x4, kernel, stride, pads, dilation, out_size)
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    i, j = xp.divmod(arg.astype(xp.int64), kw)
    rows = (xp.arange(oh) * sh - pads[0])[:, None] + i * dh
    cols = (xp.arange(ow) * sw - pads[2])[None, :] + j * dw
    index = rows * x4.shape[3] + cols
    return index[0] if unbatched else index


class AvgPool2d(Function):
    label = "avg_pool2d"
    rule = r"y = \frac{1}{D} \sum_{k \in \text{window}} x_k,\ \partial y/\partial x_k = 1/D"
    float_only = True

    def forward(ctx, x, kernel, stride, pads, out_size, divisor):
        x, unbatched = _unbatched(x, "avg_pool2d")
        (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
        xpad = _padded(x, *pads, 0, channels_last=_is_channels_last(x))
        total = None
        for _, where in _offsets(kh, kw, 1, 1, sh, sw, oh, ow):  # window sums, offset by offset
            if total is None:
                total = xpad[where].copy(order="K")
            else:
                total += xpad[where]
        total /= divisor
        ctx.geometry = (x.shape, xpad.shape, kernel, stride, pads, out_size, unbatched)
        ctx.divisor, ctx.channels_last = divisor, _is_channels_last(x)
        return total[0] if unbatched else total

    def backward(ctx, upstream):
        shape, xpad_shape, (kh, kw), (sh, sw), pads, (oh, ow), unbatched = ctx.geometry
        g = (upstream[None] if unbatched else upstream) / ctx.divisor  # each input got 1/D
        d_xpad = _zeros(xpad_shape, g.dtype, ctx.channels_last)
        overlapping = _overlapping((kh, kw), (sh, sw), (1, 1))
        for _, where in _offsets(kh, kw, 1, 1, sh, sw, oh, ow):
            if overlapping:
                d_xpad[where] += g
            else:
                d_xpad[where] = g
        top, left = pads[0], pads[2]
        d_x = d_xpad[:, :, top:top + shape[2], left:left + shape[3]]
        return d_x[0] if unbatched else d_x


def _avg_divisor(size, kernel, stride, pad, out, count_include_pad):
    """Per output position along one axis: how many cells the average divides by (PyTorch:
    padding cells count when count_include_pad, never the ceil_mode overhang)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each kernel_size window of ``input`` (N, C, H, W), moved by ``stride``
    (default: kernel_size), over the input zero-padded by ``padding``. The divisor counts
    the padding cells when ``count_include_pad`` (or is ``divisor_override``); each input
    cell gets upstream / divisor from every window that covered it."""
    x = _data(input)
    x4, _ = _unbatched(x, "avg_pool2d")
    kernel, stride, pads, _, out_size = _pool_geometry(
        "avg_pool2d", x4, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int) \
                or divisor_override <= 0:
            raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got "
                             f"{divisor_override!r}")
        divisor = xp.asarray(divisor_override, dtype=x.dtype)
    else:
        rows = _avg_divisor(x4.shape[2], kernel[0], stride[0], pads[0], out_size[0],
                            count_include_pad)
        cols = _avg_divisor(x4.shape[3], kernel[1], stride[1], pads[2], out_size[1],
                            count_include_pad)
        divisor = xp.outer(rows, cols).astype(x.dtype)
    return AvgPool2d.apply(input, kernel=kernel, stride=stride, pads=pads, out_size=out_size,
                           divisor=divisor)


__all__ = [
    "softmax", "log_softmax", "cross_entropy", "nll_loss", "dropout", "conv2d",
    "max_pool2d", "avg_pool2d",
]
