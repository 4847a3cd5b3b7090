"""More convolution, pooling and resampling layers, as torch.nn has them: Conv1d,
ConvTranspose1d, ConvTranspose2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d,
AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample, Unfold, Fold.

Each layer holds its parameters and calls one op from ``glassgrad.ops`` (also exported by
``glassgrad.nn.functional``). Constructor arguments, initialisation (drawn from the global
generator, so ``manual_seed`` fixes them), ``state_dict`` names and ``repr`` follow PyTorch.
"""

from ..ops.conv_transpose import conv1d, conv_transpose1d, conv_transpose2d
from ..ops.resample import (
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, interpolate,
    max_pool1d,
)
from ..ops.im2col import fold, unfold
from ..ops.shape import pad
from ..tensor import Tensor
from .layers import (
    _ConvNd, _MaxPoolNd, _check_channels, _check_device, _check_input, _empty_parameter,
    _float_dtype, _single,
)
from .module import Module

__all__ = [
    "Conv1d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "AvgPool1d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample", "Unfold", "Fold",
]


def _check_layer_input(module, input, dims):
    """Refuse an input of the wrong dtype, rank or channel count, naming the layer."""
    dtype = module.weight.array.dtype
    if (not isinstance(input, Tensor) or input.array.dtype != dtype
            or input.array.ndim not in (dims + 1, dims + 2)
            or input.array.shape[-dims - 1] != module.in_channels):
        spatial = "L" if dims == 1 else "H, W"
        _check_input(repr(module), input, dtype,
                     f"a (N, {module.in_channels}, {spatial}) or ({module.in_channels}, "
                     f"{spatial}) input")


# ===================================================================== Conv1d
class Conv1d(_ConvNd):
    r"""1-D cross-correlation over (N, C_in, L) signals, as PyTorch's Conv1d.

    weight: (C_out, C_in / groups, K), bias: (C_out,), both uniform on
    [-1/\sqrt{fan_in}, 1/\sqrt{fan_in}] with fan_in = C_in / groups * K. Output length
    floor((L + 2 padding - dilation (K - 1) - 1) / stride) + 1. ``padding_mode`` other than
    'zeros' pads with F.pad in that mode first, as PyTorch does.
    """

    _size = staticmethod(_single)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        # Spelled out (as torch does) so that help() and Python's argument errors name Conv1d.
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        _check_layer_input(self, input, 1)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        if self.padding_mode != "zeros":
            if padding == "same":  # total d(K-1), the odd one on the right, as PyTorch
                total = self.dilation[0] * (self.kernel_size[0] - 1)
                left, right = total // 2, total - total // 2
            else:
                left = right = 0 if padding == "valid" else padding
            input = pad(input, (left, right), mode=self.padding_mode)
            padding = 0
        return conv1d(input, self.weight, self.bias, self.stride, padding, self.dilation,
                      self.groups)


