"""RNN, LSTM and GRU against torch's, from the same weights (torch's state dict loaded):
outputs, final states and the gradients of the input, the initial states and every
parameter; one and two layers, batch_first, unbatched input, given initial states."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(5)

CASES = [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}), ("RNN", {"bias": False}),
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "batch_first": True}),
    ("GRU", {}), ("GRU", {"num_layers": 2, "bias": False}),
]


def pair(name, kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(3, 5, **kwargs).double()
    ours = getattr(nn, name)(3, 5, **kwargs).double()
    ours.load_state_dict({k: gg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    return ours, theirs


def flat(result):
    """output, h_n (and c_n) as a list."""
    output, state = result
    return [output, *(state if isinstance(state, tuple) else (state,))]


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("name, kwargs", CASES)
def test_recurrent_layers_match_torch(name, kwargs, with_state):
    ours, theirs = pair(name, kwargs)
    layers = kwargs.get("num_layers", 1)
    shape = (2, 7, 3) if kwargs.get("batch_first") else (7, 2, 3)
    x = RNG.standard_normal(shape)
    gx, tx = gg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    states, tstates = None, None
    if with_state:
        arrays = [RNG.standard_normal((layers, 2, 5)) for _ in range(2 if name == "LSTM" else 1)]
        g0 = [gg.tensor(a, requires_grad=True) for a in arrays]
        t0 = [torch.tensor(a, requires_grad=True) for a in arrays]
        states, tstates = (tuple(g0), tuple(t0)) if name == "LSTM" else (g0[0], t0[0])
    outs, touts = flat(ours(gx, states)), flat(theirs(tx, tstates))
    loss, tloss = 0, 0
    for o, t in zip(outs, touts):
        np.testing.assert_allclose(o.array, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        w = RNG.standard_normal(tuple(t.shape))
        loss, tloss = loss + (o * gg.tensor(w)).sum(), tloss + (t * torch.tensor(w)).sum()
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(gx.grad.array, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (pname, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=pname)
    if with_state:
        for a, b in zip(g0, t0):
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(name):
    ours, theirs = pair(name, {})
    x = RNG.standard_normal((6, 3))
    for o, t in zip(flat(ours(gg.tensor(x))), flat(theirs(torch.tensor(x)))):
        assert o.shape == tuple(t.shape)
        np.testing.assert_allclose(o.array, t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_init_bounds_and_refusals():
    gg.manual_seed(0)
    lstm = nn.LSTM(4, 8)
    assert lstm.weight_ih_l0.shape == (32, 4) and lstm.weight_hh_l0.shape == (32, 8)
    bound = 1 / np.sqrt(8)
    assert all(np.abs(p.array).max() <= bound for p in lstm.parameters())
    with pytest.raises(NotImplementedError, match="bidirectional"):
        nn.GRU(4, 8, bidirectional=True)
    with pytest.raises(ValueError, match="input_size"):
        nn.RNN(4, 8)(gg.zeros(5, 2, 3))
    with pytest.raises(ValueError, match="hidden size"):
        nn.RNN(4, 8)(gg.zeros(5, 2, 4), gg.zeros(1, 3, 8))
    with pytest.raises(ValueError, match=r"a tuple \(h_0, c_0\)"):  # not two rows of a tensor
        nn.LSTM(4, 8)(gg.zeros(5, 2, 4), gg.zeros(2, 2, 8))
