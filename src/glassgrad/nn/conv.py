"""Convolution layers, as torch.nn has them: Conv1d, Conv2d, ConvTranspose1d,
ConvTranspose2d, and the patch layers Unfold and Fold.

Each layer holds its parameters and calls one op of ``glassgrad.ops.convolution`` (also
exported by ``glassgrad.nn.functional``). Constructor arguments, initialisation (drawn
from the global generator, so ``manual_seed`` fixes them), ``state_dict`` names and
``repr`` follow PyTorch.
"""

from ..ops.convolution import _conv_padding, conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold
from ..ops.shape import pad
from ..tensor import Tensor
from ._layer_setup import (
    _add_weight_and_bias, _check_channels, _check_device, _check_input, _check_layer_input,
    _default_init, _empty_parameter, _float_dtype, _pair, _single,
)
from .module import Module

__all__ = [
    "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Unfold", "Fold",
]


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    r"""What the convolution layers share, as PyTorch's _ConvNd: the checked constructor of
    Conv1d and Conv2d (each passes its arguments on), PyTorch's initialisation and repr
    (ConvTranspose1d/2d keep their own constructor and share the rest).

    ``_size`` turns an int or a tuple into a size tuple of the layer's rank, naming the
    layer and the argument when it cannot: ``_pair`` for 2-D layers, ``_single`` for 1-D.
    """

    _size = staticmethod(_pair)

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, padding_mode, device, dtype):  # the defaults are the subclass's
        super().__init__()
        owner, size = type(self).__name__, self._size
        self.in_channels, self.out_channels, self.groups = _check_channels(
            owner, in_channels, out_channels, groups)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{owner}: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                             f"'circular', got {padding_mode!r}")
        _check_device(device, owner)
        self.kernel_size = size(kernel_size, "kernel_size", owner, 1)
        self.stride = size(stride, "stride", owner, 1)
        self.dilation = size(dilation, "dilation", owner, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                ints = "an int" if size is _single else "ints"
                raise ValueError(f"{owner}: padding must be 'same', 'valid' or {ints}, got "
                                 f"{padding!r}")
            if padding == "same" and self.stride != (1,) * len(self.stride):
                raise ValueError(f"{owner}: padding='same' is not supported for strided "
                                 "convolutions")
            self.padding = padding
        else:
            self.padding = size(padding, "padding", owner, 0)
        self.padding_mode = padding_mode
        dtype = _float_dtype(dtype, owner)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        _add_weight_and_bias(self, shape, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh weights as PyTorch does: weight, then bias, from the global generator."""
        _default_init(self.weight, self.bias)

    def extra_repr(self):
        # PyTorch's format: defaults are left out, sizes are shown as tuples.
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        output_padding = getattr(self, "output_padding", ())  # transposed layers only
        if output_padding != (0,) * len(output_padding):
            s += f", output_padding={output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    r"""2-D cross-correlation over (N, C_in, H, W) images, as PyTorch's Conv2d.

    weight: (C_out, C_in / groups, kH, kW), bias: (C_out,), both uniform on
    [-1/\sqrt{fan_in}, 1/\sqrt{fan_in}] with fan_in = C_in / groups * kH * kW.
    Output size per spatial dimension:
    floor((n + 2 padding - dilation (k - 1) - 1) / stride) + 1.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        # Spelled out (as torch does) so that help() and Python's argument errors name Conv2d.
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        dtype = self.weight.array.dtype
        if (
            not isinstance(input, Tensor)
            or input.array.dtype != dtype
            or input.array.ndim not in (3, 4)
            or input.array.shape[-3] != self.in_channels
        ):
            _check_input(
                repr(self), input, dtype,
                f"a (N, {self.in_channels}, H, W) or ({self.in_channels}, H, W) input",
            )
        padding = self.padding
        if self.padding_mode != "zeros":
            # As PyTorch: pad explicitly in that mode, then convolve without padding.
            top, bottom, left, right = _conv_padding(padding, self.kernel_size, self.dilation,
                                                     self.stride)
            input = pad(input, (left, right, top, bottom), mode=self.padding_mode)
            padding = 0
        return conv2d(
            input, self.weight, self.bias, stride=self.stride, padding=padding,
            dilation=self.dilation, groups=self.groups,
        )


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
