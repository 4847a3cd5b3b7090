"""Layers with weights or modes: Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, Dropout, Identity.

Each layer holds its Parameters and calls one op (the function ``glassgrad.nn.functional``
also exports under the same name) in ``forward``; the gradients come from those ops' backward. Constructors, initialisation
(drawn from the global generator, so ``manual_seed`` fixes them) and ``repr`` follow
PyTorch, so a model printed here reads exactly as it does there.
"""

import math

from ..backend import get_default_dtype, xp
from ..device import cpu_only
from ..tensor import Tensor
from ..ops.linalg import linear
from ..ops.nn import _conv_padding, avg_pool2d, conv2d, dropout, max_pool2d
from ..ops.shape import pad
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "Identity"]


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_size(value, name, owner, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, xp.integer)) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _float_dtype(dtype, owner):
    dtype = get_default_dtype() if dtype is None else xp.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{owner}: parameters must be floating point, got dtype {dtype}")
    return dtype


def _empty_parameter(shape, dtype):
    return Parameter(Tensor._wrap(xp.empty(shape, dtype=dtype)))


def _add_weight_and_bias(module, weight_shape, bias, dtype):
    """Give ``module`` an uninitialised ``weight`` and a ``bias`` of one entry per output
    (the weight's first dimension), or a ``bias`` of None, as Linear and Conv2d have."""
    module.weight = _empty_parameter(weight_shape, dtype)
    if bias:
        module.bias = _empty_parameter(weight_shape[:1], dtype)
    else:
        module.register_parameter("bias", None)


def _default_init(weight, bias):
    r"""PyTorch's default for Linear and Conv2d, drawn in this order from the global generator:

    weight ~ kaiming_uniform_(a=\sqrt 5) = U(-1/\sqrt{fan_in}, 1/\sqrt{fan_in}),
    bias ~ U(-1/\sqrt{fan_in}, 1/\sqrt{fan_in}) (U(0, 0) when fan_in = 0).
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        # Linear's rule; Conv2d's (skip the bias when fan_in = 0) agrees, its fan_in is >= 1
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def _check_device(device, owner):
    cpu_only(owner, device)  # one line saying glassgrad has only the CPU


def _pair(value, name, owner, minimum):
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
    return tuple(_check_size(v, name, owner, minimum) for v in pair)


def _single(value, name, owner, minimum):
    """An int or a 1-tuple as a 1-tuple (torch keeps 1-D sizes as 1-tuples)."""
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(value) != 1:
        raise ValueError(f"{owner}: {name} must be an int or a 1-tuple, got {value!r}")
    return (_check_size(value[0], name, owner, minimum),)


def _check_channels(owner, in_channels, out_channels, groups):
    sizes = (_check_size(in_channels, "in_channels", owner, 1),
             _check_size(out_channels, "out_channels", owner, 1),
             _check_size(groups, "groups", owner, 1))
    if sizes[0] % sizes[2] or sizes[1] % sizes[2]:
        raise ValueError(f"{owner}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must both be divisible by groups ({groups})")
    return sizes


def _check_input(owner, input, dtype, expected):
    """Refuse an input the layer cannot take, naming the layer, what it got and wanted."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner} expects a glassgrad Tensor, got {type(input).__name__}")
    if input.array.dtype != dtype:
        raise TypeError(
            f"{owner} has {dtype} parameters but the input is {input.array.dtype}: convert the "
            f"input (x.float() / x.double()) or the model (model.to({input.array.dtype.name}))"
        )
    if expected is not None:
        raise ValueError(f"{owner} expects {expected}, got input of shape {tuple(input.shape)}")


class Linear(Module):
    r"""Affine map of the last dimension: y = x W^T + b.

    weight: (out_features, in_features), bias: (out_features,). Both start uniform on
    [-1/\sqrt{in}, 1/\sqrt{in}] (PyTorch's kaiming_uniform_(a=\sqrt 5) and bias rule).
    The forward is one fused op, so the graph has one node per layer and its backward is
    the textbook triple: dX = G W, dW = G^T X, db = sum over rows of G.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = _check_size(in_features, "in_features", "Linear")
        self.out_features = _check_size(out_features, "out_features", "Linear")
        _check_device(device, "Linear")
        dtype = _float_dtype(dtype, "Linear")
        _add_weight_and_bias(self, (self.out_features, self.in_features), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh weights as PyTorch does: weight, then bias, from the global generator."""
        _default_init(self.weight, self.bias)

    def forward(self, input):
        weight = self.weight
        if (
            not isinstance(input, Tensor)
            or input.array.dtype != weight.array.dtype
            or input.array.ndim == 0
            or input.array.shape[-1] != self.in_features
        ):
            _check_input(
                repr(self), input, weight.array.dtype,
                f"an input whose last dimension is in_features={self.in_features}",
            )
        return linear(input, weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


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


class _MaxPoolNd(Module):
    """The constructor and repr of MaxPool1d and MaxPool2d, as PyTorch's _MaxPoolNd (the
    sizes are checked by the op, on the first call)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """Maximum over each kernel_size window (stride defaults to kernel_size).

    The gradient flows to the one input that was the maximum of each window.
    """

    def forward(self, input):
        return max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation,
            ceil_mode=self.ceil_mode, return_indices=self.return_indices,
        )


class AvgPool2d(Module):
    """Mean over each kernel_size window (stride defaults to kernel_size).

    Each input of a window receives upstream / (window size) of that window's gradient.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return avg_pool2d(
            input, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode,
            count_include_pad=self.count_include_pad, divisor_override=self.divisor_override,
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class _DropoutNd(Module):
    """The constructor (p checked, inplace kept) and repr of Dropout and Dropout2d, as
    PyTorch's _DropoutNd."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""Inverted dropout: in training, zero each element with probability p and scale the
    survivors by 1 / (1 - p), so the expected output equals the input; in eval mode
    (``model.eval()``), the identity.

    y_i = 0 with probability p, else x_i / (1 - p)   (seed 002, with theta = p)

    The gradient is the same mask and scale: dy_i/dx_i = m_i / (1 - p). ``inplace=True``
    writes the result into the input and returns it, as in PyTorch.
    """

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)


class Identity(Module):
    """Returns its input unchanged (a placeholder that keeps a model's layer numbering)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
