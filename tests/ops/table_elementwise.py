"""Op table rows: elementwise ops, Python-scalar operands, type promotion and dtype casts.

Row format: see harness.py. Inputs stay away from kinks: abs and relu-like ops get
``away`` (|x| >= 0.1), maximum/minimum and clamp get ``grid`` values of different parity
(>= 0.06 apart), log/sqrt/pow bases and divisors get ``pos`` (in [0.5, 2]).
"""

from harness import Case, away, const, grid, ints, mask, pos, randn

CASES = [
    # --- binary arithmetic: same shape (hypothesis draws broadcast shapes), then
    # broadcasting in both directions and 0-d operands
    Case("add", (3, 4), (3, 4), hyp="broadcast"),
    Case("add", (3, 4), (4,)),
    Case("add", (4,), (2, 3, 4)),
    Case("add", (3, 4), (), name="add,0-d other"),
    Case("add", (3, 4), (3, 4), fn=lambda F, a, b: F.add(a, b, alpha=2.5), name="add,alpha"),
    Case("sub", (3, 4), (3, 4), hyp="broadcast"),
    Case("sub", (3, 1), (1, 4)),
    Case("sub", (4,), (2, 3, 4)),
    Case("sub", (3, 4), (3, 4), fn=lambda F, a, b: F.sub(a, b, alpha=-2), name="sub,alpha"),
    Case("mul", (3, 4), (3, 4), hyp="broadcast"),
    Case("mul", (2, 1, 4), (3, 1)),
    Case("mul", (), (3, 4)),
    Case("div", (3, 4), pos(3, 4), hyp="broadcast"),
    Case("div", (4,), pos(3, 4)),
    Case("div", (3, 4), pos(4,)),
    Case("neg", (3, 4), hyp="broadcast"),
    # --- Python numbers as operands (they keep float32 float32)
    Case("mul", (3, 4), fn=lambda F, x: x * 2.5, name="x * 2.5"),
    Case("mul", (3, 4), fn=lambda F, x: 3 * x, name="3 * x"),
    Case("add", (3, 4), fn=lambda F, x: 1.5 + x - 2, name="1.5 + x - 2"),
    Case("sub", (3, 4), fn=lambda F, x: 2.0 - x, name="2.0 - x"),
    Case("div", pos(3, 4), fn=lambda F, x: 1 / x, name="1 / x"),
    Case("div", (3, 4), fn=lambda F, x: x / 3, name="x / 3"),
    Case("neg", (3, 4), fn=lambda F, x: -x, name="-x"),
    # --- integer tensors: PyTorch's promotion (int op float -> default float, int / int
    # -> default float, int tensor * float tensor -> the float tensor's dtype)
    Case("add", ints(3, 4), fn=lambda F, x: x + 2.5, name="int + 2.5", gradcheck=False,
         dtypes=["float64"]),
    Case("mul", ints(3, 4), fn=lambda F, x: x * 2, name="int * 2", gradcheck=False,
         dtypes=["float64"]),
    Case("div", ints(3, 4), ints(3, 4, low=1), name="int / int", gradcheck=False,
         dtypes=["float64"]),
    Case("mul", ints(3, 4), (3, 4), name="int tensor * float tensor"),
    Case("add", (3, 4), ints(4), name="float tensor + int tensor"),
    # --- pow: tensor or number exponent, number base
    Case("pow", pos(3, 4), (3, 4), hyp="broadcast"),
    Case("pow", pos(3, 4), (4,)),
    Case("pow", (3, 4), fn=lambda F, x: x ** 2, name="x ** 2"),
    Case("pow", (3, 4), fn=lambda F, x: F.pow(x, 3), name="pow(x, 3)"),
    Case("pow", pos(3, 4), fn=lambda F, x: x ** 0.5, name="x ** 0.5"),
    Case("pow", pos(3, 4), fn=lambda F, x: x ** -1.5, name="x ** -1.5"),
    Case("pow", (3, 4), fn=lambda F, x: x ** 0, name="x ** 0"),
    Case("pow", (3, 4), fn=lambda F, x: 2 ** x, name="2 ** x"),
    Case("pow", const([0.0, 0.0, 1.5], requires_grad=False), const([2.0, 0.5, 1.2]),
         name="pow,zero base, tensor exponent", gradcheck=False),
    Case("pow", ints(3, 4), fn=lambda F, x: x ** 2, name="int ** 2", gradcheck=False,
         dtypes=["float64"]),
    Case("pow", ints(3, 4, low=0), fn=lambda F, x: x ** 0.5, name="int ** 0.5",
         gradcheck=False, dtypes=["float64"]),
    # --- unary
    Case("exp", (3, 4), hyp="broadcast"),
    Case("log", pos(3, 4), hyp="broadcast"),
    Case("sqrt", pos(3, 4), hyp="broadcast"),
    Case("abs", away(3, 4), hyp="broadcast"),
    Case("abs", const([-1.0, 0.0, 2.0]), name="abs,at 0", gradcheck=False),
    # --- maximum / minimum: different-parity grids never tie; ties split 0.5/0.5
    Case("maximum", grid(3, 4), grid(3, 4, parity=1), hyp="broadcast"),
    Case("maximum", grid(3, 4), grid(4, parity=1)),
    Case("minimum", grid(3, 4), grid(3, 4, parity=1), hyp="broadcast"),
    Case("minimum", grid(2, 1), grid(3, parity=1)),
    Case("maximum", const([1.0, 2.0, 3.0]), const([1.0, 0.0, 3.0]), name="maximum,ties",
         gradcheck=False),
    Case("minimum", const([1.0, 2.0, 3.0]), const([1.0, 0.0, 3.0]), name="minimum,ties",
         gradcheck=False),
    Case("max", grid(3, 4), grid(3, 4, parity=1), name="max(a, b)", method=False),
    # --- where
    Case("where", mask(3, 4), (3, 4), (3, 4), hyp="broadcast", method=False),
    Case("where", mask(3, 1), (4,), (3, 4), method=False),
    Case("where", mask(3, 4), (3, 4), fn=lambda F, c, x: F.where(c, x, 0.0),
         name="where(c, x, 0.0)"),
    # --- clamp / clip: number bounds, tensor bounds, one bound only
    Case("clamp", grid(3, 4, parity=1), min=-0.4, max=0.6),
    Case("clamp", grid(3, 4, parity=1), min=-0.4),
    Case("clamp", grid(3, 4, parity=1), max=0.6),
    Case("clip", grid(3, 4, parity=1), min=-0.4, max=0.6),
    Case("clamp", grid(3, 4), grid(3, 4, parity=1), grid(3, 4, parity=1),
         name="clamp,tensor bounds"),
    Case("clamp", grid(3, 4), grid(4, parity=1), grid(3, 1, parity=1),
         name="clamp,broadcast tensor bounds"),
    Case("clamp", grid(3, 4), grid(4, parity=1), fn=lambda F, x, lo: F.clamp(x, min=lo),
         name="clamp,tensor min only"),
    Case("clamp", grid(3, 4), grid(3, 4, parity=1), fn=lambda F, x, hi: F.clamp(x, max=hi),
         name="clamp,tensor max only"),
    Case("clamp", const([-1.0, -0.5, 0.0, 0.5, 1.0]), min=-0.5, max=0.5,
         name="clamp,at the bounds", gradcheck=False),
    # --- casts and clone
    Case("to", (3, 4), fn=lambda F, x: x.to(F.float64) * 2, name="to(float64)"),
    Case("to", (3, 4), fn=lambda F, x: x.to(F.float32) * 2, name="to(float32)", gradcheck=False),
    Case("to", (3, 4), (2, 3), fn=lambda F, x, y: x.to(y), name="to(other tensor)"),
    Case("double", (3, 4), fn=lambda F, x: x.double()),
    Case("float", (3, 4), fn=lambda F, x: x.float(), gradcheck=False),
    Case("long", randn(3, 4, requires_grad=False), fn=lambda F, x: (x * 3).long(),
         gradcheck=False),
    Case("long", (3, 4), fn=lambda F, x: x.long(), name="long of requires_grad", gradcheck=False),
    Case("int", (3, 4), fn=lambda F, x: (x * 3).int(), gradcheck=False),
    Case("bool", (3, 4), fn=lambda F, x: x.bool(), gradcheck=False),
    Case("clone", (3, 4), hyp="broadcast"),
]