# ===================================================================== ConvTranspose
class _ConvTranspose(_ConvNd):
    """The shared constructor of ConvTranspose1d/2d: weight (C_in, C_out / groups, *kernel),
    PyTorch's initialisation (fan_in = C_out / groups * kernel size, from that shape).
    ``reset_parameters`` and ``extra_repr`` are _ConvNd's."""

    _dims = 2
    _op = staticmethod(conv_transpose2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        Module.__init__(self)  # not _ConvNd's constructor: other arguments, other checks
        owner = type(self).__name__
        self.in_channels, self.out_channels, self.groups = _check_channels(
            owner, in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f'{owner}: only "zeros" padding mode is supported, got '
                             f"{padding_mode!r}")
        _check_device(device, owner)
        size = self._size
        self.kernel_size = size(kernel_size, "kernel_size", owner, 1)
        self.stride = size(stride, "stride", owner, 1)
        self.padding = size(padding, "padding", owner, 0)
        self.output_padding = size(output_padding, "output_padding", owner, 0)
        self.dilation = size(dilation, "dilation", owner, 1)
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if op >= max(s, d):
                raise ValueError(f"{owner}: output_padding {self.output_padding} must be "
                                 f"smaller than either stride {self.stride} or dilation "
                                 f"{self.dilation}")
        self.padding_mode = padding_mode
        dtype = _float_dtype(dtype, owner)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.weight = _empty_parameter(shape, dtype)
        if bias:  # one per output channel (the weight's second dim counts one group's)
            self.bias = _empty_parameter((self.out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _output_padding(self, input, output_size):
        """output_padding for a requested output size, as PyTorch's _output_padding: the
        size must lie between the smallest output, (n - 1) s - 2p + d (k - 1) + 1, and
        that plus s - 1."""
        if output_size is None:
            return self.output_padding
        dims = self._dims
        output_size = tuple(output_size)
        if len(output_size) == input.ndim:
            output_size = output_size[-dims:]  # (N, C, *spatial) or (C, *spatial) given
        if len(output_size) != dims:
            raise ValueError(f"{type(self).__name__}: for {dims}D input, output_size must have "
                             f"{dims} or {dims + 2} elements (got {len(output_size)})")
        spatial = input.shape[-dims:]
        smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(
            spatial, self.stride, self.padding, self.dilation, self.kernel_size)]
        largest = [m + s - 1 for m, s in zip(smallest, self.stride)]
        if any(not lo <= o <= hi for o, lo, hi in zip(output_size, smallest, largest)):
            raise ValueError(f"{type(self).__name__}: requested an output size of "
                             f"{list(output_size)}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of {list(spatial)})")
        return tuple(o - m for o, m in zip(output_size, smallest))

    def forward(self, input, output_size=None):
        _check_layer_input(self, input, self._dims)
        output_padding = self._output_padding(input, output_size)
        return type(self)._op(input, self.weight, self.bias, self.stride, self.padding,
                              output_padding, self.groups, self.dilation)


class ConvTranspose2d(_ConvTranspose):
    r"""2-D transposed convolution over (N, C_in, H, W), as PyTorch's ConvTranspose2d: the
    gradient of a Conv2d with respect to its input, used to upsample (a decoder's layer).

    weight: (C_in, C_out / groups, kH, kW), bias: (C_out,), uniform on
    [-1/\sqrt{fan_in}, 1/\sqrt{fan_in}] with fan_in = C_out / groups * kH * kW (PyTorch
    computes it from the weight's shape). Output size per axis:
    (n - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1; ``forward(x,
    output_size=...)`` picks output_padding to reach a given size.
    """

    _dims = 2
    _op = staticmethod(conv_transpose2d)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution over (N, C_in, L): weight (C_in, C_out / groups, K); output
    length (L - 1) stride - 2 padding + dilation (K - 1) + output_padding + 1."""

    _dims = 1
    _size = staticmethod(_single)
    _op = staticmethod(conv_transpose1d)

    def forward(self, input, output_size=None):
        _check_layer_input(self, input, 1)
        output_padding = self._output_padding(input, output_size)
        return conv_transpose1d(input, self.weight, self.bias, self.stride[0], self.padding[0],
                                output_padding[0], self.groups, self.dilation[0])


# ===================================================================== pooling
class MaxPool1d(_MaxPoolNd):
    """Maximum over each kernel_size window of (N, C, L) (stride defaults to kernel_size);
    the gradient flows to the (first) maximum of each window."""

    def forward(self, input):
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """Mean over each kernel_size window of (N, C, L) (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size, "kernel_size", "AvgPool1d", 1)
        self.stride = (self.kernel_size if stride is None
                       else _single(stride, "stride", "AvgPool1d", 1))
        self.padding = _single(padding, "padding", "AvgPool1d", 0)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                          ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _Adaptive(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_Adaptive):
    """Average pooling to a fixed output size (oh, ow), whatever the input size (torch's
    bins: floor(i H / oh) .. ceil((i + 1) H / oh)); output_size=1 is global average
    pooling."""

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(_Adaptive):
    """Average pooling of (N, C, L) to a fixed number of bins."""

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool2d(_Adaptive):
    """Max pooling to a fixed output size with torch's adaptive bins."""

    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)


# ===================================================================== Upsample
class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W) inputs to ``size`` or by ``scale_factor`` with
    ``F.interpolate`` (mode 'nearest', 'nearest-exact', 'linear' or 'bilinear')."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


# ===================================================================== Unfold / Fold
class Unfold(Module):
    """im2col: every kernel_size window of (N, C, H, W) as a column, (N, C * kH * kW, L)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """col2im: columns (N, C * kH * kW, L) added back onto their windows of an
    (N, C, *output_size) image, overlaps summed (the adjoint of Unfold)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
