r"""Normalisation ops: batch_norm, layer_norm, group_norm, normalize, cosine_similarity.

The three "norm" layers share one idea. Over some set S of positions (a channel across
the batch for batch norm; one sample's last dims for layer norm; one sample's group of
channels for group norm), with M = |S| numbers each:

    \mu = \frac1M \sum_S x,   \sigma^2 = \frac1M \sum_S (x - \mu)^2   (biased),
    r = 1 / \sqrt{\sigma^2 + \epsilon},   \hat x = (x - \mu) r,   y = \gamma \hat x + \beta.

Each is ONE fused node whose backward is the closed form, not a chain of small ops
(subtract, square, mean, sqrt, divide, ...). With g = \gamma \cdot \partial L/\partial y
(the gradient arriving at \hat x), differentiating through \mu and \sigma^2 gives

    \partial L/\partial x = \frac{r}{M} \left( M g - \sum_S g - \hat x \sum_S g \hat x \right)

i.e. g minus its mean over S, minus the part of g along \hat x, times r. The affine
parameters get \partial L/\partial\gamma = \sum \partial L/\partial y \cdot \hat x and
\partial L/\partial\beta = \sum \partial L/\partial y over every position they touch.

In evaluation mode batch norm uses the running statistics, which are constants: the layer
is then an affine map per channel and \partial L/\partial x = g r.
"""

import math

from ..autograd.function import Normalization
from ..backend import xp
from ..tensor import Tensor

# Exported at the top level (gg.layer_norm, ...) only where torch's top-level function has
# the same signature: torch.batch_norm takes (input, weight, bias, running_mean, ...), so
# batch_norm (like normalize, which torch has only in F) lives in glassgrad.nn.functional.
__all__ = ["layer_norm", "group_norm", "cosine_similarity"]


# ===================================================================== shared kernels
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Sums are xp.add.reduce, not x.sum() / np.sum / x.mean(): those run in NumPy's Python layer,
# so an overflow warning from them would escape backend.py's filter and reach the user.


def _sum_of_products(a, b, axes):
    """sum(a * b) over ``axes``, the other axes kept in order (no keepdims).

    One einsum pass: ``(a * b).sum(axes)`` would first write the whole product to a fresh
    temporary as large as the input (measured 3-6x slower on (64, 32, 28, 28) and
    (8192, 256) float32, mostly page faults of that temporary)."""
    subs = _LETTERS[:a.ndim]
    out = "".join(c for i, c in enumerate(subs) if i not in axes)
    return xp.einsum(f"{subs},{subs}->{out}", a, b)


def _kept(stat, x, axes):
    """A statistic over ``axes`` reshaped with those axes as size 1 (broadcasts against x)."""
    return stat.reshape([1 if i in axes else n for i, n in enumerate(x.shape)])


def _standardise(x, axes, eps):
    """(x_hat, mean, biased var, r) over ``axes``; mean, var, r keep those axes as size 1."""
    m = math.prod(x.shape[i] for i in axes)
    mean = xp.add.reduce(x, axis=axes, keepdims=True) / m
    x_hat = x - mean
    var = _kept(_sum_of_products(x_hat, x_hat, axes), x, axes) / m  # two-pass: no cancellation
    if x.dtype == xp.float32 and not xp.isfinite(var).all():
        # A float32 sum or square overflowed (|x| beyond ~1e19), or x holds inf/nan: the
        # statistics again in float64 (where PyTorch's batch norm computes them anyway),
        # cast back. Costs a pass over the small var only, unless it is needed.
        return tuple(a.astype(x.dtype) for a in _standardise(x.astype(xp.float64), axes, eps))
    r = 1.0 / xp.sqrt(var + eps)  # eps is a Python float: the dtype of var is kept
    x_hat *= r
    return x_hat, mean, var, r


