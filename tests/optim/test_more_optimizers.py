"""NAdam, Adamax, Adadelta and RAdam: every option, 20 steps against torch.optim.

Both libraries start from identical weights and receive identical gradients (a function
of the current weights, see optim_harness); the weights must agree after every run to
rtol 1e-7 in float64 and 1e-4 in float32. Decoupled decay where torch has no switch
(Adamax) is checked against torch's rule preceded by the shrink w <- (1 - lr wd) w,
which is the definition of decoupled decay.
"""

import contextlib
import inspect
import itertools

import numpy as np
import pytest

import glassgrad as gg
from optim_harness import (
    ShrinkThen, assert_resumed_run_matches_uninterrupted, case_id, compare_with_torch,
    run_glassgrad, run_torch)

torch = pytest.importorskip("torch")


@contextlib.contextmanager
def torch_default_float64():
    """torch keeps NAdam's running product mu_product (and the step counts) in its
    *default* dtype: float32 unless changed. glassgrad keeps it as a Python float, so the
    float64 oracle runs torch with float64 as the default dtype."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def _compare(ours, theirs, dtype="float64", **kw):
    context = torch_default_float64 if dtype == "float64" else contextlib.nullcontext
    compare_with_torch(ours, theirs, dtype, torch_context=context, **kw)


# ---------------------------------------------------------------- NAdam
NADAM_CASES = [
    dict(weight_decay=wd, decoupled_weight_decay=dec, momentum_decay=md, maximize=mx)
    for wd, dec, md, mx in itertools.product([0, 0.1], [False, True], [4e-3, 0.5], [False, True])
    if wd or not dec
]


@pytest.mark.parametrize("kw", NADAM_CASES, ids=case_id)
def test_nadam_matches_torch(kw):
    _compare(lambda p: gg.optim.NAdam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw),
             lambda p: torch.optim.NAdam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw),
             maximize=kw["maximize"])


def test_nadam_decay_switch_is_torchs_decoupled_flag():
    ours = lambda p: gg.optim.NAdam(p, lr=0.05, weight_decay=0.2, decay="decoupled")  # noqa: E731
    theirs = lambda p: torch.optim.NAdam(p, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)  # noqa: E731
    _compare(ours, theirs)
    w = gg.tensor([1.0], requires_grad=True)
    assert gg.optim.NAdam([w], decoupled_weight_decay=True).defaults["decay"] == "decoupled"
    with pytest.raises(ValueError, match="contradicts"):
        gg.optim.NAdam([w], decoupled_weight_decay=True, decay="l2")


def test_nadam_defaults_and_float32_default_dtype_oracle():
    """With torch's float32 mu_product the two differ only by that rounding: rtol 1e-6."""
    _compare(lambda p: gg.optim.NAdam(p), lambda p: torch.optim.NAdam(p))
    a, _, _ = run_glassgrad(lambda p: gg.optim.NAdam(p, lr=0.05))
    b, _, _ = run_torch(lambda p: torch.optim.NAdam(p, lr=0.05))  # torch's default dtype float32
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-12)


# ---------------------------------------------------------------- Adamax
ADAMAX_CASES = [dict(weight_decay=wd, maximize=mx) for wd, mx in itertools.product([0, 0.1], [False, True])]


@pytest.mark.parametrize("kw", ADAMAX_CASES, ids=case_id)
def test_adamax_l2_matches_torch(kw):
    _compare(lambda p: gg.optim.Adamax(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw),
             lambda p: torch.optim.Adamax(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, **kw),
             maximize=kw["maximize"])


@pytest.mark.parametrize("maximize", [False, True])
def test_adamax_decoupled_is_torchs_adamax_after_a_shrink(maximize):
    lr, wd = 0.05, 0.3
    _compare(lambda p: gg.optim.Adamax(p, lr=lr, weight_decay=wd, decay="decoupled", maximize=maximize),
             lambda p: ShrinkThen(p, lambda q: torch.optim.Adamax(q, lr=lr, maximize=maximize), lr, wd),
             maximize=maximize)


def test_adamax_small_beta1_and_defaults():
    _compare(lambda p: gg.optim.Adamax(p, betas=(0.3, 0.6)), lambda p: torch.optim.Adamax(p, betas=(0.3, 0.6)))
    _compare(lambda p: gg.optim.Adamax(p), lambda p: torch.optim.Adamax(p))


# ---------------------------------------------------------------- Adadelta
ADADELTA_CASES = [
    dict(lr=lr, rho=rho, weight_decay=wd, maximize=mx)
    for lr, rho, wd, mx in itertools.product([1.0, 0.5], [0.9, 0.3], [0, 0.1], [False, True])
]


