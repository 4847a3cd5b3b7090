"""Optimizers driving a real nn model with autograd, against the same model in PyTorch."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn

torch = pytest.importorskip("torch")


def _twin_models():
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for ours_p, their_p in zip(ours.parameters(), theirs.parameters()):
            their_p.copy_(torch.from_numpy(ours_p.array))
    return ours, theirs


@pytest.mark.parametrize("make", [
    (lambda p: gg.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    (lambda p: gg.optim.AdamW(p, lr=0.01, amsgrad=True), lambda p: torch.optim.AdamW(p, lr=0.01, amsgrad=True)),
    (lambda p: gg.optim.RMSprop(p, lr=0.01, centered=True), lambda p: torch.optim.RMSprop(p, lr=0.01, centered=True)),
], ids=["sgd-nesterov", "adamw-amsgrad", "rmsprop-centered"])
def test_mlp_training_steps_match_torch(make):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(16, 4)), rng.normal(size=(16, 3))
    ours, theirs = _twin_models()
    opt, topt = make[0](ours.parameters()), make[1](theirs.parameters())
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = ((ours(gg.tensor(x)) - gg.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = ((theirs(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()
        tloss.backward()
        topt.step()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-7)
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    for ours_p, their_p in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(ours_p.array, their_p.detach().numpy(), rtol=1e-7, atol=1e-12)
