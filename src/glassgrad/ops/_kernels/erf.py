"""erf and erfc on whole float arrays: fdlibm's rational approximations, vectorised; and
erfinv, by Halley steps from Winitzki's closed-form guess (at the end).

NumPy has no erf ufunc, so the values come from the rational approximations of Sun's
fdlibm (s_erf.c, 1993; the erf of glibc, musl, FreeBSD and Java's StrictMath), evaluated on
whole arrays instead of one number at a time. Four intervals of y = |x|:

- y < 0.84375:          erf(x) = x + x R(x^2)           (R = P/Q: a small correction)
- 0.84375 <= y < 1.25:  erf(y) = c + P(y-1)/Q(y-1)       (c = erf(1) rounded to 24 bits)
- 1.25 <= y < 28:       erfc(y) = e^{-y^2 - 0.5625 + R(1/y^2)/S(1/y^2)} / y
                        (two rational fits, split at y = 1/0.35)
- y >= 28:              erfc(y) = 0 (below the smallest subnormal), erf = +-1

Each rational function is only a correction added to a larger exact term, so its own
rounding errors barely reach the result. e^{-y^2} is e^{-z^2 - 0.5625} e^{(z-y)(z+y) + R/S}
with z = y cut to its upper 21 bits: z^2 + 0.5625 is then exact, and the rounding of y*y
(magnified y^2-fold by exp: 700 ulps near y = 27) never happens. Negative x: erf(-x) =
-erf(x), erfc(-x) = 2 - erfc(x).

Measured on a dense grid of [-27.5, 27.5] plus tiny |x| (tests/ops/test_error_function.py):
erf within 1 ulp and erfc within 2 ulps of 40-digit values (mpmath), as close as the C
library's (math.erf, math.erfc: erf 1, erfc up to 4 ulps off on [0.84, 1.25]), including
erfc's subnormal tail (erfc(27) = 5.2e-319) down to its underflow near x = 27.3.

float32 inputs are evaluated in float32 (twice as fast; fdlibm's erff has the same
coefficients, rounded), except the final exponential and division of the tail, done in
float64 and rounded once: within 1 ulp (erf) and 2.1 ulps (erfc) of the true value
(PyTorch's float32 kernels: 1). float16 goes through float32.
Large arrays are done in chunks, so that the temporaries of the rational functions stay
in cache.

The coefficients are fdlibm's, under its notice:
    Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
    Developed at SunPro, a Sun Microsystems, Inc. business.
    Permission to use, copy, modify, and distribute this software is freely granted,
    provided that this notice is preserved.
"""

import math

from ...backend import xp

# ---------------------------------------------------------------- fdlibm's coefficients
_ERX = 8.45062911510467529297e-01  # erf(1) rounded to 24 bits: c of the second interval
_EFX8 = 1.02703333676410069053e+00  # 8 (2/sqrt(pi) - 1): erf(x) = x + x/8 EFX8 for tiny x
# erf(x) = x + x PP(z)/(1 + z QQ(z)), z = x^2, |x| < 0.84375
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
       5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06)
# erf(1 + s) = c + PA(s)/(1 + s QA(s)), 0.84375 <= |x| < 1.25
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
       7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02,
       1.19844998467991074170e-02)
# log(y erfc(y)) + y^2 + 0.5625 = RA(t)/(1 + t SA(t)), t = 1/y^2, 1.25 <= y < 1/0.35
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
       4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02,
       1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02)
# the same for 1/0.35 <= y < 28
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
       1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03,
       4.74528541206955367215e+02, -2.24409524465858183362e+01)

_SMALL, _NEAR_ONE, _SPLIT, _CAP = 0.84375, 1.25, 1 / 0.35, 28.0
_TINY = 2.0 ** -28  # below: erf(x) = x (1 + EFX8/8), exactly as fdlibm
# z = y with its low bits cleared, so that z^2 + 0.5625 is exact: 21 of float64's 53
# significant bits are kept, 11 of float32's 24 (one fewer than fdlibm's erff: with 12,
# z^2 + 0.5625 can cross a power of 2 and lose its last bit, 60 ulps at y = 8)
_HIGH_BITS = {xp.dtype(xp.float64): (xp.uint64, xp.uint64(0xFFFFFFFF00000000)),
              xp.dtype(xp.float32): (xp.uint32, xp.uint32(0xFFFFE000))}
