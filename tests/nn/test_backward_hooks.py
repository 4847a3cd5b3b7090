"""Module backward hooks (register_full_backward_hook / register_full_backward_pre_hook)
against PyTorch's: what they see, when a replacement changes the gradients, the first
layer's (None,) grad_input, removal, and the cases glassgrad refuses."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")


def models():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    theirs.double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    ours.load_state_dict({k: gg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((5, 3))
    return ours, theirs, x


def as_numpy(grads):
    return [None if g is None else (g.array if isinstance(g, gg.Tensor) else g.detach().numpy())
            for g in grads]


def assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(as_numpy(ours), as_numpy(theirs)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)


def run(model, x, lib):
    model(lib.tensor(x)).sum().backward()
    return [p.grad for p in model.parameters()]


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")  # torch's note for layer 0
@pytest.mark.parametrize("layer", [0, 1, 2])
def test_hooks_see_what_torchs_hooks_see(layer):
    ours, theirs, x = models()
    seen = {"ours": [], "theirs": []}
    ours[layer].register_full_backward_hook(lambda m, gi, go: seen["ours"].append((gi, go)))
    theirs[layer].register_full_backward_hook(lambda m, gi, go: seen["theirs"].append((gi, go)))
    ours[layer].register_full_backward_pre_hook(lambda m, go: seen["ours"].append(go))
    theirs[layer].register_full_backward_pre_hook(lambda m, go: seen["theirs"].append(go))
    run(ours, x, gg)
    run(theirs, x, torch)
    (pre_o, (gi_o, go_o)), (pre_t, (gi_t, go_t)) = seen["ours"], seen["theirs"]
    assert_same(pre_o, pre_t)
    assert_same(go_o, go_t)
    assert_same(gi_o, gi_t)  # (None,) for the first layer, whose input needs no gradient
    assert (gi_o[0] is None) == (layer == 0)


def test_replacements_change_the_gradients_as_in_torch():
    ours, theirs, x = models()
    for model in (ours, theirs):
        model[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3.0,))
        model[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
    grads_o, grads_t = run(ours, x, gg), run(theirs, x, torch)
    assert_same(grads_o, grads_t)
    plain = run(models()[0], x, gg)
    assert not np.allclose(plain[0].array, grads_o[0].array)  # the hooks did change them


def test_a_removed_hook_is_not_called_and_the_fast_path_returns():
    ours, _, x = models()
    calls = []
    handle = ours[2].register_full_backward_hook(lambda m, gi, go: calls.append(1))
    run(ours, x, gg)
    handle.remove()
    run(ours, x, gg)
    assert calls == [1]
    assert ours[2](gg.ones(2, 4, dtype=gg.float64)).grad_fn.label == "linear"  # no gate node


def test_a_module_with_a_tuple_output_is_refused_clearly():
    class Pair(nn.Module):
        def forward(self, x):
            return x * 2.0, x * 3.0

    m = Pair()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    with pytest.raises(NotImplementedError, match="one Tensor output"):
        m(gg.ones(2, requires_grad=True))


def test_several_inputs_are_seen_together_and_a_replacement_is_refused():
    class Product(nn.Module):
        def forward(self, a, b):
            return a * b

    m = Product()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    a, b = gg.tensor([1.0, 2.0], requires_grad=True), gg.tensor([3.0, 4.0], requires_grad=True)
    m(a, b).sum().backward()
    assert [g.tolist() for g in seen[0]] == [[3.0, 4.0], [1.0, 2.0]]  # d(ab)/da = b, d/db = a
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0, gi[1] * 0))
    with pytest.raises(NotImplementedError, match="several inputs"):
        m(a, b).sum().backward()
