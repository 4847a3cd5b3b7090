"""The engine against PyTorch: shared nodes, hooks, retain_grad, accumulation, errors."""

import re

import numpy as np
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import glassgrad as gg
from glassgrad.autograd import BackwardError
from glassgrad.autograd.function import Function

torch = pytest.importorskip("torch")


def pair(values, requires_grad=True):
    """The same float64 values as a glassgrad tensor and a torch tensor."""
    a = np.asarray(values, dtype=np.float64)
    return gg.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


def close(g, t):
    np.testing.assert_allclose(g.array, t.detach().numpy(), rtol=1e-7, atol=0)


# ------------------------------------------------------------------ graph shapes
def test_reused_node_sums_both_uses():
    a, ta = pair([0.5, -1.5, 2.0])
    b = a + a
    c = b * b
    c.sum().backward()
    tb = ta + ta
    (tb * tb).sum().backward()
    close(a.grad, ta.grad)
    # Hand derivation: c = (2a)^2, dc/da = 8a.
    np.testing.assert_allclose(a.grad.array, 8 * a.array, rtol=1e-15)


def test_diamond_graph():
    a, ta = pair([[0.3, 1.2], [2.0, 0.7]])
    w, tw = pair([[1.5, -0.5], [0.25, 2.0]])

    def f(lib_exp, lib_log, a, w):
        b = lib_exp(a)  # one node feeding two branches that meet again
        c = b * 2.0 @ w
        d = lib_log(b) * w
        return (c * d + b).sum()

    f(gg.exp, gg.log, a, w).backward()
    f(torch.exp, torch.log, ta, tw).backward()
    close(a.grad, ta.grad)
    close(w.grad, tw.grad)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_graphs_match_torch(data):
    """Random DAGs: each new value combines one or two earlier ones, so chains (which the
    engine walks without its heap), forks, joins and reused nodes all occur, in every
    order of creation."""
    n_leaves = data.draw(st.integers(1, 3), label="leaves")
    n_ops = data.draw(st.integers(1, 12), label="ops")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    leaves = [pair(rng.uniform(0.5, 1.5, (2, 3))) for _ in range(n_leaves)]
    g_vals = [g for g, _ in leaves]
    t_vals = [t for _, t in leaves]
    for _ in range(n_ops):
        kind = data.draw(st.sampled_from(["add", "mul", "tanh", "scale", "sub"]))
        i = data.draw(st.integers(0, len(g_vals) - 1))
        j = data.draw(st.integers(0, len(g_vals) - 1))
        if kind == "add":
            g_vals.append(g_vals[i] + g_vals[j])
            t_vals.append(t_vals[i] + t_vals[j])
        elif kind == "sub":
            g_vals.append(g_vals[i] - g_vals[j])
            t_vals.append(t_vals[i] - t_vals[j])
        elif kind == "mul":
            g_vals.append(g_vals[i] * g_vals[j])
            t_vals.append(t_vals[i] * t_vals[j])
        elif kind == "tanh":
            g_vals.append(gg.tanh(g_vals[i]))
            t_vals.append(torch.tanh(t_vals[i]))
        else:
            g_vals.append(g_vals[i] * 0.75)
            t_vals.append(t_vals[i] * 0.75)
    picks = data.draw(st.lists(st.integers(0, len(g_vals) - 1), min_size=1, max_size=3))
    g_out = sum((g_vals[k] for k in picks[1:]), g_vals[picks[0]]).sum()
    t_out = sum((t_vals[k] for k in picks[1:]), t_vals[picks[0]]).sum()
    g_out.backward()
    t_out.backward()
    for g, t in leaves:
        if t.grad is None:  # a leaf that no picked output depends on
            assert g.grad is None
        else:
            close(g.grad, t.grad)


