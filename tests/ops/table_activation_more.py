"""Op table rows: erf, erfc and the wave-3 activations (row format: see harness.py).

Kinks are avoided: elu/selu/celu and prelu get ``away`` inputs (|x| >= 0.1, their kink is
at 0); hardtanh gets ``grid(parity=1)`` values (0.2 k + 0.1, never within 0.08 of +-1) or
bounds placed between grid points; relu6, hardsigmoid and hardswish (kinks at 0, 6, +-3)
get uniform draws, which land within finite-difference reach of a kink with probability
about 1e-6, and fixed values either side of each kink. The stable ones also run on large
|x|: erfc on [-27, 27] (down to the subnormal tail erfc(27) = 5e-319), logsigmoid and mish
on +-60, gelu and silu on +-40.
"""

from harness import Case, away, const, grid, randn, uniform


def _F(name):
    """The op as torch.nn.functional.<name> / glassgrad.nn.functional.<name>: most of these
    are not top-level names in either library."""
    return lambda lib, *tensors, **kwargs: getattr(lib.nn.functional, name)(*tensors, **kwargs)


CASES = [
    # ---- erf, erfc (methods too: torch.Tensor has erf and erfc)
    Case("erf", (3, 4), hyp="broadcast"),
    Case("erf", uniform(5, 6, low=-6, high=6), name="erf,wide"),
    Case("erf", const([-30.0, -5.0, -0.46875, -1e-9, 1e-300, 0.3, 0.46875, 0.5, 4.0, 4.5, 27.0]),
         name="erf,interval ends and tails"),
    Case("erfc", (3, 4), hyp="broadcast"),
    Case("erfc", uniform(6, 7, low=-27, high=27), name="erfc,tails",
         # below 1e-300 float64 is subnormal: compare those absolutely (torch has the same
         # few significant digits there)
         atol=1e-320),
    Case("erfc", const([-6.0, -4.0, -0.46875, 0.0, 0.46875, 1.0, 4.0, 4.25, 10.0, 26.5, 27.0]),
         name="erfc,interval ends and tails"),
    # ---- gelu
    Case("gelu", (3, 4), hyp="broadcast"),
    Case("gelu", uniform(4, 5, low=-40, high=40), name="gelu,large |x|"),
    Case("gelu", (3, 4), approximate="tanh", name="gelu,tanh", hyp="broadcast"),
    Case("gelu", uniform(4, 5, low=-40, high=40), approximate="tanh", name="gelu,tanh,large |x|"),
    # ---- smooth ones
    Case("silu", (3, 4), hyp="broadcast"),
    Case("silu", uniform(4, 5, low=-40, high=40), name="silu,large |x|"),
    Case("mish", (3, 4), hyp="broadcast"),
    Case("mish", uniform(4, 5, low=-60, high=60), name="mish,large |x|"),
    Case("logsigmoid", (3, 4), hyp="broadcast"),
    Case("logsigmoid", uniform(4, 5, low=-60, high=60), name="logsigmoid,large |x|"),
    Case("softsign", (3, 4), hyp="broadcast"),
    Case("softsign", uniform(4, 5, low=-1e4, high=1e4), name="softsign,large |x|"),
    # ---- the elu family (kink at 0)
    Case("elu", away(3, 4), hyp="broadcast"),
    Case("elu", away(3, 4), alpha=0.5),
    Case("elu", uniform(3, 4, low=-40, high=40), alpha=2.0, name="elu,large |x|"),
    Case("elu", const([-1000.0, -90.0, -79.0, -1e-12, 1e-12, 100.0]), name="elu,far tail"),
    Case("elu", const(-100.0), name="elu,0-d far tail"),
    Case("selu", away(3, 4), hyp="broadcast"),
    Case("selu", uniform(3, 4, low=-40, high=40), name="selu,large |x|"),
    Case("celu", away(3, 4), hyp="broadcast"),
    Case("celu", away(3, 4), alpha=0.5),
    Case("celu", away(3, 4), alpha=-1.5, name="celu,negative alpha"),
    Case("celu", const([-2000.0, -1000.0, -5.0, 3.0]), alpha=-1.5, gradcheck=False,
         name="celu,negative alpha,overflow"),
    # ---- piecewise linear ones
    Case("hardtanh", grid(4, 5, parity=1), hyp="broadcast"),
    Case("hardtanh", grid(4, 5, parity=1), min_val=-0.4, max_val=1.2),
    Case("relu6", uniform(4, 5, low=-3, high=9), hyp="broadcast"),
    Case("relu6", const([-1.0, -0.05, 0.05, 3.0, 5.95, 6.05, 8.0]), name="relu6,either side"),
    Case("hardsigmoid", uniform(4, 5, low=-5, high=5), hyp="broadcast"),
    Case("hardsigmoid", const([-4.0, -3.05, -2.95, 0.0, 2.95, 3.05, 4.0]),
         name="hardsigmoid,either side"),
    Case("hardswish", uniform(4, 5, low=-5, high=5), hyp="broadcast"),
    Case("hardswish", const([-4.0, -3.05, -2.95, 0.0, 2.95, 3.05, 4.0]),
         name="hardswish,either side"),
    # ---- softmin (softmax of -x)
    Case("softmin", (3, 5), dim=1, hyp="reduce"),
    Case("softmin", (2, 3, 4), dim=0),
    Case("softmin", (2, 3, 4), dim=-1),
    Case("softmin", uniform(3, 4, low=-300, high=300), dim=1, name="softmin,large |x|"),
    # ---- prelu: one shared slope, or one per channel (dim 1); gradients to both
    Case("prelu", away(4, 3), const([0.25]), name="prelu,shared slope"),
    Case("prelu", away(2, 3, 4, 5), randn(3), name="prelu,per channel 4-d"),
    Case("prelu", away(5, 3), randn(3), name="prelu,per channel 2-d"),
    Case("prelu", away(6), const([-0.5]), name="prelu,1-d input"),
    Case("prelu", away(2, 4), const(0.1), name="prelu,0-d slope"),
    # ---- glu: a sigmoid(b), the halves of dim
    Case("glu", (3, 4)),
    Case("glu", (4, 3, 2), dim=0),
    Case("glu", (2, 6, 3), dim=1),
    Case("glu", uniform(2, 8, low=-40, high=40), name="glu,large |x|"),
    # ---- shrinkage and threshold (kinks at +-lambd and at the threshold: grid values
    # 0.2 k (+- 0.02) stay >= 0.08 away from +-0.5 and +-0.3; 0.2 k + 0.1 (parity=1) from
    # 1.2, 0, 0.2 and -1)
    Case("hardshrink", grid(4, 5), hyp="broadcast"),
    Case("hardshrink", grid(4, 5), lambd=0.3),
    Case("softshrink", grid(4, 5), hyp="broadcast"),
    Case("softshrink", grid(4, 5, parity=1), lambd=1.2),
    Case("softshrink", grid(4, 5, parity=1), lambd=0.0, name="softshrink,lambd=0"),
    Case("tanhshrink", (3, 4), hyp="broadcast"),
    Case("tanhshrink", uniform(4, 5, low=-30, high=30), name="tanhshrink,large |x|"),
    Case("threshold", grid(4, 5, parity=1), threshold=0.2, value=-3.0, hyp="broadcast"),
    Case("threshold", grid(4, 5, parity=1), threshold=-1.0, value=20.0),
]

# Not top-level names in torch (nor, therefore, in glassgrad): these rows call
# <library>.nn.functional.<op> on both sides.
F_ONLY = {"gelu", "silu", "elu", "logsigmoid", "softsign", "hardtanh", "relu6", "hardsigmoid",
          "hardswish", "mish", "softmin", "glu", "softshrink", "tanhshrink"}
for _case in CASES:
    if _case.op in F_ONLY:
        _case.fn = _F(_case.op)
