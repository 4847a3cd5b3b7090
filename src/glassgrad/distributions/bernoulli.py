"""The Bernoulli distribution: 1 with probability p, 0 with probability 1 - p.

Given by ``probs`` p or by ``logits`` z = log(p / (1 - p)) (then p = sigmoid(z)).

    log p(x) = x log p + (1 - x) log(1 - p) = -BCEWithLogits(z, x)
    entropy = -p log p - (1 - p) log(1 - p) = BCEWithLogits(z, p)

Both go through the logistic loss on logits, which stays finite for any z. A sample is
not differentiable (no rsample): REINFORCE uses log_prob's gradient instead.
"""

from ..creation import bernoulli as draw_bernoulli
from ..ops.activation import sigmoid
from ..ops.loss import binary_cross_entropy_with_logits
from ..type_info import finfo
from .distribution import Distribution, as_parameters, check_parameter


def probs_to_logits(probs, is_binary=False):
    """log(p) (log(p) - log(1 - p) when binary), p first kept eps away from 0 and 1 (eps the
    dtype's machine epsilon) so that the logits stay finite, as torch does."""
    eps = finfo(probs.dtype).eps
    p = probs.clamp(eps, 1 - eps)
    return p.log() - (-p).log1p() if is_binary else p.log()


def _check_one_of(dist, probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError(f"{type(dist).__name__}: give either probs or logits, not both "
                         "(and not neither)")


class Bernoulli(Distribution):
    """Bernoulli(probs) or Bernoulli(logits=...), elementwise over the parameter's shape."""

    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _check_one_of(self, probs, logits)
        self._given = "probs" if probs is not None else "logits"
        (param,) = as_parameters(probs if probs is not None else logits)
        self._probs, self._logits = (param, None) if probs is not None else (None, param)
        self._params = (self._given,)
        super().__init__(param.shape, (), validate_args)
        if probs is not None:
            check_parameter(self, "probs", param, lambda a: (a >= 0) & (a <= 1),
                            "Interval(lower_bound=0.0, upper_bound=1.0)")
        else:
            check_parameter(self, "logits", param, lambda a: a == a, "Real()")

    @property
    def probs(self):
        return self._probs if self._probs is not None else sigmoid(self._logits)

    @property
    def logits(self):
        return self._logits if self._logits is not None else probs_to_logits(self._probs, True)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return (self.probs >= 0.5).to(self.probs.dtype)

    @property
    def variance(self):
        p = self.probs
        return p * (1 - p)

    def sample(self, sample_shape=()):
        probs = self.probs.detach().expand(*self._extended_shape(sample_shape))
        return draw_bernoulli(probs)

    def log_prob(self, value):
        self._check_value(value, lambda a: (a == 0) | (a == 1), "Boolean()")
        logits, value = as_parameters(self.logits, value.to(self.logits.dtype))
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        from ..creation import tensor

        values = tensor([0.0, 1.0], dtype=self.probs.dtype).reshape(2, *([1] * len(self.batch_shape)))
        return values.expand(2, *self.batch_shape) if expand else values
