r"""Normalisation layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d,
InstanceNorm2d, RMSNorm.

Each calls one fused op of ``glassgrad.ops.normalization`` (forward and closed-form
backward there). The state follows PyTorch name for name, so state_dicts load across:

- parameters ``weight`` (\gamma, ones) and ``bias`` (\beta, zeros) when affine;
- BatchNorm buffers ``running_mean`` (zeros), ``running_var`` (ones) and
  ``num_batches_tracked`` (an int64 count) when ``track_running_stats``.

Batch norm in training mode normalises with the batch's statistics and folds them into
the running ones, running <- (1 - momentum) running + momentum batch (the variance
unbiased); ``momentum=None`` makes it the plain average of all batches so far
(momentum = 1 / num_batches_tracked). In eval mode it uses the running statistics.
"""

from ..backend import xp
from ..ops.normalization import (
    _normalized_shape, batch_norm, group_norm, instance_norm, layer_norm, rms_norm,
)
from ..tensor import Tensor
from ._layer_setup import _check_device, _float_dtype
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm"]


def _count(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, (int, xp.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _affine_parameters(module, shape, weight, bias, dtype):
    r"""\gamma = ones and \beta = zeros of ``shape``, or None entries, as PyTorch registers them."""
    if weight:
        module.weight = Parameter(Tensor._wrap(xp.ones(shape, dtype=dtype)))
    else:
        module.register_parameter("weight", None)
    if bias:
        module.bias = Parameter(Tensor._wrap(xp.zeros(shape, dtype=dtype)))
    else:
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    _dims = ()  # input dims the subclass accepts
    _expected = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        owner = type(self).__name__
        self.num_features = _count(num_features, "num_features", owner)
        if momentum is not None and (isinstance(momentum, bool)
                                     or not isinstance(momentum, (int, float))):
            raise TypeError(f"{owner}: momentum must be a number or None, got {momentum!r}")
        _check_device(device, owner)
        dtype = _float_dtype(dtype, owner)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (self.num_features,), affine, affine and bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(xp.zeros(self.num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor._wrap(xp.ones(self.num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(xp.array(0, dtype=xp.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            self.weight._bump()
            if self.bias is not None:
                self.bias.array[...] = 0
                self.bias._bump()

    def forward(self, input):
        if not isinstance(input, Tensor) or input.ndim not in self._dims:
            got = f"{input.ndim}D input" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"{type(self).__name__}: expected {self._expected} (got {got})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels on "
                             f"dim 1, got input of shape {tuple(input.shape)}")
        # PyTorch's module logic: count the batch, choose the averaging factor, and use the
        # batch statistics in training (or when there are no running statistics at all).
        factor = 0.0 if self.momentum is None else self.momentum
        count = self.num_batches_tracked
        counting = self.training and self.track_running_stats and count is not None
        if counting and self.momentum is None:
            factor = 1.0 / float(int(count.array) + 1)  # the average over all batches so far
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        out = batch_norm(
            input, self.running_mean if track else None, self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )
        if counting:  # after batch_norm accepted the input: a refused batch changes nothing
            count.array += 1
            count._bump()
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation of (N, C) or (N, C, L) inputs, per channel C (see the module
    docstring): y = \gamma (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon} + \beta."""

    _dims = (2, 3)
    _expected = "2D or 3D input (N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation of (N, C, H, W) images, per channel over N, H and W:
    y = \gamma (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon} + \beta."""

    _dims = (4,)
    _expected = "4D input (N, C, H, W)"


class LayerNorm(Module):
    r"""Layer normalisation over the last dims (``normalized_shape``) of every sample:
    y = \gamma (x - \mu) / \sqrt{\sigma^2 + \epsilon} + \beta, with \gamma, \beta of shape
    normalized_shape (when ``elementwise_affine``; ``bias=False`` drops \beta). The same
    in training and eval mode: no running statistics.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        _check_device(device, "LayerNorm")
        dtype = _float_dtype(dtype, "LayerNorm")
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine,
                           elementwise_affine and bias, dtype)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    r"""Group normalisation: the C channels of an (N, C, ...) input in ``num_groups``
    groups, each sample's group standardised over its channels and positions, then
    y = \gamma_c \hat x + \beta_c per channel. Independent of the batch size."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        self.num_groups = _count(num_groups, "num_groups", "GroupNorm")
        self.num_channels = _count(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ValueError("GroupNorm: num_channels must be divisible by num_groups, got "
                             f"{num_channels} channels and {num_groups} groups")
        _check_device(device, "GroupNorm")
        dtype = _float_dtype(dtype, "GroupNorm")
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (self.num_channels,), affine, affine and bias, dtype)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """Instance normalisation: each (sample, channel) standardised over its positions
    (F.instance_norm). PyTorch's defaults differ from batch norm's: no affine parameters
    and no running statistics unless asked for."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        # (num_batches_tracked is kept, as PyTorch keeps it, for the state dict's names,
        # and, as there, instance norm never counts with it)
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input):
        if not isinstance(input, Tensor) or input.ndim not in self._dims:
            got = f"{input.ndim}D input" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"{type(self).__name__}: expected {self._expected} (got {got})")
        unbatched = input.ndim == min(self._dims)
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels, "
                             f"got input of shape {tuple(input.shape)}")
        out = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs."""

    _dims = (2, 3)
    _expected = "2D or 3D input (C, L) or (N, C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs (style transfer's norm)."""

    _dims = (3, 4)
    _expected = "3D or 4D input (C, H, W) or (N, C, H, W)"


class RMSNorm(Module):
    r"""RMS normalisation over the last dims (F.rms_norm): y = x / \sqrt{\overline{x^2} +
    \epsilon} \cdot \gamma, \gamma of shape normalized_shape (ones) when
    ``elementwise_affine``; \epsilon None means the dtype's machine epsilon."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        owner = "RMSNorm"
        _check_device(device, owner)
        dtype = _float_dtype(dtype, owner)
        self.normalized_shape = _normalized_shape(normalized_shape, owner)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(Tensor._wrap(xp.ones(self.normalized_shape, dtype=dtype)))
        else:
            self.register_parameter("weight", None)

    def forward(self, input):
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


__all__ += ["InstanceNorm1d", "InstanceNorm2d", "RMSNorm"]
