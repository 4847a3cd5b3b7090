"""Run the same optimization in glassgrad and in PyTorch and return both trajectories.

The loss is a fixed least-squares fit with a quartic penalty, so the gradient depends on
the current weights (errors would feed back and grow):

    L(W, b, c) = 1/(2n) ||X W + b - Y||^2 + 0.025 sum W^4 + 1/2 ||c - 1||^2 + sum cos(c)

Its gradient is written out here in NumPy and handed to both libraries as ``.grad``
(injected gradients: this tests the update rules, not autograd). The third parameter ``c``
gets no gradient on steps 3 to 5, so both libraries must skip it there and keep its state.
With ``maximize=True`` both receive the gradient of -L, so maximizing -L walks the same
(bounded) path as minimizing L.
"""

import contextlib

import numpy as np

import glassgrad as gg

N, D, K = 8, 4, 3


def initial_weights(dtype="float64"):
    rng = np.random.default_rng(1234)
    W = rng.normal(size=(D, K))
    b = rng.normal(size=K)
    c = rng.normal(size=2)
    return [a.astype(dtype) for a in (W, b, c)]


_rng = np.random.default_rng(99)
X = _rng.normal(size=(N, D))
Y = _rng.normal(size=(N, K))


def gradients(W, b, c):
    """dL/dW, dL/db, dL/dc of the loss above, in the weights' dtype."""
    dtype = W.dtype
    W, b, c = (np.asarray(a, dtype=np.float64) for a in (W, b, c))
    R = X @ W + b - Y
    gW = X.T @ R / N + 0.1 * W**3
    gb = R.sum(axis=0) / N
    gc = (c - 1.0) - np.sin(c)
    return [g.astype(dtype) for g in (gW, gb, gc)]


def skipped(step, index):
    return index == 2 and 3 <= step <= 5


def run_glassgrad(make_opt, steps=20, dtype="float64", params=None, opt=None, start=0, sign=1):
    """Take ``steps`` steps; return the final weights (copies), the params and the optimizer."""
    if params is None:
        params = [gg.tensor(a, requires_grad=True) for a in initial_weights(dtype)]
    if opt is None:
        opt = make_opt(params)
    for k in range(start, start + steps):
        grads = [sign * g for g in gradients(*(p.array for p in params))]
        for i, (p, g) in enumerate(zip(params, grads)):
            p.grad = None if skipped(k, i) else gg.tensor(g)
        opt.step()
    return [p.array.copy() for p in params], params, opt


def run_torch(make_opt, steps=20, dtype="float64", sign=1):
    import torch

    params = [torch.tensor(a, requires_grad=True) for a in initial_weights(dtype)]
    opt = make_opt(params)
    for k in range(steps):
        grads = [sign * g for g in gradients(*(p.detach().numpy() for p in params))]
        for i, (p, g) in enumerate(zip(params, grads)):
            p.grad = None if skipped(k, i) else torch.from_numpy(g)
        opt.step()
    return [p.detach().numpy().copy() for p in params], params, opt


def assert_trajectories_close(ours, theirs, dtype="float64"):
    rtol, atol = (1e-7, 1e-12) if dtype == "float64" else (1e-4, 1e-6)
    start = initial_weights(dtype)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all() and np.isfinite(b).all(), f"parameter {i} diverged"
        assert not np.allclose(a, start[i], rtol=1e-3), f"parameter {i} did not move"
        assert a.dtype == np.dtype(dtype), f"parameter {i} changed dtype to {a.dtype}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"parameter {i}")


def assert_resumed_run_matches_uninterrupted(ours, theirs, torch_context=contextlib.nullcontext):
    """Save after 10 steps, load into a fresh optimizer over fresh tensors holding the
    saved weights, take 10 more steps: the result equals torch's uninterrupted 20 steps
    (run inside ``torch_context``)."""
    _, params, opt = run_glassgrad(ours, steps=10)
    saved_weights = [p.array.copy() for p in params]
    saved = opt.state_dict()
    run_glassgrad(ours, steps=3, params=params, opt=opt, start=10)  # must not touch `saved`

    fresh = [gg.tensor(w, requires_grad=True) for w in saved_weights]
    opt2 = ours(fresh)
    opt2.load_state_dict(saved)
    resumed, _, _ = run_glassgrad(None, steps=10, params=fresh, opt=opt2, start=10)
    with torch_context():
        expected, _, _ = run_torch(theirs, steps=20)
    assert_trajectories_close(resumed, expected)


def compare_with_torch(ours, theirs, dtype="float64", steps=20, maximize=False,
                       torch_context=contextlib.nullcontext):
    """Both trajectories from the same start and gradients, asserted equal; returns ours.
    With ``maximize`` both get the gradient of -L (the same path as minimizing L)."""
    sign = -1 if maximize else 1
    a, _, _ = run_glassgrad(ours, steps=steps, dtype=dtype, sign=sign)
    with torch_context():
        b, _, _ = run_torch(theirs, steps=steps, dtype=dtype, sign=sign)
    assert_trajectories_close(a, b, dtype)
    return a


def case_id(kw):
    """A readable pytest id for a dict of optimizer keyword arguments."""
    return "-".join(f"{k}={v}" for k, v in kw.items())


class ShrinkThen:
    """torch optimizer ``make(params)`` preceded each step by w <- (1 - lr wd) w on the
    parameters that have a gradient: decoupled weight decay written out by hand (the
    oracle for glassgrad's decay='decoupled' where torch has no such option)."""

    def __init__(self, params, make, lr, wd):
        self.params, self.opt, self.factor = params, make(params), 1 - lr * wd

    def step(self):
        import torch

        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p.mul_(self.factor)
        self.opt.step()
