"""PyTorch's custom autograd.Function protocol: the same class source, written once against
a module ``lib``, is built on torch and on glassgrad; outputs, gradients, what backward
receives and the refusals agree with torch's."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(3)


def make_functions(lib):
    """Custom Functions in the style of PyTorch's tutorials, written against ``lib``."""

    class LegendreP3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x ** 2 - 1)

    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            grad = grad_output.clone()
            grad[x < 0] = 0
            return grad

    class Exp(lib.autograd.Function):  # saves its output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y

    class ScaledMul(lib.autograd.Function):  # two tensors and a constant; needs_input_grad
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            ctx.seen = ctx.needs_input_grad
            return a * b * scale

        @staticmethod
        def backward(ctx, grad_output):
            a, b = ctx.saved_tensors
            grad_a = grad_output * b * ctx.scale if ctx.needs_input_grad[0] else None
            grad_b = grad_output * a * ctx.scale if ctx.needs_input_grad[1] else None
            return grad_a, grad_b, None

    class SplitTwo(lib.autograd.Function):  # two outputs: backward gets both gradients
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x * x

        @staticmethod
        def backward(ctx, grad_sin, grad_sq):
            (x,) = ctx.saved_tensors
            return grad_sin * x.cos() + grad_sq * 2 * x

    class SortWithIndex(lib.autograd.Function):  # a non-differentiable (integer) output
        @staticmethod
        def forward(ctx, x):
            values, index = x.sort()
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(index)
            return values, index

        @staticmethod
        def backward(ctx, grad_values, grad_index):
            (index,) = ctx.saved_tensors
            grad = lib.zeros_like(grad_values)
            grad[index] = grad_values
            return grad

    class SetupContextSquare(lib.autograd.Function):  # PyTorch 2's forward/setup_context split
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    return dict(LegendreP3=LegendreP3, MyReLU=MyReLU, Exp=Exp, ScaledMul=ScaledMul,
                SplitTwo=SplitTwo, SortWithIndex=SortWithIndex,
                SetupContextSquare=SetupContextSquare)


OURS, THEIRS = make_functions(gg), make_functions(torch)
X = RNG.standard_normal((3, 4))


def both(values, requires_grad=True):
    return (gg.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


def reduce_outputs(out, weights):
    """A scalar from every floating output, weighted so each output's gradient differs."""
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for o, w in zip(outs, weights):
        if o.dtype in (gg.float64, torch.float64):
            total = total + (o * w).sum()
    return total


@pytest.mark.parametrize("name", ["LegendreP3", "MyReLU", "Exp", "SplitTwo",
                                  "SetupContextSquare"])
def test_one_input_functions_match_torch(name):
    x, tx = both(X)
    weights = [gg.tensor(RNG.standard_normal(X.shape)) for _ in range(2)]
    out, tout = OURS[name].apply(x), THEIRS[name].apply(tx)
    outs, touts = (out, tout) if isinstance(out, tuple) else ((out,), (tout,))
    for o, t in zip(outs, touts):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12)
        assert o.requires_grad == t.requires_grad
        assert o.grad_fn is not None
    reduce_outputs(out, weights).backward()
    reduce_outputs(tout, [torch.tensor(w.numpy()) for w in weights]).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_grad_fn_is_named_after_the_function():
    x, tx = both(X)
    assert repr(OURS["Exp"].apply(x).grad_fn) == "<ExpBackward>"
    assert type(THEIRS["Exp"].apply(tx).grad_fn).__name__ == "ExpBackward"


@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
def test_needs_input_grad_and_constants(needs):
    a, ta = both(X, needs[0])
    b, tb = both(X[::-1].copy(), needs[1])
    out, tout = OURS["ScaledMul"].apply(a, b, 2.5), THEIRS["ScaledMul"].apply(ta, tb, 2.5)
    assert out.grad_fn is not None
    out.sum().backward()
    tout.sum().backward()
    for ours, theirs in ((a, ta), (b, tb)):
        if theirs.grad is None:
            assert ours.grad is None
        else:
            np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_needs_input_grad_seen_by_forward():
    a, ta = both(X, True)
    b, tb = both(X, False)
    OURS["ScaledMul"].apply(a, b, 1.0)
    THEIRS["ScaledMul"].apply(ta, tb, 1.0)
    ctx = OURS["ScaledMul"].apply(a, b, 1.0).grad_fn.ctx
    assert tuple(ctx.seen) == (True, False, False)


