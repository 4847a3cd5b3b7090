"""The normal (Gaussian) distribution N(loc, scale^2).

    p(x) = exp(-(x - loc)^2 / (2 scale^2)) / (scale sqrt(2 pi))
    log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)
    entropy = 1/2 + log sqrt(2 pi) + log scale

rsample is loc + scale * eps with eps ~ N(0, 1) drawn apart from the parameters, so
d x/d loc = 1 and d x/d scale = eps: the reparameterisation trick of variational
autoencoders. Every formula is written with glassgrad ops, so the engine gives the
gradients.
"""

import math

from ..creation import randn
from ..ops.error_function import erf, erfinv
from .distribution import LOG_SQRT_2PI, Distribution, as_parameters, check_parameter


class Normal(Distribution):
    """N(loc, scale^2), one per element of the broadcast loc and scale (scale > 0)."""

    has_rsample = True
    _params = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = as_parameters(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        check_parameter(self, "loc", self.loc, lambda a: a == a, "Real()")
        check_parameter(self, "scale", self.scale, lambda a: a > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def rsample(self, sample_shape=()):
        """loc + scale * eps, eps ~ N(0, 1): differentiable in loc and scale."""
        eps = randn(*self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._check_value(value, lambda a: a == a, "Real()")
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - LOG_SQRT_2PI

    def entropy(self):
        return 0.5 + LOG_SQRT_2PI + self.scale.log()

    def cdf(self, value):
        """P(X <= value) = (1 + erf((value - loc) / (scale sqrt 2))) / 2."""
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        """The value with cdf p: loc + scale sqrt(2) erfinv(2p - 1)."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)
