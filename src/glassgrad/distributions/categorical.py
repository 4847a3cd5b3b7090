"""The categorical distribution over {0, ..., K-1}: category k with probability p_k.

Given by ``probs`` (any non-negative weights along the last dim, normalised to sum to 1)
or by ``logits`` (normalised so that logsumexp is 0: log p_k = z_k - logsumexp(z)). The
last dim holds the K categories; the dims before it are the batch.

    log p(k) = log p_k                (a gather along the last dim)
    entropy = -sum_k p_k log p_k      (0 log 0 taken as 0)

A sample is an int64 index, drawn by inverse transform: u ~ U[0, 1) and the number of
cumulative probabilities below u. It is not differentiable (no rsample); REINFORCE uses
log_prob's gradient.
"""

from .. import backend
from ..backend import xp
from ..ops.activation import softmax
from ..ops.reduction import logsumexp
from ..ops.shape import broadcast_tensors
from ..tensor import Tensor
from ..type_info import finfo
from .bernoulli import _check_one_of, probs_to_logits
from .distribution import Distribution, check_parameter


class Categorical(Distribution):
    """Categorical(probs) or Categorical(logits=...): K categories along the last dim."""

    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _check_one_of(self, probs, logits)
        param = probs if probs is not None else logits
        if not isinstance(param, Tensor) or param.ndim < 1:
            raise ValueError(f"Categorical: {('probs' if probs is not None else 'logits')} must "
                             "be a Tensor with at least one dimension (the categories)")
        self._given = "probs" if probs is not None else "logits"
        self._params = (self._given,)
        super().__init__(param.shape[:-1], (), validate_args)
        if probs is not None:
            check_parameter(self, "probs", probs, lambda a: (a >= 0).all(-1) & (a.sum(-1) > 0),
                            "Simplex() (non-negative, a positive sum along the last dim)")
            self._probs, self._logits = probs / probs.sum(-1, keepdim=True), None
        else:
            check_parameter(self, "logits", logits, lambda a: ~xp.isnan(a), "IndependentConstraint(Real(), 1)")
            self._probs, self._logits = None, logits - logsumexp(logits, -1, keepdim=True)
        self._num_events = param.shape[-1]

    @property
    def probs(self):
        return self._probs if self._probs is not None else softmax(self._logits, -1)

    @property
    def logits(self):
        return self._logits if self._logits is not None else probs_to_logits(self._probs)

    @property
    def param_shape(self):
        return (self._probs if self._probs is not None else self._logits).shape

    @property
    def mean(self):
        """Undefined for categories (torch returns nan): an index has no mean."""
        return self._nan()

    @property
    def variance(self):
        return self._nan()

    def _nan(self):
        from ..creation import full

        return full(tuple(self.batch_shape), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        """Inverse transform per batch element: index = #{k : P(X <= k) <= u}, u ~ U[0, 1)."""
        shape = tuple(self._extended_shape(sample_shape))
        cdf = xp.cumsum(self.probs.array.astype(xp.float64), -1)
        u = backend.rng().random(shape + (1,))
        index = (cdf <= u).sum(-1)  # cdf broadcasts over the sample dims in front
        return Tensor._wrap(xp.minimum(index, self._num_events - 1).astype(xp.int64))

    def log_prob(self, value):
        k = self._num_events
        self._check_value(value, lambda a: (a >= 0) & (a < k) & (a == xp.floor(a)),
                          f"IntegerInterval(lower_bound=0, upper_bound={k - 1})")
        index = value.long().unsqueeze(-1)
        index, log_pmf = broadcast_tensors(index, self.logits)
        return log_pmf.gather(-1, index[..., :1]).squeeze(-1)

    def entropy(self):
        # logits clamped to the dtype's lowest finite value, so that a zero probability
        # contributes 0 * (-huge) = 0 instead of 0 * (-inf) = nan
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        from ..creation import arange

        values = arange(self._num_events).reshape(-1, *([1] * len(self.batch_shape)))
        return values.expand(-1, *self.batch_shape) if expand else values
