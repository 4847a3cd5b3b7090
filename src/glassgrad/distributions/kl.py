"""KL divergence between two distributions, in closed form where one exists.

    KL(p || q) = E_p[log p(X) - log q(X)]

``kl_divergence(p, q)`` looks up the formula registered for the pair of types (the most
specific one, walking both classes' bases); ``register_kl(P, Q)`` adds one. A pair with no
closed form raises NotImplementedError (torch does the same; estimate it by sampling).
"""

import math

from ..ops.arithmetic import where
from .bernoulli import Bernoulli
from .categorical import Categorical
from .independent import Independent, sum_rightmost
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

_KL = {}


def register_kl(type_p, type_q):
    """Decorator: ``@register_kl(P, Q) def kl(p, q): ...`` is used for KL(P || Q)."""

    def register(fn):
        _KL[type_p, type_q] = fn
        return fn

    return register


def kl_divergence(p, q):
    """KL(p || q), elementwise over the (shared) batch shape."""
    for tp in type(p).__mro__:
        for tq in type(q).__mro__:
            if (tp, tq) in _KL:
                return _KL[tp, tq](p, q)
    raise NotImplementedError(f"No KL(p || q) is implemented for p of type {type(p).__name__} "
                              f"and q of type {type(q).__name__}")


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """log(s_q / s_p) + (s_p^2 + (m_p - m_q)^2) / (2 s_q^2) - 1/2, written with r = (s_p/s_q)^2
    as (r + ((m_p - m_q)/s_q)^2 - 1 - log r) / 2."""
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p/q) + (1-p) log((1-p)/(1-q)), through logits: the terms with p = 0 or 1 stay
    finite. log(1 - p) = -softplus(z_p)."""
    from ..ops.activation import softplus

    zp, zq = p.logits, q.logits
    return p.probs * (softplus(-zq) - softplus(-zp)) + (1 - p.probs) * (softplus(zq) - softplus(zp))


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """sum_k p_k (log p_k - log q_k); a category with p_k = 0 adds 0, one with q_k = 0 < p_k
    makes the divergence infinite."""
    t = p.probs * (p.logits - q.logits)
    t = where(q.probs == 0, float("inf"), t)
    t = where(p.probs == 0, 0.0, t)
    return t.sum(-1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((high_q - low_q) / (high_p - low_p)) when [low_p, high_p) lies inside q's
    interval, else infinite."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low).logical_or(q.high < p.high)
    return where(outside, math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independent distributions with different "
                                  "reinterpreted_batch_ndims")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """(|Lq^-1 Lp|_F^2 + |Lq^-1 (m_q - m_p)|^2 - k) / 2 + log det Lq - log det Lp: the trace
    tr(Sq^-1 Sp) and the Mahalanobis term by triangular solves."""
    from ..ops.linalg import solve_triangular

    if p.event_shape != q.event_shape:
        raise ValueError(f"KL between MultivariateNormals of different sizes "
                         f"{tuple(p.event_shape)} and {tuple(q.event_shape)}")
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    trace = (solve_triangular(lq, lp, upper=False) ** 2).sum((-2, -1))
    shift = solve_triangular(lq, (q.loc - p.loc).unsqueeze(-1), upper=False)
    mahalanobis = (shift ** 2).sum((-2, -1))
    k = p.event_shape[0]
    return 0.5 * (trace + mahalanobis - k) + q._half_log_det() - p._half_log_det()
