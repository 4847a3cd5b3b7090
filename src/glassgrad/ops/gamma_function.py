"""The log-gamma function and its derivatives: lgamma, digamma and polygamma, computed in
NumPy (no SciPy).

    lgamma(x) = log |Gamma(x)|
    digamma(x) = psi(x) = d lgamma(x)/dx
    polygamma(n, x) = psi^(n)(x) = d^n psi(x)/dx^n,   so d psi^(n)/dx = psi^(n+1)

Each op's backward is the next function in the chain: lgamma's derivative is digamma,
digamma's is polygamma(1, .) (the trigamma function), polygamma(n)'s is polygamma(n+1).

How they are evaluated:

- lgamma: Python's math.lgamma per element (its C library's, accurate to a few ulps),
  +inf at the poles 0, -1, -2, ... (where Gamma is infinite), as torch.
- psi^(n) for x >= 10: the asymptotic (Stirling) series, whose terms B_2k (2k+n-1)!/((2k)!
  x^(2k+n)) with the Bernoulli numbers B_2k shrink fast there: eight terms reach float64's
  precision.
      psi(x)     ~ log x - 1/(2x) - sum_k B_2k / (2k x^2k)
      psi^(n)(x) ~ (-1)^(n+1) [(n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! x^(2k+n))]
- x < 10: moved up with the recurrence psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1)
  (Gamma(x+1) = x Gamma(x) differentiated), one step per unit.
- x < 0 (digamma, trigamma): the reflection formulas psi(1-x) - psi(x) = pi cot(pi x) and
  psi'(1-x) + psi'(x) = pi^2 / sin^2(pi x), so that a large negative x costs no more than
  a positive one. Poles (0, -1, -2, ...): digamma(0) = -inf as torch's digamma, nan at the
  negative integers; polygamma(n >= 1) is +inf or nan there.
"""

import math

from ..autograd.function import ElementwiseUnary
from ..backend import xp

# B_2k for k = 1..8: 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730, 7/6, -3617/510
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_ASYMPTOTIC_FROM = 10.0
_lgamma_each = xp.frompyfunc(math.lgamma, 1, 1)


def _is_pole(x):
    return (x <= 0) & (x == xp.floor(x))


def lgamma_array(x):
    """log |Gamma(x)| of a float ndarray, in its dtype; +inf at 0, -1, -2, ... and at +-inf."""
    wide = x.astype(xp.float64)
    pole = _is_pole(wide)
    out = xp.where(pole | xp.isinf(wide), xp.inf, 0.0)
    ok = ~pole & xp.isfinite(wide)
    if ok.any():
        out[ok] = _lgamma_each(wide[ok]).astype(xp.float64)
    out[xp.isnan(wide)] = xp.nan
    return out.astype(x.dtype, copy=False)


def _polygamma_positive(n, x):
    """psi^(n)(x) for x > 0 (float64): the recurrence up to x >= 10, then the series."""
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    n_factorial = math.factorial(n)
    shift = xp.zeros_like(x)
    while True:
        small = x < _ASYMPTOTIC_FROM
        if not small.any():
            break
        # psi^(n)(x) = psi^(n)(x + 1) + (-1)^(n+1) n! / x^(n+1)
        shift = shift + xp.where(small, sign * n_factorial / x ** (n + 1), 0.0)
        x = xp.where(small, x + 1, x)
    inv = 1 / x
    if n == 0:
        series = xp.log(x) - inv / 2
        power = inv * inv
        for k, b in enumerate(_BERNOULLI, start=1):
            series = series - b / (2 * k) * power
            power = power * inv * inv
        return series + shift
    series = math.factorial(n - 1) * inv ** n + n_factorial / 2 * inv ** (n + 1)
    power = inv ** (n + 2)
    for k, b in enumerate(_BERNOULLI, start=1):
        series = series + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) * power
        power = power * inv * inv
    return sign * series + shift


