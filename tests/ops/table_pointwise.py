"""Op table rows: pointwise math (ops/pointwise.py) and prod / cumsum / cumprod / norm
(ops/reduction.py). Row format: see harness.py.

Inputs stay away from poles and kinks: tan on [-1.2, 1.2] (poles at +-pi/2), asin/acos on
[-0.9, 0.9] (infinite slope at +-1), atanh on [-0.9, 0.9] and acosh on [1.2, 4] (poles at
+-1 and 1), log1p on [-0.5, 3] (pole at -1), rsqrt/log2/log10 on
``pos`` ([0.5, 2]), reciprocal and sign on ``away`` (|x| >= 0.1), atan2 with both
coordinates ``away`` (the origin is its singularity), one-sided clamps on a grid of the
other parity than the bound (never within 0.06 of it), the inf-norms on distinct grid
values (no ties among |x|) and p < 1 norms ``away`` from 0 (|x|^(p-1) blows up there).

The step ops (sign floor ceil round trunc) have gradient 0; gradcheck agrees because the
random inputs are never within the finite-difference step of a jump. Predicates and
logical ops return bool tensors: compared exactly, no gradient on either side.

Special values at zero (prod and cumprod with one and two zeros, norm of a zero vector)
are rows too (``const``), and more of them, with hand-derived values, sit in
test_pointwise.py.
"""

from harness import Case, away, const, grid, ints, mask, pos, uniform

NAN, INF = float("nan"), float("inf")
HALVES = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 3.51]

