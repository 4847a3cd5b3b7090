"""The trace as an observer: names, values, messages, broadcast sums, lifetime."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import function
from glassgrad.explain import trace


def _t(a, name=None, grad=True):
    return gg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad, name=name)


def test_auto_names_are_label_and_counter_and_names_given_later_are_seen():
    x, y = _t(2.0, "x"), _t(5.0)
    with trace() as t:
        a = x * y
        b = (a * x).named("b")
        c = b + a
        c.backward()
    assert [n.name for n in t.nodes] == ["mul1", "b", "add1"]
    assert [leaf.name for leaf in t.leaves] == ["x", "leaf1"]
    assert t.nodes[0].label == "mul" and t.nodes[0].rule  # the op's rule is carried
    assert function.observers == []  # removed on exit
    assert float(t["x"].gradient) == pytest.approx(2 * 2.0 * 5.0 + 5.0)  # d(x^2 y + x y)/dx


def test_values_are_copies_that_in_place_updates_cannot_change():
    w = _t([1.0, 2.0], "w")
    with trace() as t:
        loss = (w * w).sum()
        loss.backward()
    with gg.no_grad():
        w -= 0.5 * w.grad
    assert t["w"].value.tolist() == [1.0, 2.0]
    assert t["w"].gradient.tolist() == [2.0, 4.0]


def test_broadcast_sum_is_an_explicit_step():
    # c = A + b with A (2, 3) and b (3,): b's message arrives as (2, 3) and the engine
    # sums it over axis 0; by hand: d sum(c * W)/db_j = sum_i W_ij.
    A = _t(np.arange(6.0).reshape(2, 3), "A")
    b = _t([10.0, 20.0, 30.0], "b")
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with trace() as t:
        c = A + b
        loss = (c * gg.tensor(W)).sum()
        loss.backward()
    add = t.nodes[0]
    msg_b = add.outgoing[1]
    assert msg_b.target.name == "b"
    assert msg_b.axes == (0,)
    assert msg_b.raw.shape == (2, 3) and msg_b.value.shape == (3,)
    np.testing.assert_array_equal(msg_b.raw, W)
    np.testing.assert_array_equal(msg_b.value, W.sum(axis=0))
    assert add.outgoing[0].axes == ()  # A needed no sum
    from glassgrad.explain.render_text import to_text

    assert "sum over broadcast axes (0,): shape (2, 3) -> (3,)" in to_text(t.document())


def test_nodes_without_gradient_are_recorded_with_their_values():
    x = _t(3.0, "x", grad=False)
    with trace() as t:
        y = x * 2 + 1
    assert [float(n.value) for n in t.nodes] == [6.0, 7.0]
    assert all(not n.differentiable for n in t.nodes)
    assert t.backward_order() == []
    assert "No backward pass" in t.table()
    del y


def test_a_second_backward_starts_a_new_pass():
    x = _t(2.0, "x")
    with trace() as t:
        y = x * x
        y.backward(retain_graph=True)
        y.backward()
    assert t.passes == 2
    assert float(t["x"].gradient) == 4.0  # the last pass only, not the accumulated .grad
    assert float(x.grad.array) == 8.0


def test_the_trace_is_removed_even_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with trace():
            1 / 0
    assert function.observers == []


def test_non_elementwise_nodes_have_no_local_column():
    W = _t([[1.0, 2.0], [3.0, 4.0]], "W")
    x = _t([[1.0], [-1.0]], "x")
    with trace() as t:
        out = (W @ x).sum()
        out.backward()
    mm = t.nodes[0]
    assert mm.label == "matmul"
    assert all(m.local is None for m in mm.outgoing)
    # dL/dW = upstream x^T with upstream = ones(2, 1)
    np.testing.assert_array_equal(mm.outgoing[0].value, np.ones((2, 1)) @ np.array([[1.0, -1.0]]))


def test_parameter_names_from_a_module():
    nn = pytest.importorskip("glassgrad.nn")
    model = nn.Linear(3, 2).double()
    x = gg.tensor(np.ones((4, 3)), dtype=gg.float64)
    with trace(names=model) as t:
        model(x).sum().backward()
    names = {leaf.name for leaf in t.leaves}
    assert {"weight", "bias"} <= names
    assert np.allclose(t["bias"].gradient, [4.0, 4.0])
