"""Op table rows: activations (row format: see harness.py).

relu and leaky_relu get ``away`` inputs (|x| >= 0.1) so that no point sits on the kink;
sigmoid and softplus also run on large |x| (+-40, +-60), where a naive formula overflows
or loses its relative precision.
"""

from harness import Case, away, const, uniform

CASES = [
    Case("relu", away(3, 4), hyp="broadcast"),
    Case("relu", const([-1.0, 0.0, 2.0]), name="relu,at 0", gradcheck=False),
    # PyTorch: relu(-inf) = 0 (a mask product gave -inf * 0 = nan), relu(nan) = nan with
    # the gradient passed through, -0.0 kept.
    Case("relu", const([-float("inf"), float("nan"), -1.0, -0.0, 0.0, 2.0, float("inf")]),
         name="relu,special values", gradcheck=False),
    Case("leaky_relu", away(3, 4), hyp="broadcast"),
    Case("leaky_relu", away(2, 3, 4), negative_slope=0.2),
    Case("tanh", (3, 4), hyp="broadcast"),
    Case("sigmoid", (3, 4), hyp="broadcast"),
    Case("sigmoid", uniform(4, 5, low=-40, high=40), name="sigmoid,large |x|"),
    Case("softplus", (3, 4), hyp="broadcast"),
    Case("softplus", uniform(4, 5, low=-60, high=60), name="softplus,large |x|"),
    Case("softplus", uniform(4, 5, low=-6, high=6), beta=2, threshold=5),
    Case("softplus", uniform(4, 5, low=-6, high=6), beta=0.5, threshold=1),
]
