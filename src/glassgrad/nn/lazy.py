"""Lazy layers: LazyLinear, LazyConv1d, LazyConv2d, whose input size is read from the
first batch, as in PyTorch.

``nn.LazyLinear(10)`` does not yet know how many features its input has, so its weight
and bias are :class:`UninitializedParameter` placeholders. The first call looks at the
input (its last dimension for Linear, its channel dimension for a convolution), gives the
placeholders their shapes, draws their initial values with the plain layer's
``reset_parameters`` (the same draws, in the same order, as ``nn.Linear(in, 10)``), and the
module then *becomes* the plain layer: ``type(m) is nn.Linear`` from then on.

The placeholders are the very objects that become the parameters, so an optimizer built
before the first call (``optim.SGD(model.parameters())``) holds the right tensors, as
PyTorch permits. Until then a placeholder has no shape: reading it is refused with
PyTorch's message, and ``load_state_dict`` into a lazy layer needs one call first.
"""

from ..backend import xp
from ..tensor import Tensor
from ._layer_setup import _check_device, _check_size, _float_dtype
from .conv import Conv1d, Conv2d
from .linear import Linear
from .module import Module, Parameter

__all__ = ["UninitializedParameter", "LazyLinear", "LazyConv1d", "LazyConv2d"]

_NO_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error "
             "usually happens in `load_state_dict` when trying to load an uninitialized "
             "parameter into an initialized one. Call `forward` to initialize the parameters "
             "before accessing their attributes.")


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet; ``materialize(shape)`` turns it, in place,
    into an ordinary (uninitialised) Parameter of that shape."""

    __slots__ = ()

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        _check_device(device, "UninitializedParameter")
        dtype = _float_dtype(dtype, "UninitializedParameter")
        return super().__new__(cls, Tensor._wrap(xp.empty((0,), dtype=dtype)), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    @property
    def shape(self):
        raise RuntimeError(_NO_SHAPE)

    def size(self, dim=None):
        raise RuntimeError(_NO_SHAPE)

    def numel(self):
        raise RuntimeError(_NO_SHAPE)

    def __repr__(self):
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo):
        copy = UninitializedParameter(self.requires_grad, dtype=self.array.dtype)
        memo[id(self)] = copy
        return copy

    def materialize(self, shape):
        """Give the placeholder its shape (values uninitialised); it becomes a Parameter."""
        self.array = xp.empty(tuple(shape), dtype=self.array.dtype)
        self._vc[0] += 1
        self.__class__ = Parameter


class _LazyMixin:
    """A lazy layer: placeholders until the first call, then the plain layer ``_becomes``."""

    _becomes = None  # the plain layer class

    def has_uninitialized_params(self):
        return any(isinstance(p, UninitializedParameter) for p in self.parameters())

    def reset_parameters(self):
        """Nothing to draw while the shapes are unknown (as PyTorch: no random numbers used)."""

    def initialize_parameters(self, input):
        """Read the input size from ``input``, shape and draw the parameters, become the
        plain layer."""
        self._set_input_size(input)
        self.weight.materialize(self._weight_shape())
        if self.bias is not None:
            self.bias.materialize(self.weight.array.shape[:1])
        self.__class__ = self._becomes
        self.reset_parameters()

    def __call__(self, *args, **kwargs):
        if args and self.has_uninitialized_params():
            self.initialize_parameters(args[0])
            return self(*args, **kwargs)  # now the plain layer
        return super().__call__(*args, **kwargs)

    def _add_placeholders(self, bias, device, dtype):
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def _input_size(self, input, dim, rank):
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name} expects a glassgrad Tensor, got {type(input).__name__}")
        if rank is not None and input.ndim not in rank:
            raise RuntimeError(f"Expected {rank[0]}D (unbatched) or {rank[1]}D (batched) input "
                               f"to {name}, but got input of size: {list(input.shape)}")
        if input.ndim == 0:
            raise RuntimeError(f"{name} expects an input with at least one dimension, got a 0-d "
                               "tensor")
        return input.shape[dim]


class LazyLinear(_LazyMixin, Linear):
    """Linear whose ``in_features`` is the last dimension of the first input."""

    _becomes = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = _check_size(out_features, "out_features", "LazyLinear")
        _check_device(device, "LazyLinear")
        self._add_placeholders(bias, device, dtype)

    def _set_input_size(self, input):
        self.in_features = self._input_size(input, -1, None)

    def _weight_shape(self):
        return (self.out_features, self.in_features)


class _LazyConv(_LazyMixin):
    """Conv1d/Conv2d whose ``in_channels`` is the channel dimension of the first input."""

    def _lazy_init(self, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode, device, dtype):
        # The plain constructor checks every argument (in_channels = groups stands in for
        # the unknown count; reset_parameters draws nothing here), then the placeholders
        # replace its parameters.
        self._becomes.__init__(self, groups, out_channels, kernel_size, stride, padding,
                               dilation, groups, bias, padding_mode, device, dtype)
        self.in_channels = 0
        self._add_placeholders(bias, device, self.weight.array.dtype)

    def _set_input_size(self, input):
        rank = self._rank
        channels = self._input_size(input, -rank - 1, (rank + 1, rank + 2))
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__}: the input has {channels} channels, which "
                             f"groups={self.groups} does not divide")
        self.in_channels = channels

    def _weight_shape(self):
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size


class LazyConv1d(_LazyConv, Conv1d):
    """Conv1d whose ``in_channels`` is read from the first (N, C, L) or (C, L) input."""

    _becomes = Conv1d
    _rank = 1

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        self._lazy_init(out_channels, kernel_size, stride, padding, dilation, groups, bias,
                        padding_mode, device, dtype)


class LazyConv2d(_LazyConv, Conv2d):
    """Conv2d whose ``in_channels`` is read from the first (N, C, H, W) or (C, H, W) input."""

    _becomes = Conv2d
    _rank = 2

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        self._lazy_init(out_channels, kernel_size, stride, padding, dilation, groups, bias,
                        padding_mode, device, dtype)
