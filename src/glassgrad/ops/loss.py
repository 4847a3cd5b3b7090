r"""Every loss function: one fused Function each (forward computes the per-element or
per-example loss and reduces it; backward multiplies the upstream gradient by the
closed-form local derivative, the one a student derives on paper), and its public
function right below it. The Modules (``nn.MSELoss`` ...) are in ``glassgrad.nn.loss``.

=================================  =====================================================
cross_entropy  (seed 002)          \partial/\partial s_c = \mathrm{softmax}(s)_c - [c = y]
nll_loss                           \partial/\partial x_{c} = -w_y [c = y]
squared_error  (seeds 001, 003)    \partial/\partial \hat y\ \tfrac12 (\hat y - y)^2 = \hat y - y
mse_loss                           \partial/\partial \hat y\ (\hat y - y)^2 = 2 (\hat y - y)
binary_cross_entropy               \partial/\partial p = (p - y) / (p (1 - p))
binary_cross_entropy_with_logits   \partial/\partial z = \sigma(z) - y   (seed 002)
multi_margin_loss                  1 per active margin, -(number active) for the true class
softmax_hinge_loss  (seed 003)     see its docstring
l1_loss, smooth_l1_loss, huber     sign, clipped difference
kl_div, soft_margin_loss,          see their docstrings
cosine_embedding_loss, gaussian_nll_loss
margin_ranking_loss                \partial/\partial x_1 = -y [active], \partial/\partial x_2 = y [active]
hinge_embedding_loss               1 (y = 1), -[m - x \ge 0] (y = -1)
triplet_margin_loss                \partial \|v\|_p/\partial v = sign(v) |v|^{p-1} / \|v\|_p^{p-1}
=================================  =====================================================

``reduction`` is ``'mean'``, ``'sum'`` or ``'none'`` as in PyTorch, checked by
``_check_reduction`` and applied by ``_reduce`` (backward: ``_reduction_grad``) for every
loss: ``'mean'`` divides the sum by the number of elements (by the number of examples for
the per-example losses, by the summed class weights for cross_entropy and nll_loss), so
its gradient is the mean of the per-example gradients (seed 001, question 1.2).
"""

import math

from ..autograd.function import Loss
from ..backend import xp
from ..tensor import Tensor
from ._kernels.windows import _data
from ._kernels.signs import positive_zeros, torch_sign

__all__ = [
    "cross_entropy", "nll_loss",
]


_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------- checks
def _check_reduction(reduction, op):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction; reduction must be "
                         "'mean', 'sum' or 'none'")


def _check_tensor(fn, name, value, optional=False):
    if value is None and optional:
        return
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}: {name} must be a glassgrad Tensor, got {type(value).__name__}")


def _check_floating(fn, name, value):
    if value.array.dtype.kind != "f":
        raise TypeError(
            f"{fn}: {name} must be a floating-point tensor, got dtype {value.array.dtype} "
            f"(shape {tuple(value.shape)}); convert it with .float() or .double()"
        )


def _check_same_shape(fn, input, target):
    if input.shape != target.shape:
        raise ValueError(
            f"{fn}: input has shape {tuple(input.shape)} but target has shape {tuple(target.shape)}; "
            "they must be equal (broadcasting, e.g. (N, 1) against (N,), would silently compare "
            "every prediction with every target)"
        )


