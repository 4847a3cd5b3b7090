"""Independent: batch dims of a distribution reinterpreted as event dims.

``Independent(Normal(loc, scale), 1)`` with loc of shape (B, D) is one distribution over
vectors of D independent normals per batch element (batch_shape (B,), event_shape (D,)):
its log_prob sums the D per-coordinate log-probabilities (the density of independent
coordinates is the product of theirs), and so does its entropy. A diagonal Gaussian, as
VAEs and policy networks write it.
"""

from .distribution import Distribution


def sum_rightmost(t, n):
    """t summed over its last n dims."""
    return t.sum(tuple(range(-n, 0))) if n > 0 else t


class Independent(Distribution):
    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        batch = tuple(base_distribution.batch_shape)
        n = reinterpreted_batch_ndims
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(batch):
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be an int in "
                             f"[0, {len(batch)}] (the base's batch dims), got {n!r}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        cut = len(batch) - n
        super().__init__(batch[:cut], batch[cut:] + tuple(base_distribution.event_shape),
                         validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