CASES = [
    # --- smooth unary
    Case("sin", (3, 4), hyp="broadcast"),
    Case("cos", (3, 4), hyp="broadcast"),
    Case("tan", uniform(3, 4, low=-1.2, high=1.2), hyp="broadcast"),
    Case("asin", uniform(3, 4, low=-0.9, high=0.9), hyp="broadcast"),
    Case("acos", uniform(3, 4, low=-0.9, high=0.9)),
    Case("atan", (3, 4), hyp="broadcast"),
    Case("sinh", (3, 4), hyp="broadcast"),
    Case("cosh", (3, 4), hyp="broadcast"),
    Case("asinh", (3, 4), hyp="broadcast"),
    Case("acosh", uniform(3, 4, low=1.2, high=4.0), hyp="broadcast"),
    Case("atanh", uniform(3, 4, low=-0.9, high=0.9), hyp="broadcast"),
    Case("log1p", uniform(3, 4, low=-0.5, high=3.0), hyp="broadcast"),
    # atol=0: the default atol (1e-10, float32 1e-6) exceeds these values, so log(1 + a)
    # and exp(a) - 1, which lose the digits of tiny a, would pass
    Case("log1p", uniform(5, low=-1e-9, high=1e-9), name="log1p,tiny", atol=0),
    Case("expm1", (3, 4), hyp="broadcast"),
    Case("expm1", uniform(5, low=-1e-9, high=1e-9), name="expm1,tiny", atol=0),
    Case("log2", pos(3, 4), hyp="broadcast"),
    Case("log10", pos(3, 4), hyp="broadcast"),
    Case("square", (3, 4), hyp="broadcast"),
    Case("rsqrt", pos(3, 4), hyp="broadcast"),
    Case("reciprocal", away(3, 4, gap=0.3), hyp="broadcast"),
    # integer inputs: float functions compute in the default float dtype, square keeps ints
    Case("sin", ints(3, 4), name="sin,int", gradcheck=False, dtypes=["float64"]),
    Case("rsqrt", ints(3, 4, low=1, high=9), name="rsqrt,int", gradcheck=False,
         dtypes=["float64"]),
    Case("square", ints(3, 4), name="square,int", gradcheck=False, dtypes=["float64"]),
    # --- one-sided clamps: number and tensor bounds, the gradient at the bound itself
    Case("clamp_min", grid(3, 4, parity=1), fn=lambda F, x: F.clamp_min(x, 0.2),
         name="clamp_min,number"),
    Case("clamp_max", grid(3, 4, parity=1), fn=lambda F, x: F.clamp_max(x, -0.2),
         name="clamp_max,number"),
    Case("clamp_min", grid(3, 4), grid(4, parity=1), name="clamp_min,tensor bound"),
    Case("clamp_max", grid(3, 4), grid(3, 1, parity=1), name="clamp_max,tensor bound"),
    Case("clamp_min", const([-1.0, 0.0, 0.5, 1.0]), fn=lambda F, x: F.clamp_min(x, 0.5),
         name="clamp_min,at the bound", gradcheck=False),
    Case("clamp_max", const([-1.0, 0.0, 0.5, 1.0]), fn=lambda F, x: F.clamp_max(x, 0.5),
         name="clamp_max,at the bound", gradcheck=False),
    Case("clamp_min", const([-1.0, 0.5, 1.0]), const([0.5, 0.5, 0.5]),
         name="clamp_min,tie with a tensor bound", gradcheck=False),
    # --- smooth binary
    Case("atan2", away(3, 4), away(3, 4), hyp="broadcast"),
    Case("atan2", away(3, 4), away(4,)),
    Case("atan2", ints(3, 4, low=1), ints(4, low=1), name="atan2,int", gradcheck=False,
         dtypes=["float64"]),
    Case("lerp", (3, 4), (3, 4), fn=lambda F, a, b: F.lerp(a, b, 0.3), name="lerp,small weight"),
    Case("lerp", (3, 4), (3, 4), fn=lambda F, a, b: F.lerp(a, b, 0.75), name="lerp,large weight"),
    Case("lerp", (3, 4), (3, 4), uniform(3, 4, low=-0.5, high=1.5), hyp="broadcast"),
    Case("lerp", (3, 4), (4,), uniform(3, 1, low=0, high=1)),
    # --- step ops: zero gradient, output in the graph
    Case("sign", away(3, 4), hyp="broadcast"),
    Case("sign", const([-2.0, -0.0, 0.0, 3.0]), name="sign,zeros", gradcheck=False),
    Case("floor", (3, 4), hyp="broadcast"),
    Case("ceil", (3, 4), hyp="broadcast"),
    Case("trunc", (3, 4), hyp="broadcast"),
    Case("fix", (3, 4)),
    Case("round", (3, 4), hyp="broadcast"),
    Case("round", const(HALVES), name="round,halves to even", gradcheck=False),
    Case("round", uniform(3, 4, low=-5, high=5), fn=lambda F, x: F.round(x, decimals=2),
         name="round,decimals=2"),
    Case("round", uniform(3, 4, low=-500, high=500), fn=lambda F, x: F.round(x, decimals=-1),
         name="round,decimals=-1"),
    Case("round", (3, 4), fn=lambda F, x: x.round(decimals=1), name="x.round(decimals=1)"),
    Case("floor", ints(3, 4), name="floor,int", gradcheck=False, dtypes=["float64"]),
    Case("sign", ints(3, 4), name="sign,int", gradcheck=False, dtypes=["float64"]),
    Case("round", ints(3, 4), name="round,int", gradcheck=False, dtypes=["float64"]),
    Case("frac", (3, 4), hyp="broadcast"),
    Case("frac", uniform(3, 4, low=-10, high=10), name="frac,wide"),
    # --- nan_to_num: gradient 1 where finite, 0 where replaced
    Case("nan_to_num", const([NAN, INF, -INF, 1.5, -2.0]), name="nan_to_num,defaults",
         gradcheck=False),
    Case("nan_to_num", const([NAN, INF, -INF, 1.5, -2.0]),
         fn=lambda F, x: F.nan_to_num(x, nan=0.5, posinf=10.0, neginf=-10.0),
         name="nan_to_num,values", gradcheck=False),
    Case("nan_to_num", (3, 4), hyp="broadcast"),
    # --- predicates and logical ops: bool tensors, no gradient
    Case("isnan", const([NAN, INF, -INF, 0.0, 1.0]), gradcheck=False),
    Case("isinf", const([NAN, INF, -INF, 0.0, 1.0]), gradcheck=False),
    Case("isposinf", const([NAN, INF, -INF, 0.0, 1.0]), gradcheck=False),
    Case("isneginf", const([NAN, INF, -INF, 0.0, 1.0]), gradcheck=False),
    Case("isfinite", const([NAN, INF, -INF, 0.0, 1.0]), gradcheck=False),
    Case("isnan", ints(3, 4), name="isnan,int", gradcheck=False, dtypes=["float64"]),
    Case("isclose", const([1.0, 1.0, 1.0, INF, INF, NAN, 0.0, 100.0]),
         const([1.0, 1.00001, 1.1, INF, -INF, NAN, 1e-9, 100.001]), gradcheck=False),
    # (Case's own rtol= is the harness tolerance, so the op's tolerances go through fn)
    Case("isclose", const([1.0, 1.05, NAN, 0.0, 2.0]), const([1.1, 1.0, NAN, 1e-3, 2.3]),
         fn=lambda F, a, b: F.isclose(a, b, rtol=0.1, atol=1e-3, equal_nan=True),
         name="isclose,rtol atol equal_nan", gradcheck=False),
    Case("isclose", const([[1.0, 2.0], [3.0, 4.0]]), const([1.0, 2.0]),
         name="isclose,broadcast", gradcheck=False),
    Case("logical_and", mask(3, 4), mask(3, 4), gradcheck=False, hyp="broadcast"),
    Case("logical_or", mask(3, 4), mask(4), gradcheck=False),
    Case("logical_xor", mask(3, 1), mask(4), gradcheck=False),
    Case("logical_not", mask(3, 4), gradcheck=False),
    Case("logical_and", const([0.0, 1.0, -2.0, 0.0]), ints(4), name="logical_and,numbers",
         gradcheck=False),
    Case("logical_not", const([0.0, 1.0, NAN, -0.0]), name="logical_not,floats",
         gradcheck=False),
    # --- any / all: over everything, a dim, a tuple of dims, keepdim
    Case("any", mask(3, 4), gradcheck=False, hyp="reduce"),
    Case("all", mask(3, 4), gradcheck=False, hyp="reduce"),
    Case("any", mask(2, 3, 4), dim=1, keepdim=True, gradcheck=False, hyp="reduce"),
    Case("all", mask(2, 3, 4), dim=(0, 2), gradcheck=False, hyp="reduce"),
    Case("all", const([[1.0, 0.0], [2.0, 3.0]]), dim=-1, name="all,floats", gradcheck=False),
    Case("any", ints(3, 4, low=0, high=2), dim=0, name="any,ints", gradcheck=False,
         dtypes=["float64"]),

    # --- prod: over everything and along a dim
    Case("prod", (3, 4), hyp="reduce"),
    Case("prod", (3, 4), dim=1, hyp="reduce"),
    Case("prod", (2, 3, 4), dim=-2, keepdim=True, hyp="reduce"),
    Case("prod", (), name="prod,0-d"),
    Case("prod", ints(3, 4), name="prod,int", gradcheck=False, dtypes=["float64"]),
    Case("prod", (3, 4), fn=lambda F, x: F.prod(x, 0, dtype=F.float64), name="prod,dtype"),
    # zeros: one zero gets the product of the others, two or more zeros give 0
    Case("prod", const([2.0, 0.0, 3.0, -1.5]), name="prod,one zero"),
    Case("prod", const([2.0, 0.0, 3.0, 0.0]), name="prod,two zeros"),
    Case("prod", const([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.5, -2.0, 0.5]]), dim=1,
         name="prod,zeros along a dim"),
    Case("prod", const([[2.0, 0.0], [0.0, 5.0], [1.5, -2.0]]), dim=0, keepdim=True,
         name="prod,zeros along dim 0"),
    # --- cumsum / cumprod
    Case("cumsum", (3, 4), dim=0, hyp="reduce"),
    Case("cumsum", (2, 3, 4), dim=-1, hyp="reduce"),
    Case("cumsum", (), dim=0, name="cumsum,0-d"),
    Case("cumsum", mask(3, 4), dim=1, name="cumsum,bool", gradcheck=False, dtypes=["float64"]),
    Case("cumsum", (3, 4), fn=lambda F, x: F.cumsum(x, 1, dtype=F.float64), name="cumsum,dtype"),
    Case("cumprod", (3, 4), dim=1, hyp="reduce"),
    Case("cumprod", (2, 3, 4), dim=0, hyp="reduce"),
    Case("cumprod", (4, 1), dim=1, name="cumprod,size-1 dim"),
    Case("cumprod", const([2.0, 0.0, 3.0, 4.0]), dim=0, name="cumprod,one zero"),
    Case("cumprod", const([2.0, 0.0, 3.0, 0.0, 5.0]), dim=0, name="cumprod,two zeros"),
    Case("cumprod", const([[0.0, 2.0, 3.0], [1.5, 2.0, 0.0], [1.0, -2.0, 3.0]]), dim=1,
         name="cumprod,zeros in some rows"),
    Case("cumprod", const([[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), dim=0,
         name="cumprod,zeros along dim 0"),
    # --- norm: the vector p-norms, 'fro', dims and keepdim
    Case("norm", (3, 4), hyp="reduce"),
    Case("norm", (3, 4), dim=1, hyp="reduce"),
    Case("norm", (2, 3, 4), p=2, dim=(0, 2), keepdim=True, hyp="reduce"),  # fro: <= 2 dims
    Case("norm", (2, 3, 4), p="fro", dim=(1, 2), name="norm,fro over a matrix"),
    Case("norm", away(3, 4), p=1, hyp="reduce"),
    Case("norm", away(3, 4), p=1, dim=0, hyp="reduce"),
    Case("norm", grid(3, 4, distinct=True), p=INF, name="norm,p=inf"),
    Case("norm", grid(3, 4, distinct=True), p=-INF, dim=1, name="norm,p=-inf"),
    Case("norm", grid(2, 3, 4, distinct=True), p=INF, dim=(0, 1), keepdim=True,
         name="norm,p=inf dims"),
    Case("norm", (3, 4), p=3, hyp="reduce"),
    Case("norm", (3, 4), p=1.5, dim=1, hyp="reduce"),
    Case("norm", away(3, 4, gap=0.2), p=0.5, dim=0),
    Case("norm", away(3, 4, gap=0.2), p=-1.0, dim=1),
    Case("norm", (3, 4), p=0, dim=1, gradcheck=False),
    Case("norm", (3, 4), p=None, name="norm,p=None"),
    Case("norm", (), name="norm,0-d"),
    # at zero: the gradient is 0, not nan (0/0), for every p
    Case("norm", const([0.0, 0.0, 0.0]), name="norm,zero vector", gradcheck=False),
    Case("norm", const([[0.0, 0.0], [3.0, -4.0]]), dim=1, name="norm,one zero row",
         gradcheck=False),
    Case("norm", const([0.0, 0.0, 0.0]), p=1, name="norm,p=1 at zero", gradcheck=False),
    Case("norm", const([0.0, 0.0, 0.0]), p=3, name="norm,p=3 at zero", gradcheck=False),
    Case("norm", const([0.0, 0.0, 0.0]), p=1.5, name="norm,p=1.5 at zero", gradcheck=False),
    Case("norm", const([0.0, 0.0, 0.0]), p=0.5, name="norm,p=0.5 at zero", gradcheck=False),
    Case("norm", const([0.0, 0.0, 0.0]), p=INF, name="norm,p=inf at zero", gradcheck=False),
    Case("norm", const([1.0, -3.0, 3.0]), p=INF, name="norm,p=inf ties", gradcheck=False),
]
