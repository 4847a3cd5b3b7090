"""LambdaLR, MultiplicativeLR, ConstantLR, LinearLR, CosineAnnealingWarmRestarts,
OneCycleLR and SequentialLR against torch.optim.lr_scheduler, two param groups, over
enough steps to cross every phase boundary (milestones, restarts, the cycle's phases)."""

import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.optim import lr_scheduler as sched

torch = pytest.importorskip("torch")
tsched = torch.optim.lr_scheduler


def _optimizers(kind="sgd", lrs=(0.1, 0.03)):
    p = [{"params": [gg.tensor(np.ones(2), requires_grad=True)], "lr": lr} for lr in lrs]
    tp = [{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return gg.optim.SGD(p, lr=lrs[0], momentum=0.9), torch.optim.SGD(tp, lr=lrs[0], momentum=0.9)
    if kind == "adam":
        return gg.optim.Adam(p, lr=lrs[0]), torch.optim.Adam(tp, lr=lrs[0])
    return gg.optim.Adagrad(p, lr=lrs[0]), torch.optim.Adagrad(tp, lr=lrs[0])


def _hyper(opt):
    """The rates and the momentum terms (momentum or beta1) of each group."""
    out = []
    for g in opt.param_groups:
        out.append(g["lr"])
        if "momentum" in g:
            out.append(g["momentum"])
        if "betas" in g:
            out.extend(g["betas"])
    return out


def _sequences(make_ours, make_theirs, steps, kind="sgd"):
    opt, topt = _optimizers(kind)
    s, ts = make_ours(opt), make_theirs(topt)
    ours, theirs = [s.get_last_lr() + _hyper(opt)], [ts.get_last_lr() + _hyper(topt)]
    for _ in range(steps):
        opt.step()
        s.step()
        topt.step()
        ts.step()
        ours.append(s.get_last_lr() + _hyper(opt))
        theirs.append(ts.get_last_lr() + _hyper(topt))
        assert [g["lr"] for g in opt.param_groups] == s.get_last_lr()
    return np.array(ours), np.array(theirs)


class Halving:
    """A callable object (its state is saved by state_dict, unlike a lambda's)."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


def _seq(lib):
    """Warm-up 5, cosine for 15, then exponential: two milestones."""
    s = lib.optim.lr_scheduler if lib is gg else tsched

    def make(o):
        return s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=5),
                                  s.CosineAnnealingLR(o, T_max=15, eta_min=0.001),
                                  s.ExponentialLR(o, gamma=0.9)], milestones=[5, 20])
    return make


def _seq_no_closed_form(lib):
    """The second schedule has no closed form: it restarts through get_lr at epoch 0."""
    s = lib.optim.lr_scheduler if lib is gg else tsched

    def make(o):
        return s.SequentialLR(o, [s.ConstantLR(o, factor=0.5, total_iters=3),
                                  s.MultiplicativeLR(o, lr_lambda=lambda t: 0.9 if t % 2 else 1.05)],
                              milestones=[7])
    return make


def _seq_nested(lib):
    s = lib.optim.lr_scheduler if lib is gg else tsched

    def make(o):
        inner = s.SequentialLR(o, [s.ConstantLR(o, factor=0.5, total_iters=2),
                                   s.StepLR(o, step_size=3, gamma=0.5)], milestones=[4])
        return s.SequentialLR(o, [inner, s.ExponentialLR(o, gamma=0.8)], milestones=[12])
    return make


def _chained(lib):
    """A constant warm-up factor and an exponential decay, stepped together."""
    s = lib.optim.lr_scheduler if lib is gg else tsched

    def make(o):
        return s.ChainedScheduler([s.ConstantLR(o, factor=0.2, total_iters=4),
                                   s.ExponentialLR(o, gamma=0.9)])
    return make


def _both(name, **kw):
    return (lambda o: getattr(sched, name)(o, **kw)), (lambda o: getattr(tsched, name)(o, **kw))


CASES = {
    "LambdaLR-one": (_both("LambdaLR", lr_lambda=lambda t: min(1.0, (t + 1) / 6)), 20),
    "LambdaLR-per-group": (_both("LambdaLR", lr_lambda=[lambda t: 0.95**t, Halving(4)]), 20),
    "MultiplicativeLR": (_both("MultiplicativeLR", lr_lambda=lambda t: 0.9 if t < 10 else 1.02), 20),
    "ConstantLR": (_both("ConstantLR"), 10),
    "ConstantLR-args": (_both("ConstantLR", factor=0.25, total_iters=7), 12),
    "LinearLR": (_both("LinearLR"), 10),
    "LinearLR-decay": (_both("LinearLR", start_factor=1.0, end_factor=0.05, total_iters=13), 20),
    "WarmRestarts": (_both("CosineAnnealingWarmRestarts", T_0=5), 23),
    "WarmRestarts-T_mult": (_both("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.001), 50),
    "OneCycle-cos": (_both("OneCycleLR", max_lr=[1.0, 0.4], total_steps=30), 30),
    "OneCycle-linear": (_both("OneCycleLR", max_lr=1.0, total_steps=30, anneal_strategy="linear"), 30),
    "OneCycle-three-phase": (_both("OneCycleLR", max_lr=1.0, epochs=4, steps_per_epoch=8, three_phase=True,
                                   pct_start=0.25, div_factor=10.0, final_div_factor=100.0), 32),
    "OneCycle-three-phase-linear": (_both("OneCycleLR", max_lr=0.5, total_steps=41, three_phase=True,
                                          anneal_strategy="linear", base_momentum=[0.8, 0.7],
                                          max_momentum=0.9), 41),
    "OneCycle-no-momentum": (_both("OneCycleLR", max_lr=1.0, total_steps=20, cycle_momentum=False), 20),
    "SequentialLR": ((_seq(gg), _seq(torch)), 30),
    "SequentialLR-get_lr-restart": ((_seq_no_closed_form(gg), _seq_no_closed_form(torch)), 16),
    "SequentialLR-nested": ((_seq_nested(gg), _seq_nested(torch)), 20),
    "PolynomialLR": (_both("PolynomialLR"), 8),
    "PolynomialLR-power": (_both("PolynomialLR", total_iters=9, power=2.5), 12),
    "ChainedScheduler": ((_chained(gg), _chained(torch)), 12),
}


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step")  # torch's nested SequentialLR
@pytest.mark.parametrize("name", CASES)
def test_schedule_matches_torch(name):
    (ours, theirs), steps = CASES[name]
    a, b = _sequences(ours, theirs, steps)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert len(np.unique(a[:, 0])) >= 2  # the schedule did change the rate


@pytest.mark.parametrize("kw", [dict(), dict(three_phase=True, anneal_strategy="linear")], ids=str)
def test_one_cycle_cycles_adams_beta1(kw):
    a, b = _sequences(lambda o: sched.OneCycleLR(o, max_lr=0.01, total_steps=30, **kw),
                      lambda o: tsched.OneCycleLR(o, max_lr=0.01, total_steps=30, **kw), 30, kind="adam")
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    beta1 = a[:, 3]  # columns: last lrs (2), then group 0: lr, beta1, beta2
    assert beta1.min() == pytest.approx(0.85) and beta1[0] == pytest.approx(0.95)
    assert np.all(a[:, 4] == 0.999)  # beta2 untouched


def test_one_cycle_by_hand():
    """Two phases, total 10, pct_start 0.3: phase 1 ends at step 2 (= 0.3 * 10 - 1),
    phase 2 at step 9. Cosine: lr_2 = max_lr, lr_9 = max_lr / 25 / 1e4; step 1 is
    halfway up: init + (max - init) / 2 with init = max / 25."""
    opt, _ = _optimizers(lrs=(1.0, 1.0))
    s = sched.OneCycleLR(opt, max_lr=2.5, total_steps=10)
    lrs = [s.get_last_lr()[0]]
    for _ in range(9):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    assert lrs[0] == pytest.approx(0.1)
    assert lrs[1] == pytest.approx(0.1 + (2.5 - 0.1) / 2)
    assert lrs[2] == pytest.approx(2.5)
    assert lrs[9] == pytest.approx(0.1 / 1e4)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)  # back to max_momentum


def test_one_cycle_refuses_steps_past_the_cycle_before_changing_anything():
    opt, topt = _optimizers()
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=4)
    ts = tsched.OneCycleLR(topt, max_lr=1.0, total_steps=4)
    for _ in range(4):  # torch, too, allows total_steps steps after the constructor's step 0
        opt.step()
        s.step()
        topt.step()
        ts.step()
    before = (s.last_epoch, s.get_last_lr(), _hyper(opt))
    with pytest.raises(ValueError, match="total_steps=4"):
        s.step()
    with pytest.raises(ValueError, match="number of total steps"):
        ts.step()
    assert (s.last_epoch, s.get_last_lr(), _hyper(opt)) == before


def test_warm_restarts_closed_form_by_hand():
    """T_0 = 4, T_mult = 2: periods [0, 4), [4, 12), [12, 28); at epoch 8 (T_cur 4 of 8)
    the rate is halfway: eta_min + (eta_0 - eta_min) / 2."""
    opt, _ = _optimizers(lrs=(0.2, 0.2))
    s = sched.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.02)
    lrs = [s.get_last_lr()[0]]
    for _ in range(13):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    assert lrs[0] == lrs[4] == lrs[12] == pytest.approx(0.2)  # restarts
    assert lrs[8] == pytest.approx(0.02 + 0.18 / 2)
    assert lrs[3] == pytest.approx(0.02 + 0.18 * (1 + math.cos(math.pi * 3 / 4)) / 2)


@pytest.mark.parametrize("T_mult", [1, 3])
def test_warm_restarts_fractional_epochs_match_torch(T_mult):
    opt, topt = _optimizers()
    s = sched.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult)
    ts = tsched.CosineAnnealingWarmRestarts(topt, T_0=3, T_mult=T_mult)
    for epoch in np.arange(0, 20, 0.35):
        s.step(float(epoch))
        ts.step(float(epoch))
        np.testing.assert_allclose(s.get_last_lr(), ts.get_last_lr(), rtol=1e-12, atol=1e-15)
        assert s.T_i == ts.T_i and s.last_epoch == ts.last_epoch


@pytest.mark.parametrize("name", ["ConstantLR-args", "LinearLR-decay", "PolynomialLR-power"])
def test_closed_forms_agree_with_the_recursion(name):
    (ours, _), steps = CASES[name]
    opt, _ = _optimizers(lrs=(0.2, 0.2))
    s = ours(opt)
    for _ in range(steps):
        opt.step()
        s.step()
        np.testing.assert_allclose(s._get_closed_form_lr(), s.get_last_lr(), rtol=1e-12)


def test_linear_warmup_by_hand():
    """start 0.25, end 1, 3 iterations: factors 0.25, 0.5, 0.75, 1, 1, ..."""
    opt, _ = _optimizers(lrs=(0.4, 0.4))
    s = sched.LinearLR(opt, start_factor=0.25, total_iters=3)
    lrs = [s.get_last_lr()[0]]
    for _ in range(5):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [0.1, 0.2, 0.3, 0.4, 0.4, 0.4], rtol=1e-14)


# ---------------------------------------------------------------- state_dict
def _resume_matches(make, steps_before, steps_after, kind="sgd"):
    opt, _ = _optimizers(kind)
    s = make(opt)
    for _ in range(steps_before):
        opt.step()
        s.step()
    saved_opt, saved = opt.state_dict(), s.state_dict()
    assert "optimizer" not in saved

    opt2, _ = _optimizers(kind)
    s2 = make(opt2)  # build, then load both states (PyTorch's order)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved)
    for _ in range(steps_after):
        opt.step()
        s.step()
        opt2.step()
        s2.step()
        assert s2.get_last_lr() == s.get_last_lr()
        assert _hyper(opt2) == _hyper(opt)


@pytest.mark.parametrize("name, before, after", [
    ("LambdaLR-per-group", 6, 10), ("MultiplicativeLR", 6, 10), ("ConstantLR", 3, 5),
    ("LinearLR-decay", 6, 10), ("WarmRestarts-T_mult", 7, 20), ("OneCycle-three-phase", 10, 22),
    ("SequentialLR", 12, 15), ("SequentialLR-nested", 3, 15),
])
def test_state_dict_round_trip(name, before, after):
    (ours, _), _ = CASES[name]
    _resume_matches(ours, before, after)


def test_lambda_state_dict_saves_callable_objects_not_functions():
    opt, _ = _optimizers()
    fn = Halving(4)
    s = sched.LambdaLR(opt, lr_lambda=[lambda t: 1.0, fn])
    saved = s.state_dict()
    assert saved["lr_lambdas"] == [None, {"every": 4}]
    fn.every = 99
    s.load_state_dict(saved)
    assert fn.every == 4 and s.lr_lambdas[1] is fn
    topt = _optimizers()[1]
    assert tsched.LambdaLR(topt, lr_lambda=[lambda t: 1.0, Halving(4)]).state_dict()["lr_lambdas"] == saved["lr_lambdas"]


def test_sequential_state_dict_holds_the_inner_states():
    opt, _ = _optimizers()
    s = _seq(gg)(opt)
    saved = s.state_dict()
    assert [d["last_epoch"] for d in saved["_schedulers"]] == [0, -1, -1]
    assert "optimizer" not in saved and all("optimizer" not in d for d in saved["_schedulers"])


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, match", [
    (lambda o: sched.LambdaLR(o, lr_lambda=[lambda t: 1.0]), "one per param group"),
    (lambda o: sched.LambdaLR(o, lr_lambda=0.5), "function"),
    (lambda o: sched.MultiplicativeLR(o, lr_lambda=[1, 2]), "function"),
    (lambda o: sched.ConstantLR(o, factor=0), "factor"),
    (lambda o: sched.ConstantLR(o, factor=1.5), "factor"),
    (lambda o: sched.ConstantLR(o, total_iters=0), "total_iters"),
    (lambda o: sched.LinearLR(o, start_factor=0), "start_factor"),
    (lambda o: sched.LinearLR(o, end_factor=-0.1), "end_factor"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=0), "T_0"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), "T_mult"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0), "total_steps"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=-3), "total_steps"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=0), "steps_per_epoch"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=9, pct_start=1.5), "pct_start"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=9, anneal_strategy="exp"), "anneal_strategy"),
    (lambda o: sched.OneCycleLR(o, max_lr=[1.0], total_steps=9), "max_lr"),
    (lambda o: sched.SequentialLR(o, [], milestones=[]), "at least one"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2), sched.StepLR(o, 3)], milestones=[]), "milestone"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2), sched.StepLR(o, 3)], milestones=[0]), "milestones"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2), sched.ReduceLROnPlateau(o)], milestones=[3]),
     "ReduceLROnPlateau"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(_optimizers()[0], 2)], milestones=[]), "belong"),
    (lambda o: sched.ChainedScheduler([]), "at least one"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), sched.ReduceLROnPlateau(o)]),
     "ReduceLROnPlateau"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), "not a schedule"], o),
     "not a glassgrad LRScheduler"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), sched.StepLR(_optimizers()[0], 3)]),
     "belong"),
])
def test_bad_scheduler_arguments(make, match):
    opt, _ = _optimizers()
    with pytest.raises((ValueError, TypeError), match=match):
        make(opt)


def test_one_cycle_momentum_needs_an_optimizer_with_momentum():
    opt, _ = _optimizers("adagrad")
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(ValueError, match="cycle_momentum"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert [dict(g) for g in opt.param_groups] == before  # nothing was written into the groups
    sched.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)  # fine without
