"""PyTorch's argument names and defaults, checked against torch itself: every parameter
of a torch.nn.functional function (and of a torch.nn layer's constructor) that has a
glassgrad twin is accepted by the twin, with the same default. The few left out on
purpose are listed with the reason."""

import inspect

import pytest

import glassgrad.nn as nn
import glassgrad.nn.functional as F

torch = pytest.importorskip("torch")

# Parameters glassgrad does not take, and why.
LEFT_OUT = {
    "size_average": "deprecated in PyTorch since 0.4 (use reduction=)",
    "reduce": "deprecated in PyTorch since 0.4 (use reduction=)",
    "out": "glassgrad has no out= tensors",
    "min_value": "Hardtanh's deprecated spelling of min_val",
    "max_value": "Hardtanh's deprecated spelling of max_val",
    "device": "glassgrad runs on the CPU only",
    "dtype": None,  # only for layer constructors: checked by tests/nn (float32 / float64)
}


def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without one
        return None


def _differences(ours, theirs, skip):
    mine, torch_params = ours.parameters, theirs.parameters
    missing, defaults = [], []
    for name, p in torch_params.items():
        if name in skip or name.startswith("_") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name not in mine:
            missing.append(name)
        elif p.default is not p.empty and mine[name].default != p.default:
            defaults.append((name, mine[name].default, p.default))
    return missing, defaults


FUNCTIONS = [name for name in F.__all__ if hasattr(torch.nn.functional, name)
             and _signature(getattr(torch.nn.functional, name)) is not None]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functional_takes_torchs_arguments(name):
    skip = set(LEFT_OUT) - {"dtype"}
    missing, defaults = _differences(_signature(getattr(F, name)),
                                     _signature(getattr(torch.nn.functional, name)), skip)
    assert not missing, f"F.{name} lacks torch's parameters {missing}"
    assert not defaults, f"F.{name} has other defaults than torch: {defaults}"


LAYERS = [name for name in dir(nn) if isinstance(getattr(nn, name), type)
          and isinstance(getattr(torch.nn, name, None), type)
          and issubclass(getattr(torch.nn, name), torch.nn.Module)]


@pytest.mark.parametrize("name", LAYERS)
def test_layer_takes_torchs_arguments(name):
    ours, theirs = _signature(getattr(nn, name).__init__), _signature(getattr(torch.nn, name).__init__)
    if ours is None or theirs is None:
        pytest.skip("no Python signature to compare")
    missing, defaults = _differences(ours, theirs, set(LEFT_OUT) | {"self"})
    assert not missing, f"nn.{name} lacks torch's parameters {missing}"
    assert not defaults, f"nn.{name} has other defaults than torch: {defaults}"


def test_the_check_covers_the_common_names():
    for name in ("relu", "cross_entropy", "conv2d" if "conv2d" in FUNCTIONS else "softmax",
                 "dropout", "mse_loss"):
        assert name in FUNCTIONS
    for name in ("Linear", "Conv2d", "ReLU", "Dropout", "CrossEntropyLoss", "Sequential"):
        assert name in LAYERS