def _standardise_backward(u, x_hat, scale, axes, sum_u=None, sum_ux=None):
    r"""scale (u - mean_S u - \hat x mean_S(u \hat x)): the closed form of the module
    docstring with 1/M folded into the two means. With u = g and scale = r it is dL/dx;
    batch norm passes u = dL/dy and scale = \gamma r (\gamma is constant over S, so it
    factors out of both means, and the two sums are also dL/d\beta and dL/d\gamma)."""
    m = math.prod(x_hat.shape[i] for i in axes)
    if sum_u is None:
        sum_u = xp.add.reduce(u, axis=axes, keepdims=True)
    if sum_ux is None:
        sum_ux = _kept(_sum_of_products(u, x_hat, axes), x_hat, axes)
    dx = x_hat * (sum_ux / m)
    xp.subtract(u, dx, out=dx)
    dx -= sum_u / m
    dx *= scale
    return dx


def _float_tensor(t, name, op):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a glassgrad Tensor, got {type(t).__name__}")
    if t.array.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating-point tensor, got dtype {t.array.dtype}")


def _check_vector(t, name, shape, dtype, op):
    """A per-channel (or per-feature) tensor: None, or a float Tensor of exactly ``shape``."""
    if t is None:
        return
    _float_tensor(t, name, op)
    if tuple(t.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {tuple(shape)}, got {tuple(t.shape)}")
    if t.array.dtype != dtype:
        raise TypeError(f"{op}: {name} has dtype {t.array.dtype} but the input is {dtype}; "
                        "convert one of them")


# ===================================================================== batch norm
def _channel_shape(x):
    """(1, C, 1, ...): a per-channel vector's shape, broadcastable against x (N, C, ...)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _standardise_by(x, running_mean, running_var, eps):
    """(x_hat, r) with given per-channel statistics: r = 1 / sqrt(var + eps),
    x_hat = (x - mean) r, computed in that order (as PyTorch's evaluation mode)."""
    shape = _channel_shape(x)
    r = 1.0 / xp.sqrt(running_var.reshape(shape) + eps)
    x_hat = x - running_mean.reshape(shape)
    x_hat *= r
    return x_hat, r


def _scale_and_shift(x_hat, weight, bias):
    """gamma x_hat + beta per channel, each optional. (+ 0.0 instead of a copy without
    gamma: a zero comes out +0.0, as from torch's x r - mu r + 0.)"""
    shape = _channel_shape(x_hat)
    y = x_hat * weight.reshape(shape) if weight is not None else x_hat + 0.0
    if bias is not None:
        y += bias.reshape(shape)
    return y


class BatchNorm(Normalization):
    label = "batch_norm"
    rule = (r"\hat x = (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon},\ y = \gamma \hat x + \beta,\ "
            r"\partial x = \frac{r}{M}(M g - \sum g - \hat x \sum g \hat x),\ g = \gamma\,\partial y")
    plain = "xhat = (x - mu_B) / sqrt(sigma_B^2 + eps), y = gamma xhat + beta, d x = r/M(M g - sum g - xhat sum g xhat), g = gamma d y"
    form = ("batch_norm({...})", r"\mathrm{batch\_norm}({...})")
    float_only = True

    def forward(ctx, x, weight, bias, running_mean=None, running_var=None, training=True,
                eps=1e-5, batch_stats=None):
        # x_hat = (x - mu) r, r = 1 / sqrt(sigma^2 + eps), per channel;  y = gamma x_hat + beta
        # (mu, sigma^2 the batch's in training, else the running statistics)
        ctx.axes = axes = (0,) + tuple(range(2, x.ndim))  # every axis but the channels'
        ctx.training = training
        if training:
            x_hat, mean, var, r = _standardise(x, axes, eps)
            if batch_stats is not None:
                # handed to batch_norm(), which updates the running statistics; forward
                # itself changes nothing, so re-running it (gradcheck) is harmless
                batch_stats[:] = [mean.reshape(-1), var.reshape(-1)]
        else:
            x_hat, r = _standardise_by(x, running_mean, running_var, eps)
        y = _scale_and_shift(x_hat, weight, bias)
        ctx.save_for_backward(x_hat, r, weight)
        return y

    def backward(ctx, upstream):
        # dL/dbeta = sum dL/dy,  dL/dgamma = sum dL/dy x_hat  (per channel);  with
        # g = gamma dL/dy: training dL/dx = r/M (M g - sum g - x_hat sum g x_hat), else g r
        x_hat, r, weight = ctx.saved
        axes, need = ctx.axes, ctx.needs_input_grad
        through_stats = need[0] and ctx.training  # through mu_B and sigma_B too
        # the two per-channel sums serve all three gradients
        sum_u = xp.add.reduce(upstream, axis=axes) if through_stats or need[2] else None
        sum_ux = _sum_of_products(upstream, x_hat, axes) if through_stats or need[1] else None
        d_x = None
        if need[0]:
            scale = r * weight.reshape(r.shape) if weight is not None else r  # gamma r
            if through_stats:  # the closed form
                d_x = _standardise_backward(upstream, x_hat, scale, axes,
                                            sum_u.reshape(r.shape), sum_ux.reshape(r.shape))
            else:
                d_x = upstream * scale  # running statistics are constants
        return d_x, (sum_ux if need[1] else None), (sum_u if need[2] else None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Batch normalisation over the channel dim 1 of an (N, C, ...) input.

    Training: each channel is standardised with the batch's mean \mu_B and biased variance
    \sigma_B^2 over N and every spatial position (M numbers per channel),
    y = \gamma (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon} + \beta; and, when given, the
    running statistics are updated in place, as PyTorch does:

        running_mean <- (1 - momentum) running_mean + momentum \mu_B
        running_var  <- (1 - momentum) running_var + momentum \sigma_B^2 M / (M - 1)

    (the running variance is the unbiased one). Evaluation (``training=False``): the
    running statistics replace \mu_B and \sigma_B^2 and nothing is updated.

    Backward (one fused node), with g = \gamma \partial L/\partial y per position:
    training: \partial L/\partial x = \frac{r}{M}(M g - \sum g - \hat x \sum g \hat x),
    r = 1/\sqrt{\sigma_B^2+\epsilon}, sums over the channel's M positions;
    evaluation: \partial L/\partial x = g r.
    """
    op = "batch_norm"
    _float_tensor(input, "input", op)
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C) or (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    channels, dtype = input.shape[1], input.array.dtype
    rm = _running(running_mean, "running_mean", channels, dtype, op)
    rv = _running(running_var, "running_var", channels, dtype, op)
    _check_vector(weight, "weight", (channels,), dtype, op)
    _check_vector(bias, "bias", (channels,), dtype, op)
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm: running_mean and running_var are required when "
                         "training=False (evaluation uses the running statistics)")
    if training and input.array.size // max(channels, 1) <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)}")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        raise TypeError(f"batch_norm: momentum must be a number, got {momentum!r}")
    if not training:
        return BatchNorm.apply(input, weight, bias, running_mean=rm, running_var=rv,
                               training=False, eps=float(eps))
    stats = []
    out = BatchNorm.apply(input, weight, bias, training=True, eps=float(eps), batch_stats=stats)
    mean, var = stats
    # torch's update: the running mean of the batch means, and of the UNBIASED batch
    # variances (M/(M-1) sigma^2), although x_hat used the biased one
    m = input.array.size // channels
    if rm is not None:
        rm *= 1.0 - momentum
        rm += momentum * mean
        running_mean._bump()  # changed in place: its version moves on, as in PyTorch
    if rv is not None:
        rv *= 1.0 - momentum
        rv += (momentum * m / (m - 1)) * var
        running_var._bump()
    return out


def _running(t, name, channels, dtype, op):
    if t is None:
        return None
    _check_vector(t, name, (channels,), dtype, op)
    if t.requires_grad:
        raise RuntimeError(f"{op}: {name} must not require grad (it is a buffer, updated in place)")
    return t.array


# ===================================================================== layer norm
class LayerNorm(Normalization):
    label = "layer_norm"
    rule = (r"\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}\ \text{over the last dims},\ "
            r"y = \gamma \hat x + \beta,\ \partial x = \frac{r}{M}(M g - \sum g - \hat x \sum g \hat x)")
    plain = "xhat = (x - mu) / sqrt(sigma^2 + eps) over the last dims, y = gamma xhat + beta, d x = r/M(M g - sum g - xhat sum g xhat)"
    form = ("layer_norm({...})", r"\mathrm{layer\_norm}({...})")
    float_only = True

    def forward(ctx, x, weight, bias, n_dims=1, eps=1e-5):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        x_hat, _, _, r = _standardise(x, axes, eps)
        # (+ 0.0 instead of a copy: a zero comes out +0.0, as from torch's x r - mu r + 0)
        y = x_hat * weight if weight is not None else x_hat + 0.0
        if bias is not None:
            y += bias
        ctx.axes = axes
        ctx.save_for_backward(x_hat, r, weight)
        return y

    def backward(ctx, upstream):
        x_hat, r, weight = ctx.saved
        need = ctx.needs_input_grad
        lead = tuple(range(x_hat.ndim - len(ctx.axes)))  # the axes gamma is shared across
        d_x = d_w = d_b = None
        if need[0]:
            g = upstream * weight if weight is not None else upstream
            d_x = _standardise_backward(g, x_hat, r, ctx.axes)
        if len(need) > 1 and need[1]:
            d_w = _sum_of_products(upstream, x_hat, lead)
        if len(need) > 2 and need[2]:
            d_b = xp.add.reduce(upstream, axis=lead)
        return d_x, d_w, d_b


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Layer normalisation over the last ``len(normalized_shape)`` dims of each sample.

    \hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon} with the mean and biased variance of
    those M numbers, y = \gamma \hat x + \beta (\gamma, \beta of shape normalized_shape).
    One fused node; backward:
    \partial L/\partial x = \frac{r}{M}(M g - \sum g - \hat x \sum g \hat x), g = \gamma \partial L/\partial y.
    """
    op = "layer_norm"
    _float_tensor(input, "input", op)
    shape = _normalized_shape(normalized_shape, op)
    if len(shape) == 0 or tuple(input.shape[input.ndim - len(shape):]) != shape \
            or input.ndim < len(shape):
        raise ValueError(f"layer_norm: input of shape {tuple(input.shape)} must end with "
                         f"normalized_shape {shape}")
    _check_vector(weight, "weight", shape, input.array.dtype, op)
    _check_vector(bias, "bias", shape, input.array.dtype, op)
    return LayerNorm.apply(input, weight, bias, n_dims=len(shape), eps=float(eps))


def _normalized_shape(normalized_shape, op):
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, xp.integer)) \
        else tuple(normalized_shape)
    if any(isinstance(s, bool) or not isinstance(s, (int, xp.integer)) or s < 0 for s in shape):
        raise TypeError(f"{op}: normalized_shape must be an int or a sequence of ints >= 0, "
                        f"got {normalized_shape!r}")
    return tuple(int(s) for s in shape)


# ===================================================================== group norm
class GroupNorm(Normalization):
    label = "group_norm"
    rule = (r"\hat x = (x - \mu_g) / \sqrt{\sigma_g^2 + \epsilon}\ \text{per sample and group},\ "
            r"y = \gamma_c \hat x + \beta_c")
    plain = "xhat = (x - mu_g) / sqrt(sigma_g^2 + eps) per sample and group, y = gamma_c xhat + beta_c"
    form = ("group_norm({...})", r"\mathrm{group\_norm}({...})")
    float_only = True

    def forward(ctx, x, weight, bias, num_groups=1, eps=1e-5):
        n, c = x.shape[0], x.shape[1]
        grouped = x.reshape(n, num_groups, -1)  # a group's channels and positions in a row
        x_hat, _, _, r = _standardise(grouped, (2,), eps)
        x_hat = x_hat.reshape(x.shape)
        shape = (1, c) + (1,) * (x.ndim - 2)
        # (a copy: torch's group norm, x r - mu r, adds no + 0 that would turn -0.0 into +0.0)
        y = x_hat * weight.reshape(shape) if weight is not None else x_hat.copy()
        if bias is not None:
            y += bias.reshape(shape)
        ctx.num_groups = num_groups
        ctx.save_for_backward(x_hat, r, weight)
        return y

    def backward(ctx, upstream):
        x_hat, r, weight = ctx.saved
        need = ctx.needs_input_grad
        n, c = x_hat.shape[0], x_hat.shape[1]
        shape = (1, c) + (1,) * (x_hat.ndim - 2)
        axes = (0,) + tuple(range(2, x_hat.ndim))  # gamma_c is shared over N and positions
        d_x = d_w = d_b = None
        if need[0]:
            g = upstream * weight.reshape(shape) if weight is not None else upstream
            groups = (n, ctx.num_groups, -1)
            d_x = _standardise_backward(g.reshape(groups), x_hat.reshape(groups), r, (2,))
            d_x = d_x.reshape(x_hat.shape)
        if len(need) > 1 and need[1]:
            d_w = _sum_of_products(upstream, x_hat, axes)
        if len(need) > 2 and need[2]:
            d_b = xp.add.reduce(upstream, axis=axes)
        return d_x, d_w, d_b


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    r"""Group normalisation of an (N, C, ...) input: the C channels are split into
    ``num_groups`` groups and each sample's group is standardised over its channels and
    positions (mean and biased variance), then y = \gamma_c \hat x + \beta_c per channel.
    Backward as layer_norm's, per (sample, group).
    """
    op = "group_norm"
    _float_tensor(input, "input", op)
    if input.ndim < 2:
        raise ValueError(f"group_norm: input must be (N, C, ...), got shape {tuple(input.shape)}")
    c = input.shape[1]
    if isinstance(num_groups, bool) or not isinstance(num_groups, (int, xp.integer)) \
            or num_groups < 1 or c % num_groups:
        raise ValueError(f"group_norm: num_groups must be a positive int dividing the number "
                         f"of channels {c}, got {num_groups!r}")
    _check_vector(weight, "weight", (c,), input.array.dtype, op)
    _check_vector(bias, "bias", (c,), input.array.dtype, op)
    return GroupNorm.apply(input, weight, bias, num_groups=int(num_groups), eps=float(eps))


# ===================================================================== normalize, cosine
def _p_norm(x, p, axis):
    """||x||_p along ``axis`` (kept), and the local derivative d||x||_p / dx."""
    if p == 2:
        n = xp.sqrt(xp.add.reduce(x * x, axis=axis, keepdims=True))
        with xp.errstate(divide="ignore", invalid="ignore"):
            dn = xp.where(n == 0, 0, x / n)  # torch: 0 at a zero vector
        return n, dn
    a = xp.abs(x)
    if p == math.inf:
        n = a.max(axis=axis, keepdims=True)
        at_max = (a == n) & (n > 0)
        # torch splits the gradient evenly among tied maxima
        dn = xp.sign(x) * at_max / xp.maximum(at_max.sum(axis=axis, keepdims=True), 1)
        return n, dn.astype(x.dtype)
    n = xp.add.reduce(a ** p, axis=axis, keepdims=True) ** (1.0 / p)
    with xp.errstate(divide="ignore", invalid="ignore"):
        dn = xp.where(n == 0, 0, xp.sign(x) * (a / n) ** (p - 1))
    return n, dn.astype(x.dtype)


class Normalize(Normalization):
    label = "normalize"
    rule = (r"y = x / \max(\|x\|_p, \epsilon),\ \partial x = g / d - "
            r"[\|x\|_p > \epsilon]\,(\sum g x) / d^2 \cdot \partial\|x\|_p/\partial x")
    plain = "y = x / max(||x||_p, eps), d x = g / d - [||x||_p > eps] (sum g x) / d^2 * d||x||_p/d x"
    form = ("normalize({...})", r"\mathrm{normalize}({...})")
    float_only = True

    def forward(ctx, x, p=2.0, dim=1, eps=1e-12):
        n, dn = _p_norm(x, p, dim)
        d = xp.maximum(n, eps).astype(x.dtype, copy=False)
        y = x / d
        ctx.dim = dim
        ctx.save_for_backward(y, d, dn * (n > eps))  # clamped: no gradient through the norm
        return y

    def backward(ctx, upstream):
        y, d, dn = ctx.saved
        # (sum_j g_j x_j) / d^2 as (sum_j g_j y_j) / d: the same number, but neither the
        # sum nor d^2 overflows for a huge x (|y_j| <= 1), where inf / inf gave nan
        s = xp.add.reduce(upstream * y, axis=ctx.dim, keepdims=True)
        return upstream / d - (s / d) * dn


def normalize(input, p=2.0, dim=1, eps=1e-12):
    r"""Divide by the p-norm along ``dim``: y = x / \max(\|x\|_p, \epsilon).

    Backward, with d = \max(\|x\|_p, \epsilon): \partial L/\partial x = g/d - (\sum_j g_j x_j)/d^2
    \cdot \partial\|x\|_p/\partial x, the second term only where \|x\|_p > \epsilon;
    for p = 2, \partial\|x\|_2/\partial x = x / \|x\|_2.
    """
    _float_tensor(input, "input", "normalize")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not p > 0:
        raise ValueError(f"normalize: p must be a positive number (or inf), got {p!r}")
    if input.ndim == 0:
        raise ValueError("normalize: input must have at least one dimension, got a 0-d tensor")
    dim = _dim_index(dim, input.ndim, "normalize")
    return Normalize.apply(input, p=float(p), dim=dim, eps=float(eps))


def _dim_index(dim, ndim, op):
    if isinstance(dim, bool) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a {ndim}-D tensor "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return int(dim) % n


class CosineSimilarity(Normalization):
    label = "cosine_similarity"
    rule = (r"c = \sum_k \frac{x_{1k}}{\max(\|x_1\|, \epsilon)} \frac{x_{2k}}{\max(\|x_2\|, \epsilon)},\ "
            r"\partial x_1 = g (u_2 - c\,x_1 / \|x_1\|) / d_1 \ \text{(where } \|x_1\| > 0)")
    plain = "c = sum_k x_1k/(max(||x_1||, eps)) x_2k/(max(||x_2||, eps)), d x_1 = g (u_2 - c x_1 / ||x_1||) / d_1 (where ||x_1|| > 0)"
    form = ("cosine_similarity({...})", r"\mathrm{cosine\_similarity}({...})")
    float_only = True

    def forward(ctx, x1, x2, dim=1, eps=1e-8):
        # torch's formula (ATen Distance.cpp): each vector divided by its norm clamped at
        # eps (the clamp is invisible to autograd), then the dot product.
        x1, x2 = xp.broadcast_arrays(x1, x2)
        n1, dn1 = _p_norm(x1, 2, dim)
        n2, dn2 = _p_norm(x2, 2, dim)
        d1 = xp.maximum(n1, eps).astype(x1.dtype, copy=False)
        d2 = xp.maximum(n2, eps).astype(x2.dtype, copy=False)
        u1, u2 = x1 / d1, x2 / d2
        ctx.dim = dim
        ctx.save_for_backward(u1, u2, d1, d2, dn1, dn2)
        return xp.add.reduce(u1 * u2, axis=dim)

    def backward(ctx, upstream):
        u1, u2, d1, d2, dn1, dn2 = ctx.saved
        g = xp.expand_dims(upstream, ctx.dim)  # the same upstream for every k of a vector
        need = ctx.needs_input_grad
        d_x1 = d_x2 = None
        if need[0]:
            gu1 = g * u2  # dL/du1
            # u1 = x1 / d1: dL/dx1 = gu1 / d1 - (sum gu1 x1) / d1^2 * d||x1||/dx1
            d_x1 = (gu1 - xp.add.reduce(gu1 * u1, axis=ctx.dim, keepdims=True) * dn1) / d1
        if need[1]:
            gu2 = g * u1
            d_x2 = (gu2 - xp.add.reduce(gu2 * u2, axis=ctx.dim, keepdims=True) * dn2) / d2
        return d_x1, d_x2


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Cosine of the angle between x1 and x2 along ``dim`` (broadcast against each other):
    c = \sum_k x_{1k} x_{2k} / (\max(\|x_1\|, \epsilon) \max(\|x_2\|, \epsilon)).

    Backward, with u_i = x_i / d_i and d_i = \max(\|x_i\|, \epsilon):
    \partial L/\partial x_1 = g (u_2 - (u_1 \cdot u_2) \partial\|x_1\|/\partial x_1) / d_1, symmetric in x_2.
    """
    op = "cosine_similarity"
    _float_tensor(x1, "x1", op)
    _float_tensor(x2, "x2", op)
    try:
        shape = xp.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise ValueError(f"{op}: x1 of shape {tuple(x1.shape)} and x2 of shape "
                         f"{tuple(x2.shape)} do not broadcast") from None
    if x1.array.dtype != x2.array.dtype:
        raise TypeError(f"{op}: x1 is {x1.array.dtype} but x2 is {x2.array.dtype}; convert one")
    if len(shape) == 0:
        raise ValueError(f"{op}: inputs must have at least one dimension")
    dim = _dim_index(dim, len(shape), op)
    return CosineSimilarity.apply(x1, x2, dim=dim, eps=float(eps))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""The p-norm distance between the rows of x1 and x2 (broadcast together) along the
    last dim, as PyTorch: \|x_1 - x_2 + \epsilon\|_p (the eps keeps the gradient finite
    where the two coincide). Composed of sub, add and norm."""
    return (x1 - x2 + eps).norm(p, dim=-1, keepdim=keepdim)


__all__ += ["pairwise_distance"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    r"""Instance normalisation of an (N, C, ...) input: every (sample, channel) slice is
    standardised over its positions, y = \gamma_c (x - \mu_{nc}) / \sqrt{\sigma^2_{nc} +
    \epsilon} + \beta_c. As in PyTorch, this is batch_norm on the input seen as one sample
    with N*C channels (the running statistics and \gamma, \beta repeated N times), and the
    running statistics it updates are averaged back over the N samples."""
    n, c = input.shape[:2]
    flat = input.reshape(1, n * c, *input.shape[2:])
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    if running_mean is None and running_var is None:
        return batch_norm(flat, None, None, w, b, True, momentum, eps).reshape(input.shape)
    if not use_input_stats:
        return batch_norm(flat, running_mean.repeat(n), running_var.repeat(n), w, b, False,
                          momentum, eps).reshape(input.shape)
    mean_n = Tensor._wrap(xp.tile(running_mean.array, n))
    var_n = Tensor._wrap(xp.tile(running_var.array, n))
    out = batch_norm(flat, mean_n, var_n, w, b, True, momentum, eps)
    running_mean.array[...] = mean_n.array.reshape(n, c).mean(axis=0)  # back to one per channel
    running_var.array[...] = var_n.array.reshape(n, c).mean(axis=0)
    running_mean._bump()
    running_var._bump()
    return out.reshape(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""RMS normalisation over the last dims: y = x / \sqrt{\overline{x^2} + \epsilon}
    \cdot \gamma (no mean subtracted; \epsilon defaults to the dtype's machine epsilon, as
    in PyTorch). Composed of mul, mean, add, rsqrt and mul, so the gradient follows."""
    shape = _normalized_shape(normalized_shape, "rms_norm")
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise ValueError(f"rms_norm: the last dims of the input of shape {tuple(input.shape)} "
                         f"must be normalized_shape {shape}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    if eps is None:
        eps = float(xp.finfo(input.dtype).eps)
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


__all__ += ["instance_norm", "rms_norm"]
