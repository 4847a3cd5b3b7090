"""The beta distribution on (0, 1) with concentrations alpha (``concentration1``) and
beta (``concentration0``).

    log p(x) = (alpha - 1) log x + (beta - 1) log(1 - x) - log B(alpha, beta)
    log B(alpha, beta) = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta)
    entropy = log B - (alpha - 1) psi(alpha) - (beta - 1) psi(beta) + (alpha + beta - 2) psi(alpha + beta)
    mean = alpha / (alpha + beta),  variance = alpha beta / ((alpha + beta)^2 (alpha + beta + 1))

Draws come from NumPy's beta sampler and carry no gradient (torch's Beta has an implicitly
reparameterised rsample; glassgrad's has none).
"""

from .. import backend
from ..backend import xp
from ..ops.gamma_function import digamma, lgamma
from ..tensor import Tensor
from .distribution import Distribution, as_parameters, check_parameter


class Beta(Distribution):
    _params = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = as_parameters(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)
        for name in self._params:
            check_parameter(self, name, getattr(self, name), lambda a: a > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        draws = backend.rng().beta(self.concentration1.array, self.concentration0.array, shape)
        return Tensor._wrap(xp.asarray(draws, dtype=self.concentration1.array.dtype))

    def _log_beta_function(self):
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    def log_prob(self, value):
        self._check_value(value, lambda v: (v >= 0) & (v <= 1), "Interval(lower_bound=0.0, upper_bound=1.0)")
        a, b = self.concentration1, self.concentration0
        return (a - 1) * value.log() + (b - 1) * (-value).log1p() - self._log_beta_function()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return (self._log_beta_function() - (a - 1) * digamma(a) - (b - 1) * digamma(b)
                + (a + b - 2) * digamma(a + b))
