"""A 0-d parameter (a learnable scalar, as in PyTorch's "dynamic net" tutorial) gets a 0-d
array as its gradient, not a NumPy scalar: so p.grad.zero_() works, zero_grad(set_to_none=
False) zeroes it, and every optimizer's state (momentum, running averages) moves.

Each optimizer runs the same steps in glassgrad and in torch (the oracle) on a loss that
mixes a 0-d parameter with a vector one, gradients from each library's own backward."""

import numpy as np
import pytest
import torch

import glassgrad as gg

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.05)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict(lr=1.0)),
    ("Adamax", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05)),
]


def _run(lib, name, kwargs, steps=8):
    """Parameters a (0-d) and w (3,), loss sum((a * x + w - y)^2) + a^4 / 4."""
    x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)
    y = lib.tensor([1.0, 0.0, -1.0], dtype=lib.float64)
    a = lib.nn.Parameter(lib.tensor(1.5, dtype=lib.float64))
    w = lib.nn.Parameter(lib.tensor([0.1, -0.2, 0.3], dtype=lib.float64))
    opt = getattr(lib.optim, name)([a, w], **kwargs)
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((a * x + w - y) ** 2).sum() + a ** 4 / 4
        loss.backward()
        opt.step()
        trace.append((a.detach().numpy().copy(), w.detach().numpy().copy()))
    return trace


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{sorted(k)}" for n, k in CASES])
def test_a_zero_dim_parameter_follows_torch_through_every_optimizer(name, kwargs):
    ours, theirs = _run(gg, name, kwargs), _run(torch, name, kwargs)
    for (a, w), (ta, tw) in zip(ours, theirs):
        assert a.shape == () and w.shape == (3,)
        # float64 parameters; torch keeps some scalar state (NAdam's mu_product) in float32,
        # so agreement is to about 1e-9, far inside what a skipped update would change
        np.testing.assert_allclose(a, ta, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(w, tw, rtol=1e-7, atol=1e-8)
    # the parameter moved (a scalar gradient that reached no state would also fail above)
    assert ours[-1][0] != 1.5


def test_a_zero_dim_gradient_is_an_array_that_in_place_ops_change():
    a = gg.tensor(2.0, requires_grad=True)
    (a * a * 3).backward()
    assert isinstance(a.grad.array, np.ndarray) and a.grad.shape == ()
    assert a.grad.item() == 12.0  # d(3 a^2)/da = 6 a
    a.grad.zero_()
    assert a.grad.item() == 0.0


def test_a_zero_dim_gradient_accumulates_in_place_and_zero_grad_keeps_it():
    a = gg.nn.Parameter(gg.tensor(2.0))
    b = gg.nn.Parameter(gg.tensor([1.0, 2.0]))
    opt = gg.optim.SGD([a, b], lr=0.1)
    (a * b).sum().backward()  # d/da = 1 + 2 = 3, through a broadcast (summed to 0-d)
    first = a.grad
    (a * b).sum().backward()
    assert a.grad is first and a.grad.item() == 6.0
    opt.zero_grad(set_to_none=False)
    assert a.grad is first and a.grad.item() == 0.0


def test_hooks_and_retained_gradients_of_zero_dim_tensors_are_arrays():
    a = gg.tensor(3.0, requires_grad=True)
    seen = []
    a.register_hook(lambda g: seen.append(type(g.array)))
    s = a * a
    s.retain_grad()
    s.register_hook(lambda g: g.mul_(2))  # an in-place change of a 0-d gradient
    (s * 5).backward()
    assert seen == [np.ndarray] and isinstance(s.grad.array, np.ndarray)
    t = torch.tensor(3.0, requires_grad=True)
    ts = t * t
    ts.retain_grad()
    ts.register_hook(lambda g: g.mul_(2))
    (ts * 5).backward()
    assert s.grad.item() == ts.grad.item() and a.grad.item() == t.grad.item()


def test_the_dynamic_net_scalar_parameters_train_as_in_torch():
    """PyTorch's "dynamic net" tutorial in short: a cubic with 0-d coefficients a, b, c, d
    fitted to sin by SGD with momentum; before the fix the momentum buffers of the 0-d
    parameters never moved and the loss stayed near 1e6."""
    def fit(lib):
        x = lib.linspace(-np.pi, np.pi, 200, dtype=lib.float64)
        y = lib.sin(x)
        ps = [lib.nn.Parameter(lib.tensor(v, dtype=lib.float64)) for v in (0.1, -0.2, 0.3, 0.05)]
        opt = lib.optim.SGD(ps, lr=1e-6, momentum=0.9)
        for _ in range(300):
            a, b, c, d = ps
            loss = ((a + b * x + c * x ** 2 + d * x ** 3 - y) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    ours, theirs = fit(gg), fit(torch)
    assert ours == pytest.approx(theirs, rel=1e-9)
    assert ours < 50  # it trained (torch ends here near 10)


def test_autograd_grad_of_a_zero_dim_input_is_a_zero_dim_array():
    a = gg.tensor(2.0, requires_grad=True)
    h = a * a
    (ga, gh) = gg.autograd.grad(h * h + a, [a, h])  # d/da = 4 a^3 + 1, d/dh = 2 h
    ta = torch.tensor(2.0, requires_grad=True)
    th = ta * ta
    (tga, tgh) = torch.autograd.grad(th * th + ta, [ta, th])
    for g, t in ((ga, tga), (gh, tgh)):
        assert isinstance(g.array, np.ndarray) and g.shape == ()
        assert g.item() == t.item()
    ga.zero_()  # an array, so in-place ops work on it
