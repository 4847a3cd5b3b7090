"""A whole-number float where a scheduler counts epochs (StepLR(optimizer, 1.0, gamma=0.95),
as PyTorch's transformer tutorial writes it) is taken as torch takes it; a fractional one
is refused."""

import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")


def test_step_lr_takes_a_whole_float_step_size_as_torch_does():
    ours = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=1.0)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    s_ours = gg.optim.lr_scheduler.StepLR(ours, 2.0, gamma=0.5)
    s_theirs = torch.optim.lr_scheduler.StepLR(theirs, 2.0, gamma=0.5)
    for _ in range(5):
        ours.step()
        theirs.step()
        s_ours.step()
        s_theirs.step()
        assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr(), rel=1e-15)


def test_step_lr_refuses_a_fractional_step_size():
    opt = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="step_size must be a positive integer, got 1.5"):
        gg.optim.lr_scheduler.StepLR(opt, 1.5)
