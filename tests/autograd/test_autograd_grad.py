"""autograd.grad and autograd.backward against torch's: values, .grad left alone (grad) or
accumulated (backward), several outputs, non-leaf inputs, unused inputs, refusals."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(11)
A, B = RNG.standard_normal((3, 4)), RNG.standard_normal((4,))


def graph(lib):
    """Two leaves, a non-leaf h, two outputs."""
    a = lib.tensor(A, requires_grad=True)
    b = lib.tensor(B, requires_grad=True)
    h = (a * b).tanh()
    return a, b, h, h.sum(), (h * h).mean(dim=0)


def close(ours, theirs):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        if t is None:
            assert o is None
        else:
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-15)


def test_grad_of_a_scalar_leaves_dot_grad_untouched():
    a, b, h, s, _ = graph(gg)
    ta, tb, th, ts, _ = graph(torch)
    close(gg.autograd.grad(s, [a, b]), torch.autograd.grad(ts, [ta, tb]))
    assert a.grad is None and b.grad is None


def test_grad_of_several_outputs_with_grad_outputs_and_a_non_leaf_input():
    w1, w2 = RNG.standard_normal(()), RNG.standard_normal((4,))
    a, b, h, s, v = graph(gg)
    ta, tb, th, ts, tv = graph(torch)
    ours = gg.autograd.grad([s, v], [h, b, a], grad_outputs=[gg.tensor(w1), gg.tensor(w2)])
    theirs = torch.autograd.grad([ts, tv], [th, tb, ta],
                                 grad_outputs=[torch.tensor(w1), torch.tensor(w2)])
    close(ours, theirs)


def test_grad_of_a_tensor_with_respect_to_itself():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = gg.autograd.grad(x, x, grad_outputs=gg.tensor([3.0, 4.0]))
    assert g.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("materialize", [False, True])
def test_unused_input(materialize):
    a, b, h, s, _ = graph(gg)
    ta, tb, th, ts, _ = graph(torch)
    c, tc = gg.ones(2, requires_grad=True), torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        gg.autograd.grad(s, [a, c], retain_graph=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        torch.autograd.grad(ts, [ta, tc], retain_graph=True)
    kwargs = {"materialize_grads": True} if materialize else {"allow_unused": True}
    close(gg.autograd.grad(s, [a, c], **kwargs), torch.autograd.grad(ts, [ta, tc], **kwargs))


def test_retain_graph():
    a, b, h, s, _ = graph(gg)
    first = gg.autograd.grad(s, a, retain_graph=True)
    second = gg.autograd.grad(s, a)
    close(first, second)
    with pytest.raises(RuntimeError, match="second time"):
        gg.autograd.grad(s, a)


def test_backward_of_several_tensors_accumulates_like_torch():
    w2 = RNG.standard_normal((4,))
    a, b, h, s, v = graph(gg)
    ta, tb, th, ts, tv = graph(torch)
    gg.autograd.backward([s, v], [None, gg.tensor(w2)])
    torch.autograd.backward([ts, tv], [None, torch.tensor(w2)])
    close([a.grad, b.grad], [ta.grad, tb.grad])


def test_backward_with_inputs_fills_only_those():
    a, b, h, s, _ = graph(gg)
    ta, tb, th, ts, _ = graph(torch)
    gg.autograd.backward(s, inputs=[b])
    torch.autograd.backward(ts, inputs=[tb])
    assert a.grad is None and ta.grad is None
    close([b.grad], [tb.grad])


def test_backward_keeps_the_old_single_tensor_call():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    gg.autograd.backward(x * x, gg.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [2.0, 4.0]


def test_refusals():
    a, b, h, s, _ = graph(gg)
    with pytest.raises(NotImplementedError, match="higher-order gradients are not supported"):
        gg.autograd.grad(s, a, create_graph=True)
    with pytest.raises(NotImplementedError, match="higher-order gradients are not supported"):
        gg.autograd.backward(s, create_graph=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        gg.autograd.grad(s, gg.ones(2))
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        gg.autograd.grad(gg.ones(2).sum(), a)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        gg.autograd.grad(h, a)
    with pytest.raises(ValueError, match="allow_unused"):
        gg.autograd.grad(s, a, allow_unused=False, materialize_grads=True)
    with pytest.raises(TypeError, match="inputs must be a Tensor or a sequence of Tensors"):
        gg.autograd.grad(s, "a")


def test_tensor_backward_takes_inputs_and_refuses_create_graph():
    a, b, h, s, _ = graph(gg)
    ta, tb, th, ts, _ = graph(torch)
    s.backward(inputs=[a], retain_graph=True)
    ts.backward(inputs=[ta], retain_graph=True)
    assert b.grad is None and tb.grad is None
    close([a.grad], [ta.grad])
    with pytest.raises(NotImplementedError, match="higher-order gradients are not supported"):
        s.backward(create_graph=True)