def test_forward_runs_without_grad_mode():
    seen = []

    class Probe(gg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(gg.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            seen.append(gg.is_grad_enabled())
            return g * 2

    x = gg.tensor([1.0, 2.0], requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == [False, False]  # torch runs both without grad mode (create_graph=False)
    assert x.grad.tolist() == [2.0, 2.0]


def test_non_differentiable_output_gets_zero_gradient_in_backward():
    x, tx = both(RNG.permutation(6).astype(float))
    (values, index), (tvalues, tindex) = OURS["SortWithIndex"].apply(x), THEIRS["SortWithIndex"].apply(tx)
    assert not index.requires_grad and not tindex.requires_grad
    assert index.tolist() == tindex.tolist()
    weights = RNG.standard_normal(6)
    (values * gg.tensor(weights)).sum().backward()
    (tvalues * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("materialize", [True, False])
def test_an_unused_output_is_zeros_or_none(materialize):
    received = {}

    def build(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                received[lib.__name__] = (None if ga is None else ga.tolist(),
                                          None if gb is None else gb.tolist())
                return ga * 2
        return Two

    x, tx = both([1.0, 2.0])
    build(gg).apply(x)[0].sum().backward()
    build(torch).apply(tx)[0].sum().backward()
    assert received["glassgrad"] == received["torch"]
    assert received["torch"][1] == (None if not materialize else [0.0, 0.0])


def test_returning_an_input_gives_a_new_tensor():
    class Identity(gg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return 3 * g

    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_no_graph_when_nothing_requires_grad_or_under_no_grad():
    x = gg.tensor(X)
    assert OURS["Exp"].apply(x).grad_fn is None
    x.requires_grad_()
    with gg.no_grad():
        y = OURS["Exp"].apply(x)
    assert y.grad_fn is None and not y.requires_grad


def test_broadcastable_gradient_is_summed_like_torch():
    def build(lib):
        class SumAll(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, g):
                return lib.ones(2, 1, 3) * g  # expandable from the input's (1, 3)
        return SumAll

    x, tx = both(np.ones((1, 3)))
    build(gg).apply(x).backward()
    build(torch).apply(tx).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def bad_backward(lib, result):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return result(lib, g)
    return Bad


@pytest.mark.parametrize("result, words", [
    (lambda lib, g: g, "incorrect number of gradients (expected 2, got 1)"),
    (lambda lib, g: (g, g, g), "incorrect number of gradients (expected 2, got 3)"),
    (lambda lib, g: (g[:2], g), "invalid gradient at index 0 - got [2] but expected shape compatible with [3]"),
])
def test_wrong_gradients_refused_like_torch(result, words):
    for lib in (gg, torch):
        x = lib.ones(3, requires_grad=True)
        y = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            bad_backward(lib, result).apply(x, y).sum().backward()
        assert words in str(info.value), lib.__name__


def test_extra_none_gradients_are_accepted():
    x = gg.ones(3, requires_grad=True)
    bad_backward(gg, lambda lib, g: (g, g, None)).apply(x, x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_non_tensor_gradient_refused():
    x = gg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned a int as the gradient at index 0"):
        bad_backward(gg, lambda lib, g: (5, None)).apply(x, x).sum().backward()


def test_saved_tensors_freed_after_backward_and_retain_graph():
    x = gg.tensor(X, requires_grad=True)
    y = OURS["Exp"].apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(X), rtol=1e-12)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_saved_input_changed_in_place_is_refused_when_read():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = OURS["LegendreP3"].apply(x)
    with gg.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_save_for_backward_refuses_non_tensors():
    class SavesANumber(gg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="save_for_backward can only save Tensors or None"):
        SavesANumber.apply(gg.ones(2, requires_grad=True))


def test_mark_dirty_refused_in_one_line():
    class InPlace(gg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(NotImplementedError, match="mark_dirty"):
        InPlace.apply(gg.ones(2, requires_grad=True))


def test_array_level_subclass_still_works():
    """glassgrad's own protocol (plain methods on arrays) is untouched."""

    class Cube(gg.autograd.Function):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        def backward(ctx, upstream):
            (x,) = ctx.saved
            return upstream * 3 * x ** 2

    x = gg.tensor([2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert x.grad.tolist() == [12.0]


def test_custom_function_inside_a_network_trains_like_torch():
    w0 = RNG.standard_normal((4, 2))
    x_values = RNG.standard_normal((5, 4))
    results = []
    for lib, fns in ((gg, OURS), (torch, THEIRS)):
        w = lib.tensor(w0, requires_grad=True)
        x = lib.tensor(x_values)
        for _ in range(3):
            loss = fns["LegendreP3"].apply(fns["MyReLU"].apply(x @ w)).pow(2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        results.append(w.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_explain_trace_shows_a_custom_function_as_one_node():
    """The tensor ops inside the user's forward and backward are the inside of one node:
    the trace lists the Function (and a slice per output of a two-output one), not them."""
    x = gg.tensor([1.0, 2.0], requires_grad=True).named("x")
    with gg.explain.trace() as t:
        a, b = OURS["SplitTwo"].apply(x)
        y = (a * b + OURS["LegendreP3"].apply(x)).sum()
        y.backward()
    labels = [node.op.label for node in t.nodes]
    assert labels == ["splittwo", "unpack", "unpack", "mul", "legendrep3", "add", "sum"]
    # d/dx [sin(x) x^2 + P3(x)] = cos(x) x^2 + 2 x sin(x) + 1.5 (5 x^2 - 1), by hand
    v = np.array([1.0, 2.0])
    expected = np.cos(v) * v ** 2 + 2 * v * np.sin(v) + 1.5 * (5 * v ** 2 - 1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    assert "legendrep3" in t.table()


def test_anomaly_mode_names_the_custom_function():
    class Log(gg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.log()

        @staticmethod
        def backward(ctx, g):
            return g

    x = gg.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Function 'log' \(LogBackward\) returned -?inf"):
        with gg.autograd.detect_anomaly():
            Log.apply(x)


def test_a_saved_output_makes_no_reference_cycle():
    import gc
    import weakref

    x = gg.tensor(X, requires_grad=True)
    y = OURS["Exp"].apply(x)  # saves its output
    node = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert node() is None  # freed by reference counting, not by the cycle collector
    finally:
        gc.enable()
