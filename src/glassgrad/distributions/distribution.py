"""Distribution: what every probability distribution answers, as ``torch.distributions``.

A distribution holds parameter tensors (a Normal's ``loc`` and ``scale``), broadcast
together into its ``batch_shape``: one independent distribution per batch element. Each
draw has ``event_shape`` (``()`` for a scalar distribution). A draw of
``sample(sample_shape)`` has shape ``sample_shape + batch_shape + event_shape``.

- ``sample``: a draw, with no graph (torch draws it under no_grad).
- ``rsample``: a *reparameterised* draw, a differentiable function of the parameters and
  of parameter-free noise (Normal: loc + scale * eps, eps ~ N(0, 1)), so a loss on the
  draw sends gradients to loc and scale (the VAE trick). Only where ``has_rsample``.
- ``log_prob(value)``: log p(value), differentiable in the parameters (REINFORCE,
  likelihoods) and, for continuous distributions, in value.
- ``entropy()``, ``mean``, ``variance``, ``stddev``.

Parameters and values are checked (``validate_args``, on by default as in torch): a
negative scale or a probability above 1 raises ValueError naming the parameter and the
constraint, before anything is computed.
"""

import math

from .. import backend
from ..autograd.grad_mode import no_grad
from ..backend import xp
from ..size import Size
from ..tensor import Tensor

_validate_default = [True]


class Distribution:
    has_rsample = False
    has_enumerate_support = False

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = _validate_default[0] if validate_args is None else bool(validate_args)

    @staticmethod
    def set_default_validate_args(value):
        """Turn the parameter and value checks on or off for distributions made later."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args expects True or False, got {value!r}")
        _validate_default[0] = value

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A draw of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(
            f"{type(self).__name__} has no reparameterised sample (rsample); use sample()")

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no icdf")

    def _extended_shape(self, sample_shape=()):
        """sample_shape + batch_shape + event_shape: the shape of a draw."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _check_value(self, value, support_ok, support):
        """log_prob's value must be a tensor in the support (when validating)."""
        if not isinstance(value, Tensor):
            raise ValueError(f"{type(self).__name__}.log_prob expects a Tensor value, got "
                             f"{type(value).__name__}")
        if self._validate_args and not bool(xp.all(support_ok(value.array))):
            raise ValueError(f"{type(self).__name__}.log_prob: value (shape "
                             f"{tuple(value.shape)}) is not in the support {support}")

    def __repr__(self):
        params = ", ".join(f"{name}: {_describe(getattr(self, name))}" for name in self._params)
        return f"{type(self).__name__}({params})"

    _params = ()


def _describe(t):
    return f"{t.item()!r}" if t.numel() == 1 else f"{t.shape!r}"


def as_parameters(*values):
    """Numbers and tensors broadcast to one shape, as torch's broadcast_all: numbers take
    the dtype of the tensors given (the default float dtype when there is none)."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    for v in values:
        if not isinstance(v, (Tensor, int, float)) or isinstance(v, bool):
            raise TypeError(f"expected a Tensor or a number as a parameter, got "
                            f"{type(v).__name__}")
    dtype = tensors[0].dtype if tensors else backend.get_default_dtype()
    from ..creation import tensor

    made = [v if isinstance(v, Tensor) else tensor(float(v), dtype=dtype) for v in values]
    shape = xp.broadcast_shapes(*(tuple(t.shape) for t in made))
    return [t if tuple(t.shape) == shape else t.expand(*shape) for t in made]


def check_parameter(dist, name, t, ok, constraint):
    """Refuse a parameter outside its constraint with one line (torch: ValueError)."""
    if dist._validate_args and not bool(xp.all(ok(t.array))):
        raise ValueError(f"Expected parameter {name} (Tensor of shape {tuple(t.shape)}) of "
                         f"distribution {type(dist).__name__} to satisfy the constraint "
                         f"{constraint}, but found invalid values")


LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
