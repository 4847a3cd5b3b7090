"""The error function erf and its complement erfc, computed in NumPy (no SciPy).

    erf(x) = 2/sqrt(pi) * integral_0^x e^{-t^2} dt,   erfc(x) = 1 - erf(x)
    d erf(x)/dx = 2/sqrt(pi) e^{-x^2} = -d erfc(x)/dx

NumPy has no erf ufunc, so the values come from W. J. Cody's rational Chebyshev
approximations ("Rational Chebyshev approximations for the error function", Math. Comp. 23,
1969, pp. 631-638; the coefficients of his SPECFUN routine CALERF), evaluated on whole
arrays. Three intervals of y = |x|:

- y <= 0.46875:       erf(x)  = x P(x^2) / Q(x^2)                       (degree 4 / 4)
- 0.46875 < y <= 4:   erfc(y) = e^{-y^2} R(y) / S(y)                    (degree 8 / 8)
- y > 4:              erfc(y) = e^{-y^2} / y (1/sqrt(pi) + z T(z)/U(z)), z = 1/y^2

and the other function, and negative x, follow from erf = 1 - erfc, erf(-x) = -erf(x),
erfc(-x) = 2 - erfc(x). The approximations themselves are good to 18 digits; what is lost is
rounding. Two things keep it small:

- e^{-y^2} is not exp(-(y*y)): y*y is rounded, and e^{-y^2} magnifies that rounding y^2
  times (up to ~700 ulps at y = 27). Cody splits y = s + (y - s) with s = y rounded down to
  a multiple of 1/16, so that s^2 is exact and e^{-y^2} = e^{-s^2} e^{-(y-s)(y+s)}; here
  s is a multiple of 1/256 (still exact squares below 32), and e^{-s^2} comes from a small
  table, computed once: one exp per element instead of two, and d = (y-s)(y+s) < 0.25
  keeps its own rounding below a quarter ulp.
- erfc is never 1 - erf where erf is near 1, and erf never 1 - erfc where erfc is near 1.

Measured against mpmath (40 digits) on a dense grid of [-27.5, 27.5] plus tiny |x|: erf
within 4 ulps, erfc within 5-6 ulps, including the subnormal tail (erfc(27) = 5.2e-319)
down to the underflow to 0 near x = 27.3 (tests/ops/test_error_function.py).

float32 (and float16) inputs are evaluated in float64 and rounded once to their dtype.
The work is done in chunks of a few thousand elements, so that the dozen temporaries of
the rational functions stay in cache.
"""

import math

from ..autograd.function import Function
from ..backend import xp

# ---------------------------------------------------------------- Cody's coefficients
# erf(x) = x (A4 z^4 + A0 z^3 + A1 z^2 + A2 z + A3) / (z^4 + B0 z^3 + B1 z^2 + B2 z + B3),
# z = x^2, for |x| <= 0.46875
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
# erfc(y) e^{y^2} for 0.46875 < y <= 4, the same nesting in y (degree 8)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
# erfc(y) y e^{y^2} - 1/sqrt(pi) = z P(z)/Q(z)  (with a minus sign), z = 1/y^2, y > 4
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_ONE_OVER_SQRT_PI = 5.6418958354775628695e-1
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

_SMALL = 0.46875  # below: the erf series; above: erfc first
_CAP = 30.0  # erfc(30) = 2.6e-393 underflows to 0 and erf(30) rounds to 1: no need beyond
_STEPS = 256  # e^{-y^2} split at multiples of 1/256: s^2 exact for s < 32 (13 + 13 bits)
_CHUNK = 8192  # elements per pass (about 64 KB per float64 temporary)

_exp_neg_sq = None  # e^{-(k/256)^2} for k = 0 .. 30*256, computed at first use


def _gauss_table():
    global _exp_neg_sq
    if _exp_neg_sq is None:
        s = xp.arange(int(_CAP * _STEPS) + 1, dtype=xp.float64) / _STEPS
        _exp_neg_sq = xp.exp(-(s * s))  # s*s is exact: s has at most 13 significant bits
    return _exp_neg_sq


# ---------------------------------------------------------------- kernels (float64)
def _erf_small(x):
    """erf(x) for |x| <= 0.46875: x P(x^2)/Q(x^2), Horner in place."""
    z = x * x
    num = _A[4] * z
    den = z.copy()
    for a, b in zip(_A[:3], _B[:3]):
        num += a
        num *= z
        den += b
        den *= z
    num += _A[3]
    den += _B[3]
    num *= x
    num /= den
    return num


