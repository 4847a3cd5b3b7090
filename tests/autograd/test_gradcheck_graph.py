"""gradcheck_graph: walk a model's recorded graph and name the node whose backward is wrong."""

import re
import sys

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import Function, GradcheckError, gradcheck_graph, record_inputs
from autograd_helpers import Tanh


class BadTanh(Tanh):
    """tanh whose backward forgets to square: (1 - z) instead of (1 - z^2)."""

    label = "bad_tanh"

    def backward(ctx, upstream):
        (z,) = ctx.saved
        return upstream * (1 - z)


class Scale(Function):
    """A keyword parameter the check must pass again when it re-runs the forward."""

    label = "scale"

    def forward(ctx, a, factor=1.0):
        ctx.factor = factor
        return a * factor

    def backward(ctx, upstream):
        return upstream * ctx.factor


def make_mlp(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    p = {
        "W1": rng.normal(size=(3, 5)) * 0.5, "b1": rng.normal(size=(5,)) * 0.1,
        "W2": rng.normal(size=(5, 2)) * 0.5, "b2": rng.normal(size=(2,)) * 0.1,
    }
    return {k: gg.tensor(v.astype(dtype), requires_grad=True) for k, v in p.items()}


def data(dtype=np.float64):
    rng = np.random.default_rng(1)
    return gg.tensor(rng.normal(size=(4, 3)).astype(dtype)), gg.tensor(rng.normal(size=(4, 2)).astype(dtype))


def loss_fn(p, x, y, act):
    h = act.apply(x @ p["W1"] + p["b1"])
    line = sys._getframe().f_lineno - 1
    out = Scale.apply(h @ p["W2"], factor=3.0) + p["b2"]
    d = out - y
    return (d * d).sum(), line


def test_correct_mlp_passes():
    p = make_mlp()
    x, y = data()
    assert gradcheck_graph(lambda: loss_fn(p, x, y, Tanh)[0])
    assert gradcheck_graph(lambda: loss_fn(p, x, y, Tanh)[0], mode="full")


@pytest.mark.parametrize("mode", ["fast", "full"])
def test_broken_op_in_mlp_is_named_with_element_and_values(mode):
    p = make_mlp()
    x, y = data()
    lines = []

    def closure():
        loss, line = loss_fn(p, x, y, BadTanh)
        lines.append(line)
        return loss

    with pytest.raises(GradcheckError) as info:
        gradcheck_graph(closure, mode=mode)
    msg = str(info.value)
    # Backward order from the loss: sum(0), mul(1), sub(2), add(3), scale(4), matmul(5),
    # bad_tanh(6). Every node before it is correct, so it is the first named.
    assert msg.startswith("gradcheck_graph: node 6 'bad_tanh' (BadTanh)")
    assert f"created at test_gradcheck_graph.py:{lines[0]}: h = act.apply(" in msg
    m = re.search(r"input 0 index \((\d+), (\d+)\), output index \((\d+), (\d+)\): "
                  r"backward (\S+) vs finite differences (\S+) ", msg)
    assert m, msg
    i, j, oi, oj = map(int, m.groups()[:4])
    assert (i, j) == (oi, oj)  # tanh is elementwise: only diagonal entries are non-zero
    # Hand derivation at that element: z = tanh(s), true dz/ds = 1 - z^2, wrong one 1 - z.
    s = x.array @ p["W1"].array + p["b1"].array
    z = np.tanh(s[i, j])
    assert float(m.group(5)) == pytest.approx(1 - z, rel=1e-5)
    assert float(m.group(6)) == pytest.approx(1 - z * z, rel=1e-5)


def test_float32_model_is_checked_in_float64():
    p = make_mlp(np.float32)
    x, y = data(np.float32)
    with pytest.raises(GradcheckError, match="'bad_tanh'"):
        gradcheck_graph(lambda: loss_fn(p, x, y, BadTanh)[0])
    assert gradcheck_graph(lambda: loss_fn(p, x, y, Tanh)[0])


def test_tensor_api_with_record_inputs_and_skip():
    p = make_mlp()
    x, y = data()
    with record_inputs():
        loss, _ = loss_fn(p, x, y, BadTanh)
    with pytest.raises(GradcheckError, match="BadTanh"):
        gradcheck_graph(loss)
    assert gradcheck_graph(loss, skip=("bad_tanh",))
    assert gradcheck_graph(loss, skip=(BadTanh,))
    assert gradcheck_graph(loss, raise_exception=False) is False
    assert p["W1"].grad is None  # the check never touched the model's gradients


def test_inputs_changed_in_place_after_recording_are_the_recorded_values():
    a = gg.tensor(np.array([0.3, -0.7]), requires_grad=True)
    with record_inputs():
        h = a * 2.0
        loss = BadTanh.apply(h).sum()
    h.array[...] = 100.0  # tanh would be flat here; the recorded copy keeps 0.6, -1.4
    with pytest.raises(GradcheckError) as info:
        gradcheck_graph(loss, mode="full")
    z = np.tanh(0.6)
    assert f"backward {1 - z:.6g} vs finite differences {1 - z * z:.6g}" in str(info.value)


def test_unrecorded_graph_is_refused():
    a = gg.tensor(np.array([0.3, -0.7]), requires_grad=True)
    loss = (a * a).sum()
    with pytest.raises(ValueError, match="record_inputs"):
        gradcheck_graph(loss)
    with pytest.raises(TypeError, match="loss Tensor"):
        gradcheck_graph(3.0)
