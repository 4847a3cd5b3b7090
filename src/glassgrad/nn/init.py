"""Weight initialisation, in place, with PyTorch's names and formulas.

Every function fills its tensor without recording a graph (as under ``no_grad``), bumps
its version, returns it, and draws from the global generator (seeded by
``glassgrad.manual_seed``) unless a ``generator=`` is given.

Fans follow PyTorch: for a weight of shape (out, in, *kernel), the receptive field is
r = prod(kernel) (1 for a Linear weight), fan_in = in * r and fan_out = out * r.

=====================  ========================================================
xavier_uniform_        U(-a, a),  a = gain * sqrt(6 / (fan_in + fan_out))
xavier_normal_         N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))
kaiming_uniform_       U(-b, b),  b = gain * sqrt(3 / fan)
kaiming_normal_        N(0, s^2), s = gain / sqrt(fan)
=====================  ========================================================

with ``fan`` = fan_in (keeps the forward variance) or fan_out (keeps the backward one),
and ``gain = calculate_gain(nonlinearity, a)``. ``Linear`` and ``Conv2d`` use
``kaiming_uniform_(w, a=sqrt(5))``: gain = sqrt(2 / (1 + 5)), so b = 1 / sqrt(fan_in).
"""

import math
import numbers
import warnings

from .. import backend
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "constant_", "zeros_", "ones_", "uniform_", "normal_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]

_LINEAR_LIKE = {
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid",
}


def calculate_gain(nonlinearity, param=None):
    r"""The factor that keeps activations' variance steady through ``nonlinearity``.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: \sqrt{2};
    leaky_relu: \sqrt{2 / (1 + a^2)} with negative slope a (default 0.01); selu: 3/4.
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, numbers.Real):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as PyTorch computes them."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(shape)})"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    """Write ``values`` into ``tensor`` in place (no graph), bump its version, return it."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init functions expect a glassgrad Tensor, got {type(tensor).__name__}")
    tensor.array[...] = values
    tensor._bump()
    return tensor


def _check_float(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} expects a glassgrad Tensor, got {type(tensor).__name__}")
    if tensor.array.dtype.kind != "f":
        raise TypeError(f"{name} fills floating-point tensors, got dtype {tensor.array.dtype}")


