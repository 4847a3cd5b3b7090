"""Op table rows: elementwise ops and dtype casts (see harness.py for the row format)."""

from harness import Case, pos

CASES = [
    # binary ops: same shape, then broadcasting in both directions
    Case("add", (3, 4), (3, 4), hyp="broadcast"),
    Case("add", (3, 4), (4,)),
    Case("add", (4,), (2, 3, 4)),
    Case("sub", (3, 4), (3, 4), hyp="broadcast"),
    Case("sub", (3, 1), (1, 4)),
    Case("mul", (3, 4), (3, 4), hyp="broadcast"),
    Case("mul", (2, 1, 4), (3, 1)),
    Case("div", (3, 4), pos(3, 4), hyp="broadcast"),
    Case("div", (4,), pos(3, 4)),
    Case("div", (3, 4), pos(4,)),
    Case("neg", (3, 4), hyp="broadcast"),
    Case("exp", (3, 4), hyp="broadcast"),
    Case("log", pos(3, 4), hyp="broadcast"),
]
