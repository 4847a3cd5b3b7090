"""The Optimizer base: inputs checked, zero_grad, in-place updates, state_dict round trips."""

import numpy as np
import pytest

import glassgrad as gg
from optim_harness import (
    assert_resumed_run_matches_uninterrupted, initial_weights, run_glassgrad, run_torch)

torch = pytest.importorskip("torch")

ALL = {
    "SGD": (lambda p: gg.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "Adam": (lambda p: gg.optim.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.01),
             lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.01)),
    "AdamW": (lambda p: gg.optim.AdamW(p, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05)),
    "RMSprop": (lambda p: gg.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
                lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True)),
    "Adagrad": (lambda p: gg.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1),
                lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1)),
}


def leaf(*shape):
    return gg.tensor(np.ones(shape), requires_grad=True)


# ---------------------------------------------------------------- state_dict
@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_like_torch_uninterrupted(name):
    assert_resumed_run_matches_uninterrupted(*ALL[name])


@pytest.mark.parametrize("name", ALL)
def test_state_dict_layout_and_buffers_match_torch(name):
    ours, theirs = ALL[name]
    _, _, opt = run_glassgrad(ours, steps=10)
    _, _, topt = run_torch(theirs, steps=10)
    a, b = opt.state_dict(), topt.state_dict()
    assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]]
    assert sorted(a["state"]) == sorted(b["state"])
    for idx, tstate in b["state"].items():
        tstate = {k: v for k, v in tstate.items() if v is not None}
        assert set(a["state"][idx]) == set(tstate), (idx, set(a["state"][idx]), set(tstate))
        for key, value in tstate.items():
            if key == "step":
                assert a["state"][idx]["step"] == int(value.item())
            else:
                np.testing.assert_allclose(a["state"][idx][key], value.numpy(), rtol=1e-7, atol=1e-12)
    for ga, gb in zip(a["param_groups"], b["param_groups"]):
        for key in ga:
            if key in gb and key != "params":
                assert ga[key] == gb[key] or tuple(ga[key]) == tuple(gb[key]), key


def test_state_dict_is_a_snapshot_and_load_copies():
    _, params, opt = run_glassgrad(ALL["Adam"][0], steps=2)
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"].copy()
    run_glassgrad(None, steps=1, params=params, opt=opt, start=2)
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], before)
    opt.load_state_dict(sd)
    sd["state"][0]["exp_avg"][...] = 123.0
    assert not np.any(opt.state[params[0]]["exp_avg"] == 123.0)