_CHUNK = 32768  # elements per pass (256 KB per float64 temporary)


def _horner(c, t):
    """c[0] + t (c[1] + t (c[2] + ...)), innermost first (fdlibm's order of rounding)."""
    acc = c[-1] * t
    for a in c[-2:0:-1]:
        acc += a
        acc *= t
    acc += c[0]
    return acc


# ---------------------------------------------------------------- the three pieces
def _small_ratio(x):
    """R(x^2) with erf(x) = x + x R, |x| < 0.84375."""
    z = x * x
    r = _horner(_PP, z)
    r /= _horner(_QQ, z)
    return r


def _near_one(y):
    """erf(y) - c for 0.84375 <= y < 1.25."""
    s = y - 1.0
    p = _horner(_PA, s)
    p /= _horner(_QA, s)
    return p


def _tail(y):
    """erfc(y) for y >= 1.25 (also inf and nan)."""
    y = xp.minimum(y, _CAP)  # erfc(28) is 0 already; nan stays nan
    t = y * y
    xp.reciprocal(t, out=t)
    low = y < _SPLIT
    if low.all():
        rs = _horner(_RA, t) / _horner(_SA, t)
    elif not low.any():
        rs = _horner(_RB, t) / _horner(_SB, t)
    else:
        rs = xp.empty_like(t)
        for at, r, s in ((_where(low), _RA, _SA), (_where(~low), _RB, _SB)):
            tt = t.take(at)
            rs[at] = _horner(r, tt) / _horner(s, tt)
    uint, high_bits = _HIGH_BITS[y.dtype]
    z = (y.view(uint) & high_bits).view(y.dtype)  # y cut to 21 (float32: 11) bits
    d = z - y
    d *= z + y
    d += rs  # (z - y)(z + y) + R/S
    z *= z
    z += 0.5625  # exact
    if y.dtype == xp.float32:
        # float32: the exponential and the division in float64, rounded once at the end
        # (two float32 exps and a product would cost up to 4 ulps; this keeps ~1)
        e = d.astype(xp.float64)
        e -= z
        xp.exp(e, out=e)
        e /= y
        return e.astype(xp.float32)
    xp.exp(d, out=d)
    xp.negative(z, out=z)
    xp.exp(z, out=z)  # e^{-z^2 - 0.5625}: its argument is exact
    d *= z
    d /= y
    return d


# Boolean-mask indexing (x[mask], out[mask] = v) costs about 7 ns per element on scattered
# masks; positions from flatnonzero, then take and an integer scatter, about 3 ns.
_where = xp.flatnonzero


def _split(x):
    """Positions of the three intervals of |x| (inf and nan go with the tail)."""
    y = xp.abs(x)
    small = y < _SMALL
    near = y < _NEAR_ONE
    near &= ~small
    far = ~(small | near)
    return y, _where(small), _where(near), _where(far)


# ---------------------------------------------------------------- erf and erfc of a chunk
def _erf_chunk(x, out):
    y, small, near, far = _split(x)
    if small.size:
        xs = x.take(small)
        v = _small_ratio(xs)
        v *= xs
        v += xs  # x + x R
        tiny = xp.abs(xs) < _TINY
        if tiny.any():  # 0.125 (8x + EFX8 x): no underflow for subnormal x
            xt = xs[tiny]
            v[tiny] = 0.125 * (8.0 * xt + _EFX8 * xt)
        out[small] = v
    if near.size:
        v = _near_one(y.take(near))
        v += _ERX
        out[near] = xp.copysign(v, x.take(near), out=v)
    if far.size:
        v = _tail(y.take(far))
        xp.subtract(1.0, v, out=v)  # 1 - erfc: exact to rounding here (erfc < 0.08)
        out[far] = xp.copysign(v, x.take(far), out=v)