def _check_broadcasts_to(fn, name, value, shape):
    if value is None:
        return
    _check_tensor(fn, name, value)
    try:
        ok = xp.broadcast_shapes(value.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{fn}: {name} of shape {tuple(value.shape)} does not broadcast to the input's shape {tuple(shape)}")


def _check_class_targets(fn, input, target):
    """input (N, C) with integer target (N,) in [0, C), or input (C,) with a 0-d target."""
    _check_tensor(fn, "input", input)
    _check_tensor(fn, "target", target)
    _check_floating(fn, "input", input)
    if target.array.dtype.kind not in "iu":
        raise TypeError(
            f"{fn}: target must hold class indices (an integer tensor), got dtype {target.array.dtype}; "
            "convert it with .long()"
        )
    if not (
        input.ndim == 2 and target.ndim == 1 and target.shape[0] == input.shape[0]
        or input.ndim == 1 and target.ndim == 0
    ):
        raise ValueError(
            f"{fn}: expected input of shape (N, C) with target of shape (N,), or input (C,) with a "
            f"0-d target; got input of shape {tuple(input.shape)} and target of shape {tuple(target.shape)}"
        )
    classes = input.shape[-1]
    if target.array.size:
        low, high = target.array.min(), target.array.max()
        if low < 0 or high >= classes:
            bad = low if low < 0 else high
            raise IndexError(f"{fn}: target {bad} is out of bounds for {classes} classes (valid: 0..{classes - 1})")


# ---------------------------------------------------------------------- reduction helpers
def _reduce(elements, reduction, count):
    """Forward of the reduction over per-element (or per-example) losses."""
    if reduction == "none":
        return elements
    return _sum_or_mean(_sum(elements, axis=None), reduction, count)


def _sum_or_mean(total, reduction, count):
    """The reduced loss from the sum of its terms: ``'sum'`` keeps it, ``'mean'`` divides by
    ``count`` (for a loss that sums without forming the terms, e.g. by one ``vdot``).
    A count of 0 (every target ignored) gives nan, as in PyTorch."""
    if reduction == "sum":
        return total
    with xp.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _reduction_grad(upstream, reduction, count, ndim):
    """Backward of the reduction: d(reduced)/d(element), times upstream, broadcastable
    against the per-element array (sum: 1; mean: 1/count; none: one upstream each)."""
    if reduction == "mean":
        return upstream / count
    if reduction == "sum":
        return upstream
    return upstream.reshape(upstream.shape + (1,) * (ndim - upstream.ndim))


def _cast(grad, dtype):
    # Mixed precision promotes the loss (as PyTorch does); each gradient goes back to the
    # dtype of the input it belongs to.
    return grad if grad is None or grad.dtype == dtype else grad.astype(dtype)


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


def _check_class_weight(op, weight, n_classes):
    if weight is None:
        return None
    w = _data(weight)
    if not isinstance(w, xp.ndarray) or w.shape != (n_classes,) or w.dtype.kind != "f":
        got = (f"shape {tuple(w.shape)}, dtype {w.dtype}" if isinstance(w, xp.ndarray)
               else type(w).__name__)
        raise ValueError(f"{op}: weight must be a float tensor of shape ({n_classes},), one "
                         f"weight per class; got {got}")
    return w


def _class_scores(op, what, input, target, weight):
    """The checked arrays of a classification loss (cross_entropy, nll_loss): the scores
    ``x`` (float, with a class dimension), the targets ``t`` and the class weights ``w``
    (None, or one per class in x's dtype)."""
    x = _data(input)
    if x.dtype.kind != "f":
        raise TypeError(f"{op} expects {what}, got dtype {x.dtype}")
    _as_batch(x, op)
    t = _target_array(op, target, input)
    w = _check_class_weight(op, weight, x.shape[1] if x.ndim > 1 else x.shape[0])
    if w is not None and w.dtype != x.dtype:
        w = w.astype(x.dtype)
    return x, t, w


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


def _log_softmax_parts(z):
    """(shifted, log_sumexp, softmax) along the class dim 1, stably: shifted = z - max_c z
    (the largest exponent is 0), log softmax(z) = shifted - log_sumexp."""
    shifted = z - z.max(axis=1, keepdims=True)
    p = xp.exp(shifted)
    sumexp = _sum(p, axis=1, keepdims=True)
    p /= sumexp
    return shifted, xp.log(sumexp), p


def _target_distribution(z, target, weight, ignore_index, eps, unbatched):
    """cross_entropy's target distribution q over the classes (dim 1 of the scores z), as
    (at, valid, sample_weight, q, denominator), ``denominator`` what 'mean' divides by.

    Class indices without label smoothing keep q sparse (q is None): q_i is
    sample_weight_i = weight[y_i] at class y_i (positions ``at``) and 0 elsewhere.
    Smoothing gives PyTorch's (1 - eps) one-hot + eps/C everywhere, both weighted; float
    targets are probabilities, smoothed and weighted alike (no at, valid, sample_weight).
    """
    n_classes = z.shape[1]
    w = 1 if weight is None else weight.reshape((1, n_classes) + (1,) * (z.ndim - 2))
    if target.dtype.kind not in "iu":  # probabilities: 'mean' divides by the samples
        t = target.reshape(z.shape)
        q = (t * (1 - eps) + eps / n_classes) * w if eps else t * w
        return None, None, None, q, z.size // n_classes
    if unbatched:  # scores (C,) were viewed as (1, C): their 0-d target as (1,)
        target = target.reshape(1)
    at, valid, sample_weight = _class_targets(
        "cross_entropy", z.shape, target, weight, ignore_index, z.dtype)
    denominator = _sum(sample_weight, axis=None)  # 'mean': by sum_i weight[y_i]
    if eps == 0:
        return at, valid, sample_weight, None, denominator
    q = xp.empty_like(z)
    q[...] = (eps / n_classes) * (w * _per_sample(valid.astype(z.dtype)))
    q[at] += (1 - eps) * sample_weight
    return at, valid, sample_weight, q, denominator


def _loss_coefficient(upstream, reduction, sample_shape, denominator):
    """dTotal/dL_i for per-sample losses L_i of shape sample_shape: the upstream of each
    sample ('none'), or the one upstream of the sum, divided by the denominator for
    'mean'."""
    coef = upstream.reshape(sample_shape) if reduction == "none" else upstream
    if reduction == "mean":
        coef = coef / denominator
    return coef


def _one_hot_softmax_grad(p, scale, at):
    """(softmax - onehot(y)) * scale with the one-hot kept sparse: p * scale per sample,
    minus scale at each sample's class (positions ``at``)."""
    d_input = p * _per_sample(scale)
    d_input[at] -= scale
    return d_input


class CrossEntropy(Loss):
    label = "cross_entropy"
    # (the last "= ..." is the local derivative the worked exercises print)
    rule = (r"L = -\sum_c y_c \log \hat y_c,\ \hat y = \mathrm{softmax}(z);\ "
            r"\partial L/\partial z = \hat y \textstyle\sum_c y_c - y = \hat y - y")
    plain = "L = -sum_c y_c log yhat_c, yhat = softmax(z); dL/dz = yhat sum_c y_c - y = yhat - y"
    form = ("cross_entropy({...})", r"\mathrm{cross\_entropy}({...})")

    def forward(ctx, input, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0):
        z = _as_batch(input, "cross_entropy")
        shifted, log_sumexp, p = _log_softmax_parts(z)  # log softmax = shifted - log_sumexp
        at, valid, sample_weight, q, denominator = _target_distribution(
            z, target, weight, ignore_index, label_smoothing, unbatched=input.ndim == 1)
        if q is None:  # one-hot q, kept sparse: L_i = -weight[y_i] log softmax(z_i)_{y_i}
            log_p = None
            losses = -sample_weight * (shifted[at] - log_sumexp[:, 0])
        else:  # dense q: L_i = -sum_c q_ic log softmax(z_i)_c
            log_p = shifted - log_sumexp
            losses = -_sum(q * log_p, axis=1)
        if valid is not None:
            losses = _ignored_are_zero(losses, valid)
        ctx.at, ctx.sample_weight, ctx.denominator = at, sample_weight, denominator
        ctx.eps, ctx.weight, ctx.reduction = label_smoothing, weight, reduction
        ctx.in_shape = input.shape
        ctx.save_for_backward(p, q, log_p)
        out = _reduce(losses, reduction, denominator)
        return out.reshape(()) if input.ndim == 1 and reduction == "none" else out

    def backward(ctx, upstream):
        # dL/dz_i = (softmax(z_i) sum_c q_ic - q_i) c_i, c_i = dL/dL_i (the upstream, / the
        # denominator for 'mean');  probability targets: dL/dt_ic = -(1 - eps) w_c log p_ic c_i
        p, q, log_p = ctx.saved
        coef = _loss_coefficient(upstream, ctx.reduction, p.shape[:1] + p.shape[2:],
                                 ctx.denominator)
        d_input = d_target = None
        if ctx.needs_input_grad[0]:
            if q is None:  # one-hot q: softmax * weight[y], minus weight[y] at class y
                d_input = _one_hot_softmax_grad(p, ctx.sample_weight * coef, ctx.at)
            else:  # softmax * sum_c q_c - q
                d_input = (p * _sum(q, axis=1, keepdims=True) - q) * _per_sample(coef)
            # PyTorch's route through log_softmax gives +0.0 where a product here gave -0.0
            d_input = positive_zeros(d_input).reshape(ctx.in_shape)
        if ctx.needs_input_grad[1]:
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
    x, t, w = _class_scores("cross_entropy", "float scores (logits)", input, target, weight)
    if t.dtype.kind == "f":
        target_in = target if isinstance(target, Tensor) else t
    else:
        target_in = t
        if x.ndim == 1 and t.ndim != 0:
            raise ValueError(f"cross_entropy: unbatched scores of shape {tuple(x.shape)} take a "
                             f"0-d target, got shape {tuple(t.shape)}")
    return CrossEntropy.apply(input, target_in, weight=w, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=float(label_smoothing))


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


class NLLLoss(Loss):
    label = "nll_loss"
    rule = r"L_i = -w_{y_i} x_{i,y_i},\ \partial L_i/\partial x_{ic} = -w_{y_i} [c = y_i]"
    plain = "L_i = -w_y_i x_i,y_i, d L_i/d x_ic = -w_y_i [c = y_i]"
    form = ("nll_loss({...})", r"\mathrm{nll\_loss}({...})")

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
    x, t, w = _class_scores("nll_loss", "float log-probabilities", input, target, weight)
    if x.ndim == 1 and t.ndim != 0:
        raise ValueError(f"nll_loss: unbatched input of shape {tuple(x.shape)} takes a 0-d "
                         f"target, got shape {tuple(t.shape)}")
    return NLLLoss.apply(input, t, weight=w, ignore_index=ignore_index, reduction=reduction)


# ---------------------------------------------------------------------- squared errors
def _save_difference(ctx, input, target, reduction, operands=False):
    """``input - target``, kept for backward with what the backward of a loss of it needs.

    ``operands``: also keep input and target (when the target needs a gradient), for a
    loss whose target gradient PyTorch computes from its own difference ``target - input``
    (see ``_target_difference``)."""
    diff = input - target
    if operands and ctx.needs_input_grad[1]:
        ctx.save_for_backward(diff, input, target)
    else:
        ctx.save_for_backward(diff)
    ctx.reduction = reduction
    ctx.dtypes = (input.dtype, target.dtype)
    return diff


def _difference_grads(ctx, grad, target_grad=None):
    """The gradients of a loss of ``input - target``, given ``grad`` = d loss / d input:
    ``grad`` for the input and ``-grad`` (or ``target_grad``) for the target (None where
    not needed)."""
    need_input, need_target = ctx.needs_input_grad
    if need_target and target_grad is None:
        target_grad = -grad
    return (
        _cast(grad, ctx.dtypes[0]) if need_input else None,
        _cast(target_grad, ctx.dtypes[1]) if need_target else None,
    )


def _target_difference(ctx):
    """``target - input``, from which PyTorch's smooth L1 and Huber kernels compute the
    target's gradient (the same kernel with the operands swapped). It is -(input - target)
    except at a zero difference: both are +0.0 where input == target, so the target's
    gradient there is +0.0 x upstream, not -(+0.0 x upstream)."""
    _, input, target = ctx.saved
    return target - input


class HalfSquaredError(Loss):
    label = "squared_error"
    rule = r"\partial \tfrac{1}{2}(\hat y - y)^2 / \partial \hat y = \hat y - y"
    plain = "d 1/2(yhat - y)^2 / d yhat = yhat - y"
    form = ("squared_error({...})", r"\mathrm{squared\_error}({...})")
    float_only = True

    def forward(ctx, input, target, reduction="sum"):
        diff = _save_difference(ctx, input, target, reduction)
        if reduction == "none":
            if diff.ndim <= 1:  # each element is one example's (scalar) output
                return 0.5 * (diff * diff)
            sq = diff * diff
            return 0.5 * _sum(sq.reshape(sq.shape[0], -1), axis=1)
        half_sum = 0.5 * xp.vdot(diff, diff)  # one BLAS pass, no temporary
        return _sum_or_mean(half_sum, reduction, diff.shape[0] if diff.ndim else 1)

    def backward(ctx, upstream):
        (diff,) = ctx.saved
        examples = diff.shape[0] if diff.ndim else 1
        g = _reduction_grad(upstream, ctx.reduction, examples, diff.ndim)
        return _difference_grads(ctx, diff * g)  # downstream = upstream x (y_hat - y)


def squared_error(input, target, reduction="sum"):
    r"""The textbook squared error of the seeds: L = \tfrac12 \sum_i (\hat y_i - y_i)^2.

    It differs from ``mse_loss`` on purpose: the 1/2 makes the gradient exactly
    \hat y - y, and there is no 1/N ("in mean squared error we would normalize by 1/N,
    but here no!", seed 001).

    The first dimension is the batch (a 1-D input is N scalar outputs). Per example,
    L_n = \tfrac12 \sum_k (\hat y_{nk} - y_{nk})^2; then

    - ``'sum'`` (default): \sum_n L_n, the seeds' loss; gradient \hat y - y;
    - ``'mean'``: (1/N) \sum_n L_n, the mean of per-example losses; gradient (\hat y - y)/N;
    - ``'none'``: the N values L_n.
    """
    _check_regression("squared_error", input, target, reduction)
    return HalfSquaredError.apply(input, target, reduction=reduction)


class MeanSquaredError(Loss):
    label = "mse_loss"
    rule = r"\partial (\hat y - y)^2 / \partial \hat y = 2 (\hat y - y)"
    plain = "d (yhat - y)^2 / d yhat = 2 (yhat - y)"
    form = ("mse_loss({...})", r"\mathrm{mse\_loss}({...})")
    float_only = True

    def forward(ctx, input, target, reduction="mean"):
        diff = input - target
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        if reduction == "none":
            return diff * diff
        return _sum_or_mean(xp.vdot(diff, diff), reduction, diff.size)

    def backward(ctx, upstream):
        input, target = ctx.saved
        need_input, need_target = ctx.needs_input_grad
        # downstream = upstream x 2 (y_hat - y) (/ n for 'mean'), in PyTorch's order:
        # (2/n) (y_hat - y) first, so that 2 (y_hat - y) cannot overflow where the result
        # is finite; the target's own difference y - y_hat gives PyTorch's signs of zero
        norm = 2 / input.size if ctx.reduction == "mean" else 2
        d_input = _cast(norm * (input - target) * upstream, input.dtype) if need_input else None
        d_target = _cast(norm * (target - input) * upstream, target.dtype) if need_target else None
        return d_input, d_target


def mse_loss(input, target, reduction="mean", weight=None):
    r"""Mean squared error, as PyTorch: (1/n) \sum_i (\hat y_i - y_i)^2 over all n elements.

    Gradient: 2 (\hat y - y) / n. Unlike PyTorch, input and target must have the same
    shape (PyTorch broadcasts with a warning); see ``squared_error`` for the seeds' 1/2 form.

    ``weight`` (the input's shape) weighs each squared error, as PyTorch's: 'none' gives
    w_i (\hat y_i - y_i)^2, 'sum' their sum, 'mean' their sum divided by \sum_i w_i (a
    weighted mean). Composed of glassgrad ops, so the weight gets a gradient too.
    """
    _check_regression("mse_loss", input, target, reduction)
    if weight is None:
        return MeanSquaredError.apply(input, target, reduction=reduction)
    _check_tensor("mse_loss", "weight", weight)
    if weight.shape != input.shape:
        raise ValueError(f"mse_loss: weight of shape {tuple(weight.shape)} must have the "
                         f"input's shape {tuple(input.shape)} (one weight per squared error)")
    weighted = (input - target) ** 2 * weight
    if reduction == "none":
        return weighted
    return weighted.sum() if reduction == "sum" else weighted.sum() / weight.sum()


def _check_regression(fn, input, target, reduction):
    _check_reduction(reduction, fn)
    _check_tensor(fn, "input", input)
    _check_tensor(fn, "target", target)
    _check_floating(fn, "input", input)
    _check_floating(fn, "target", target)
    _check_same_shape(fn, input, target)


# ---------------------------------------------------------------------- binary cross-entropy
class BinaryCrossEntropy(Loss):
    label = "binary_cross_entropy"
    rule = r"\partial \ell / \partial p = (p - y) / (p (1 - p))"
    plain = "d l / d p = (p - y) / (p (1 - p))"
    form = ("binary_cross_entropy({...})", r"\mathrm{binary\_cross\_entropy}({...})")
    float_only = True

    def forward(ctx, p, y, weight, reduction="mean"):
        with xp.errstate(divide="ignore"):  # log(0) = -inf, clamped below as PyTorch does
            log_p = xp.log(p)
            log_q = xp.log1p(-p)
        # PyTorch clamps each log at -100 so that p = 0 or 1 gives a large, finite loss.
        ell = (y - 1) * xp.maximum(log_q, -100) - y * xp.maximum(log_p, -100)
        ctx.save_for_backward(p, y, weight, log_p, log_q, ell if ctx.needs_input_grad[2] else None)
        ctx.reduction = reduction
        ctx.dtypes = (p.dtype, y.dtype, None if weight is None else weight.dtype)
        if weight is not None:
            ell = ell * weight
        return _reduce(ell, reduction, ell.size)

    def backward(ctx, upstream):
        p, y, weight, log_p, log_q, ell = ctx.saved
        shape = xp.broadcast_shapes(p.shape, y.shape)
        g = _reduction_grad(upstream, ctx.reduction, math.prod(shape), len(shape))
        gw = g if weight is None else g * weight
        need_p, need_y, need_w = ctx.needs_input_grad
        # PyTorch's guard: p (1 - p) is kept >= 1e-12 so p = 0 or 1 gives a finite gradient.
        dp = gw * (p - y) / xp.maximum((1 - p) * p, 1e-12) if need_p else None
        with xp.errstate(invalid="ignore"):
            dy = gw * (log_q - log_p) if need_y else None  # d ell / dy (unclamped logs, as PyTorch)
        dw = g * ell if need_w else None
        return _cast(dp, ctx.dtypes[0]), _cast(dy, ctx.dtypes[1]), _cast(dw, ctx.dtypes[2])


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities p = input against targets y in [0, 1]:

    \ell = -w (y \log p + (1 - y) \log(1 - p)),  each log clamped to >= -100 (PyTorch's rule).

    Gradient: w (p - y) / (p (1 - p)). Feeding sigmoid outputs here is numerically weaker
    than ``binary_cross_entropy_with_logits`` on the logits.
    """
    fn = "binary_cross_entropy"
    _check_regression(fn, input, target, reduction)
    _check_broadcasts_to(fn, "weight", weight, input.shape)
    p = input.array
    if p.size and not (p.min() >= 0 and p.max() <= 1):  # also catches NaN
        raise ValueError(
            f"{fn}: all elements of input should be probabilities between 0 and 1 "
            f"(got min {p.min()}, max {p.max()}); for logits use binary_cross_entropy_with_logits"
        )
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


def _sigmoid_from_exp(z, e):
    """sigma(z) from e = e^{-|z|}, overflow-free: 1 / (1 + e) for z >= 0, e / (1 + e) else."""
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _logits_grad(gw, z, e, y, pos_weight):
    """dl/dz of the logistic loss times gw (the upstream times the weight), e = e^{-|z|}:
    gw (sigma(z) - y) (the seeds' logistic-loss derivative), or with pos_weight P,
    gw ((P y + 1 - y) sigma(z) - P y)."""
    sigmoid = _sigmoid_from_exp(z, e)
    if pos_weight is None:
        return gw * (sigmoid - y)
    return gw * ((pos_weight * y + 1 - y) * sigmoid - pos_weight * y)


def _softplus_from_exp(x, e):
    """softplus(x) = log(1 + e^x) from e = e^{-|x|}, overflow-free: max(x, 0) + log1p(e)."""
    return xp.maximum(x, 0) + xp.log1p(e)


class BinaryCrossEntropyWithLogits(Loss):
    label = "binary_cross_entropy_with_logits"
    rule = r"\partial \ell / \partial z = \sigma(z) - y"
    plain = "d l / d z = sigma(z) - y"
    form = ("binary_cross_entropy_with_logits({...})", r"\mathrm{binary\_cross\_entropy\_with\_logits}({...})")
    float_only = True

    def forward(ctx, z, y, weight, pos_weight, reduction="mean"):
        # -yz + log(1 + e^z) written so that nothing overflows: e^{-|z|} lies in (0, 1],
        # and log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}).
        e = xp.exp(-xp.abs(z))
        log1p_e = xp.log1p(e)
        if pos_weight is None:
            ell = xp.maximum(z, 0) - z * y + log1p_e
        else:
            # pos_weight scales the positive term: (1 - y) z + (1 + (pw - 1) y) log(1 + e^{-z})
            log_weight = (pos_weight - 1) * y + 1
            ell = (1 - y) * z + log_weight * (xp.maximum(-z, 0) + log1p_e)
        ctx.save_for_backward(z, y, weight, pos_weight, e, ell if ctx.needs_input_grad[2] else None)
        ctx.reduction = reduction
        ctx.dtypes = tuple(None if a is None else a.dtype for a in (z, y, weight, pos_weight))
        if weight is not None:
            ell = ell * weight
        return _reduce(ell, reduction, ell.size)

    def backward(ctx, upstream):
        # dl/dz = w (sigma(z) - y), dl/dy = -w z, dl/dw = l; with pos_weight P:
        # dl/dz = w ((P y + 1 - y) sigma(z) - P y), dl/dy = w ((P - 1) softplus(-z) - z),
        # dl/dP = w y softplus(-z)
        z, y, weight, pos_weight, e, ell = ctx.saved  # e = e^{-|z|}
        shape = xp.broadcast_shapes(z.shape, y.shape)
        g = _reduction_grad(upstream, ctx.reduction, math.prod(shape), len(shape))
        gw = g if weight is None else g * weight
        need_z, need_y, need_w, need_pw = ctx.needs_input_grad
        dz = _logits_grad(gw, z, e, y, pos_weight) if need_z else None
        softplus_neg = _softplus_from_exp(-z, e) if need_y or need_pw else None
        dy = None
        if need_y:
            dy = gw * (-z if pos_weight is None else (pos_weight - 1) * softplus_neg - z)
        dpw = gw * y * softplus_neg if need_pw else None
        dw = g * ell if need_w else None
        return tuple(_cast(grad, dtype) for grad, dtype in zip((dz, dy, dw, dpw), ctx.dtypes))


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    r"""The logistic loss of seed 002 on logits z = input against targets y in [0, 1]:

    \ell(z, y) = -y z + \log(1 + e^z) = \max(z, 0) - z y + \log(1 + e^{-|z|})

    = BCE(sigmoid(z), y), computed without ever forming e^{|z|}, so it is finite and exact
    for |z| up to 1e4 and beyond. Its derivative is the one the seed derives:

    \partial \ell / \partial z = \sigma(z) - y.

    ``weight`` multiplies each element's loss; ``pos_weight`` (per class, broadcast along
    the last dimension) multiplies the positive term: (1 - y) z + (1 + (pw - 1) y) \log(1 + e^{-z}).
    """
    fn = "binary_cross_entropy_with_logits"
    _check_regression(fn, input, target, reduction)
    _check_broadcasts_to(fn, "weight", weight, input.shape)
    _check_broadcasts_to(fn, "pos_weight", pos_weight, input.shape)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction=reduction)


# ---------------------------------------------------------------------- margin losses
def _rows(x):
    return xp.arange(x.shape[0])


def _class_margins(x, y, margin):
    """The hinge margins m_j = margin - x_y + x_j of scores x (N, C) against classes y (N,),
    with m_y = 0 (j = y is not a term of the sum)."""
    rows = _rows(x)
    margins = margin - x[rows, y][:, None] + x
    margins[rows, y] = 0
    return margins


def _multi_margin_scale(margins, reduction):
    """The 1/C of every hinge term, and the 1/N of 'mean', as one number in the margins'
    dtype (PyTorch folds them before multiplying)."""
    classes = margins.shape[1]
    return margins.dtype.type(1 / (classes * len(margins)) if reduction == "mean"
                              else 1 / classes)


def _hinge_slopes(margins, p, scale):
    """scale * d max(0, m)^p / dm for p in {1, 2}: scale [m > 0], or 2 scale m (0 where m
    is not > 0, nan included), in PyTorch's order."""
    active = margins > 0
    if p == 2:
        return xp.where(active, (2 * scale) * margins, 0)
    return active * scale


def _class_weight_grad(per_example, y, shape, dtype):
    """The gradient of a per-class weight w (indexed w[y_n]): each example's term added
    into the weight of its class."""
    dw = xp.zeros(shape, dtype=dtype)
    xp.add.at(dw, y, per_example)
    return dw


class MultiMargin(Loss):
    label = "multi_margin_loss"
    rule = (
        r"\partial \ell / \partial x_j = \tfrac{w_y}{C}\, p\, m_j^{p-1}\, [m_j > 0]\ (j \ne y),"
        r"\quad \partial \ell / \partial x_y = -\sum_{j \ne y} \partial \ell / \partial x_j,"
        r"\quad m_j = \mathrm{margin} - x_y + x_j"
    )
    plain = "d l / d x_j = w_y/C p m_j^(p-1) [m_j > 0] (j != y), d l / d x_y = -sum_j != y d l / d x_j, m_j = margin - x_y + x_j"
    form = ("multi_margin_loss({...})", r"\mathrm{multi\_margin\_loss}({...})")
    float_only = False  # the target is an integer tensor; inputs are checked by the function

    def forward(ctx, x, y, weight, p=1, margin=1.0, reduction="mean"):
        single = x.ndim == 1
        if single:
            x, y = x[None, :], y.reshape(1)
        # l_n = (1/C) sum_{j != y} w_y max(0, m_j)^p,  m_j = margin - x_y + x_j
        margins = _class_margins(x, y, margin)
        hinge = xp.where(margins > 0, margins, 0)
        per_example = _sum(hinge * hinge if p == 2 else hinge, axis=1) / x.shape[1]
        w_y = None if weight is None else weight[y]
        ctx.save_for_backward(margins, y, w_y, per_example if ctx.needs_input_grad[2] else None)
        ctx.p, ctx.single, ctx.reduction = p, single, reduction
        ctx.dtypes = (x.dtype, None if weight is None else weight.dtype)
        ctx.weight_shape = None if weight is None else weight.shape
        if w_y is not None:
            per_example = per_example * w_y
        if single:
            per_example = per_example.reshape(())
        return _reduce(per_example, reduction, per_example.size)

    def backward(ctx, upstream):
        # dl/dx_j = w_y/C p m_j^(p-1) [m_j > 0] g (j != y);  dl/dx_y = -sum_{j != y} dl/dx_j
        # dl/dw_c = sum over the examples of class c of g_n l_n / w_c (the unweighted l_n)
        margins, y, w_y, unweighted = ctx.saved
        need_x, _, need_w = ctx.needs_input_grad
        dx = dw = None
        if need_x:
            dx = _hinge_slopes(margins, ctx.p, _multi_margin_scale(margins, ctx.reduction))
            if w_y is not None:
                dx *= w_y[:, None]
            # x_y appears with a minus sign in every margin (0 - sum: +0.0 when none is active)
            dx[_rows(margins), y] = 0 - _sum(dx, axis=1)
            dx *= upstream if ctx.reduction != "none" else upstream.reshape(-1, 1)
            dx = dx.reshape(-1) if ctx.single else dx
        if need_w:
            g = _reduction_grad(upstream, ctx.reduction, margins.shape[0], 0).reshape(-1)
            dw = _class_weight_grad(g * unweighted, y, ctx.weight_shape, ctx.dtypes[1])
        return _cast(dx, ctx.dtypes[0]), None, _cast(dw, ctx.dtypes[1])


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""PyTorch's multi-class hinge loss on scores x (N, C) and class indices y (N,):

    \ell_n = \frac{1}{C} \sum_{j \ne y_n} w_{y_n} \max(0, \mathrm{margin} - x_{n y_n} + x_{nj})^p

    with p in {1, 2}. ``'mean'`` averages \ell_n over the N examples (unweighted mean).
    """
    fn = "multi_margin_loss"
    _check_reduction(reduction, fn)
    _check_class_targets(fn, input, target)
    if p not in (1, 2):
        raise ValueError(f"{fn}: only p == 1 and p == 2 are supported, got p={p}")
    if weight is not None:
        _check_tensor(fn, "weight", weight)
        if weight.shape != (input.shape[-1],):
            raise ValueError(
                f"{fn}: weight must have one entry per class, shape ({input.shape[-1]},); got {tuple(weight.shape)}"
            )
    return MultiMargin.apply(input, target, weight, p=p, margin=margin, reduction=reduction)


class SoftmaxHinge(Loss):
    label = "softmax_hinge_loss"
    rule = r"g = \partial \ell / \partial p,\ \partial \ell / \partial o = p \odot (g - p^\top g)"
    plain = "g = dl/dp, dl/do = p * (g - p^T g)"
    form = ("softmax_hinge_loss({...})", r"\mathrm{softmax\_hinge\_loss}({...})")
    float_only = False  # the target is an integer tensor; inputs are checked by the function

    def forward(ctx, o, y, margin=1.0, reduction="mean"):
        single = o.ndim == 1
        if single:
            o, y = o[None, :], y.reshape(1)
        rows = _rows(o)
        e = xp.exp(o - o.max(axis=1, keepdims=True))  # stable softmax
        probs = e / _sum(e, axis=1, keepdims=True)
        margins = probs - probs[rows, y][:, None] + margin  # p_j - p_y + margin
        margins[rows, y] = 0  # j = y is not a term of the sum
        active = margins > 0
        per_example = _sum(xp.where(active, margins, 0), axis=1)
        ctx.save_for_backward(probs, active, y)
        ctx.single, ctx.reduction = single, reduction
        if single:
            per_example = per_example.reshape(())
        return _reduce(per_example, reduction, per_example.size)

    def backward(ctx, upstream):
        probs, active, y = ctx.saved
        rows = _rows(probs)
        g = _reduction_grad(upstream, ctx.reduction, probs.shape[0], 0).reshape(-1, 1)  # per example
        # dL/dp: 1 for each active j != y, minus the number of active terms for j = y.
        grad_p = active.astype(probs.dtype)
        grad_p[rows, y] = -_sum(grad_p, axis=1)
        grad_p *= g
        # Through the softmax: dL/do_k = p_k (dL/dp_k - sum_j dL/dp_j p_j).
        grad_o = probs * (grad_p - _sum(grad_p * probs, axis=1, keepdims=True))
        return (grad_o.reshape(-1) if ctx.single else grad_o), None


def softmax_hinge_loss(input, target, margin=1.0, reduction="mean"):
    r"""Multiclass hinge loss on softmax outputs (seed 003, exercise 3).

    With p = softmax(o) over the k classes and true class y,

    L = \sum_{j \ne y} \max(0,\ p_j - p_y + \mathrm{margin}).

    It asks the true class's probability to beat every other class's by at least
    ``margin``; classes already beaten by that much cost nothing.

    Gradient. Let a_j = [p_j - p_y + margin > 0] for j != y (the active terms) and
    A = \sum_{j \ne y} a_j. Then \partial L / \partial p_j = a_j (j \ne y) and
    \partial L / \partial p_y = -A. The softmax Jacobian
    \partial p_j / \partial o_k = p_j (\delta_{jk} - p_k) gives, with g = \partial L / \partial p,

    \partial L / \partial o_k = p_k (g_k - \sum_j g_j p_j), where \sum_j g_j p_j = \sum_{j \ne y} a_j p_j - A p_y.

    Note: with margin >= 1 (the default) every term is active, since p_j - p_y > -1.
    Then L = 1 - k p_y + (k - 1) margin, and \partial L / \partial o = -k p_y (e_y - p):
    the loss only pushes p_y up, like cross-entropy's -\log p_y but linearly.

    ``input`` holds the scores o (N, k) (or (k,)), ``target`` the class indices (N,).
    ``'mean'`` averages the per-example L over N.
    """
    fn = "softmax_hinge_loss"
    _check_reduction(reduction, fn)
    _check_class_targets(fn, input, target)
    return SoftmaxHinge.apply(input, target, margin=margin, reduction=reduction)


# ---------------------------------------------------------------------- robust regression
class AbsoluteError(Loss):
    label = "l1_loss"
    rule = r"\partial |\hat y - y| / \partial \hat y = \mathrm{sign}(\hat y - y)\quad(\mathrm{sign}(0) = 0)"
    plain = "d |yhat - y| / d yhat = sign(yhat - y) (sign(0) = 0)"
    form = ("l1_loss({...})", r"\mathrm{l1\_loss}({...})")
    float_only = True

    def forward(ctx, input, target, reduction="mean"):
        diff = _save_difference(ctx, input, target, reduction)
        return _reduce(xp.abs(diff), reduction, diff.size)

    def backward(ctx, upstream):
        (diff,) = ctx.saved
        g = _reduction_grad(upstream, ctx.reduction, diff.size, diff.ndim)
        # downstream = upstream x sign(y_hat - y), PyTorch's sign: 0 (not nan) where the
        # difference is nan (inf - inf, a nan input), so no nan reaches the gradient there
        return _difference_grads(ctx, torch_sign(diff) * g)


def l1_loss(input, target, reduction="mean", weight=None):
    r"""Mean absolute error: \ell_i = |\hat y_i - y_i|, reduced by ``reduction``.

    Gradient: \mathrm{sign}(\hat y - y) (divided by n for ``'mean'``), with PyTorch's
    convention \mathrm{sign}(0) = 0 at the kink: a prediction that is exactly right gets
    no push. Input and target must have the same shape (see ``mse_loss``).

    ``weight`` (the input's shape) multiplies each term; then ``'mean'`` is PyTorch's
    weighted mean \sum_i w_i \ell_i / \sum_i w_i (composed of ops: its gradient reaches
    the weights too).
    """
    fn = "l1_loss"
    _check_regression(fn, input, target, reduction)
    if weight is None:
        return AbsoluteError.apply(input, target, reduction=reduction)
    _check_weight(fn, weight, input)
    weighted = AbsoluteError.apply(input, target, reduction="none") * weight
    if reduction == "none":
        return weighted
    return weighted.sum() / weight.sum() if reduction == "mean" else weighted.sum()


class SmoothAbsoluteError(Loss):
    label = "smooth_l1_loss"
    rule = r"\partial \ell / \partial \hat y = \mathrm{clip}(\hat y - y, -\beta, \beta) / \beta"
    plain = "d l / d yhat = clip(yhat - y, -beta, beta) / beta"
    form = ("smooth_l1_loss({...})", r"\mathrm{smooth\_l1\_loss}({...})")
    float_only = True

    def forward(ctx, input, target, reduction="mean", beta=1.0):
        diff = _save_difference(ctx, input, target, reduction, operands=True)
        ctx.beta = beta
        z = xp.abs(diff)
        ell = xp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        return _reduce(ell, reduction, diff.size)

    def backward(ctx, upstream):
        diff = ctx.saved[0]
        beta = ctx.beta
        g = _reduction_grad(upstream, ctx.reduction, diff.size, diff.ndim)
        local = xp.clip(diff, -beta, beta) / beta  # d/d diff: diff / beta inside, +-1 outside
        d_target = None
        if ctx.needs_input_grad[1]:
            d_target = xp.clip(_target_difference(ctx), -beta, beta) / beta * g
        return _difference_grads(ctx, local * g, d_target)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    r"""Smooth L1 loss (Fast R-CNN): quadratic near 0, absolute error further out.

    With z = |\hat y - y|:  \ell = z^2 / (2\beta) if z < \beta, else z - \beta / 2.

    Gradient: (\hat y - y) / \beta inside the band, \mathrm{sign}(\hat y - y) outside, so it
    is continuous (no kink at 0). ``beta=0`` is exactly ``l1_loss`` (as in PyTorch).
    """
    fn = "smooth_l1_loss"
    _check_regression(fn, input, target, reduction)
    _check_threshold(fn, "beta", beta, allow_zero=True)
    if beta == 0:  # the quadratic band is empty: L1 (and its sign(0) = 0 gradient)
        return AbsoluteError.apply(input, target, reduction=reduction)
    return SmoothAbsoluteError.apply(input, target, reduction=reduction, beta=beta)


class HuberError(Loss):
    label = "huber_loss"
    rule = r"\partial \ell / \partial \hat y = \mathrm{clip}(\hat y - y, -\delta, \delta)"
    plain = "d l / d yhat = clip(yhat - y, -delta, delta)"
    form = ("huber_loss({...})", r"\mathrm{huber\_loss}({...})")
    float_only = True

    def forward(ctx, input, target, reduction="mean", delta=1.0):
        diff = _save_difference(ctx, input, target, reduction, operands=True)
        ctx.delta = delta
        z = xp.abs(diff)
        ell = xp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
        return _reduce(ell, reduction, diff.size)

    def backward(ctx, upstream):
        diff = ctx.saved[0]
        delta = ctx.delta
        g = _reduction_grad(upstream, ctx.reduction, diff.size, diff.ndim)
        d_target = None
        if ctx.needs_input_grad[1]:
            d_target = xp.clip(_target_difference(ctx), -delta, delta) * g
        # downstream = upstream x clip(diff, -delta, delta): diff inside, +-delta outside
        return _difference_grads(ctx, xp.clip(diff, -delta, delta) * g, d_target)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    r"""Huber loss: quadratic for small errors, linear (slope \delta) for large ones.

    With z = |\hat y - y|:  \ell = z^2 / 2 if z < \delta, else \delta (z - \delta / 2).

    Gradient: \mathrm{clip}(\hat y - y, -\delta, \delta): outliers pull with force at most
    \delta. ``huber_loss(x, y, delta=d) == d * smooth_l1_loss(x, y, beta=d)``.

    ``weight`` (the input's shape) multiplies each term; then ``'mean'`` is, as in PyTorch,
    the plain mean (1/n) \sum_i w_i \ell_i, *not* divided by \sum_i w_i as in ``l1_loss``.
    """
    fn = "huber_loss"
    _check_regression(fn, input, target, reduction)
    _check_threshold(fn, "delta", delta, allow_zero=False)
    if weight is None:
        return HuberError.apply(input, target, reduction=reduction, delta=delta)
    _check_weight(fn, weight, input)
    weighted = HuberError.apply(input, target, reduction="none", delta=delta) * weight
    if reduction == "none":
        return weighted
    return weighted.mean() if reduction == "mean" else weighted.sum()


def _check_threshold(fn, name, value, allow_zero):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise TypeError(f"{fn}: {name} must be a real number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{fn}: {name} must be {expected}, got {value}")


def _check_weight(fn, weight, input):
    _check_tensor(fn, "weight", weight)
    _check_floating(fn, "weight", weight)
    if weight.shape != input.shape:
        raise ValueError(
            f"{fn}: weight of shape {tuple(weight.shape)} must have the input's shape {tuple(input.shape)} "
            "(one weight per element)"
        )


# ---------------------------------------------------------------------- KL divergence
_KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


def _kl_reduction(reduction, elements):
    """kl_div's reduction as (reduction, count) for _reduce and _reduction_grad:
    'batchmean' is the mean over the batch size elements.shape[0] (a sum for a 0-d loss)."""
    if reduction == "batchmean":
        return ("mean", elements.shape[0]) if elements.ndim else ("sum", 1)
    return reduction, elements.size


def _kl_target_grad(g, x, t, p, log_target):
    """dl/dt of kl_div times g, summed in PyTorch's order so that overflow and nan fall
    where PyTorch's do.
    log_target, t = log p: d/dt e^t (t - x) = e^t (t - x) + e^t, summed over PyTorch's two
    paths (through exp and through t - x): (g (t - x)) e^t + g e^t, so that g (t - x)
    overflows, and inf x 0 is nan, exactly where PyTorch's does.
    Else d/dp (p log p - p x) = log p + 1 - x, summed as PyTorch's autograd of
    xlogy(p, p) - p x: g log p + (g p) / p - g x. (g p) / p is its 1: nan at p = 0 (where
    the slope is -inf) and p = inf, and g rounded to a multiple of the subnormal p's
    spacing; the sum's zero is +0.0 as PyTorch's."""
    if log_target:
        pg = p * g
        dt = (g * (t - x)) * p
        dt += pg
        return dt
    with xp.errstate(divide="ignore", invalid="ignore"):
        dt = g * xp.log(t)
        dt += (g * t) / t
        dt -= g * x
    return dt


class KLDivergence(Loss):
    label = "kl_div"
    rule = (r"\partial \ell / \partial x = -p,\quad \partial \ell / \partial p = \log p + 1 - x"
            r"\quad(\text{log\_target}, t = \log p:\ \partial \ell / \partial t = p\,(t - x + 1))")
    plain = "d l / d x = -p, d l / d p = log p + 1 - x (log_target, t = log p: d l / d t = p (t - x + 1))"
    form = ("kl_div({...})", r"\mathrm{kl\_div}({...})")
    float_only = True

    def forward(ctx, x, t, reduction="mean", log_target=False):
        if log_target:  # t = log p: \ell = e^t (t - x)
            p = xp.exp(t)
            ell = p * (t - x)
        else:  # t = p: \ell = p log p - p x, with 0 log 0 = 0 (xlogy)
            p = t
            with xp.errstate(divide="ignore", invalid="ignore"):
                p_log_p = xp.where(t == 0, 0, t * xp.log(t))
            ell = p_log_p - t * x
        ctx.save_for_backward(x, t, p)
        ctx.reduction, ctx.log_target = reduction, log_target
        ctx.dtypes = (x.dtype, t.dtype)
        return _reduce(ell, *_kl_reduction(reduction, ell))

    def backward(ctx, upstream):
        # dl/dx = -p g;  dl/dp = (log p + 1 - x) g;  log_target (t = log p): p (t - x + 1) g
        x, t, p = ctx.saved
        g = _reduction_grad(upstream, *_kl_reduction(ctx.reduction, x), x.ndim)
        need_x, need_t = ctx.needs_input_grad
        dx = -p * g if need_x else None
        dt = _kl_target_grad(g, x, t, p, ctx.log_target) if need_t else None
        return _cast(dx, ctx.dtypes[0]), _cast(dt, ctx.dtypes[1])


def kl_div(input, target, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence KL(p || q) with q given as log-probabilities x = input:

    \ell_i = p_i (\log p_i - x_i)   (target = p; 0 \log 0 = 0),
    \ell_i = e^{t_i} (t_i - x_i)    (``log_target=True``: target = t = \log p).

    ``reduction``: ``'batchmean'`` divides the sum by the batch size input.shape[0] and is
    the true KL divergence per example; ``'mean'`` (the default, kept for PyTorch
    compatibility) divides by the number of *elements*, batch size times classes;
    ``'sum'``, ``'none'`` as usual.

    Gradients: \partial\ell/\partial x = -p;  \partial\ell/\partial p = \log p + 1 - x
    (nan at p = 0 and p = inf, as PyTorch).
    """
    fn = "kl_div"
    if reduction not in _KL_REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'mean', 'batchmean', 'sum' or 'none'")
    _check_tensor(fn, "input", input)
    _check_tensor(fn, "target", target)
    _check_floating(fn, "input", input)
    _check_floating(fn, "target", target)
    _check_same_shape(fn, input, target)
    return KLDivergence.apply(input, target, reduction=reduction, log_target=bool(log_target))


# ---------------------------------------------------------------------- soft margin
class SoftMargin(Loss):
    label = "soft_margin_loss"
    rule = r"\partial \log(1 + e^{-yx}) / \partial x = -y\,\sigma(-yx)"
    plain = "d log(1 + e^(-yx)) / d x = -y sigma(-yx)"
    form = ("soft_margin_loss({...})", r"\mathrm{soft\_margin\_loss}({...})")
    float_only = True

    def forward(ctx, x, y, reduction="mean"):
        z = xp.multiply(y, x)
        xp.negative(z, out=z)  # z = -yx
        e = xp.abs(z)
        xp.negative(e, out=e)
        xp.exp(e, out=e)  # e = e^{-|z|} in (0, 1]: nothing overflows
        ell = xp.maximum(z, 0)
        ell += xp.log1p(e)  # log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|})
        ctx.save_for_backward(x, y, z, e)
        ctx.reduction = reduction
        ctx.dtypes = (x.dtype, y.dtype)
        return _reduce(ell, reduction, ell.size)

    def backward(ctx, upstream):
        x, y, z, e = ctx.saved
        g = _reduction_grad(upstream, ctx.reduction, z.size, z.ndim)
        r = e + 1
        xp.divide(1, r, out=r)  # 1 / (1 + e^{-|z|})
        s = e * r  # sigma(z) = e/(1 + e) for z < 0, 1/(1 + e) for z >= 0: overflow-free
        xp.copyto(s, r, where=z >= 0)
        s = s * g  # upstream x sigma(z)
        need_x, need_y = ctx.needs_input_grad
        dx = dy = None
        if need_x:  # downstream = upstream x (-y sigma(-yx))
            dx = xp.multiply(y, s)
            xp.negative(dx, out=dx)
        if need_y:
            dy = xp.multiply(x, s)
            xp.negative(dy, out=dy)
        return _cast(dx, ctx.dtypes[0]), _cast(dy, ctx.dtypes[1])


def soft_margin_loss(input, target, reduction="mean"):
    r"""Two-class logistic loss on scores x = input with labels y = target in {-1, +1}:

    \ell_i = \log(1 + e^{-y_i x_i}),   \partial\ell/\partial x = -y\,\sigma(-y x).

    It is binary_cross_entropy_with_logits written for +-1 labels. Computed as
    \max(z, 0) + \log(1 + e^{-|z|}) with z = -yx, so it stays finite where PyTorch's
    \log(1 + e^{z}) overflows (|x| above ~710 in float64: PyTorch returns inf and a nan
    gradient; glassgrad returns |x| and the gradient -y).
    """
    _check_regression("soft_margin_loss", input, target, reduction)
    return SoftMargin.apply(input, target, reduction=reduction)


# ---------------------------------------------------------------------- cosine embedding
_COSINE_EPS = 1e-12  # PyTorch's: keeps |x|^2 away from 0 in the denominator


# Back through cos = prod / sqrt(m1 m2) step by step, as PyTorch's autograd does: the
# per-pair factors first (so a huge |x|^2 gives the same 0 x inf = nan), then one pass over
# the elements.
def _cosine_pair_factors(gc, prod, denom):
    """From dl/dcos per pair, (dl/dprod, dl/d(m1 m2)) with prod = x1 . x2 and
    denom = sqrt(m1 m2): dl/dprod = gc / denom, and through d sqrt(s)/ds = 1 / (2 sqrt(s)),
    dl/d(m1 m2) = -gc (cos / denom) / (2 denom)."""
    g_prod = gc / denom
    g_denom = -gc * ((prod / denom) / denom)
    return g_prod, g_denom / (2 * denom)


def _cosine_input_grad(g_prod, g_square, x, other, m_other):
    """dl/dx = g_prod other + 2 (g_square m_other) x, for |x|^2 = m = sum x x: the product
    term, and the norm term through d(m m_other)/dx = 2 m_other x."""
    d = g_prod[..., None] * other
    d += (2 * (g_square * m_other))[..., None] * x
    return d


class CosineEmbedding(Loss):
    label = "cosine_embedding_loss"
    rule = (
        r"\partial \cos / \partial x_1 = x_2 / (|x_1||x_2|) - \cos\, x_1 / |x_1|^2;"
        r"\quad \partial \ell / \partial \cos = -1\ (y = 1),\ [\cos \ge m]\ (y = -1)"
    )
    plain = "d cos / d x_1 = x_2 / (|x_1||x_2|) - cos x_1 / |x_1|^2; d l / d cos = -1 (y = 1), [cos >= m] (y = -1)"
    form = ("cosine_embedding_loss({...})", r"\mathrm{cosine\_embedding\_loss}({...})")
    float_only = False  # the target may be an integer tensor; inputs are checked by the function

    def forward(ctx, x1, x2, y, margin=0.0, reduction="mean"):
        prod = _sum(x1 * x2, axis=-1)
        m1 = _sum(x1 * x1, axis=-1) + _COSINE_EPS  # |x1|^2 + eps
        m2 = _sum(x2 * x2, axis=-1) + _COSINE_EPS
        denom = xp.sqrt(m1 * m2)
        cos = prod / denom
        pos, neg = y == 1, y == -1  # other labels contribute 0, as in PyTorch
        ell = xp.where(pos, 1 - cos, 0) + xp.where(neg, xp.maximum(cos - margin, 0), 0)
        # d ell / d cos: -1 for similar pairs, 1 for dissimilar pairs with cos >= margin
        # (PyTorch's clamp_min passes the gradient at equality)
        slope = xp.where(pos, -1.0, 0.0) + (neg & (cos - margin >= 0))
        ctx.save_for_backward(x1, x2, prod, denom, m1, m2, slope.astype(cos.dtype))
        ctx.reduction = reduction
        ctx.dtypes = (x1.dtype, x2.dtype)
        return _reduce(ell, reduction, ell.size)

    def backward(ctx, upstream):
        # dl/dx1 = dl/dcos (x2 / denom - cos x1 / |x1|^2), the same with x1 and x2 swapped
        x1, x2, prod, denom, m1, m2, slope = ctx.saved
        g = _reduction_grad(upstream, ctx.reduction, prod.size, prod.ndim)
        # dl/dcos, one per pair; + 0.0: an inactive pair's 0 is +0.0, as PyTorch's
        # where(y == 1, g, 0) and clamp_min's where(..., g, 0) give
        gc = slope * g + 0.0
        g_prod, g_square = _cosine_pair_factors(gc, prod, denom)
        need1, need2, _ = ctx.needs_input_grad
        d1 = _cosine_input_grad(g_prod, g_square, x1, x2, m2) if need1 else None
        d2 = _cosine_input_grad(g_prod, g_square, x2, x1, m1) if need2 else None
        return _cast(d1, ctx.dtypes[0]), _cast(d2, ctx.dtypes[1]), None


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Pull pairs together or push them apart by their cosine similarity.

    With \cos = x_1 \cdot x_2 / \sqrt{(|x_1|^2 + \epsilon)(|x_2|^2 + \epsilon)}, \epsilon = 10^{-12}:

    \ell = 1 - \cos  (y = 1),    \ell = \max(0, \cos - \mathrm{margin})  (y = -1).

    input1, input2: (N, D) with target (N,), or (D,) with a 0-d target. ``'mean'``
    averages over the N pairs.
    """
    fn = "cosine_embedding_loss"
    _check_reduction(reduction, fn)
    for name, value in (("input1", input1), ("input2", input2), ("target", target)):
        _check_tensor(fn, name, value)
    _check_floating(fn, "input1", input1)
    _check_floating(fn, "input2", input2)
    if target.ndim not in (0, 1):
        raise ValueError(f"{fn}: 0D or 1D target tensor expected (one label per pair), got shape {tuple(target.shape)}")
    wanted = target.ndim + 1
    if input1.ndim != wanted or input1.shape != input2.shape or input1.shape[:-1] != target.shape:
        raise ValueError(
            f"{fn}: expected input1 and input2 of shape (N, D) with target (N,), or (D,) with a "
            f"0-d target; got input1 {tuple(input1.shape)}, input2 {tuple(input2.shape)}, "
            f"target {tuple(target.shape)}"
        )
    return CosineEmbedding.apply(input1, input2, target, margin=margin, reduction=reduction)


# ---------------------------------------------------------------------- Gaussian NLL
class GaussianNLL(Loss):
    label = "gaussian_nll_loss"
    rule = (
        r"\partial \ell / \partial \mu = (\mu - y) / \sigma^2,"
        r"\quad \partial \ell / \partial \sigma^2 = \tfrac12 (1/\sigma^2 - (\mu - y)^2 / \sigma^4)"
    )
    plain = "d l / d mu = (mu - y) / sigma^2, d l / d sigma^2 = 1/2 (1/sigma^2 - (mu - y)^2 / sigma^4)"
    form = ("gaussian_nll_loss({...})", r"\mathrm{gaussian\_nll\_loss}({...})")
    float_only = True

    def forward(ctx, mu, y, var, full=False, eps=1e-6, reduction="mean"):
        v = xp.maximum(var, eps)  # clamped for stability; the gradient flows as if it were not
        diff = mu - y
        q = diff * diff / v
        ell = 0.5 * (xp.log(v) + q)
        if full:
            ell = ell + 0.5 * math.log(2 * math.pi)
        ctx.save_for_backward(diff, v, q)
        ctx.reduction = reduction
        ctx.dtypes = (mu.dtype, y.dtype, var.dtype)
        return _reduce(ell, reduction, ell.size)

    def backward(ctx, upstream):
        diff, v, q = ctx.saved
        shape = xp.broadcast_shapes(diff.shape, v.shape)
        g = _reduction_grad(upstream, ctx.reduction, math.prod(shape), len(shape))
        need_mu, need_y, need_var = ctx.needs_input_grad
        # In PyTorch's order (its autograd of 0.5 (log v + d^2 / v)), so that overflow and
        # 0 x inf give inf and nan where PyTorch's do: g_v = (g / 2) / v is the gradient
        # reaching log v and d^2 / v through its numerator
        half = 0.5 * g
        g_v = half / v
        dmu = g_v * (2 * diff) if need_mu or need_y else None  # d/dd d^2 = 2 d
        dvar = None
        if need_var:  # d/dv (log v + d^2 / v) = 1/v - (d^2 / v) / v
            dvar = half * (q / v)
            xp.subtract(g_v, dvar, out=dvar)
        return (
            _cast(dmu, ctx.dtypes[0]) if need_mu else None,
            _cast(-dmu, ctx.dtypes[1]) if need_y else None,
            _cast(dvar, ctx.dtypes[2]),
        )


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Negative log-likelihood of targets y under N(\mu = input, \sigma^2 = var):

    \ell = \tfrac12 \left(\log \max(\sigma^2, \epsilon) + (\mu - y)^2 / \max(\sigma^2, \epsilon)\right)
    (+ \tfrac12 \log 2\pi if ``full``).

    ``var`` has the input's shape, or one dimension fewer / one dimension of size 1 (one
    variance shared along it), or is a Python number. As in PyTorch, the clamp at
    ``eps`` is invisible to the gradient: \partial\ell/\partial\sigma^2 =
    \tfrac12 (1/v - (\mu - y)^2 / v^2) at the clamped v.
    """
    fn = "gaussian_nll_loss"
    _check_regression(fn, input, target, reduction)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        var = Tensor._wrap(xp.full(input.shape, var, dtype=input.array.dtype))
    _check_tensor(fn, "var", var)
    _check_floating(fn, "var", var)
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:  # one variance per example: broadcast along the last dim
            var = var.reshape(tuple(var.shape) + (1,))
        elif not (var.ndim == input.ndim and sum(
                v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(
                f"{fn}: var of shape {tuple(var.shape)} is of incorrect size for input {tuple(input.shape)}; "
                "expected the input's shape, the input's shape without its last dimension, or the input's "
                "shape with one dimension of size 1"
            )
    if var.array.size and xp.any(var.array < 0):
        raise ValueError(f"{fn}: var has negative entries (min {var.array.min()}); variances must be >= 0")
    return GaussianNLL.apply(input, target, var, full=bool(full), eps=eps, reduction=reduction)


# ---------------------------------------------------------------------- margin ranking
def _hinge_slope(z):
    """d max(z, 0) / dz as PyTorch's clamp_min passes it: 1 where z >= 0 (also at 0)."""
    return (z >= 0).astype(z.dtype)


class MarginRanking(Loss):
    label = "margin_ranking_loss"
    rule = (r"\ell = \max(0, -y (x_1 - x_2) + m);\ \partial\ell/\partial x_1 = -y\,[\ell\text{ active}],"
            r"\ \partial\ell/\partial x_2 = y\,[\ell\text{ active}]")
    plain = "l = max(0, -y (x1 - x2) + m); d l/d x1 = -y [active], d l/d x2 = y [active]"
    form = ("margin_ranking_loss({...})", r"\mathrm{margin\_ranking\_loss}({...})")
    float_only = True

    def forward(ctx, x1, x2, y, margin=0.0, reduction="mean"):
        diff = x1 - x2
        z = margin - y * diff
        ctx.save_for_backward(diff, y, _hinge_slope(z))
        ctx.reduction = reduction
        return _reduce(xp.maximum(z, 0), reduction, z.size)

    def backward(ctx, upstream):
        diff, y, active = ctx.saved
        g = _reduction_grad(upstream, ctx.reduction, diff.size, diff.ndim) * active
        need1, need2, need_y = ctx.needs_input_grad
        d1 = -y * g if need1 else None  # downstream = upstream x (-y) where the hinge is active
        d2 = y * g if need2 else None
        dy = -diff * g if need_y else None
        return d1, d2, dy


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    r"""Rank pairs: target y = 1 says input1 should score higher than input2 by ``margin``,
    y = -1 the reverse:

    \ell_i = \max(0, -y_i (x_{1,i} - x_{2,i}) + \mathrm{margin}).

    input1, input2 and target have one shape ((N,) or 0-d); ``'mean'`` averages over N.
    """
    fn = "margin_ranking_loss"
    _check_reduction(reduction, fn)
    for name, value in (("input1", input1), ("input2", input2), ("target", target)):
        _check_tensor(fn, name, value)
        _check_floating(fn, name, value)
    if not input1.shape == input2.shape == target.shape:
        raise ValueError(f"{fn}: input1, input2 and target must have one shape, got "
                         f"{tuple(input1.shape)}, {tuple(input2.shape)} and {tuple(target.shape)}")
    return MarginRanking.apply(input1, input2, target, margin=margin, reduction=reduction)


# ---------------------------------------------------------------------- hinge embedding
class HingeEmbedding(Loss):
    label = "hinge_embedding_loss"
    rule = (r"\ell = x\ (y = 1),\ \max(0, m - x)\ (y = -1);\ "
            r"\partial\ell/\partial x = 1\ (y = 1),\ -[m - x \ge 0]\ (y = -1)")
    plain = "l = x (y = 1), max(0, m - x) (y = -1); d l/d x = 1 (y = 1), -[m - x >= 0] (y = -1)"
    form = ("hinge_embedding_loss({...})", r"\mathrm{hinge\_embedding\_loss}({...})")
    float_only = False  # the target may be an integer tensor; the input is checked by the function

    def forward(ctx, x, y, margin=1.0, reduction="mean"):
        # As PyTorch: the x term counts where y != -1 and the hinge where y != 1 (a label
        # other than +-1 gets both)
        takes_x, takes_hinge = y != -1, y != 1
        z = margin - x
        ell = xp.where(takes_x, x, 0) + xp.where(takes_hinge, xp.maximum(z, 0), 0)
        slope = takes_x.astype(x.dtype) - takes_hinge * _hinge_slope(z)
        ctx.save_for_backward(slope)
        ctx.reduction = reduction
        return _reduce(ell.astype(x.dtype, copy=False), reduction, ell.size)

    def backward(ctx, upstream):
        (slope,) = ctx.saved
        return _reduction_grad(upstream, ctx.reduction, slope.size, slope.ndim) * slope, None


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    r"""For distances x = input with labels y = target in {1, -1} (similar, dissimilar):

    \ell_i = x_i\ (y_i = 1),   \ell_i = \max(0, \mathrm{margin} - x_i)\ (y_i = -1).

    input and target have one shape; ``'mean'`` averages over every element.
    """
    fn = "hinge_embedding_loss"
    _check_reduction(reduction, fn)
    _check_tensor(fn, "input", input)
    _check_tensor(fn, "target", target)
    _check_floating(fn, "input", input)
    _check_same_shape(fn, input, target)
    return HingeEmbedding.apply(input, target, margin=margin, reduction=reduction)


# ---------------------------------------------------------------------- triplet margin
def _p_distance(v, p):
    """||v||_p over the last dim, and its gradient d||v||/dv = sign(v) |v|^{p-1} / ||v||^{p-1}
    (0 where ||v|| = 0)."""
    a = xp.abs(v)
    norm = _sum(a ** p, axis=-1) ** (1.0 / p)
    with xp.errstate(divide="ignore", invalid="ignore"):
        grad = xp.sign(v) * (a / norm[..., None]) ** (p - 1)
    return norm, xp.where(norm[..., None] == 0, 0, grad)


class TripletMargin(Loss):
    label = "triplet_margin_loss"
    rule = (r"\ell = \max(0, d(a, p) - d(a, n) + m),\ d(x, y) = \|x - y + \epsilon\|_p;\ "
            r"\partial d/\partial x = \mathrm{sign}(v) |v|^{p-1} / \|v\|_p^{p-1}")
    plain = ("l = max(0, d(a, p) - d(a, n) + m), d(x, y) = ||x - y + eps||_p; "
             "d d/d x = sign(v) |v|^(p-1) / ||v||_p^(p-1)")
    form = ("triplet_margin_loss({...})", r"\mathrm{triplet\_margin\_loss}({...})")
    float_only = True

    def forward(ctx, a, pos, neg, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
        d_ap, g_ap = _p_distance(a - pos + eps, p)
        d_an, g_an = _p_distance(a - neg + eps, p)
        # swap: the negative's distance is the smaller of d(a, n) and d(p, n)
        use_pn = xp.zeros(d_an.shape, dtype=bool)
        g_pn = None
        if swap:
            d_pn, g_pn = _p_distance(pos - neg + eps, p)
            use_pn = d_pn < d_an
            d_an = xp.where(use_pn, d_pn, d_an)
        z = margin + d_ap - d_an
        ctx.save_for_backward(g_ap, g_an, g_pn, use_pn[..., None], _hinge_slope(z)[..., None])
        ctx.reduction = reduction
        return _reduce(xp.maximum(z, 0), reduction, z.size)

    def backward(ctx, upstream):
        g_ap, g_an, g_pn, use_pn, active = ctx.saved
        g = _reduction_grad(upstream, ctx.reduction, active.size, active.ndim - 1)
        g = xp.asarray(g)[..., None] * active  # one factor per triplet, over its D features
        # l = m + d(a, p) - d_neg: d(a, p) pulls a toward p, d_neg pushes away from n
        from_an = xp.where(use_pn, 0, g_an) * g
        d_a = g_ap * g - from_an
        d_pos = -g_ap * g
        d_neg = from_an
        if g_pn is not None:  # d_neg = d(p, n) where it was smaller
            from_pn = xp.where(use_pn, g_pn, 0) * g
            d_pos = d_pos - from_pn
            d_neg = d_neg + from_pn
        return d_a, d_pos, d_neg


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction="mean"):
    r"""Pull an anchor toward a positive example and push it from a negative one:

    \ell_i = \max(0, d(a_i, p_i) - d(a_i, n_i) + \mathrm{margin}),   d(x, y) = \|x - y + \epsilon\|_p

    (``swap=True``: d(a, n) is replaced by the smaller of d(a, n) and d(p, n)). anchor,
    positive and negative: (N, D), or (D,) for one triplet; ``'mean'`` averages over N.
    """
    fn = "triplet_margin_loss"
    _check_reduction(reduction, fn)
    for name, value in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _check_tensor(fn, name, value)
        _check_floating(fn, name, value)
    if anchor.ndim not in (1, 2) or positive.shape != anchor.shape or negative.shape != anchor.shape:
        raise ValueError(f"{fn}: anchor, positive and negative must have one shape, (N, D) or (D,); "
                         f"got {tuple(anchor.shape)}, {tuple(positive.shape)}, {tuple(negative.shape)}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < math.inf:
        raise ValueError(f"{fn}: p must be a finite number > 0 (the norm's order), got {p!r}")
    return TripletMargin.apply(anchor, positive, negative, margin=margin, p=float(p), eps=eps,
                               swap=bool(swap), reduction=reduction)
