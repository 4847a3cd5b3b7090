"""LBFGS against torch's, step by step in float64: Rosenbrock and a small regression,
with and without the strong-Wolfe line search, a short history (pairs dropped), a
stop on a small gradient; the closure's loss returned and its evaluations counted."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(2)


def rosenbrock(lib, xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def run_rosenbrock(lib, steps, **kwargs):
    xy = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([xy], **kwargs)
    calls = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(lib, xy)
        loss.backward()
        calls.append(1)
        return loss

    trace = []
    for _ in range(steps):
        loss = opt.step(closure)
        trace.append((float(loss.detach()), xy.detach().numpy().copy(), len(calls)))
    return trace


# Rosenbrock's valley is ill-conditioned: a last-bit difference (torch's add(alpha=) may
# fuse the multiply-add, its dot products sum in another order) grows by a constant factor
# per iteration, so the comparison stops after about 25 iterations, while the two still
# agree to ~1e-12 (after 40 fixed-step iterations they drift apart by 1e-7, both right).
@pytest.mark.parametrize("steps, kwargs", [
    (1, {}),  # 20 iterations with the fixed step lr = 1
    (6, {"line_search_fn": "strong_wolfe"}),  # converges within the first 3 steps
    (4, {"lr": 0.5, "max_iter": 7, "history_size": 3}),
    (4, {"line_search_fn": "strong_wolfe", "max_iter": 5, "history_size": 2}),
    (6, {"line_search_fn": "strong_wolfe", "max_iter": 40, "max_eval": 30}),
])
def test_rosenbrock_step_by_step_like_torch(steps, kwargs):
    ours = run_rosenbrock(gg, steps, **kwargs)
    theirs = run_rosenbrock(torch, steps, **kwargs)
    for (loss, xy, calls), (tloss, txy, tcalls) in zip(ours, theirs):
        assert calls == tcalls  # the same number of closure evaluations
        np.testing.assert_allclose(loss, tloss, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(xy, txy, rtol=1e-9, atol=1e-10)


def test_strong_wolfe_reaches_the_minimum():
    (*_, (loss, xy, _)) = run_rosenbrock(gg, 10, line_search_fn="strong_wolfe")
    # Rosenbrock's minimum is (1, 1) (by hand); the step stops once the loss changes by less
    # than tolerance_change = 1e-9, which near a quadratic minimum is a distance ~ 1e-4.5
    np.testing.assert_allclose(xy, [1.0, 1.0], atol=1e-4)
    assert loss < 1e-9


def run_regression(lib, line_search_fn):
    lib.manual_seed(0)
    x = lib.tensor(RNG_X)
    y = lib.tensor(RNG_Y)
    model = lib.nn.Linear(3, 1).double()
    with lib.no_grad():
        model.weight.copy_(lib.tensor([[0.1, -0.2, 0.3]], dtype=lib.float64))
        model.bias.fill_(0.05)
    opt = lib.optim.LBFGS(model.parameters(), lr=1, max_iter=4, history_size=5,
                          line_search_fn=line_search_fn)
    loss_fn = lib.nn.MSELoss()

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(5)]
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


RNG_X = RNG.standard_normal((20, 3))
RNG_Y = RNG_X @ np.array([[1.0], [2.0], [-1.0]]) + 0.5 + 0.01 * RNG.standard_normal((20, 1))


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_regression_like_torch(line_search_fn):
    (losses, params), (tlosses, tparams) = (run_regression(gg, line_search_fn),
                                            run_regression(torch, line_search_fn))
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9, atol=1e-13)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp, rtol=1e-9, atol=1e-12)


def test_stops_at_once_on_a_zero_gradient():
    w = gg.tensor([0.0, 0.0], dtype=gg.float64, requires_grad=True)
    opt = gg.optim.LBFGS([w])
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(1)
        return loss

    opt.step(closure)
    assert len(calls) == 1 and w.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("build, error, words", [
    (lambda w: gg.optim.LBFGS([w], line_search_fn="armijo"), ValueError,
     "line_search_fn must be None or 'strong_wolfe'"),
    (lambda w: gg.optim.LBFGS([{"params": [w]}, {"params": [gg.ones(1, requires_grad=True)]}]),
     ValueError, "doesn't support per-parameter options"),
    (lambda w: gg.optim.LBFGS([w], max_iter=0), ValueError, "max_iter must be a positive integer"),
    (lambda w: gg.optim.LBFGS([w], lr=-1), ValueError, "lr"),
    (lambda w: gg.optim.LBFGS([w]).step(), TypeError, "needs a closure"),
])
def test_refusals(build, error, words):
    w = gg.ones(2, requires_grad=True)
    with pytest.raises(error) as info:
        build(w)
    assert words in str(info.value)


def test_state_dict_round_trip_continues_the_same_path():
    """Two steps, or one step, a save and load into a fresh optimizer, then one step: the
    same point (the curvature memory was carried over)."""

    def make():
        w = gg.tensor([-1.5, 2.0], dtype=gg.float64, requires_grad=True)
        opt = gg.optim.LBFGS([w], max_iter=4, history_size=3)

        def closure():
            opt.zero_grad()
            loss = rosenbrock(gg, w)
            loss.backward()
            return loss
        return w, opt, closure

    w, opt, closure = make()
    opt.step(closure)
    opt.step(closure)
    w2, opt2, closure2 = make()
    opt2.step(closure2)
    saved = opt2.state_dict()
    w3, opt3, closure3 = make()
    with gg.no_grad():
        w3.copy_(w2)
    opt3.load_state_dict(saved)
    opt3.step(closure3)
    np.testing.assert_array_equal(w3.detach().numpy(), w.detach().numpy())
    wrong = gg.optim.LBFGS([gg.ones(3, requires_grad=True)])
    with pytest.raises(ValueError, match=r"expected \(3,\), the number of values"):
        wrong.load_state_dict(saved)