def _erfc_chunk(x, out):
    y, small, near, far = _split(x)
    if small.size:
        xs = x.take(small)
        r = _small_ratio(xs)
        r *= xs  # x R
        # x < 1/4: 1 - (x + x R); 1/4 <= x < 0.84375: 1/2 - (x R + (x - 1/2)), which keeps
        # the digits 1 - x would round away
        out[small] = xp.where(xs < 0.25, 1.0 - (xs + r), 0.5 - (r + (xs - 0.5)))
    if near.size:
        p = _near_one(y.take(near))
        out[near] = xp.where(x.take(near) > 0, (1.0 - _ERX) - p, 1.0 + (_ERX + p))
    if far.size:
        v = _tail(y.take(far))
        xp.subtract(2.0, v, out=v, where=x.take(far) < 0)  # erfc(-y) = 2 - erfc(y)
        out[far] = v


def _evaluate(chunk_fn, x):
    """Apply a kernel to x in cache-sized chunks: float64 and float32 in their own dtype
    (the Python-float coefficients round to float32 there, as fdlibm's erff has them),
    float16 through float32."""
    work = xp.float64 if x.dtype == xp.float64 else xp.float32
    flat = xp.asarray(x, dtype=work).reshape(-1)
    out = xp.empty_like(flat)
    for start in range(0, flat.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        chunk_fn(flat[part], out[part])
    return out.reshape(xp.shape(x)).astype(x.dtype, copy=False)


def erf_array(x):
    """erf of a float ndarray, in its dtype (no graph): the kernel other ops share."""
    return _evaluate(_erf_chunk, x)


def erfc_array(x):
    """erfc of a float ndarray, in its dtype (no graph): the kernel other ops share."""
    return _evaluate(_erfc_chunk, x)


# ---------------------------------------------------------------- the inverse, erfinv
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_WINITZKI_A = 0.147  # Winitzki (2008): erfinv to ~2e-3 relative, in closed form


def _erfinv_start(t):
    """A first guess of erfinv(t), 0 <= t < 1, within ~0.2 %: Winitzki's closed form
    y^2 = sqrt(b^2 - L/a) - b, L = log(1 - t^2), b = 2/(pi a) + L/2; below t = 1e-4 the
    series sqrt(pi)/2 (t + pi t^3 / 12) (the closed form cancels there)."""
    log_one_minus = xp.log1p(-t * t)
    b = 2 / (math.pi * _WINITZKI_A) + log_one_minus / 2
    closed = xp.sqrt(xp.maximum(xp.sqrt(b * b - log_one_minus / _WINITZKI_A) - b, 0))
    series = math.sqrt(math.pi) / 2 * (t + math.pi / 12 * t ** 3)
    return xp.where(t < 1e-4, series, closed)


def erfinv_array(x):
    """erfinv of a float ndarray, in its dtype: the y with erf(y) = x, for -1 < x < 1
    (+-inf at +-1, nan outside). Winitzki's guess, then three Halley steps on
    f(y) = erf(y) - t (cubic convergence: 2e-3 -> 1e-8 -> 1e-16). For t >= 1/2 the
    residual is computed as (1 - t) - erfc(y), where both terms are exact or accurate:
    erf(y) - t would lose the digits that decide y near t = 1."""
    t = xp.abs(x.astype(xp.float64))
    with xp.errstate(invalid="ignore", divide="ignore"):
        inside = t < 1
        ti = xp.where(inside, t, 0.0)
        y = _erfinv_start(ti)
        high = ti >= 0.5
        for _ in range(3):
            residual = xp.where(high, (1 - ti) - erfc_array(y), erf_array(y) - ti)
            slope = _TWO_OVER_SQRT_PI * xp.exp(-y * y)  # f'(y); f''(y) = -2 y f'(y)
            step = residual / slope
            y = y - step / (1 + y * step)  # Halley: f/f' / (1 - f f''/(2 f'^2))
        y = xp.where(inside, y, xp.where(t == 1, xp.inf, xp.nan))
    return xp.copysign(y, x).astype(x.dtype, copy=False)
