"""The error function erf and its complement erfc.

    erf(x) = 2/sqrt(pi) * integral_0^x e^{-t^2} dt,   erfc(x) = 1 - erf(x)
    d erf(x)/dx = 2/sqrt(pi) e^{-x^2} = -d erfc(x)/dx

NumPy has no erf ufunc: the values come from ``_kernels/erf.py`` (fdlibm's rational
approximations on whole arrays, within 1 ulp for erf and 2 for erfc; erfinv by Halley
steps), the derivatives from the formulas above and d erfinv(x)/dx = sqrt(pi)/2
e^{erfinv(x)^2}.
"""

import math

from ..autograd.function import ElementwiseUnary
from ..backend import xp
from ._kernels.erf import erf_array, erfc_array, erfinv_array

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
class Erfinv(ElementwiseUnary):
    label = "erfinv"
    rule = r"\partial\,\mathrm{erfinv}(x)/\partial x = \tfrac{\sqrt\pi}{2} e^{\mathrm{erfinv}(x)^2}"
    plain = "d/dx erfinv(x) = sqrt(pi)/2 e^(erfinv(x)^2)"
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