@pytest.mark.parametrize("kw", ADADELTA_CASES, ids=case_id)
def test_adadelta_matches_torch(kw):
    _compare(lambda p: gg.optim.Adadelta(p, eps=1e-3, **kw), lambda p: torch.optim.Adadelta(p, eps=1e-3, **kw),
             maximize=kw["maximize"])


def test_adadelta_defaults():
    _compare(lambda p: gg.optim.Adadelta(p), lambda p: torch.optim.Adadelta(p), steps=20)


# ---------------------------------------------------------------- RAdam
RADAM_CASES = [
    dict(weight_decay=wd, decoupled_weight_decay=dec, maximize=mx)
    for wd, dec, mx in itertools.product([0, 0.1], [False, True], [False, True])
    if wd or not dec
]


@pytest.mark.parametrize("betas", [(0.8, 0.7), (0.9, 0.999)], ids=["beta2=0.7", "beta2=0.999"])
@pytest.mark.parametrize("kw", RADAM_CASES, ids=case_id)
def test_radam_matches_torch(kw, betas):
    """Both runs cross from the momentum-SGD phase (rho_t <= 5) into the rectified phase
    within the 20 steps: at step 10 for beta2 = 0.7, at step 6 for beta2 = 0.999."""
    _compare(lambda p: gg.optim.RAdam(p, lr=0.05, betas=betas, eps=1e-6, **kw),
             lambda p: torch.optim.RAdam(p, lr=0.05, betas=betas, eps=1e-6, **kw), maximize=kw["maximize"])


@pytest.mark.parametrize("beta2, first", [(0.7, 10), (0.999, 6)])
def test_radam_phase_boundary_by_hand(beta2, first):
    """rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t), rho_inf = 2 / (1 - beta2) - 1.
    By hand for beta2 = 0.7: rho_inf = 17/3, rho_1 = 17/3 - 1.4 / 0.3 = 1; rho_9 = 4.910...,
    rho_10 = 5.085...: the rectified step starts at t = 10 (for 0.999: rho_5 = 4.996, rho_6 = 5.994)."""
    rho_inf = 2 / (1 - beta2) - 1
    rhos = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, 21)]
    assert rhos[0] == pytest.approx(1.0)
    assert rhos[first - 2] <= 5 < rhos[first - 1]


# ---------------------------------------------------------------- float32
@pytest.mark.parametrize("name, ours, theirs", [
    ("nadam", lambda p: gg.optim.NAdam(p, lr=0.05, weight_decay=0.1),
     lambda p: torch.optim.NAdam(p, lr=0.05, weight_decay=0.1)),
    ("adamax", lambda p: gg.optim.Adamax(p, lr=0.05, weight_decay=0.1),
     lambda p: torch.optim.Adamax(p, lr=0.05, weight_decay=0.1)),
    ("adadelta", lambda p: gg.optim.Adadelta(p, weight_decay=0.1), lambda p: torch.optim.Adadelta(p, weight_decay=0.1)),
    ("radam", lambda p: gg.optim.RAdam(p, lr=0.05, betas=(0.9, 0.7), decoupled_weight_decay=True, weight_decay=0.1),
     lambda p: torch.optim.RAdam(p, lr=0.05, betas=(0.9, 0.7), decoupled_weight_decay=True, weight_decay=0.1)),
])
def test_float32_stays_float32_and_matches_torch(name, ours, theirs):
    _compare(ours, theirs, dtype="float32")


# ---------------------------------------------------------------- defaults, groups, state_dict
PAIRS = [(gg.optim.NAdam, torch.optim.NAdam), (gg.optim.Adamax, torch.optim.Adamax),
         (gg.optim.Adadelta, torch.optim.Adadelta), (gg.optim.RAdam, torch.optim.RAdam)]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=["NAdam", "Adamax", "Adadelta", "RAdam"])
def test_defaults_are_torchs(ours, theirs):
    o = ours([gg.tensor([1.0], requires_grad=True)]).defaults
    d = theirs([torch.ones(1, requires_grad=True)]).defaults
    for key, value in o.items():
        if key == "decay":
            assert (value == "decoupled") == d.get("decoupled_weight_decay", False)
        elif key == "betas":
            assert tuple(value) == tuple(d[key])
        else:
            assert value == d[key], (ours.__name__, key)


def test_param_groups_with_their_own_hyperparameters():
    def make(lib):
        def build(p):
            return lib.optim.NAdam([{"params": p[:2]}, {"params": p[2:], "lr": 0.2, "momentum_decay": 0.1}],
                                   lr=0.05, weight_decay=0.01)
        return build

    _compare(make(gg), make(torch))


