"""Check-my-answer names the answers that really depend on a wrong one: the dependency
graph of the computation (dW1 feeds W1's update, not b3's), not the order of the sheet."""

import numpy as np

from glassgrad.explain import solve
from glassgrad.explain.answers import dependencies
from glassgrad.explain.render_text import to_text


def _by_hand():
    """Seed 001 question 1 in NumPy: 4-4-3-3, tanh, tanh, identity, all parameters 0.1,
    x = (1, 0, 1, 0), y = (0, 1, 0), L = 1/2 sum (yhat - y)^2, one SGD step with lr 0.1."""
    x, y = np.array([1.0, 0, 1, 0]), np.array([0.0, 1, 0])
    W1, W2, W3 = np.full((4, 4), 0.1), np.full((3, 4), 0.1), np.full((3, 3), 0.1)
    h1 = np.tanh(W1 @ x + 0.1)
    h2 = np.tanh(W2 @ h1 + 0.1)
    delta3 = W3 @ h2 + 0.1 - y
    delta2 = (W3.T @ delta3) * (1 - h2 ** 2)
    delta1 = (W2.T @ delta2) * (1 - h1 ** 2)
    dW1 = np.outer(delta1, x)
    return {"dW1": dW1, "W1_new": W1 - 0.1 * dW1, "b3_new": 0.1 - 0.1 * delta3}


def test_a_wrong_dW1_is_not_blamed_on_b3():
    hand = _by_hand()
    answers = {
        "dW1[0,0]": f"{hand['dW1'][0, 0] + 0.5:.6f}",  # wrong
        "W1[0,0]": f"{hand['W1_new'][0, 0]:.6f}",      # right, and computed from dW1
        "b3[1]": f"{hand['b3_new'][1]:.6f}",           # right, and not computed from dW1
    }
    sol = solve("seed001-q1", answers=answers)
    verdict = {c.name: c.correct for c in sol.checks}
    assert verdict == {"dW1[0,0]": False, "W1[0,0]": True, "b3[1]": True}
    text = to_text(sol.document())
    assert "first diverge at dW1[0,0]" in text
    assert "depend on it are right (W1[0,0])" in text  # b3[1] is not among them


def test_the_dependency_graph_of_a_network_solution():
    order = list(solve("seed001-q1").quantities)
    deps = dependencies(order)
    assert "dW1" in deps["W1_new"] and "dW1" not in deps["b3_new"]
    assert deps["h0"] == set() and deps["s1"] == {"h0"}
    # the output error depends on the whole forward pass, not on any gradient of a weight
    assert {"s1", "h1", "s2", "h2", "s3", "h3"} <= deps["delta3"]
    assert not any(k.startswith(("dW", "db")) for k in deps["delta3"])
    # after the step, the loss depends on every update
    assert {f"{k}{layer}_new" for k in "Wb" for layer in (1, 2, 3)} <= deps["loss_after"]