def _erfc_large(y):
    """erfc(y) for y > 0.46875 (y >= 0, nan allowed)."""
    y = xp.minimum(y, _CAP)  # nan stays nan
    mid = y <= 4.0
    if mid.all():
        r = _ratio_mid(y)
    elif not mid.any():
        r = _ratio_tail(y)
    else:
        r = xp.empty_like(y)
        r[mid] = _ratio_mid(y[mid])
        tail = ~mid
        r[tail] = _ratio_tail(y[tail])
    # e^{-y^2} = e^{-s^2} e^{-(y-s)(y+s)}, s = y rounded down to a multiple of 1/256
    k = y * _STEPS
    xp.floor(k, out=k)
    k[xp.isnan(k)] = 0  # (the nan already sits in r)
    index = k.astype(xp.intp)
    k /= _STEPS  # now s
    d = y - k
    k += y
    d *= k  # (y - s)(y + s): y - s is exact
    xp.negative(d, out=d)
    xp.exp(d, out=d)
    d *= r
    d *= _gauss_table()[index]
    return d


def _ratio_mid(y):
    """erfc(y) e^{y^2} for 0.46875 < y <= 4."""
    num = _C[8] * y
    den = y.copy()
    for c, d in zip(_C[:7], _D[:7]):
        num += c
        num *= y
        den += d
        den *= y
    num += _C[7]
    den += _D[7]
    num /= den
    return num


def _ratio_tail(y):
    """erfc(y) e^{y^2} for y > 4: (1/sqrt(pi) - z P(z)/Q(z)) / y, z = 1/y^2."""
    z = y * y
    xp.reciprocal(z, out=z)
    num = _P[5] * z
    den = z.copy()
    for p, q in zip(_P[:4], _Q[:4]):
        num += p
        num *= z
        den += q
        den *= z
    num += _P[4]
    den += _Q[4]
    num *= z
    num /= den
    xp.subtract(_ONE_OVER_SQRT_PI, num, out=num)
    num /= y
    return num


def _erf_chunk(x, out):
    y = xp.abs(x)
    small = y <= _SMALL
    if small.all():
        out[...] = _erf_small(x)
        return
    big = ~small
    if small.any():
        out[small] = _erf_small(x[small])
        xb = x[big]
    else:
        xb = x
    e = _erfc_large(xp.abs(xb))
    xp.subtract(0.5, e, out=e)  # (0.5 - erfc) + 0.5: Cody's order, exact for erfc >= 1/4
    e += 0.5
    xp.copysign(e, xb, out=e)
    out[big] = e


def _erfc_chunk(x, out):
    y = xp.abs(x)
    small = y <= _SMALL
    if small.all():
        xp.subtract(1.0, _erf_small(x), out=out)
        return
    big = ~small
    if small.any():
        out[small] = 1.0 - _erf_small(x[small])
        xb = x[big]
    else:
        xb = x
    e = _erfc_large(xp.abs(xb))
    xp.subtract(2.0, e, out=e, where=xb < 0)  # erfc(-y) = 2 - erfc(y)
    out[big] = e


def _evaluate(chunk_fn, x):
    """Apply a float64 kernel to x of any float dtype, in cache-sized chunks."""
    x64 = xp.asarray(x, dtype=xp.float64).reshape(-1)
    out = xp.empty_like(x64)
    for start in range(0, x64.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        chunk_fn(x64[part], out[part])
    return out.reshape(xp.shape(x)).astype(x.dtype, copy=False)


def erf_array(x):
    """erf of a float ndarray, in its dtype (no graph): the kernel other ops share."""
    return _evaluate(_erf_chunk, x)


def erfc_array(x):
    """erfc of a float ndarray, in its dtype (no graph): the kernel other ops share."""
    return _evaluate(_erfc_chunk, x)


# ---------------------------------------------------------------- the ops
class Erf(Function):
    label = "erf"
    rule = r"\partial\,\mathrm{erf}(x)/\partial x = \tfrac{2}{\sqrt\pi} e^{-x^2}"
    float_only = True

    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return erf_array(x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * (x.dtype.type(_TWO_OVER_SQRT_PI) * xp.exp(-(x * x)))


class Erfc(Function):
    label = "erfc"
    rule = r"\partial\,\mathrm{erfc}(x)/\partial x = -\tfrac{2}{\sqrt\pi} e^{-x^2}"
    float_only = True

    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return erfc_array(x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * (x.dtype.type(-_TWO_OVER_SQRT_PI) * xp.exp(-(x * x)))


def erf(input):
    """The error function erf(x) = 2/sqrt(pi) int_0^x e^{-t^2} dt, elementwise.

    d/dx erf(x) = 2/sqrt(pi) e^{-x^2}. Computed with Cody's rational approximations in
    float64 (within a few ulps of the true value), rounded to the input's dtype."""
    return Erf.apply(input)


def erfc(input):
    """The complementary error function erfc(x) = 1 - erf(x), elementwise, accurate where
    1 - erf(x) would cancel (erfc(10) = 2.1e-45, down to the underflow near x = 27.3).

    d/dx erfc(x) = -2/sqrt(pi) e^{-x^2}."""
    return Erfc.apply(input)


__all__ = ["erf", "erfc"]
