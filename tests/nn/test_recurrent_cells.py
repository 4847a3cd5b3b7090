"""RNNCell, LSTMCell and GRUCell against torch's, from the same weights: new states and
the gradients of input, states and every parameter; batched and unbatched, given or
default hx; names, shapes and init range of the parameters; refusals."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(7)

CASES = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
         ("GRUCell", {"bias": False})]


def pair(name, kwargs):
    theirs = getattr(torch.nn, name)(3, 5, **kwargs).double()
    ours = getattr(nn, name)(3, 5, **kwargs).double()
    ours.load_state_dict({k: gg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    return ours, theirs


def as_list(result):
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("name, kwargs", CASES)
def test_cells_match_torch(name, kwargs, with_state, batched):
    ours, theirs = pair(name, kwargs)
    shape = (4, 3) if batched else (3,)
    state_shape = (4, 5) if batched else (5,)
    x0 = RNG.standard_normal(shape)
    x, tx = gg.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    hx = thx = None
    leaves = [(x, tx)]
    if with_state:
        count = 2 if name == "LSTMCell" else 1
        values = [RNG.standard_normal(state_shape) for _ in range(count)]
        hx = [gg.tensor(v, requires_grad=True) for v in values]
        thx = [torch.tensor(v, requires_grad=True) for v in values]
        leaves += list(zip(hx, thx))
        hx, thx = (tuple(hx), tuple(thx)) if count == 2 else (hx[0], thx[0])
    outs, touts = as_list(ours(x, hx)), as_list(theirs(tx, thx))
    weights = [RNG.standard_normal(state_shape) for _ in outs]
    for o, t in zip(outs, touts):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
    sum((o * gg.tensor(w)).sum() for o, w in zip(outs, weights)).backward()
    sum((t * torch.tensor(w)).sum() for t, w in zip(touts, weights)).backward()
    for a, b in leaves:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, gates", [("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)])
def test_parameters_names_shapes_and_init_range(name, gates):
    ours, theirs = getattr(nn, name)(6, 16), getattr(torch.nn, name)(6, 16)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert tuple(ours.weight_ih.shape) == (gates * 16, 6)
    values = np.concatenate([p.detach().numpy().ravel() for p in ours.parameters()])
    assert np.abs(values).max() <= 0.25  # U(-1/sqrt(16), 1/sqrt(16)), as torch
    assert values.std() > 0.1  # spread over the range, not all near zero (uniform std 0.144)


def test_lstm_cell_loop_matches_the_lstm_layer():
    """Stepping an LSTMCell over a sequence is the one-layer LSTM, given the same weights."""
    layer = nn.LSTM(3, 5).double()
    cell = nn.LSTMCell(3, 5).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    seq = gg.tensor(RNG.standard_normal((6, 2, 3)))
    output, _ = layer(seq)
    h = c = gg.zeros(2, 5, dtype=gg.float64)
    for t in range(6):
        h, c = cell(seq[t], (h, c))
        np.testing.assert_allclose(h.detach().numpy(), output[t].detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("call, words", [
    (lambda: nn.RNNCell(3, 5)(gg.ones(2, 2, 3)), "Expected input to be 1D or 2D, got 3D instead"),
    (lambda: nn.RNNCell(3, 5)(gg.ones(2, 4)), "input has 4 features; expected input_size=3"),
    (lambda: nn.LSTMCell(3, 5)(gg.ones(2, 3), gg.ones(2, 5)), "hx must be a tuple (h_0, c_0)"),
    (lambda: nn.GRUCell(3, 5)(gg.ones(2, 3), gg.ones(3, 5)), "hx has shape (3, 5); expected (2, 5)"),
    (lambda: nn.GRUCell(3, 5)(gg.ones(3), gg.ones(2, 5)), "Expected hx to be 1D for an unbatched"),
    (lambda: nn.RNNCell(3, 5, nonlinearity="gelu"), "unknown nonlinearity 'gelu'"),
    (lambda: nn.LSTMCell(0, 5), "input_size must be a positive integer, got 0"),
])
def test_refusals(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value)
