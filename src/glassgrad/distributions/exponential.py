"""The exponential distribution with ``rate`` lambda, on x >= 0, and the Laplace
distribution (two exponentials back to back around ``loc``).

Exponential:  log p(x) = log lambda - lambda x,  entropy = 1 - log lambda,
              rsample = e / lambda with e ~ Exp(1) (d x/d lambda = -x / lambda)
Laplace:      log p(x) = -log(2 b) - |x - loc| / b,  entropy = 1 + log(2 b),
              rsample = loc + b s e, s = +-1 and e ~ Exp(1) (mean loc, variance 2 b^2)
"""

from .. import backend
from ..backend import xp
from ..tensor import Tensor
from .distribution import Distribution, as_parameters, check_parameter


def _standard_exponential(shape, like):
    return Tensor._wrap(xp.asarray(backend.rng().standard_exponential(tuple(shape)), dtype=like.array.dtype))


class Exponential(Distribution):
    has_rsample = True
    _params = ("rate",)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = as_parameters(rate)
        super().__init__(self.rate.shape, (), validate_args)
        check_parameter(self, "rate", self.rate, lambda a: a > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return 1 / self.rate

    @property
    def stddev(self):
        return 1 / self.rate

    @property
    def variance(self):
        return self.rate ** -2

    def rsample(self, sample_shape=()):
        return _standard_exponential(self._extended_shape(sample_shape), self.rate) / self.rate

    def log_prob(self, value):
        self._check_value(value, lambda a: a >= 0, "GreaterThanEq(lower_bound=0.0)")
        return self.rate.log() - self.rate * value

    def entropy(self):
        return 1.0 - self.rate.log()

    def cdf(self, value):
        return 1 - (-self.rate * value).exp()


class Laplace(Distribution):
    has_rsample = True
    _params = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = as_parameters(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        check_parameter(self, "scale", self.scale, lambda a: a > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        e = _standard_exponential(shape, self.loc)
        sign = Tensor._wrap(xp.where(backend.rng().random(shape) < 0.5, -1.0, 1.0).astype(self.loc.array.dtype))
        return self.loc + self.scale * sign * e

    def log_prob(self, value):
        self._check_value(value, lambda a: a == a, "Real()")
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def entropy(self):
        return 1 + (2 * self.scale).log()