def polygamma_array(n, x):
    """psi^(n)(x) of a float ndarray, in its dtype (float64 inside)."""
    wide = x.astype(xp.float64)
    out = xp.full(wide.shape, xp.nan)
    pole = _is_pole(wide)
    regular = ~pole & xp.isfinite(wide)
    positive = regular & (wide > 0)
    if positive.any():
        out[positive] = _polygamma_positive(n, wide[positive])
    negative = regular & (wide < 0)
    if negative.any():
        v = wide[negative]
        # tan(pi x) and sin^2(pi x) have period 1: taken at r = x - round(x) (exact), not at
        # pi x, whose rounding (|x| ulps) would be magnified near the poles
        r = math.pi * (v - xp.round(v))
        if n == 0:  # psi(x) = psi(1 - x) - pi cot(pi x)
            out[negative] = _polygamma_positive(0, 1 - v) - math.pi / xp.tan(r)
        elif n == 1:  # psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x)
            out[negative] = (math.pi / xp.sin(r)) ** 2 - _polygamma_positive(1, 1 - v)
        else:  # the recurrence carries x up past 0 (one step per unit of |x|)
            out[negative] = _polygamma_positive_or_below(n, v)
    if n == 0:
        out[wide == xp.inf] = xp.inf
        zero = wide == 0  # psi(x) ~ -1/x: -inf from the right (+0), +inf from the left (-0)
        out[zero] = xp.where(xp.signbit(wide[zero]), xp.inf, -xp.inf)
    else:
        out[wide == xp.inf] = 0.0
        if n % 2 == 1:  # psi^(n) ~ n! / (x - pole)^(n+1) > 0 on both sides of a pole
            out[pole] = xp.inf
    return out.astype(x.dtype, copy=False)


def _polygamma_positive_or_below(n, x):
    """psi^(n)(x) for any non-pole x < 0: the recurrence's terms for x, x+1, ..., up to
    the first positive argument, plus psi^(n) there."""
    sign = -1.0 if n % 2 == 0 else 1.0
    shift = xp.zeros_like(x)
    while (x < 0).any():
        below = x < 0
        shift = shift + xp.where(below, sign * math.factorial(n) / x ** (n + 1), 0.0)
        x = xp.where(below, x + 1, x)
    return _polygamma_positive(n, x) + shift


# ---------------------------------------------------------------- the ops
class Lgamma(ElementwiseUnary):
    label = "lgamma"
    rule = r"\partial \log|\Gamma(x)|/\partial x = \psi(x)"
    plain = "d/dx log|Gamma(x)| = digamma(x)"
    form = ("lgamma({...})", r"\log|\Gamma({...})|")
    float_only = True

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lgamma_array(x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * polygamma_array(0, x)


def lgamma(input):
    """log |Gamma(x)|, elementwise (+inf at 0, -1, -2, ...). d/dx = digamma(x)."""
    return Lgamma.apply(input)


class Digamma(ElementwiseUnary):
    label = "digamma"
    rule = r"\partial \psi(x)/\partial x = \psi'(x) = \sum_{k \ge 0} 1/(x + k)^2"
    plain = "d/dx digamma(x) = trigamma(x) = the sum over k >= 0 of 1/(x + k)^2"
    form = ("digamma({...})", r"\psi({...})")
    float_only = True

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return polygamma_array(0, x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * polygamma_array(1, x)


def digamma(input):
    """psi(x) = d/dx log Gamma(x), elementwise: -inf at +0, nan at the negative integers.
    d/dx psi(x) = psi'(x), the trigamma function."""
    return Digamma.apply(input)


class Polygamma(ElementwiseUnary):
    label = "polygamma"
    rule = r"\partial \psi^{(n)}(x)/\partial x = \psi^{(n+1)}(x)"
    plain = "d/dx polygamma(n, x) = polygamma(n + 1, x)"
    form = ("polygamma({...})", r"\psi^{(n)}({...})")
    float_only = True

    def forward(ctx, x, n=1):
        ctx.n = n
        ctx.save_for_backward(x)
        return polygamma_array(n, x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * polygamma_array(ctx.n + 1, x)


def polygamma(n, input):
    """The n-th derivative of digamma, elementwise (n = 0: digamma itself).
    d/dx psi^(n)(x) = psi^(n+1)(x)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative int, got {n!r}")
    return Digamma.apply(input) if n == 0 else Polygamma.apply(input, n=n)


__all__ = ["lgamma", "digamma", "polygamma"]
