"""Seed 002, question 5: L2 regularization versus weight decay.

The exam derives, for plain gradient descent with step size epsilon on
L_new(a) = L(a) + lambda/2 ||a||^2:

    a <- a - eps (grad L(a) + lambda a) = (1 - eps lambda) a - eps grad L(a),

so a "weight decay" that shrinks the weights by a factor (1 - lambda') each step is the
same as L2 with lambda = lambda' / eps. These tests check that statement numerically for
glassgrad's two ``decay`` modes, and show that it breaks for Adam (and for momentum).
"""

import numpy as np
import pytest

import glassgrad as gg
from optim_harness import gradients, initial_weights, run_glassgrad


def test_sgd_l2_equals_decoupled_decay_with_the_same_coefficient():
    r"""Plain SGD (no momentum): decay='l2' with lambda == decay='decoupled' with lambda.

    decay='l2' follows the gradient of L + lambda/2 ||w||^2:
        w <- w - lr (g + lambda w)            = (1 - lr lambda) w - lr g.
    decay='decoupled' (PyTorch/AdamW convention) shrinks first, then steps on g alone:
        w <- (1 - lr lambda) w;  w <- w - lr g  = (1 - lr lambda) w - lr g,
    with g evaluated at the weights before the shrink in both cases. The two rules are the
    same map, so the trajectories agree to rounding. Note that the decoupled coefficient
    lambda is multiplied by lr: the per-step shrink factor is lambda' = lr * lambda, which
    is the exam's relation lambda = lambda' / eps with eps = lr.
    """
    lr, lam = 0.05, 0.3
    l2, _, _ = run_glassgrad(lambda p: gg.optim.SGD(p, lr=lr, weight_decay=lam, decay="l2"))
    dec, _, _ = run_glassgrad(lambda p: gg.optim.SGD(p, lr=lr, weight_decay=lam, decay="decoupled"))
    plain, _, _ = run_glassgrad(lambda p: gg.optim.SGD(p, lr=lr))
    for a, b, c in zip(l2, dec, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        assert not np.allclose(a, c, rtol=1e-3)  # and the decay did change the path


def test_the_exams_weight_decay_factor_is_l2_with_lambda_over_eps():
    """The exam's weight decay: a <- (1 - lambda') a - eps grad L(a), written out by hand
    in NumPy, equals glassgrad SGD with L2 coefficient lambda = lambda' / eps."""
    eps, lam_prime = 0.05, 0.02
    weights = initial_weights()
    for _ in range(20):  # the hand-written rule (no parameter skipped: all get gradients)
        grads = gradients(*weights)
        weights = [(1 - lam_prime) * a - eps * g for a, g in zip(weights, grads)]

    params = [gg.tensor(a, requires_grad=True) for a in initial_weights()]
    opt = gg.optim.SGD(params, lr=eps, weight_decay=lam_prime / eps, decay="l2")
    for _ in range(20):
        for p, g in zip(params, gradients(*(p.array for p in params))):
            p.grad = gg.tensor(g)
        opt.step()
    for p, a in zip(params, weights):
        np.testing.assert_allclose(p.array, a, rtol=1e-12, atol=1e-14)


def test_one_sgd_step_by_hand():
    w0, g, lr, lam = np.array([2.0, -1.0]), np.array([0.5, 0.25]), 0.1, 0.3
    expected = (1 - lr * lam) * w0 - lr * g  # = [1.89, -0.995]
    for decay in ("l2", "decoupled"):
        w = gg.tensor(w0, requires_grad=True)
        w.grad = gg.tensor(g)
        gg.optim.SGD([w], lr=lr, weight_decay=lam, decay=decay).step()
        np.testing.assert_allclose(w.array, expected, rtol=1e-15)
    np.testing.assert_allclose(expected, [1.89, -0.995], rtol=1e-15)


def test_with_momentum_l2_and_decoupled_differ():
    """With momentum the L2 term lambda w enters the velocity buffer and is replayed in
    later steps (amplified up to 1/(1 - momentum)); decoupled decay is not."""
    kw = dict(lr=0.05, momentum=0.9, weight_decay=0.3)
    l2, _, _ = run_glassgrad(lambda p: gg.optim.SGD(p, decay="l2", **kw))
    dec, _, _ = run_glassgrad(lambda p: gg.optim.SGD(p, decay="decoupled", **kw))
    assert max(np.max(np.abs(a - b) / np.abs(b)) for a, b in zip(l2, dec)) > 1e-2


def test_adam_l2_is_not_adamw():
    """For Adam the equivalence fails: the L2 term is part of the gradient that Adam divides
    by sqrt(v), so it is rescaled per coordinate; AdamW's shrink is not. The trajectories
    of Adam + L2 and AdamW with the same coefficient (and with lambda / lr) differ far
    beyond any rounding tolerance."""
    lr, lam = 0.05, 0.3
    l2, _, _ = run_glassgrad(lambda p: gg.optim.Adam(p, lr=lr, weight_decay=lam, decay="l2"))
    adamw, _, _ = run_glassgrad(lambda p: gg.optim.AdamW(p, lr=lr, weight_decay=lam))
    adamw_scaled, _, _ = run_glassgrad(lambda p: gg.optim.AdamW(p, lr=lr, weight_decay=lam / lr))
    for other in (adamw, adamw_scaled):
        rel = max(np.max(np.abs(a - b) / np.abs(b)) for a, b in zip(l2, other))
        assert rel > 1e-2, rel


def test_adam_l2_versus_adamw_one_step_by_hand():
    r"""One Adam step with a zero loss gradient, w0 = 2, lr = 0.1, lambda = 0.01.

    Adam + L2: d = lambda w0 = 0.02; m = (1 - b1) d, v = (1 - b2) d^2; after bias
    correction m_hat = d, sqrt(v_hat) = |d|, so the step is lr d / (|d| + eps) ~ lr sign(w0):
    the weight moves by ~0.1 whatever lambda is.
        w1 = 2 - 0.1 * 0.02 / (0.02 + 1e-8) ~ 1.9
    AdamW: w1 = (1 - lr lambda) w0 = 2 * 0.999 = 1.998, and the Adam part is 0 (m = 0).
    """
    lr, lam = 0.1, 0.01
    w = gg.tensor(np.array([2.0]), requires_grad=True)
    w.grad = gg.tensor(np.array([0.0]))
    gg.optim.Adam([w], lr=lr, weight_decay=lam).step()
    assert w.array[0] == pytest.approx(2 - 0.1 * 0.02 / (0.02 + 1e-8), rel=1e-14)

    w = gg.tensor(np.array([2.0]), requires_grad=True)
    w.grad = gg.tensor(np.array([0.0]))
    gg.optim.AdamW([w], lr=lr, weight_decay=lam).step()
    assert w.array[0] == pytest.approx(1.998, rel=1e-14)
