"""The Poisson distribution: counts k = 0, 1, 2, ... with mean ``rate`` lambda.

    log p(k) = k log lambda - lambda - lgamma(k + 1),  mean = variance = lambda

k log lambda is taken as 0 when k = 0 (so lambda = 0 gives p(0) = 1). Draws come from
NumPy's sampler, as floats of the rate's dtype (as torch), without a gradient.
"""

from .. import backend
from ..backend import xp
from ..ops.arithmetic import where
from ..ops.gamma_function import lgamma
from ..tensor import Tensor
from .distribution import Distribution, as_parameters, check_parameter


class Poisson(Distribution):
    _params = ("rate",)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = as_parameters(rate)
        super().__init__(self.rate.shape, (), validate_args)
        check_parameter(self, "rate", self.rate, lambda a: a >= 0, "GreaterThanEq(lower_bound=0.0)")

    @property
    def mean(self):
        return self.rate

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        draws = backend.rng().poisson(self.rate.array, shape)
        return Tensor._wrap(xp.asarray(draws, dtype=self.rate.array.dtype))

    def log_prob(self, value):
        self._check_value(value, lambda a: (a >= 0) & (a == xp.floor(a)), "IntegerGreaterThan(lower_bound=0)")
        value = value.to(self.rate.dtype)
        k_log_rate = where(value == 0, 0.0, value * self.rate.log())
        return k_log_rate - self.rate - lgamma(value + 1)
