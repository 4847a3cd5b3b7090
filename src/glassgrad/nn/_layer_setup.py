"""What the layer constructors share: argument checks that name the layer and the argument
when they fail, and a weight and bias created and initialised as PyTorch does.
"""

import math

from ..backend import get_default_dtype, xp
from ..device import cpu_only
from ..tensor import Tensor
from . import init
from .module import Parameter


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
