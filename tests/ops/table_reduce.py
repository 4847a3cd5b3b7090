"""Op table rows: reductions (row format: see harness.py).

Rows with ``hyp="reduce"`` run again on drawn shapes with a drawn dim (int, negative or a
tuple) and keepdim. max/min/argmax inputs are ``grid(..., distinct=True)``: no two equal
elements, so the selected element is unambiguous; ties get rows of their own.
"""

from harness import Case, const, grid, uniform

TIES = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]

CASES = [
    # --- sum / mean
    Case("sum", (3, 4), hyp="reduce"),
    Case("sum", (3, 4), dim=1, hyp="reduce"),
    Case("sum", (2, 3, 4), dim=-1, keepdim=True, hyp="reduce"),
    Case("sum", (2, 3, 4), dim=(0, 2), hyp="reduce"),
    Case("sum", (2, 3, 4), dim=(-1, 0), keepdim=True),
    Case("sum", (), name="sum,0-d"),
    Case("mean", (3, 4), hyp="reduce"),
    Case("mean", (3, 4), dim=0, hyp="reduce"),
    Case("mean", (2, 3, 4), dim=(1, 2), keepdim=True, hyp="reduce"),
    Case("mean", (2, 3, 4), dim=-2),
    # --- max / min: full reduction (0-d), along a dim (values, indices), amax/amin
    Case("max", grid(3, 4, distinct=True), hyp="reduce"),
    Case("min", grid(3, 4, distinct=True), hyp="reduce"),
    Case("max", grid(3, 4, distinct=True), dim=1, hyp="reduce"),
    Case("max", grid(2, 3, 4, distinct=True), dim=-2, keepdim=True, hyp="reduce"),
    Case("min", grid(3, 4, distinct=True), dim=0, hyp="reduce"),
    Case("min", grid(2, 3, 4, distinct=True), dim=-1, keepdim=True),
    Case("amax", grid(2, 3, 4, distinct=True), dim=(0, 2), hyp="reduce"),
    Case("amax", grid(3, 4, distinct=True), dim=1, keepdim=True, hyp="reduce"),
    Case("amin", grid(2, 3, 4, distinct=True), dim=(-1,), hyp="reduce"),
    Case("amax", grid(3, 4, distinct=True)),
    # ties: the full max and amax split the gradient evenly among equal elements
    Case("max", const(TIES), name="max,ties", gradcheck=False),
    Case("min", const(TIES), name="min,ties", gradcheck=False),
    Case("amax", const(TIES), dim=1, name="amax,ties", gradcheck=False),
    Case("amin", const(TIES), dim=(0, 1), name="amin,ties", gradcheck=False),
    # --- argmax / argmin (no gradient)
    Case("argmax", grid(3, 4, distinct=True), gradcheck=False),
    Case("argmax", grid(3, 4, distinct=True), dim=1, gradcheck=False),
    Case("argmin", grid(2, 3, 4, distinct=True), dim=-1, keepdim=True, gradcheck=False),
    Case("argmax", grid(3, 4, distinct=True), keepdim=True, name="argmax,keepdim, no dim",
         gradcheck=False),
    # --- logsumexp: stable for large values
    Case("logsumexp", (3, 4), dim=1, hyp="reduce"),
    Case("logsumexp", (2, 3, 4), dim=(0, 2), keepdim=True, hyp="reduce"),
    Case("logsumexp", uniform(3, 4, low=-1000, high=1000), dim=-1, name="logsumexp,large"),
    # --- var / std: correction, unbiased, keepdim
    Case("var", (3, 4), hyp="reduce", hyp_min_side=2),
    Case("var", (3, 4), dim=1, hyp="reduce", hyp_min_side=2),
    Case("var", (2, 3, 4), dim=(0, 2), keepdim=True, hyp="reduce", hyp_min_side=2),
    Case("var", (3, 4), dim=0, correction=0),
    Case("var", (3, 4), dim=1, unbiased=False),
    Case("var", (3, 4), fn=lambda F, x: F.var(x, 1, True), name="var(x, 1, True)"),
    Case("var", (3, 5), fn=lambda F, x: x.var(False), name="x.var(False)"),
    Case("std", (3, 4), hyp="reduce", hyp_min_side=2),
    Case("std", (3, 4), dim=1, hyp="reduce", hyp_min_side=2),
    Case("std", (2, 3, 4), dim=(-1, 0), keepdim=True, hyp="reduce", hyp_min_side=2),
    Case("std", (3, 4), dim=0, correction=0),
    Case("std", (3, 4), dim=1, unbiased=False),
]
