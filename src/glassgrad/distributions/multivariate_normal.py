"""The multivariate normal distribution N(loc, Sigma) over vectors of k numbers.

Given by its covariance matrix Sigma or by a lower-triangular scale L with Sigma = L L^T
(``scale_tril``; a covariance is factored with cholesky). With d = x - loc:

    log p(x) = -(k log 2 pi + |L^{-1} d|^2) / 2 - sum_i log L_ii
    entropy  = k (1 + log 2 pi) / 2 + sum_i log L_ii
    rsample  = loc + L eps,  eps ~ N(0, I_k)

(|L^{-1} d|^2 = d^T Sigma^{-1} d, the Mahalanobis distance, by one triangular solve; sum
log L_ii = log det Sigma / 2.) The last dim of loc is the event; the dims before it, and
those of the matrix before its last two, are the batch, broadcast together. PPO's
continuous policies write MultivariateNormal(mean, torch.diag_embed(var)).
"""

import math

from ..backend import xp
from ..creation import randn
from ..ops.linalg import cholesky, solve_triangular
from ..ops.shape import broadcast_shapes
from ..tensor import Tensor
from .distribution import Distribution


class MultivariateNormal(Distribution):
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError("MultivariateNormal: give exactly one of covariance_matrix, "
                             "precision_matrix or scale_tril")
        if precision_matrix is not None:
            raise NotImplementedError("MultivariateNormal: precision_matrix is not supported; "
                                      "give covariance_matrix or scale_tril")
        if not isinstance(loc, Tensor) or loc.ndim < 1:
            raise ValueError("MultivariateNormal: loc must be a Tensor with at least one dim "
                             "(the event)")
        matrix = covariance_matrix if covariance_matrix is not None else scale_tril
        name = "covariance_matrix" if covariance_matrix is not None else "scale_tril"
        k = loc.shape[-1]
        if not isinstance(matrix, Tensor) or matrix.ndim < 2 or tuple(matrix.shape[-2:]) != (k, k):
            raise ValueError(f"MultivariateNormal: {name} must be a ({k}, {k}) matrix (or a batch "
                             f"of them) for loc of shape {tuple(loc.shape)}, got "
                             f"{tuple(getattr(matrix, 'shape', ()))}")
        batch = broadcast_shapes(tuple(loc.shape[:-1]), tuple(matrix.shape[:-2]))
        super().__init__(batch, (k,), validate_args)
        self.loc = loc.expand(*batch, k)
        if scale_tril is not None:
            low = scale_tril.array
            diagonal = low[..., range(k), range(k)]
            if self._validate_args and ((xp.triu(low, 1) != 0).any() or not (diagonal > 0).all()):
                raise ValueError("Expected parameter scale_tril of distribution MultivariateNormal "
                                 "to satisfy the constraint LowerCholesky() (lower-triangular, a "
                                 "positive diagonal), but found invalid values")
            self._unbroadcasted_scale_tril = scale_tril
        else:
            if self._validate_args:
                sym = covariance_matrix.array
                if (xp.abs(sym - sym.swapaxes(-1, -2)) > 1e-6 * (1 + xp.abs(sym))).any():
                    raise ValueError("Expected parameter covariance_matrix of distribution "
                                     "MultivariateNormal to satisfy the constraint "
                                     "PositiveDefinite(), but found invalid values (not symmetric)")
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        self._given = name

    @property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(*self.batch_shape, *self.event_shape,
                                                     *self.event_shape)

    @property
    def covariance_matrix(self):
        low = self._unbroadcasted_scale_tril
        return (low @ low.mT).expand(*self.batch_shape, *self.event_shape, *self.event_shape)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The diagonal of Sigma: sum_j L_ij^2."""
        return (self._unbroadcasted_scale_tril ** 2).sum(-1).expand(*self.batch_shape, *self.event_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = randn(*shape, dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        low = self._unbroadcasted_scale_tril
        return low.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if not isinstance(value, Tensor):
            raise ValueError(f"MultivariateNormal.log_prob expects a Tensor value, got "
                             f"{type(value).__name__}")
        diff = (value - self.loc).unsqueeze(-1)
        low = self._unbroadcasted_scale_tril
        mahalanobis = (solve_triangular(low, diff, upper=False) ** 2).sum((-2, -1))
        k = self.event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self):
        k = self.event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(*self.batch_shape) if len(self.batch_shape) else h

    def __repr__(self):
        return f"MultivariateNormal(loc: {self.loc.shape!r}, {self._given}: " \
               f"{self._unbroadcasted_scale_tril.shape!r})"
