"""The continuous uniform distribution on [low, high).

    log p(x) = -log(high - low) inside [low, high), -inf outside
    entropy = log(high - low),  mean = (low + high)/2,  variance = (high - low)^2 / 12

rsample is low + u (high - low), u ~ U[0, 1): d x/d low = 1 - u, d x/d high = u.
"""

from ..creation import rand
from .distribution import Distribution, as_parameters, check_parameter


class Uniform(Distribution):
    """U[low, high), one per element of the broadcast low and high (low < high)."""

    has_rsample = True
    _params = ("low", "high")

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = as_parameters(low, high)
        super().__init__(self.low.shape, (), validate_args)
        check_parameter(self, "low", self.low, lambda a: a == a, "Real()")
        if self._validate_args and not bool((self.low.array < self.high.array).all()):
            raise ValueError(f"Expected parameter low (Tensor of shape {tuple(self.low.shape)}) "
                             "of distribution Uniform to satisfy the constraint "
                             "LessThan(high), but found invalid values")

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()):
        u = rand(*self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        """-log(high - low) for low <= value < high; -inf outside (when not validating:
        with validation, a value outside is refused, as torch does)."""
        low, high = self.low.array, self.high.array
        self._check_value(value, lambda a: (low <= a) & (a < high), "Interval(low, high)")
        # log of the indicator (0 inside, -inf outside) minus log of the width
        inside = (self.low <= value).logical_and(value < self.high).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def entropy(self):
        return (self.high - self.low).log()

    def cdf(self, value):
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low
