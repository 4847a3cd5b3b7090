"""vanishing-gradients: the exam's answer (seed 002, 1.3) measured, and the measuring
instrument (per-layer gradient norms) checked against PyTorch on the same weights."""

import numpy as np
import pytest

from glassgrad.nn.init import init_scheme_, parse_init_scheme
from glassgrad.studies.common import linear_layers, mlp, weight_grad_norms
from glassgrad.studies.vanishing_gradients import run

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def quick():  # about 4 s alone, more on a shared machine
    return run(quick=True, seed=0)


def ratio(result, act, init):
    return result.numbers["at_init"][f"depth10/{act}/{init}"]["first_to_last"]


@pytest.mark.slow
def test_sigmoid_vanishes_while_relu_with_kaiming_does_not(quick):
    # sigmoid' <= 1/4: nine backward steps through sigmoid layers of default scale shrink
    # the gradient by far more than 1e-3; He init keeps ReLU's backward variance constant.
    assert ratio(quick, "sigmoid", "default") < 1e-3
    assert ratio(quick, "relu", "kaiming") > 1e-1


@pytest.mark.slow
def test_the_study_runs_in_float64_too():
    # the data follow the default dtype, as the model's parameters do (it used to cast the
    # data to float32 and fail against float64 layers); the finding does not depend on it
    import glassgrad

    glassgrad.set_default_dtype(glassgrad.float64)
    try:
        result = run(quick=True, seed=0)
    finally:
        glassgrad.set_default_dtype(glassgrad.float32)
    assert ratio(result, "sigmoid", "default") < 1e-3
    assert ratio(result, "relu", "kaiming") > 1e-1


@pytest.mark.slow
def test_relu_alone_is_not_enough_with_the_default_init(quick):
    # default init: Var(w) fan_in = 1/3 and ReLU keeps half the variance, so each layer
    # scales the backward signal by about sqrt(1/6): (1/6)^(9/2) ~ 3e-4 over nine layers;
    # measured with the real Jacobians it stays well below ReLU+Kaiming's ratio.
    assert ratio(quick, "relu", "default") < 0.1 * ratio(quick, "relu", "kaiming")


@pytest.mark.slow
def test_kaiming_trained_relu_learns_and_sigmoid_does_not(quick):
    acc = {k: v["accuracy"][-1] for k, v in quick.numbers["training"].items()}
    assert acc["relu/kaiming"] > 0.6
    assert acc["sigmoid/default"] < 0.45  # three balanced classes: chance is 1/3


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_gradient_norms_match_pytorch_on_the_same_weights(act):
    model = mlp([2, 8, 8, 8, 3], act, "xavier", seed=3)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 2)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    import glassgrad
    import glassgrad.nn as nn

    nn.functional.cross_entropy(model(glassgrad.tensor(X)), glassgrad.tensor(y)).backward()
    ours = weight_grad_norms(model)

    layers = []
    for i, m in enumerate(linear_layers(model)):
        lin = torch.nn.Linear(m.in_features, m.out_features)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(m.weight.array))
            lin.bias.copy_(torch.tensor(m.bias.array))
        layers.append(lin)
        if i < 3:
            layers.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[act]())
    net = torch.nn.Sequential(*layers)
    torch.nn.functional.cross_entropy(net(torch.tensor(X)), torch.tensor(y)).backward()
    theirs = np.array([float(layer.weight.grad.norm()) for layer in layers[::2]])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def test_init_schemes_have_their_formulas_scale():
    model = mlp([400, 400, 400], "relu", "kaiming", seed=0)
    w = linear_layers(model)[0].weight.array
    # He: std sqrt(2 / fan_in); 160,000 draws put the sample std within 1 % of it
    assert abs(w.std() / np.sqrt(2 / 400) - 1) < 0.01
    assert not linear_layers(model)[0].bias.array.any()
    model = mlp([400, 200, 10], "tanh", "xavier", seed=0)
    w = linear_layers(model)[0].weight.array
    # Glorot uniform on (-a, a), a = sqrt(6 / (fan_in + fan_out)): std a / sqrt(3)
    assert abs(w.std() / (np.sqrt(6 / 600) / np.sqrt(3)) - 1) < 0.02
    assert np.abs(w).max() <= np.sqrt(6 / 600)
    model = mlp([4, 4, 3], "tanh", "constant:0.1", seed=0)
    assert all((p.array == np.float32(0.1)).all() for p in model.parameters())


@pytest.mark.parametrize("spec, parsed", [("default", ("default", None)), ("Kaiming", ("kaiming", None)),
                                          ("normal:0.01", ("normal", 0.01)), ("constant:-2", ("constant", -2.0))])
def test_init_scheme_names(spec, parsed):
    assert parse_init_scheme(spec) == parsed


@pytest.mark.parametrize("spec", ["", "he", "normal", "normal:0", "normal:-1", "constant:nan", "xavier:2", "normal:x"])
def test_bad_init_scheme_is_refused_in_one_line(spec):
    with pytest.raises(ValueError) as info:
        parse_init_scheme(spec)
    assert "\n" not in str(info.value)


def test_default_scheme_leaves_the_weights_alone():
    model = mlp([3, 3], "relu", "default", seed=1)
    before = [p.array.copy() for p in model.parameters()]
    init_scheme_(model, "default")
    assert all((a == p.array).all() for a, p in zip(before, model.parameters()))


# ------------------------------------------------------------------------------ train --init
def test_train_builds_its_model_with_the_chosen_init_and_identity_activation():
    from glassgrad.cli.train import build_model

    s = {"model": "mlp:5,5", "activation": "identity", "dropout": 0.0, "init": "constant:0.1", "dataset": "circles"}
    model = build_model(s, (2,), 2)
    assert [type(m).__name__ for m in model] == ["Linear", "Identity", "Linear", "Identity", "Linear"]
    assert all((p.array == np.float32(0.1)).all() for p in model.parameters())


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_train_and_sweep_refuse_a_bad_init_in_one_line(tmp_path, capsys, command):
    from glassgrad.cli import main

    extra = ["lr", "--values", "0.1"] if command == "sweep" else []
    assert main([command, *extra, "--dataset", "xor", "--init", "normal:-1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "--init: expected default, xavier, kaiming, normal:STD (STD > 0)" in err and "\n" not in err
