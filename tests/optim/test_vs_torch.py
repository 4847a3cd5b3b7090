"""Every optimizer, every option combination, 20 steps against torch.optim.

Both libraries start from identical weights and receive identical gradients (a function
of the current weights, see optim_harness); the weights must agree after every run to
rtol 1e-7 in float64 and 1e-4 in float32.
"""

import itertools

import numpy as np
import pytest

import glassgrad as gg
from optim_harness import ShrinkThen, assert_trajectories_close, case_id, run_glassgrad, run_torch
from optim_harness import compare_with_torch as _compare  # the name every test here calls

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- SGD
def _sgd_cases():
    for momentum, dampening, nesterov, wd, maximize in itertools.product(
        [0, 0.9], [0, 0.5], [False, True], [0, 0.1], [False, True]
    ):
        if momentum == 0 and (dampening or nesterov):
            continue
        if nesterov and dampening:
            continue
        yield dict(momentum=momentum, dampening=dampening, nesterov=nesterov,
                   weight_decay=wd, maximize=maximize)


SGD_CASES = list(_sgd_cases())


@pytest.mark.parametrize("kw", SGD_CASES, ids=case_id)
def test_sgd_l2_matches_torch(kw):
    _compare(lambda p: gg.optim.SGD(p, lr=0.05, decay="l2", **kw),
             lambda p: torch.optim.SGD(p, lr=0.05, **kw), maximize=kw["maximize"])


def test_sgd_has_torchs_default_lr():
    w = gg.tensor([1.0], requires_grad=True)
    assert gg.optim.SGD([w]).defaults["lr"] == torch.optim.SGD([torch.ones(1, requires_grad=True)]).defaults["lr"]


@pytest.mark.parametrize("kw", [kw for kw in SGD_CASES if kw["weight_decay"]],
                         ids=case_id)
def test_sgd_decoupled_matches_torch_with_a_manual_shrink(kw):
    """Decoupled decay is, by definition, w <- (1 - lr wd) w before the plain step.

    Oracle: torch's SGD without weight decay, preceded each step by that shrink."""
    lr, wd = 0.05, kw["weight_decay"]
    torch_kw = dict(kw, weight_decay=0)

    _compare(lambda p: gg.optim.SGD(p, lr=lr, decay="decoupled", **kw),
             lambda p: ShrinkThen(p, lambda q: torch.optim.SGD(q, lr=lr, **torch_kw), lr, wd),
             maximize=kw["maximize"])


# ---------------------------------------------------------------- Adam / AdamW
ADAM_CASES = [
    dict(weight_decay=wd, amsgrad=ams, maximize=mx)
    for wd, ams, mx in itertools.product([0, 0.1], [False, True], [False, True])
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=case_id)
def test_adam_l2_matches_torch_adam(kw):
    _compare(lambda p: gg.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, decay="l2", **kw),
             lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw), maximize=kw["maximize"])


@pytest.mark.parametrize("kw", ADAM_CASES, ids=case_id)
def test_adam_decoupled_matches_torch_adamw(kw):
    _compare(lambda p: gg.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, decay="decoupled", **kw),
             lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw), maximize=kw["maximize"])


@pytest.mark.parametrize("kw", ADAM_CASES, ids=case_id)
def test_adamw_matches_torch_adamw(kw):
    _compare(lambda p: gg.optim.AdamW(p, lr=0.05, **kw),
             lambda p: torch.optim.AdamW(p, lr=0.05, **kw), maximize=kw["maximize"])


def test_adam_and_adamw_defaults_are_torchs():
    w = gg.tensor([1.0], requires_grad=True)
    t = torch.ones(1, requires_grad=True)
    for ours, theirs in [(gg.optim.Adam, torch.optim.Adam), (gg.optim.AdamW, torch.optim.AdamW)]:
        o, d = ours([w]).defaults, theirs([t]).defaults
        for key in ("lr", "eps", "weight_decay", "amsgrad", "maximize"):
            assert o[key] == d[key], (ours.__name__, key)
        assert tuple(o["betas"]) == tuple(d["betas"])


def test_adam_small_beta1_uses_the_other_lerp_branch():
    """beta1 < 1/2 makes torch's lerp weight 1 - beta1 > 1/2 (its second formula)."""
    _compare(lambda p: gg.optim.Adam(p, lr=0.05, betas=(0.3, 0.6)),
             lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.3, 0.6)))


