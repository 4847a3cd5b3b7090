"""Linear layers: Linear (y = x W^T + b), Bilinear (y = x_1^T A x_2 + b) and Identity.

Each layer holds its Parameters and calls one op (the function ``glassgrad.nn.functional``
also exports under the same name) in ``forward``; the gradients come from those ops'
backward. Constructors, initialisation (drawn from the global generator, so
``manual_seed`` fixes them) and ``repr`` follow PyTorch, so a model printed here reads
exactly as it does there.
"""

from ..ops.linalg import bilinear, linear
from ..tensor import Tensor
from ._layer_setup import _add_weight_and_bias, _check_device, _check_input, _check_size, _default_init, _float_dtype
from . import init
from .module import Module

__all__ = [
    "Bilinear", "Identity", "Linear",
]


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


class Identity(Module):
    """Returns its input unchanged (a placeholder that keeps a model's layer numbering)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Bilinear(Module):
    r"""y = x_1^T A x_2 + b, one bilinear form per output: weight A (out_features,
    in1_features, in2_features), bias (out_features,), both uniform on
    [-1/\sqrt{in1}, 1/\sqrt{in1}] as in PyTorch. See ``glassgrad.ops.linalg.bilinear``."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = _check_size(in1_features, "in1_features", "Bilinear")
        self.in2_features = _check_size(in2_features, "in2_features", "Bilinear")
        self.out_features = _check_size(out_features, "out_features", "Bilinear")
        _check_device(device, "Bilinear")
        dtype = _float_dtype(dtype, "Bilinear")
        _add_weight_and_bias(self, (self.out_features, self.in1_features, self.in2_features), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / self.in1_features ** 0.5 if self.in1_features else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
