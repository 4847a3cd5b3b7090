"""The gamma distribution with shape alpha (``concentration``) and ``rate`` beta, on x > 0.

    log p(x) = alpha log beta + (alpha - 1) log x - beta x - lgamma(alpha)
    entropy  = alpha - log beta + lgamma(alpha) + (1 - alpha) digamma(alpha)
    mean = alpha / beta,  variance = alpha / beta^2

Draws come from NumPy's gamma sampler and carry no gradient (torch's Gamma has an
implicitly reparameterised rsample; glassgrad's has none: use log_prob's gradient).
"""

from .. import backend
from ..backend import xp
from ..ops.gamma_function import digamma, lgamma
from ..tensor import Tensor
from .distribution import Distribution, as_parameters, check_parameter


class Gamma(Distribution):
    _params = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = as_parameters(concentration, rate)
        super().__init__(self.rate.shape, (), validate_args)
        check_parameter(self, "concentration", self.concentration, lambda a: a > 0, "GreaterThan(lower_bound=0.0)")
        check_parameter(self, "rate", self.rate, lambda a: a > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def variance(self):
        return self.concentration / self.rate ** 2

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        draws = backend.rng().gamma(self.concentration.array, 1 / self.rate.array, shape)
        return Tensor._wrap(xp.asarray(draws, dtype=self.rate.array.dtype))

    def log_prob(self, value):
        self._check_value(value, lambda a: a >= 0, "GreaterThanEq(lower_bound=0.0)")
        a, b = self.concentration, self.rate
        return a * b.log() + (a - 1) * value.log() - b * value - lgamma(a)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1 - a) * digamma(a)