def test_state_dict_casts_buffers_to_the_parameter_dtype():
    _, _, opt = run_glassgrad(ALL["Adam"][0], steps=2, dtype="float64")
    params32 = [gg.tensor(w, requires_grad=True) for w in initial_weights("float32")]
    opt32 = ALL["Adam"][0](params32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32


def test_load_state_dict_validates_before_changing_anything():
    _, params, opt = run_glassgrad(ALL["SGD"][0], steps=2)
    good = opt.state_dict()
    before_groups = [dict(g) for g in opt.param_groups]
    before_buf = opt.state[params[0]]["momentum_buffer"].copy()

    wrong_count = {"state": {}, "param_groups": good["param_groups"] * 2}
    with pytest.raises(ValueError, match="2 parameter groups, but the optimizer has 1"):
        opt.load_state_dict(wrong_count)

    wrong_size = {"state": {}, "param_groups": [dict(good["param_groups"][0], params=[0, 1])]}
    with pytest.raises(ValueError, match="group 0 has 2 parameters, but the optimizer's group 0 has 3"):
        opt.load_state_dict(wrong_size)

    bad_shape = opt.state_dict()
    bad_shape["param_groups"][0]["lr"] = 123.0
    bad_shape["state"][1]["momentum_buffer"] = np.zeros(7)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 1 has shape \(7,\)"):
        opt.load_state_dict(bad_shape)

    bad_lr = opt.state_dict()
    bad_lr["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="learning rate"):
        opt.load_state_dict(bad_lr)

    unknown = opt.state_dict()
    unknown["state"][9] = {}
    with pytest.raises(ValueError, match="index 9"):
        opt.load_state_dict(unknown)

    assert [dict(g) for g in opt.param_groups] == before_groups  # nothing changed
    np.testing.assert_array_equal(opt.state[params[0]]["momentum_buffer"], before_buf)


# ---------------------------------------------------------------- updates in place
@pytest.mark.parametrize("name", ALL)
def test_step_updates_in_place_and_bumps_the_version(name):
    params = [gg.tensor(w, requires_grad=True) for w in initial_weights()]
    arrays = [p.array for p in params]
    view = params[0].array[0]  # a view must see the update
    opt = ALL[name][0](params)
    for p in params:
        p.grad = gg.tensor(np.ones_like(p.array))
    params[1].grad = None
    versions = [p._version for p in params]
    opt.step()
    assert all(p.array is a for p, a in zip(params, arrays))
    assert params[0]._version == versions[0] + 1
    assert params[1]._version == versions[1]  # no grad: untouched
    np.testing.assert_array_equal(view, params[0].array[0])
    assert not np.allclose(params[0].array, initial_weights()[0])
    np.testing.assert_array_equal(params[1].array, initial_weights()[1])


def test_step_does_not_change_the_gradient():
    w = gg.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = gg.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.5, maximize=True)
    w.grad = gg.tensor(np.array([0.25, 0.5]))
    opt.step()
    opt.step()
    np.testing.assert_array_equal(w.grad.array, [0.25, 0.5])


def test_a_graph_that_saved_the_old_weights_refuses_backward():
    w = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (w * w).sum()  # Mul saves w
    opt = gg.optim.SGD([w], lr=0.1)
    w.grad = gg.tensor(np.array([1.0, 1.0]))
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_training_with_autograd_matches_torch():
    """The whole loop: forward, backward, step, zero_grad (SGD with momentum)."""
    W0 = initial_weights()[0]
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    w = gg.tensor(W0, requires_grad=True)
    tw = torch.tensor(W0, requires_grad=True)
    opt = gg.optim.SGD([w], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    for _ in range(5):
        opt.zero_grad()
        ((gg.tensor(x) @ w) * (gg.tensor(x) @ w)).sum().backward()
        opt.step()
        topt.zero_grad()
        ((torch.tensor(x) @ tw) ** 2).sum().backward()
        topt.step()
    np.testing.assert_allclose(w.array, tw.detach().numpy(), rtol=1e-7)


# ---------------------------------------------------------------- zero_grad
def test_zero_grad_sets_to_none_by_default():
    w = leaf(2)
    w.grad = gg.tensor(np.ones(2))
    gg.optim.SGD([w], lr=0.1).zero_grad()
    assert w.grad is None


def test_zero_grad_in_place_keeps_the_array():
    w = leaf(2)
    g = gg.tensor(np.ones(2))
    w.grad = g
    array = g.array
    gg.optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
    assert w.grad is g and g.array is array
    np.testing.assert_array_equal(array, [0.0, 0.0])


# ---------------------------------------------------------------- input checks
@pytest.mark.parametrize("make, match", [
    (lambda p: gg.optim.SGD(p, lr=-0.1), "lr"),
    (lambda p: gg.optim.SGD(p, lr="0.1"), "real number"),
    (lambda p: gg.optim.SGD(p, lr=float("nan")), "nan"),
    (lambda p: gg.optim.SGD(p, momentum=-0.5), "momentum"),
    (lambda p: gg.optim.SGD(p, weight_decay=-1), "weight_decay"),
    (lambda p: gg.optim.SGD(p, nesterov=True), "Nesterov"),
    (lambda p: gg.optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    (lambda p: gg.optim.SGD(p, decay="L1"), "decay must be 'l2'"),
    (lambda p: gg.optim.Adam(p, betas=(1.0, 0.999)), r"beta1 \(betas\[0\]\)"),
    (lambda p: gg.optim.Adam(p, betas=(0.9, -0.1)), r"beta2"),
    (lambda p: gg.optim.Adam(p, betas=(0.9,)), "pair"),
    (lambda p: gg.optim.Adam(p, eps=-1e-8), "eps"),
    (lambda p: gg.optim.Adam(p, decay="coupled"), "decay"),
    (lambda p: gg.optim.AdamW(p, weight_decay=-0.1), "weight_decay"),
    (lambda p: gg.optim.RMSprop(p, alpha=-0.1), "alpha"),
    (lambda p: gg.optim.RMSprop(p, momentum=-0.1), "momentum"),
    (lambda p: gg.optim.Adagrad(p, lr_decay=-0.1), "lr_decay"),
    (lambda p: gg.optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator_value"),
])
def test_bad_hyperparameters_are_named(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make([leaf(2)])


def test_bad_hyperparameter_in_a_group_is_caught_and_the_group_not_added():
    opt = gg.optim.SGD([leaf(2)], lr=0.1)
    with pytest.raises(ValueError, match="momentum"):
        opt.add_param_group({"params": [leaf(3)], "momentum": -1})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("params, error, match", [
    (lambda: [], ValueError, "empty parameter list"),
    (lambda: leaf(2), TypeError, "single Tensor"),
    (lambda: 3.0, TypeError, "iterable"),
    (lambda: [np.ones(2)], TypeError, "can only optimize Tensors"),
    (lambda: [gg.tensor([1, 2])], TypeError, "floating-point"),
    (lambda: [gg.tensor([1.0, 2.0])], ValueError, "does not require grad"),
    (lambda: [leaf(2) * 2], ValueError, "non-leaf"),
    (lambda: [{"params": [leaf(2)]}, leaf(2)], TypeError, "mixes"),
    (lambda: [{"lr": 0.1}], ValueError, "'params'"),
    (lambda: {leaf(2)}, TypeError, "not a set"),
])
def test_bad_params_are_explained(params, error, match):
    with pytest.raises(error, match=match):
        gg.optim.SGD(params(), lr=0.1)


def test_duplicate_parameters_are_refused():
    w = leaf(2)
    with pytest.raises(ValueError, match="twice"):
        gg.optim.SGD([w, w], lr=0.1)
    opt = gg.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [leaf(3), w]})
    assert len(opt.param_groups) == 1


def test_groups_get_defaults_and_the_callers_dict_is_not_changed():
    group = {"params": [leaf(2)], "lr": 0.5}
    opt = gg.optim.Adam([group], lr=0.1, weight_decay=0.01)
    assert opt.param_groups[0]["lr"] == 0.5
    assert opt.param_groups[0]["weight_decay"] == 0.01
    assert opt.param_groups[0]["decay"] == "l2"
    assert set(group) == {"params", "lr"}


def test_generator_of_parameters_is_accepted():
    ws = [leaf(2), leaf(3)]
    opt = gg.optim.SGD((w for w in ws), lr=0.1)
    assert opt.param_groups[0]["params"] == ws