def test_adam_default_hyperparameters_float64():
    _compare(lambda p: gg.optim.Adam(p), lambda p: torch.optim.Adam(p))


# ---------------------------------------------------------------- RMSprop
RMS_CASES = [
    dict(centered=c, momentum=m, weight_decay=wd, maximize=mx)
    for c, m, wd, mx in itertools.product([False, True], [0, 0.9], [0, 0.1], [False, True])
]


@pytest.mark.parametrize("kw", RMS_CASES, ids=case_id)
def test_rmsprop_matches_torch(kw):
    _compare(lambda p: gg.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, **kw),
             lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, **kw), maximize=kw["maximize"])


def test_rmsprop_small_alpha_and_defaults():
    _compare(lambda p: gg.optim.RMSprop(p, alpha=0.3, centered=True),
             lambda p: torch.optim.RMSprop(p, alpha=0.3, centered=True))
    _compare(lambda p: gg.optim.RMSprop(p), lambda p: torch.optim.RMSprop(p))


# ---------------------------------------------------------------- Adagrad
ADAGRAD_CASES = [
    dict(lr_decay=ld, weight_decay=wd, initial_accumulator_value=iav, maximize=mx)
    for ld, wd, iav, mx in itertools.product([0, 0.1], [0, 0.1], [0, 0.5], [False, True])
]


@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=case_id)
def test_adagrad_matches_torch(kw):
    _compare(lambda p: gg.optim.Adagrad(p, lr=0.1, eps=1e-10, **kw),
             lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10, **kw), maximize=kw["maximize"])


# ---------------------------------------------------------------- float32
@pytest.mark.parametrize("name, ours, theirs", [
    ("sgd", lambda p: gg.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("adam", lambda p: gg.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("adamw", lambda p: gg.optim.AdamW(p, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05)),
    ("rmsprop", lambda p: gg.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
     lambda p: torch.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5)),
    ("adagrad", lambda p: gg.optim.Adagrad(p, lr=0.1, lr_decay=0.01),
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01)),
])
def test_float32_stays_float32_and_matches_torch(name, ours, theirs):
    _compare(ours, theirs, dtype="float32")


# ---------------------------------------------------------------- param groups
def test_param_groups_with_their_own_hyperparameters():
    def ours(p):
        return gg.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.2, "momentum": 0.5}],
                            lr=0.05, momentum=0.9, weight_decay=0.01)

    def theirs(p):
        return torch.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.2, "momentum": 0.5}],
                               lr=0.05, momentum=0.9, weight_decay=0.01)

    _compare(ours, theirs)


def test_adam_param_groups_mixing_l2_and_decoupled_decay():
    """A group may switch the decay mode: here group 0 is Adam + L2, group 1 AdamW."""
    def ours(p):
        return gg.optim.Adam([{"params": p[:2], "lr": 0.01},
                              {"params": p[2:], "lr": 0.1, "decay": "decoupled"}], weight_decay=0.1)

    a, _, _ = run_glassgrad(ours)
    b01, _, _ = run_torch(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1))
    b2, _, _ = run_torch(lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1))
    assert_trajectories_close(a, b01[:2] + b2[2:])


def test_add_param_group_later_matches_torch():
    def ours(p):
        opt = gg.optim.Adam(p[:2], lr=0.05)
        opt.add_param_group({"params": [p[2]], "lr": 0.01, "amsgrad": True})
        return opt

    def theirs(p):
        opt = torch.optim.Adam(p[:2], lr=0.05)
        opt.add_param_group({"params": [p[2]], "lr": 0.01, "amsgrad": True})
        return opt

    _compare(ours, theirs)


def test_closure_is_called_and_its_loss_returned():
    w = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = gg.optim.SGD([w], lr=0.1)
    calls = []

    def closure():
        calls.append(gg.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gg.no_grad():
        loss = opt.step(closure)
    assert calls == [True]  # recorded with grad on, even inside no_grad
    assert loss.item() == 5.0
    np.testing.assert_allclose(w.array, [1.0 - 0.1 * 2.0, 2.0 - 0.1 * 4.0], rtol=1e-15)
