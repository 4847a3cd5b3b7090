"""Op table rows: matmul in every PyTorch case, and the fused linear (see harness.py)."""

from harness import Case, randn

CASES = [
    # --- matmul: 2-D, the 1-D cases, batched with broadcast batch dims
    Case("matmul", (3, 4), (4, 5), hyp=None),
    Case("matmul", (4,), (4,), name="matmul,1-d @ 1-d (dot)"),
    Case("matmul", (4,), (4, 5), name="matmul,1-d @ 2-d"),
    Case("matmul", (3, 4), (4,), name="matmul,2-d @ 1-d"),
    Case("matmul", (2, 3, 4), (4, 5), name="matmul,batch @ 2-d"),
    Case("matmul", (3, 4), (2, 4, 5), name="matmul,2-d @ batch"),
    Case("matmul", (2, 3, 4), (2, 4, 5), name="matmul,batch @ batch"),
    Case("matmul", (2, 1, 3, 4), (5, 4, 2), name="matmul,broadcast batch dims"),
    Case("matmul", (1, 3, 4), (2, 4, 5), name="matmul,batch of 1 @ batch"),
    Case("matmul", (4,), (2, 4, 5), name="matmul,1-d @ batch"),
    Case("matmul", (2, 3, 4), (4,), name="matmul,batch @ 1-d"),
    Case("matmul", (3, 4), (4, 5), fn=lambda F, a, b: a @ b, name="a @ b"),
    Case("matmul", (3, 4), randn(4, 5, requires_grad=False), name="matmul,only a needs grad"),
    Case("mm", (3, 4), (4, 5)),
    # --- linear: x @ W.T + b in one node
    Case("linear", (5, 3), (4, 3), (4,)),
    Case("linear", (5, 3), (4, 3), name="linear,no bias"),
    Case("linear", (2, 5, 3), (4, 3), (4,), name="linear,3-d input"),
    Case("linear", (3,), (4, 3), (4,), name="linear,1-d input"),
    Case("linear", randn(5, 3, requires_grad=False), (4, 3), (4,), name="linear,input without grad"),
    Case("linear", (5, 3), (4, 3), (1, 4), name="linear,(1, out) bias"),
    Case("linear", (5, 3), (4, 3), (), name="linear,0-d bias"),
]
