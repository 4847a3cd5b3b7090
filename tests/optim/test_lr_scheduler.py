"""Learning-rate schedules against torch.optim.lr_scheduler, 50 steps, two param groups."""

import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.optim import lr_scheduler as sched

torch = pytest.importorskip("torch")
tsched = torch.optim.lr_scheduler

STEPS = 50


def _optimizers(lrs=(0.1, 0.03)):
    ours = gg.optim.SGD([{"params": [gg.tensor(np.ones(2), requires_grad=True)], "lr": lr} for lr in lrs],
                        lr=lrs[0], momentum=0.9)
    theirs = torch.optim.SGD([{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs],
                             lr=lrs[0], momentum=0.9)
    return ours, theirs


def _sequences(make_ours, make_theirs, steps=STEPS):
    opt, topt = _optimizers()
    s, ts = make_ours(opt), make_theirs(topt)
    ours, theirs = [s.get_last_lr()], [ts.get_last_lr()]
    for _ in range(steps):
        opt.step()
        s.step()
        topt.step()
        ts.step()
        ours.append(s.get_last_lr())
        theirs.append(ts.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == ours[-1]
    return np.array(ours), np.array(theirs)


CASES = {
    "StepLR": (lambda o: sched.StepLR(o, step_size=7, gamma=0.5),
               lambda o: tsched.StepLR(o, step_size=7, gamma=0.5)),
    "StepLR-default-gamma": (lambda o: sched.StepLR(o, 3), lambda o: tsched.StepLR(o, 3)),
    "MultiStepLR": (lambda o: sched.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
                    lambda o: tsched.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
    "ExponentialLR": (lambda o: sched.ExponentialLR(o, gamma=0.93),
                      lambda o: tsched.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR": (lambda o: sched.CosineAnnealingLR(o, T_max=10),
                          lambda o: tsched.CosineAnnealingLR(o, T_max=10)),
    "CosineAnnealingLR-eta_min": (lambda o: sched.CosineAnnealingLR(o, T_max=17, eta_min=0.01),
                                  lambda o: tsched.CosineAnnealingLR(o, T_max=17, eta_min=0.01)),
}


@pytest.mark.parametrize("name", CASES)
def test_schedule_matches_torch(name):
    ours, theirs = _sequences(*CASES[name])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len(np.unique(ours[:, 0])) > 2  # the schedule did change the rate


def test_cosine_recursion_follows_the_closed_form():
    """Hand derivation: eta_t = eta_min + (eta_0 - eta_min)(1 + cos(pi t / T)) / 2, which
    the ratio recursion reproduces up to rounding, also past T_max (periodic)."""
    opt, _ = _optimizers(lrs=(0.1, 0.1))
    s = sched.CosineAnnealingLR(opt, T_max=8, eta_min=0.001)
    for t in range(1, 30):
        opt.step()
        s.step()
        expected = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 8)) / 2
        assert s.get_last_lr()[0] == pytest.approx(expected, rel=1e-10, abs=1e-15)
        assert s._get_closed_form_lr()[0] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR"])
def test_closed_forms(name):
    opt, _ = _optimizers(lrs=(0.2, 0.2))
    s = CASES[name][0](opt)
    for _ in range(20):
        opt.step()
        s.step()
        np.testing.assert_allclose(s._get_closed_form_lr()[0], s.get_last_lr()[0], rtol=1e-12)


PLATEAU = [
    dict(),
    dict(mode="max", patience=2, threshold=0.05, threshold_mode="abs", factor=0.5),
    dict(patience=1, cooldown=3, factor=0.5, min_lr=[0.01, 0.02]),
    dict(patience=0, threshold=0.1, min_lr=0.005, eps=1e-3),
]


@pytest.mark.parametrize("kw", PLATEAU, ids=str)
def test_reduce_on_plateau_matches_torch(kw):
    # a metric that improves, stalls, improves a little, and oscillates
    metrics = [1.0 / (1 + k) if k < 8 else 0.12 + 0.01 * math.sin(k) + (0.02 if k % 7 == 0 else 0)
               for k in range(STEPS)]
    opt, topt = _optimizers()
    s, ts = sched.ReduceLROnPlateau(opt, **kw), tsched.ReduceLROnPlateau(topt, **kw)
    for k, m in enumerate(metrics):
        metric = m if kw.get("mode") != "max" else -m
        s.step(metric)
        ts.step(metric)
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12), k
        assert s.num_bad_epochs == ts.num_bad_epochs and s.best == ts.best, k
    assert s.get_last_lr()[0] < 0.1  # it did reduce


def test_reduce_on_plateau_by_hand():
    """patience=2: the third epoch in a row without improvement cuts lr by `factor`."""
    opt, _ = _optimizers(lrs=(1.0, 1.0))
    s = sched.ReduceLROnPlateau(opt, patience=2, factor=0.5)
    lrs = []
    for metric in [5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0]:
        s.step(metric)
        lrs.append(s.get_last_lr()[0])
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def test_scheduler_state_dict_round_trip():
    opt, _ = _optimizers()
    s = sched.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        s.step()
    saved_opt, saved = opt.state_dict(), s.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4

    opt2, _ = _optimizers()
    opt2.load_state_dict(saved_opt)  # restores lr and initial_lr of each group
    s2 = sched.CosineAnnealingLR(opt2, T_max=10, last_epoch=3)
    s2.load_state_dict(saved)
    for _ in range(6):
        opt.step()
        s.step()
        opt2.step()
        s2.step()
        assert s2.get_last_lr() == s.get_last_lr()


def test_resuming_without_initial_lr_is_explained():
    opt, _ = _optimizers()
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(opt, step_size=2, last_epoch=5)


@pytest.mark.parametrize("make, match", [
    (lambda o: sched.StepLR(o, step_size=0), "step_size"),
    (lambda o: sched.StepLR(o, step_size=2.5), "step_size"),
    (lambda o: sched.ExponentialLR(o, gamma=-1), "gamma"),
    (lambda o: sched.MultiStepLR(o, milestones=[3, -1]), "milestones"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), "T_max"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), "factor"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="up"), "mode"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="pct"), "threshold_mode"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1]), "min_lrs"),
    (lambda o: sched.StepLR("not an optimizer", 2), "Optimizer"),
])
def test_bad_scheduler_arguments(make, match):
    opt, _ = _optimizers()
    with pytest.raises((ValueError, TypeError), match=match):
        make(opt)
