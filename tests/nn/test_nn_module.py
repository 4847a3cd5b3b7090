"""Module, Parameter, Sequential, ModuleList: registration, walking, modes, dtype,
state_dict and load_state_dict, repr, against torch.nn built the same way."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from nn_helpers import copy_weights_to_torch

torch = pytest.importorskip("torch")
tnn = torch.nn


# ---------------------------------------------------------------- the same models in both
def mlp(lib):
    return lib.Sequential(lib.Linear(784, 256), lib.ReLU(), lib.Linear(256, 10))


def zoo(lib):
    """A model that uses every layer, nesting, a ModuleList with repeats, and buffers."""

    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.features = lib.Sequential(
                lib.Conv2d(1, 4, 3, padding=1),
                lib.LeakyReLU(0.2),
                lib.MaxPool2d(2),
                lib.Conv2d(4, 8, (3, 5), stride=2, bias=False),
                lib.AvgPool2d(2, stride=1),
                lib.Flatten(),
            )
            self.heads = lib.ModuleList([lib.Linear(8, 8) for _ in range(3)] + [lib.Tanh(), lib.Linear(8, 2, bias=False)])
            self.drop = lib.Dropout(0.25)
            self.out = lib.Sequential(lib.Sigmoid(), lib.Softplus(), lib.Softmax(dim=1), lib.LogSoftmax(dim=-1), lib.Identity())
            self.register_buffer("running", lib_tensor(lib, [1.0, 2.0]))
            self.register_buffer("scratch", lib_tensor(lib, [0.0]), persistent=False)

        def forward(self, x):  # x: (N, 1, 12, 16)
            x = self.features(x)
            for head in self.heads:
                x = head(x)
            return self.out(self.drop(x))

    return Block()


def lib_tensor(lib, values):
    return gg.tensor(values) if lib is nn else torch.tensor(values)


# ---------------------------------------------------------------- repr
@pytest.mark.parametrize("build", [mlp, zoo], ids=["mlp", "zoo"])
def test_repr_matches_torch_character_for_character(build):
    assert repr(build(nn)) == repr(build(tnn))


def test_repr_of_the_784_256_10_mlp():
    assert repr(mlp(nn)) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=256, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=256, out_features=10, bias=True)\n"
        ")"
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.Sequential(),
        lambda lib: lib.ModuleList(),
        lambda lib: lib.ModuleList([lib.ReLU(), lib.ReLU(), lib.Tanh(), lib.ReLU()]),
        lambda lib: lib.Conv2d(3, 16, 5, stride=2, padding=2, dilation=2),
        lambda lib: lib.Conv2d(3, 16, (1, 3), padding="same"),
        lambda lib: lib.Conv2d(3, 16, 3, padding="valid"),
        lambda lib: lib.MaxPool2d(3, stride=1, padding=1),
        lambda lib: lib.AvgPool2d((2, 3)),
        lambda lib: lib.Flatten(0, 2),
        lambda lib: lib.Dropout(p=0.1),
        lambda lib: lib.ReLU(inplace=True),
        lambda lib: lib.LeakyReLU(0.1, inplace=True),
        lambda lib: lib.Softplus(beta=2.0, threshold=10.0),
        lambda lib: lib.Softmax(),
        lambda lib: lib.CrossEntropyLoss(),
        lambda lib: lib.MSELoss(reduction="sum"),
        lambda lib: lib.BCEWithLogitsLoss(),
        lambda lib: lib.MultiMarginLoss(p=2),
        lambda lib: lib.Sequential(OrderedDict([("enc", lib.Sequential(lib.Linear(2, 3), lib.Tanh())), ("dec", lib.Linear(3, 2))])),
    ],
)
def test_repr_of_single_layers_and_containers(make):
    assert repr(make(nn)) == repr(make(tnn))


# ---------------------------------------------------------------- names and walking
@pytest.mark.parametrize("build", [mlp, zoo], ids=["mlp", "zoo"])
def test_parameter_and_module_names_match_torch(build):
    ours, theirs = build(nn), build(tnn)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.parameters(recurse=False))) == len(list(theirs.parameters(recurse=False)))


def test_registration_order_is_assignment_order():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.b = nn.Parameter(gg.zeros(2))
            self.layer = nn.Linear(2, 2)
            self.a = nn.Parameter(gg.zeros(3))

    assert [n for n, _ in Net().named_parameters()] == ["b", "a", "layer.weight", "layer.bias"]


def test_shared_parameter_listed_once_but_saved_under_both_names():
    def build(lib):
        first = lib.Linear(3, 3)
        return lib.Sequential(first, lib.Tanh(), first)

    ours, theirs = build(nn), build(tnn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(list(ours.modules())) == len(list(theirs.modules())) == 3


def test_attribute_rules():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(gg.ones(2))
            self.plain = 3

    net = Net()
    assert net.w is net._parameters["w"] and net.plain == 3
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        net.w = gg.ones(2)
    net.w = None  # allowed: an absent parameter
    assert list(net.named_parameters()) == [] and "w" not in net.state_dict()
    net.child = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="child module 'child'"):
        net.child = 5
    del net.child
    assert list(net.children()) == []
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        net.nothing

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(gg.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Early()


def test_register_parameter_buffer_and_module_validate_names():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", nn.Parameter(gg.ones(1)))
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("a", gg.ones(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("a", np.ones(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("a", 3)
    m.x = 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("x", gg.ones(1))


def test_buffers_persistent_and_not_match_torch_state_dict():
    ours, theirs = zoo(nn), zoo(tnn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "running" in ours.state_dict() and "scratch" not in ours.state_dict()


def test_get_submodule_and_parameter():
    model = zoo(nn)
    assert model.get_submodule("features.0") is model.features[0]
    assert model.get_parameter("heads.2.bias") is model.heads[2].bias
    with pytest.raises(AttributeError, match="no submodule 'nine'"):
        model.get_submodule("features.nine")


def test_apply_visits_children_first_like_torch():
    seen_ours, seen_theirs = [], []
    zoo(nn).apply(lambda m: seen_ours.append(type(m).__name__))
    zoo(tnn).apply(lambda m: seen_theirs.append(type(m).__name__))
    assert seen_ours == seen_theirs


def test_forward_hooks_and_missing_forward():
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    pre = layer.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    out = layer(gg.ones(5, 2))
    assert seen == [(5, 2)]
    np.testing.assert_array_equal(out.array, np.broadcast_to(layer.bias.array, (5, 2)))  # input zeroed by the pre-hook
    handle.remove()
    pre.remove()
    layer(gg.ones(1, 2))
    assert seen == [(5, 2)]
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(gg.ones(1))


# ---------------------------------------------------------------- Parameter
def test_parameter_is_a_leaf_that_requires_grad_and_shares_memory():
    t = gg.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, gg.Tensor) and p.requires_grad and p.is_leaf and p.grad_fn is None
    t.array[0] = 7.0
    assert p.array[0] == 7.0  # shares storage like torch.nn.Parameter
    assert repr(p).startswith("Parameter containing:\ntensor([7., 2.], requires_grad=True)")
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter(gg.tensor([1, 2]))
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.array, [14.0, 4.0])
    assert type(p * 2) is gg.Tensor  # results of ops are plain tensors


# ---------------------------------------------------------------- modes, gradients, dtype
def test_train_and_eval_propagate_to_every_descendant():
    model = zoo(nn)
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="boolean"):
        model.train("no")


def test_zero_grad_to_none_or_zeros():
    model = mlp(nn)
    x = gg.randn(4, 784)
    model(x).sum().backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and np.any(g.array != 0) for g in grads)
    model.zero_grad(set_to_none=False)
    assert all(p.grad is g and not np.any(g.array) for p, g in zip(model.parameters(), grads))
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_freezes_parameters():
    model = mlp(nn)
    model[0].requires_grad_(False)
    model(gg.randn(2, 784)).sum().backward()
    assert model[0].weight.grad is None and model[2].weight.grad is not None


def test_to_double_float_convert_in_place_and_keep_identity():
    model = zoo(nn)
    params = list(model.parameters())
    model(gg.randn(2, 1, 12, 16)).sum().backward()
    assert model.double() is model
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in model.parameters())
    assert all(a is b for a, b in zip(params, model.parameters()))
    assert model.running.dtype == np.float64
    model.to(gg.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    model.to("cpu", dtype=gg.float64)
    assert model.heads[0].weight.dtype == np.float64
    model.to(gg.zeros(1, dtype=gg.float32))
    assert model.heads[0].weight.dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to(gg.int64)
    with pytest.raises(RuntimeError, match="CPU only"):
        model.to("cuda")


def test_double_model_matches_torch_in_float64():
    ours, theirs = mlp(nn).double(), mlp(tnn).double()
    copy_weights_to_torch(ours, theirs)
    x = np.random.default_rng(1).standard_normal((3, 784))
    np.testing.assert_allclose(ours(gg.tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-7)


def test_deepcopy_is_independent():
    model = mlp(nn)
    clone = copy.deepcopy(model)
    assert repr(clone) == repr(model)
    clone[0].weight.array[...] = 0
    assert np.any(model[0].weight.array != 0)
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad


# ---------------------------------------------------------------- state_dict
@pytest.mark.parametrize("build", [mlp, zoo], ids=["mlp", "zoo"])
def test_state_dict_keys_shapes_and_order_match_torch(build):
    ours, theirs = build(nn).state_dict(), build(tnn).state_dict()
    assert isinstance(ours, OrderedDict)
    assert [(k, tuple(v.shape)) for k, v in ours.items()] == [(k, tuple(v.shape)) for k, v in theirs.items()]


def test_state_dict_values_are_detached_and_share_memory():
    model = mlp(nn)
    state = model.state_dict()
    assert not state["0.weight"].requires_grad and state["0.weight"].grad_fn is None
    assert np.shares_memory(state["0.weight"].array, model[0].weight.array)
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is model[0].weight


def test_state_dict_round_trip_gives_the_same_function():
    a, b = mlp(nn), mlp(nn)
    x = gg.randn(5, 784)
    assert not np.allclose(a(x).array, b(x).array)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(a(x).array, b(x).array)
    a[0].weight.array[...] = 0  # b copied the values, it does not alias a
    assert np.any(b[0].weight.array != 0)


def test_load_torch_state_dict_then_outputs_agree():
    theirs = mlp(tnn)
    ours = mlp(nn)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})  # arrays accepted
    x = np.random.default_rng(0).standard_normal((4, 784)).astype(np.float32)
    np.testing.assert_allclose(ours(gg.tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-6)


def test_load_keeps_parameter_identity_and_bumps_version():
    model = mlp(nn)
    weight = model[0].weight
    before = weight._version
    model.load_state_dict(mlp(nn).state_dict())
    assert model[0].weight is weight and weight._version > before


def test_load_casts_between_float_precisions_like_torch():
    model = mlp(nn)
    state = {k: gg.tensor(v.array.astype(np.float64)) for k, v in mlp(nn).state_dict().items()}
    model.load_state_dict(state)
    assert model[0].weight.dtype == np.float32
    np.testing.assert_array_equal(model[0].weight.array, state["0.weight"].array.astype(np.float32))


def _snapshot(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, snapshot):
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.array, snapshot[k], err_msg=f"{k} changed by a failed load")


def _good_state():
    return OrderedDict((k, v.array.copy() + 1) for k, v in mlp(nn).state_dict().items())


@pytest.mark.parametrize(
    "spoil, messages",
    [
        (lambda s: s.pop("2.bias"), ['Missing key(s) in state_dict: "2.bias".']),
        (lambda s: s.__setitem__("3.weight", np.zeros(1)), ['Unexpected key(s) in state_dict: "3.weight".']),
        (
            lambda s: s.__setitem__("2.weight", np.zeros((10, 255), np.float32)),
            ["size mismatch for 2.weight: copying a param with shape (10, 255) from checkpoint, "
             "the shape in current model is (10, 256)."],
        ),
        (lambda s: s.__setitem__("2.bias", np.arange(10)), ["dtype mismatch for 2.bias"]),
        (lambda s: s.__setitem__("2.bias", [0.0] * 10), ['parameter named "2.bias"']),
        (
            lambda s: (s.pop("0.bias"), s.__setitem__("extra", np.zeros(1)), s.__setitem__("2.bias", np.zeros(3, np.float32))),
            ['Missing key(s) in state_dict: "0.bias".', 'Unexpected key(s) in state_dict: "extra".',
             "size mismatch for 2.bias"],
        ),
    ],
    ids=["missing", "unexpected", "shape", "dtype", "not-a-tensor", "all-at-once"],
)
def test_load_errors_list_every_problem_and_change_nothing(spoil, messages):
    model = mlp(nn)
    snapshot = _snapshot(model)
    state = _good_state()  # every other entry is valid and would change the weights
    spoil(state)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for Sequential") as info:
        model.load_state_dict(state)
    for message in messages:
        assert message in str(info.value)
    _assert_unchanged(model, snapshot)


def test_torch_reports_the_same_missing_and_unexpected_keys():
    ours, theirs = mlp(nn), mlp(tnn)
    state = {k: v for k, v in theirs.state_dict().items() if k != "2.bias"}
    state["3.weight"] = torch.zeros(1)
    r_theirs = theirs.load_state_dict(state, strict=False)
    r_ours = ours.load_state_dict({k: v.numpy() for k, v in state.items()}, strict=False)
    assert r_ours.missing_keys == r_theirs.missing_keys == ["2.bias"]
    assert r_ours.unexpected_keys == r_theirs.unexpected_keys == ["3.weight"]


def test_non_strict_loads_what_matches_but_shape_errors_still_raise():
    model = mlp(nn)
    good = _good_state()
    state = {"0.weight": good["0.weight"], "junk": np.zeros(2)}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["0.bias", "2.weight", "2.bias"] and unexpected == ["junk"]
    np.testing.assert_array_equal(model[0].weight.array, good["0.weight"])
    snapshot = _snapshot(model)
    with pytest.raises(RuntimeError, match="size mismatch for 0.bias"):
        model.load_state_dict({"0.weight": good["0.weight"] + 1, "0.bias": np.zeros(3, np.float32)}, strict=False)
    _assert_unchanged(model, snapshot)


def test_load_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="dict-like"):
        mlp(nn).load_state_dict([1, 2])


# ---------------------------------------------------------------- Sequential, ModuleList
def test_sequential_indexing_slicing_and_editing_like_torch():
    def build(lib):
        return lib.Sequential(lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 4), lib.Tanh())

    ours, theirs = build(nn), build(tnn)
    assert len(ours) == 4 and type(ours[-1]).__name__ == "Tanh" and ours[0] is list(ours)[0]
    assert repr(ours[1:3]) == repr(theirs[1:3])  # a slice keeps the original names
    assert isinstance(ours[1:3], nn.Sequential)
    for model, lib in ((ours, nn), (theirs, tnn)):
        del model[1]
        model.append(lib.Sigmoid())
        model.insert(1, lib.Identity())
        model[0] = lib.Linear(2, 5)
    assert repr(ours) == repr(theirs)
    with pytest.raises(IndexError, match="out of range"):
        ours[10]
    with pytest.raises(TypeError, match="integers or slices"):
        ours["0"]


def test_sequential_forward_composes_in_order():
    model = nn.Sequential(nn.Identity(), nn.Flatten(), nn.Identity())
    x = gg.randn(2, 3, 4)
    assert model(x).shape == (2, 12)


def test_sequential_from_ordered_dict_uses_its_names():
    def build(lib):
        return lib.Sequential(OrderedDict([("hidden", lib.Linear(2, 3)), ("act", lib.Tanh()), ("out", lib.Linear(3, 1))]))

    assert list(build(nn).state_dict()) == list(build(tnn).state_dict()) == [
        "hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_module_list_registers_and_compresses_its_repr():
    def build(lib):
        layers = lib.ModuleList([lib.Linear(4, 4) for _ in range(2)])
        layers.append(lib.ReLU())
        layers.extend([lib.ReLU(), lib.Linear(4, 1)])
        layers.insert(0, lib.Tanh())
        layers += [lib.Tanh()]
        del layers[1]
        return layers

    ours, theirs = build(nn), build(tnn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours) == len(theirs) and isinstance(ours[1:], nn.ModuleList)
    with pytest.raises(NotImplementedError, match="iterate"):
        ours(gg.ones(1))
    with pytest.raises(TypeError, match="iterable"):
        ours.extend(nn.ReLU())


def _assert_registry_and_attributes_agree(model):
    for module in model.modules():
        names = set()
        for table in ("_parameters", "_buffers", "_modules"):
            for name, value in getattr(module, table).items():
                assert getattr(module, name) is value, f"{type(module).__name__}.{name} is stale"
                names.add(name)
        numbered = {k for k in vars(module) if k.isdigit()}
        assert numbered <= names, f"leftover children {numbered - names} in {type(module).__name__}"


def test_attribute_reads_agree_with_the_registry_after_every_kind_of_edit():
    model = zoo(nn)
    model.features[0].weight = nn.Parameter(gg.zeros(4, 1, 3, 3))
    model.features[0].bias = None
    model.running = gg.tensor([5.0, 6.0])
    model.drop = nn.Identity()
    del model.features[2]
    del model.features[0:2]
    model.features.insert(0, nn.Tanh())
    model.heads.insert(1, nn.ReLU())
    del model.heads[0]
    model.heads[0] = nn.Sigmoid()
    model.heads.append(nn.Tanh())
    model.register_parameter("extra", nn.Parameter(gg.ones(1)))
    del model.extra
    assert not hasattr(model, "extra")
    _assert_registry_and_attributes_agree(model)
    model._parameters["direct"] = nn.Parameter(gg.ones(2))  # written around __setattr__
    assert model.direct is model._parameters["direct"]
