"""Op table rows: the torch.* functions composed of other ops or new to glassgrad (row
format: see harness.py): NumPy-style stacking and splitting, kron, block_diag,
cartesian_prod, cross, baddbmm, addbmm, cov, corrcoef, take and logit."""

from harness import Case, const, index, uniform

TWO = [(2, 3), (2, 3)]

CASES = [
    # --- stacking: lists of tensors, so written as fn rows
    *[Case(op, (2, 3), (2, 3), fn=lambda F, a, b, op=op: getattr(F, op)([a, b]), name=f"{op},2-D")
      for op in ("hstack", "vstack", "dstack", "column_stack", "row_stack")],
    *[Case(op, (4,), (4,), fn=lambda F, a, b, op=op: getattr(F, op)([a, b]), name=f"{op},1-D")
      for op in ("hstack", "vstack", "dstack", "column_stack")],
    Case("atleast_2d", (3,), fn=lambda F, a: F.atleast_2d(a) * 1, name="atleast_2d"),
    Case("atleast_3d", (2, 3), fn=lambda F, a: F.atleast_3d(a) * 1, name="atleast_3d"),
    Case("tensor_split", (7, 2), fn=lambda F, a: F.tensor_split(a, 3), name="tensor_split,sections"),
    Case("tensor_split", (2, 7), fn=lambda F, a: F.tensor_split(a, [1, 4, 3], dim=1),
         name="tensor_split,indices"),
    Case("tensor_split", (7, 2), fn=lambda F, a: a.tensor_split(3), name="tensor_split,method"),
    # --- products and blocks
    Case("kron", (2, 3), (3, 2)),
    Case("kron", (3,), (2, 2), name="kron,1-D,2-D"),
    Case("kron", (2, 1, 2), (2, 2), name="kron,3-D,2-D"),
    Case("block_diag", (2, 3), (1, 2), (), fn=lambda F, a, b, c: F.block_diag(a, b, c), name="block_diag"),
    Case("cartesian_prod", (2,), (3,), fn=lambda F, a, b: F.cartesian_prod(a, b), name="cartesian_prod"),
    Case("cross", (4, 3), (4, 3), fn=lambda F, a, b: F.cross(a, b, dim=1), name="cross,dim"),
    Case("cross", (3, 5), (3, 1), fn=lambda F, a, b: F.cross(a, b, dim=0), name="cross,broadcast"),
    Case("cross", (2, 3), (2, 3), fn=lambda F, a, b: a.cross(b, dim=-1), name="cross,method"),
    Case("baddbmm", (2, 3, 4), (2, 3, 5), (2, 5, 4)),
    Case("baddbmm", (3, 4), (2, 3, 5), (2, 5, 4), beta=0.5, alpha=-2.0, name="baddbmm,broadcast"),
    Case("addbmm", (3, 4), (2, 3, 5), (2, 5, 4), beta=2.0, alpha=0.5),
    # --- statistics of rows
    Case("cov", (3, 6)),
    Case("cov", (6,), name="cov,1-D"),
    Case("cov", (3, 6), fn=lambda F, x: F.cov(x, correction=0), name="cov,correction=0"),
    Case("cov", (2, 4), fn=lambda F, x: F.cov(x, fweights=F.tensor([1, 2, 1, 3]),
                                              aweights=F.tensor([0.5, 1.0, 2.0, 1.5], dtype=x.dtype)),
         name="cov,weights"),
    Case("corrcoef", (3, 6)),
    # --- reading by flat index; log-odds
    Case("take", (3, 4), index(2, 3, high=12)),
    Case("take", (3, 4), const([[0, 11], [5, 5]], requires_grad=False), fn=lambda F, x, i: F.take(x, i.long()),
         name="take,repeated"),
    Case("logit", uniform(3, 4, low=0.05, high=0.95)),
    Case("logit", uniform(3, 4, low=0.05, high=0.95), eps=0.2, name="logit,eps"),
]

# --- Cholesky and triangular solves (inputs made positive-definite / well-conditioned
# inside the row, so that finite differences stay on the manifold of valid inputs)
CASES += [
    Case("cholesky", (3, 3), name="cholesky",
         fn=lambda F, m: F.cholesky(m @ m.transpose(-1, -2) + 3 * F.eye(3, dtype=m.dtype)),
         torch_fn=lambda F, m: F.linalg.cholesky(m @ m.transpose(-1, -2) + 3 * F.eye(3, dtype=m.dtype))),
    Case("cholesky", (2, 3, 3), name="cholesky,batch,upper",
         fn=lambda F, m: F.cholesky(m @ m.transpose(-1, -2) + 3 * F.eye(3, dtype=m.dtype), upper=True),
         torch_fn=lambda F, m: F.linalg.cholesky(m @ m.transpose(-1, -2) + 3 * F.eye(3, dtype=m.dtype), upper=True)),
    Case("solve_triangular", (3, 3), (2, 3, 4), name="solve_triangular,lower,broadcast",
         fn=lambda F, a, b: F.solve_triangular(a + 4 * F.eye(3, dtype=a.dtype), b, upper=False),
         torch_fn=lambda F, a, b: F.linalg.solve_triangular(a + 4 * F.eye(3, dtype=a.dtype), b, upper=False)),
    Case("solve_triangular", (3, 3), (3, 2), name="solve_triangular,upper,unit",
         fn=lambda F, a, b: F.solve_triangular(a, b, upper=True, unitriangular=True),
         torch_fn=lambda F, a, b: F.linalg.solve_triangular(a, b, upper=True, unitriangular=True)),
    Case("diag_embed", (2, 3)),
    Case("diag_embed", (4,), offset=1, name="diag_embed,offset=1"),
    Case("diag_embed", (2, 3), offset=-2, name="diag_embed,offset=-2"),
]

# --- small compositions: x log y, hypot, angle units, inner products, the trapezoid rule
CASES += [
    Case("xlogy", uniform(3, 4, low=0.1, high=2.0), uniform(3, 4, low=0.1, high=2.0)),
    Case("hypot", (3, 4), (4,)),
    Case("deg2rad", (3, 4)),
    Case("rad2deg", (3, 4)),
    Case("inner", (2, 3), (4, 3)),
    Case("inner", (3,), (3,), name="inner,1-D"),
    Case("trapezoid", (3, 5), fn=lambda F, y: F.trapezoid(y, dx=0.5), name="trapezoid,dx"),
    Case("trapezoid", (3, 5), (5,), fn=lambda F, y, x: F.trapezoid(y, x), name="trapezoid,x"),
    Case("trapezoid", (4, 3), (4, 3), fn=lambda F, y, x: F.trapezoid(y, x, dim=0), name="trapezoid,x,dim"),
    Case("trapz", (3, 5), (5,), fn=lambda F, y, x: F.trapz(y, x), name="trapz"),
]
