"""The error function erf and its complement erfc.

    erf(x) = 2/sqrt(pi) * integral_0^x e^{-t^2} dt,   erfc(x) = 1 - erf(x)
    d erf(x)/dx = 2/sqrt(pi) e^{-x^2} = -d erfc(x)/dx

NumPy has no erf ufunc: the values come from ``_kernels/erf.py`` (fdlibm's rational
approximations on whole arrays, within 1 ulp for erf and 2 for erfc), the derivatives from
the formula above.
"""

import math

from ..autograd.function import ElementwiseUnary
from ..backend import xp
from ._kernels.erf import erf_array, erfc_array

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# ---------------------------------------------------------------- the ops
class Erf(ElementwiseUnary):
    label = "erf"
    rule = r"\partial\,\mathrm{erf}(x)/\partial x = \tfrac{2}{\sqrt\pi} e^{-x^2}"
    plain = "d/dx erf(x) = 2/sqrt(pi) e^(-x^2)"
    form = ("erf({...})", r"\mathrm{erf}({...})")
    float_only = True

    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return erf_array(x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * (x.dtype.type(_TWO_OVER_SQRT_PI) * xp.exp(-(x * x)))


def erf(input):
    """The error function erf(x) = 2/sqrt(pi) int_0^x e^{-t^2} dt, elementwise.

    d/dx erf(x) = 2/sqrt(pi) e^{-x^2}. Computed with fdlibm's rational approximations in
    the input's dtype (float64: within 1 ulp of the true value; float32: within 1 float32
    ulp; float16 through float32)."""
    return Erf.apply(input)


class Erfc(ElementwiseUnary):
    label = "erfc"
    rule = r"\partial\,\mathrm{erfc}(x)/\partial x = -\tfrac{2}{\sqrt\pi} e^{-x^2}"
    plain = "d/dx erfc(x) = -2/sqrt(pi) e^(-x^2)"
    form = ("erfc({...})", r"\mathrm{erfc}({...})")
    float_only = True

    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return erfc_array(x)

    def backward(ctx, upstream):
        (x,) = ctx.saved
        return upstream * (x.dtype.type(-_TWO_OVER_SQRT_PI) * xp.exp(-(x * x)))


def erfc(input):
    """The complementary error function erfc(x) = 1 - erf(x), elementwise, accurate where
    1 - erf(x) would cancel (erfc(10) = 2.1e-45, down to the underflow near x = 27.3).

    d/dx erfc(x) = -2/sqrt(pi) e^{-x^2}."""
    return Erfc.apply(input)


__all__ = ["erf", "erfc"]


# ---------------------------------------------------------------- the inverse, erfinv
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


class Erfinv(ElementwiseUnary):
    label = "erfinv"
    rule = r"\partial\,\mathrm{erfinv}(x)/\partial x = \tfrac{\sqrt\pi}{2} e^{\mathrm{erfinv}(x)^2}"
    plain = "d erfinv(x)/d x = sqrt(pi)/2 e^(erfinv(x)^2)"
    form = ("erfinv({...})", r"\mathrm{erf}^{-1}({...})")
    float_only = True

    def forward(ctx, x):
        y = erfinv_array(x)
        ctx.save_for_backward(y)  # the derivative is 1/erf'(y), y the output
        return y

    def backward(ctx, upstream):
        (y,) = ctx.saved
        return upstream * (y.dtype.type(math.sqrt(math.pi) / 2) * xp.exp(y * y))


def erfinv(input):
    """The inverse error function: erfinv(erf(y)) = y, for inputs in (-1, 1); +-inf at +-1
    and nan outside, as torch.

    d/dx erfinv(x) = 1 / erf'(erfinv(x)) = sqrt(pi)/2 e^{erfinv(x)^2}."""
    return Erfinv.apply(input)


__all__ += ["erfinv"]