def constant_(tensor, val):
    """Fill with the value ``val``."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with draws from the uniform distribution U(a, b)."""
    _check_float(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_ expects a <= b, got a={a}, b={b}")
    return _fill(tensor, backend.rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with draws from the normal distribution N(mean, std^2)."""
    _check_float(tensor, "normal_")
    if std < 0:
        raise ValueError(f"normal_ expects std >= 0, got {std}")
    return _fill(tensor, backend.rng(generator).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Glorot & Bengio (2010): U(-a, a) with a = gain \sqrt{6 / (fan_in + fan_out)}."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # a uniform on [-a, a] has standard deviation a / sqrt(3)
    return uniform_(tensor, -a, a, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Glorot & Bengio (2010): N(0, s^2) with s = gain \sqrt{2 / (fan_in + fan_out)}."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He et al. (2015): U(-b, b) with b = gain \sqrt{3 / fan}.

    ``a`` is the negative slope of the leaky ReLU that follows (0 means ReLU).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He et al. (2015): N(0, s^2) with s = gain / \sqrt{fan}."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, generator=generator)


# ------------------------------------------------------------------------------ schemes
# One name for a whole network's initialisation, as `glassgrad train --init` takes it.
INIT_SCHEMES = ("default", "xavier", "kaiming", "normal:STD", "constant:C")
_GAIN_NAME = {"relu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh", "sigmoid": "sigmoid",
              "identity": "linear"}


def parse_init_scheme(spec):
    """'kaiming' -> ('kaiming', None); 'normal:0.01' -> ('normal', 0.01); 'constant:0.1' ->
    ('constant', 0.1). ValueError in one line for anything else."""
    text = str(spec).strip().lower()
    name, _, arg = text.partition(":")
    if name in ("default", "xavier", "kaiming") and not arg:
        return name, None
    if name in ("normal", "constant") and arg:
        try:
            value = float(arg)
        except ValueError:
            value = None
        if value is not None and math.isfinite(value) and (name == "constant" or value > 0):
            return name, value
        need = "a positive standard deviation" if name == "normal" else "a finite number"
        raise ValueError(f"init {spec!r}: {name}: needs {need}, as in {name}:0.1")
    raise ValueError(f"init must be one of {', '.join(INIT_SCHEMES)}, got {spec!r}")


def init_scheme_(module, spec, nonlinearity="relu"):
    r"""Initialise every Linear/conv weight (ndim >= 2) of ``module`` by one scheme, in place:

    - ``default``: leave PyTorch's default (U(-1/\sqrt{fan_in}, 1/\sqrt{fan_in}));
    - ``xavier``: Glorot & Bengio (2010), U(-a, a) with a = \sqrt{6 / (fan_in + fan_out)};
    - ``kaiming``: He et al. (2015), N(0, gain^2 / fan_in), gain of ``nonlinearity``
      (\sqrt{2} for ReLU: the forward variance stays constant through ReLU layers);
    - ``normal:STD``: N(0, STD^2);
    - ``constant:C``: every weight *and bias* C (the symmetric start of seed 001).

    Biases are set to 0 except under ``default`` (kept) and ``constant:C`` (C).
    """
    name, value = parse_init_scheme(spec)
    if name == "default":
        return module
    gain_name = _GAIN_NAME.get(nonlinearity, nonlinearity)
    for m in module.modules():
        weight = getattr(m, "weight", None)
        if not isinstance(weight, Tensor) or weight.ndim < 2:
            continue
        if name == "xavier":
            xavier_uniform_(weight)
        elif name == "kaiming":
            kaiming_normal_(weight, nonlinearity=gain_name)
        elif name == "normal":
            normal_(weight, 0.0, value)
        else:
            constant_(weight, value)
        bias = getattr(m, "bias", None)
        if isinstance(bias, Tensor):
            constant_(bias, value if name == "constant" else 0.0)
    return module


__all__ += ["orthogonal_"]


def orthogonal_(tensor, gain=1, generator=None):
    r"""Saxe et al. (2013): a (semi-)orthogonal matrix times ``gain``, as PyTorch's: the Q
    of the QR factorisation of a standard normal (rows, cols) matrix (its transpose when
    rows < cols), each column's sign fixed by diag(R) so that Q is uniformly distributed.
    A tensor of more dims is filled as (shape[0], the rest flattened): the rows of a conv
    weight (out, in, kH, kW) are orthonormal (rows <= cols) or its columns are."""
    _check_float(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_ needs a tensor of 2 or more dims, got shape {tuple(tensor.shape)}")
    rows = tensor.shape[0]
    cols = tensor.array.size // rows if rows else 0
    if rows == 0 or cols == 0:
        return tensor
    a = backend.rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        a = a.T
    q, r = backend.xp.linalg.qr(a)
    q *= backend.xp.sign(backend.xp.diag(r))  # the sign of each column: Q independent of QR's convention
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


__all__ += ["trunc_normal_"]


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill with draws from N(mean, std^2) truncated to [a, b] (a and b are values, not
    numbers of standard deviations, as in PyTorch; vision Transformers start their weights
    so). Drawn by rejection: a draw outside [a, b] is drawn again, which gives exactly the
    truncated distribution (PyTorch inverts the CDF instead: the same distribution, other
    numbers)."""
    _check_float(tensor, "trunc_normal_")
    if not std > 0 or not a < b:
        raise ValueError(f"trunc_normal_ expects std > 0 and a < b, got std={std}, a={a}, b={b}")
    rng = backend.rng(generator)
    values = rng.normal(mean, std, tensor.shape)
    outside = (values < a) | (values > b)
    for _ in range(1000):  # each round redraws only the draws that fell outside
        if not outside.any():
            return _fill(tensor, values)
        values[outside] = rng.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds almost none of N({mean}, {std}^2); "
                     "the draws kept falling outside it")