ALL = {
    "NAdam": (lambda p: gg.optim.NAdam(p, lr=0.05, weight_decay=0.01),
              lambda p: torch.optim.NAdam(p, lr=0.05, weight_decay=0.01)),
    "Adamax": (lambda p: gg.optim.Adamax(p, lr=0.05), lambda p: torch.optim.Adamax(p, lr=0.05)),
    "Adadelta": (lambda p: gg.optim.Adadelta(p, lr=0.5), lambda p: torch.optim.Adadelta(p, lr=0.5)),
    "RAdam": (lambda p: gg.optim.RAdam(p, lr=0.05, betas=(0.9, 0.7)),
              lambda p: torch.optim.RAdam(p, lr=0.05, betas=(0.9, 0.7))),
}


@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_like_torch_uninterrupted(name):
    assert_resumed_run_matches_uninterrupted(*ALL[name], torch_context=torch_default_float64)


@pytest.mark.parametrize("name", ALL)
def test_state_dict_names_and_buffers_match_torch(name):
    ours, theirs = ALL[name]
    _, _, opt = run_glassgrad(ours, steps=10)
    with torch_default_float64():
        _, _, topt = run_torch(theirs, steps=10)
    a, b = opt.state_dict(), topt.state_dict()
    assert sorted(a["state"]) == sorted(b["state"])
    for idx, tstate in b["state"].items():
        assert set(a["state"][idx]) == set(tstate)
        for key, value in tstate.items():
            np.testing.assert_allclose(np.asarray(a["state"][idx][key]), value.numpy(), rtol=1e-7, atol=1e-14,
                                       err_msg=f"{name} state {idx} {key}")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, match", [
    (lambda w: gg.optim.NAdam(w, lr=-1), "lr"),
    (lambda w: gg.optim.NAdam(w, betas=(1.0, 0.9)), "beta1"),
    (lambda w: gg.optim.NAdam(w, momentum_decay=-0.1), "momentum_decay"),
    (lambda w: gg.optim.NAdam(w, decay="l1"), "decay"),
    (lambda w: gg.optim.Adamax(w, betas=(0.9,)), "pair"),
    (lambda w: gg.optim.Adamax(w, eps=-1e-8), "eps"),
    (lambda w: gg.optim.Adadelta(w, rho=1.5), "rho"),
    (lambda w: gg.optim.Adadelta(w, weight_decay=-1), "weight_decay"),
    (lambda w: gg.optim.RAdam(w, betas=(0.9, -0.1)), "beta2"),
    (lambda w: gg.optim.RAdam(w, decoupled_weight_decay=True, decay="l2"), "contradicts"),
])
def test_bad_hyperparameters_are_named(make, match):
    w = gg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=match):
        make([w])


def test_a_bad_group_leaves_the_optimizer_unchanged():
    w, v = gg.tensor([1.0], requires_grad=True), gg.tensor([2.0], requires_grad=True)
    opt = gg.optim.Adadelta([w])
    with pytest.raises(ValueError, match="rho"):
        opt.add_param_group({"params": [v], "rho": 2.0})
    assert len(opt.param_groups) == 1


# ---------------------------------------------------------------- PyTorch's switches
def test_adam_takes_torchs_decoupled_flag_and_is_then_adamw():
    ours = lambda p: gg.optim.Adam(p, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)  # noqa: E731
    theirs = lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)  # noqa: E731
    _compare(ours, theirs)
    _compare(ours, lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.2))
    w = gg.tensor([1.0], requires_grad=True)
    assert gg.optim.Adam([w]).defaults["decay"] == "l2"
    with pytest.raises(ValueError, match="contradicts"):
        gg.optim.Adam([w], decoupled_weight_decay=True, decay="l2")


def test_positional_arguments_mean_what_they_mean_in_torch():
    # torch's order: SGD(params, lr, momentum, dampening, weight_decay, nesterov) and
    # Adam(params, lr, betas, eps, weight_decay, amsgrad)
    _compare(lambda p: gg.optim.SGD(p, 0.05, 0.9, 0, 0.1, True),
             lambda p: torch.optim.SGD(p, 0.05, 0.9, 0, 0.1, True))
    _compare(lambda p: gg.optim.Adam(p, 0.05, (0.8, 0.9), 1e-6, 0.1, True),
             lambda p: torch.optim.Adam(p, 0.05, (0.8, 0.9), 1e-6, 0.1, True))


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                                  "Adagrad", "Adadelta"])
def test_torchs_kernel_switches_are_accepted_and_differentiable_is_refused(name):
    w = gg.tensor([1.0], requires_grad=True)
    flags = {"foreach": False}
    for flag in ("fused", "capturable"):
        if flag in inspect.signature(getattr(torch.optim, name).__init__).parameters:
            flags[flag] = False
    getattr(gg.optim, name)([w], **flags)  # accepted: they pick among torch's kernels
    with pytest.raises(ValueError, match="differentiable=True is not supported"):
        getattr(gg.optim, name)([w], differentiable=True)