def test_a_failed_backward_leaves_no_pending_gradient():
    """An error while gradients are being routed must not leave half-summed gradients on
    nodes: a later backward through them would add to stale values."""

    class BadBackward(Function):
        def forward(ctx, a, b):
            return a + b

        def backward(ctx, upstream):
            return upstream, np.ones(7)  # wrong shape for b: routing it fails

    x = gg.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2.0, x * 3.0  # two nodes; a's receives its gradient before b's fails
    with pytest.raises(ValueError):
        BadBackward.apply(a, b).sum().backward()
    assert a.grad_fn._grad is None and b.grad_fn._grad is None
    (a * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_broadcast_gradients_sum_back():
    a, ta = pair(np.linspace(0.1, 1.0, 6).reshape(2, 3))
    b, tb = pair([[0.5], [1.5]])
    c, tc = pair([2.0, 3.0, 4.0])
    ((a * b + c) * c / b).sum().backward()
    ((ta * tb + tc) * tc / tb).sum().backward()
    for g, t in [(a, ta), (b, tb), (c, tc)]:
        close(g.grad, t.grad)
        assert g.grad.shape == g.shape


def test_only_needed_inputs_get_gradients():
    a, ta = pair([1.0, 2.0])
    k = gg.tensor(np.array([3.0, 4.0]))  # requires_grad=False
    (a * k).sum().backward()
    assert k.grad is None
    np.testing.assert_array_equal(a.grad.array, [3.0, 4.0])


# ------------------------------------------------------------------ hooks
def test_leaf_hook_sees_and_replaces_gradient():
    a, ta = pair([1.0, 2.0, 3.0])
    seen, tseen = [], []
    a.register_hook(lambda g: seen.append(g.array.copy()) or g * 2.0)
    ta.register_hook(lambda g: tseen.append(g.clone()) or g * 2.0)
    (a * a).sum().backward()
    (ta * ta).sum().backward()
    close(gg.tensor(seen[0]), tseen[0])
    close(a.grad, ta.grad)
    np.testing.assert_array_equal(a.grad.array, 2 * 2 * a.array)


def test_non_leaf_hook_modifies_what_flows_on():
    a, ta = pair([1.0, -2.0, 0.5])
    b = a * a
    tb = ta * ta
    seen, tseen = [], []
    b.register_hook(lambda g: seen.append(g.array.copy()) or g * 3.0)
    tb.register_hook(lambda g: tseen.append(g.clone()) or g * 3.0)
    (b * gg.tensor(np.array([1.0, 2.0, 3.0]))).sum().backward()
    (tb * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    close(gg.tensor(seen[0]), tseen[0])
    close(a.grad, ta.grad)


def test_hook_returning_none_keeps_gradient_and_remove_works():
    a, ta = pair([1.0, 2.0])
    calls = []
    handle = a.register_hook(lambda g: calls.append(1))
    (a * 3.0).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(a.grad.array, [3.0, 3.0])
    handle.remove()
    handle.remove()  # removing twice is harmless, as in torch
    (a * 3.0).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(a.grad.array, [6.0, 6.0])


def test_hooks_run_in_registration_order():
    a, _ = pair([1.0])
    b = a * 2.0
    b.register_hook(lambda g: g + 1.0)
    b.register_hook(lambda g: g * 10.0)
    b.sum().backward()
    np.testing.assert_array_equal(a.grad.array, [(1.0 + 1.0) * 10.0 * 2.0])


def test_register_hook_on_tensor_without_grad_raises():
    x = gg.tensor(np.ones(2))
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        x.register_hook(lambda g: g)
    with pytest.raises(RuntimeError):
        torch.ones(2).register_hook(lambda g: g)


# ------------------------------------------------------------------ retain_grad
def test_retain_grad_on_non_leaf():
    a, ta = pair([0.5, 1.5])
    b = a.exp()
    tb = ta.exp()
    b.retain_grad()
    tb.retain_grad()
    c = b * b
    tc = tb * tb
    c.sum().backward()
    tc.sum().backward()
    assert b.retains_grad and tb.retains_grad
    close(b.grad, tb.grad)
    assert c.grad is None  # not retained: non-leaf gradients are not kept
    close(a.grad, ta.grad)
    assert not a.retains_grad and not ta.retains_grad


def test_retained_grad_is_taken_after_hooks_like_torch():
    a, ta = pair([1.0, -2.0])
    h, th = a * a, ta * ta
    h.retain_grad()
    th.retain_grad()
    h.register_hook(lambda g: g * 10.0)
    th.register_hook(lambda g: g * 10.0)
    (h * 3.0).sum().backward()
    (th * 3.0).sum().backward()
    close(h.grad, th.grad)
    close(a.grad, ta.grad)


def test_retained_grad_accumulates_like_torch():
    a, ta = pair([0.5, 1.5])
    b, tb = a * 2.0, ta * 2.0
    b.retain_grad()
    tb.retain_grad()
    (b * b).sum().backward(retain_graph=True)
    (b * b).sum().backward()
    (tb * tb).sum().backward(retain_graph=True)
    (tb * tb).sum().backward()
    close(b.grad, tb.grad)


# ------------------------------------------------------------------ accumulation, seeds
def test_gradient_accumulates_over_two_backward_calls():
    a, ta = pair([1.0, 2.0, 3.0])
    (a * a).sum().backward()
    (a.exp()).sum().backward()
    (ta * ta).sum().backward()
    (ta.exp()).sum().backward()
    close(a.grad, ta.grad)


def test_gradient_argument_on_non_scalar():
    a, ta = pair([[1.0, 2.0], [3.0, 4.0]])
    v = np.array([[0.5, -1.0], [2.0, 0.25]])
    (a * a).backward(gradient=gg.tensor(v))
    (ta * ta).backward(gradient=torch.tensor(v))
    close(a.grad, ta.grad)
    b = a.exp()
    b.backward(v)  # a plain array works too
    with pytest.raises(RuntimeError, match="shape"):
        (a * 2.0).backward(gradient=gg.tensor(np.ones(3)))
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (a * 2.0).backward()


def test_the_given_gradient_is_neither_copied_into_nor_aliased_by_a_grad():
    # backward(gradient=v) reads v without copying it: a leaf reached by v unchanged (an
    # add routes it through; a backward on the leaf itself) gets its own copy, so changing
    # that .grad in place leaves v alone, and v is never written.
    v = np.array([1.0, 2.0, 3.0])
    kept = v.copy()
    a = gg.tensor(np.zeros(3), requires_grad=True)
    b = gg.tensor(np.zeros(3), requires_grad=True)
    (a + b).backward(v)
    a.backward(v)
    for leaf in (a, b):
        assert not np.shares_memory(leaf.grad.array, v)
        leaf.grad.array += 100.0
    np.testing.assert_array_equal(v, kept)
    np.testing.assert_array_equal(a.grad.array, 2 * kept + 100.0)  # sum of two backwards


def test_an_op_that_writes_into_its_upstream_is_stopped_before_the_callers_array_changes():
    class Scribbler(gg.Function):  # breaks the op rule "never write into upstream"
        def forward(ctx, x):
            return x.copy()

        def backward(ctx, upstream):
            upstream *= 2
            return upstream

    v = np.ones(2)
    x = gg.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="read-only"):
        Scribbler.apply(x).backward(v)
    np.testing.assert_array_equal(v, np.ones(2))


def test_backward_on_leaf():
    a, ta = pair([1.0, 2.0])
    a.backward(gg.tensor(np.array([3.0, 4.0])))
    ta.backward(torch.tensor([3.0, 4.0], dtype=torch.float64))
    close(a.grad, ta.grad)


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gg.tensor(np.array(1.0)).backward()


def test_gradient_dtype_follows_leaf():
    a = gg.tensor([1.0, 2.0], requires_grad=True)  # float32
    (a * a).sum().backward()
    assert a.grad.dtype == np.float32


def test_gradient_of_float32_node_behind_float64_op_is_float32_like_torch():
    """x32 -> h32 = 3 x -> y64 = h * w64: h's gradient (seen by a hook) is float32 in
    torch, and x's gradient is computed from that rounded value, bit for bit."""
    x0 = np.array([0.1, 1.7, -2.3], dtype=np.float32)
    w0 = np.array([1 / 3, 2 / 7, -5 / 11], dtype=np.float64)
    seen = {}
    grads = []
    for lib, make in (("gg", gg.tensor), ("torch", torch.tensor)):
        x = make(x0, requires_grad=True)
        h = x * 3.0
        h.register_hook(lambda g, lib=lib: seen.__setitem__(lib, str(g.dtype)))
        (h * make(w0)).sum().backward()
        grads.append(np.asarray(x.grad.array if lib == "gg" else x.grad.numpy()))
    assert seen == {"gg": "glassgrad.float32", "torch": "torch.float32"}  # torch.float32 named as glassgrad names it
    assert grads[0].dtype == np.float32
    np.testing.assert_array_equal(grads[0], grads[1])


# ------------------------------------------------------------------ second backward
def test_second_backward_says_retain_graph():
    a, _ = pair([1.0, 2.0])
    loss = (a.exp() * a).sum()
    loss.backward()
    with pytest.raises(BackwardError, match="second time.*retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_second_backward():
    a, ta = pair([1.0, 2.0])
    loss, tloss = (a.exp() * a).sum(), (ta.exp() * ta).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    tloss.backward(retain_graph=True)
    tloss.backward()
    close(a.grad, ta.grad)


def test_graph_without_saved_buffers_can_run_twice_as_in_torch():
    a, ta = pair([1.0, 2.0])
    loss, tloss = (a + a).sum(), (ta + ta).sum()
    loss.backward()
    loss.backward()
    tloss.backward()
    tloss.backward()
    close(a.grad, ta.grad)


# ------------------------------------------------------------------ in-place edits
def torch_versions(fn):
    """(actual, expected) versions from torch's in-place error message."""
    with pytest.raises(RuntimeError) as info:
        fn()
    m = re.search(r"is at version (\d+); expected version (\d+)", str(info.value))
    return int(m.group(1)), int(m.group(2))


def test_inplace_on_saved_output_names_op_shape_versions():
    x, tx = pair([0.1, 0.2, 0.3])
    y = x.exp()
    y.add_(1)
    with pytest.raises(BackwardError) as info:
        y.sum().backward()
    msg = str(info.value)

    def torch_side():
        ty = tx.exp()
        ty.add_(1)
        ty.sum().backward()

    actual, expected = torch_versions(torch_side)
    assert "in-place" in msg and "'exp' (Exp)" in msg and "shape (3,)" in msg
    assert f"is at version {actual}; expected version {expected}" in msg


def test_inplace_on_saved_input_names_op():
    x, tx = pair([[0.5, 1.0], [1.5, 2.0]])
    h = x * 1.0
    y = h.log()
    h.mul_(2)
    with pytest.raises(BackwardError) as info:
        y.sum().backward()

    def torch_side():
        th = tx * 1.0
        ty = th.log()
        th.mul_(2)
        ty.sum().backward()

    actual, expected = torch_versions(torch_side)
    msg = str(info.value)
    assert "'log' (Log)" in msg and "shape (2, 2)" in msg
    assert f"is at version {actual}; expected version {expected}" in msg


def test_seed_002_overwritten_square_cannot_backprop():
    # Exam 002, q. 3: y = x^2 / 2 computed in place over x; dl/dx = dl/dy * x needs the x
    # that was overwritten (and sqrt(2y) cannot tell its sign). The engine must refuse.
    x, tx = pair([-1.5, 2.0, 0.5])
    h = x * 1.0
    h.mul_(h).mul_(0.5)  # h is now y = h^2 / 2, written over the old h
    with pytest.raises(BackwardError) as info:
        h.sum().backward()

    def torch_side():
        th = tx * 1.0
        th.mul_(th).mul_(0.5)
        th.sum().backward()

    actual, expected = torch_versions(torch_side)
    msg = str(info.value)
    assert "'mul' (Mul)" in msg and "shape (3,)" in msg
    assert f"is at version {actual}; expected version {expected}" in msg
    assert x.grad is None


def test_sigmoid_output_changed_in_place():
    if not hasattr(gg.Tensor, "sigmoid"):
        pytest.skip("sigmoid not written yet")
    x, tx = pair([0.1, -0.4])
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(BackwardError) as info:
        y.sum().backward()

    def torch_side():
        ty = tx.sigmoid()
        ty.mul_(2)
        ty.sum().backward()

    actual, expected = torch_versions(torch_side)
    assert "sigmoid" in str(info.value) and "shape (2,)" in str(info.value)
    assert f"is at version {actual}; expected version {expected}" in str(info.value)


def test_relu_in_place_over_a_saved_output_is_caught_as_in_torch():
    # sigmoid keeps its output for backward (d sigma = sigma (1 - sigma)); ReLU(inplace=True)
    # overwrites it: the in-place hazard of the course, caught at backward in both libraries
    x, tx = pair(np.linspace(-2.0, 2.0, 24).reshape(4, 6))

    def torch_side():
        s = tx.sigmoid()
        torch.nn.ReLU(inplace=True)(s)
        s.sum().backward()

    s = x.sigmoid()
    gg.nn.ReLU(inplace=True)(s)
    with pytest.raises(BackwardError) as info:
        s.sum().backward()
    actual, expected = torch_versions(torch_side)
    message = str(info.value)
    assert "'sigmoid'" in message and "shape (4, 6)" in message
    assert f"is at version {actual}; expected version {expected}" in message


@pytest.mark.parametrize("exponent", ["number", "tensor", "tensor requiring grad"])
def test_inplace_on_a_power_is_refused_where_torch_refuses(exponent):
    # x ** 2 keeps only x (d/dx = 2x); with a tensor exponent the output is kept too (for
    # the exponent's gradient y ln x), as in PyTorch, so then an in-place change is caught
    x, tx = pair([0.5, 1.5, 2.5])
    e, te = (2.0, 2.0) if exponent == "number" else pair(
        [2.0, 2.0, 2.0], requires_grad=exponent == "tensor requiring grad")

    def run(base, power):
        y = (base * 1.0) ** power
        y.add_(1.0)
        y.sum().backward()

    if exponent == "number":
        run(tx, te)
        run(x, e)
        close(x.grad, tx.grad)
    else:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            run(tx, te)
        with pytest.raises(BackwardError, match="'pow'"):
            run(x, e)


def test_inplace_on_unsaved_tensor_is_fine():
    x, tx = pair([1.0, 2.0])
    y = x + 1.0  # add saves nothing
    y.mul_(3)  # in the graph: y = 3 (x + 1)
    y.sum().backward()
    ty = tx + 1.0
    ty.mul_(3)
    ty.sum().backward()
    close(x.grad, tx.grad)


# ------------------------------------------------------------------ long chains, detach
def test_100000_op_chain_has_no_recursion_error():
    x = gg.tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.000001
    y.backward(gg.tensor(np.array([1.0])))
    # Hand derivation: dy/dx = 1.000001^100000.
    np.testing.assert_allclose(x.grad.array, [1.000001 ** 100_000], rtol=1e-9)
    del y  # freeing the chain must not recurse either


def test_detach_shares_data_and_leaves_graph():
    a, ta = pair([1.0, 2.0])
    b = a * 2.0
    d = b.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    d.array[0] = 10.0
    assert b.array[0] == 10.0  # same memory, as torch's detach
    assert np.shares_memory(d.array, b.array)
    e = d * a  # no gradient flows back into b through d
    e.sum().backward()
    np.testing.assert_array_equal(a.grad.array, d.array)


def test_detached_in_place_change_is_seen_by_backward():
    a, _ = pair([1.0, 2.0])
    b = a.exp()
    b.detach().mul_(2)  # shares the version counter: the saved output changed
    with pytest.raises(BackwardError, match="in-place"):
        b.sum().backward()


def test_leaf_requiring_grad_refuses_in_place():
    a, ta = pair([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf"):
        a.add_(1)
    with pytest.raises(RuntimeError, match="leaf"):
        ta.add_(1)
    with gg.no_grad():
        a.add_(1)  # the optimizer's way
    np.testing.assert_array_equal(a.array, [2.0, 3.0])


INPLACE_CASES = {
    # name: fn(h, x) changing h in place; valid in PyTorch: nothing saved is overwritten.
    "mul_ scalar on add output": lambda h, x: h.mul_(3),
    "mul_ by exp(h) (exp saves its output, not h)": lambda h, x: h.mul_(h.exp()),
    "copy_ from a graph tensor": lambda h, x: h.copy_(x * 2),
    "clamp_": lambda h, x: h.clamp_(0, 1),
    "div_ by a graph tensor": lambda h, x: h.div_(x * x + 1),
    "fill_": lambda h, x: h.fill_(2.0),
}


@pytest.mark.parametrize("case", list(INPLACE_CASES))
def test_inplace_op_does_not_trip_over_its_own_version_bump(case):
    # The node an in-place op records saves the value from before the op; the version
    # bump of that very op must not be held against it (only against older nodes).
    fn = INPLACE_CASES[case]
    x, tx = pair([-1.5, 2.0, 0.5])
    h, th = x + 1.0, tx + 1.0
    fn(h, x)
    fn(th, tx)
    (h * h).sum().backward()
    (th * th).sum().backward()
    close(x.grad, tx.grad)
    assert h._version == th._version
