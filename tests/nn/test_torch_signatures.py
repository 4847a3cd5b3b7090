"""PyTorch's argument names, order and defaults, checked against torch itself: every
parameter of a torch.nn.functional function, and of the constructor of a torch.nn layer,
a torch.optim optimizer or scheduler, DataLoader or a sampler, that has a glassgrad twin
is accepted by the twin, with the same default, and torch's positional parameters come in
torch's order (SGD(params, 0.1, 0.9, 0, 5e-4) sets weight_decay in both). The few left out
on purpose are listed with the reason."""

import inspect

import pytest

import glassgrad.data as data
import glassgrad.nn as nn
import glassgrad.nn.functional as F
import glassgrad.optim as optim
from glassgrad.optim import lr_scheduler

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


def _default(value):
    """A default that is a function (Transformer's activation=F.relu) by its name: each
    library's own relu."""
    return f"function {value.__name__}" if inspect.isfunction(value) else value


def _differences(ours, theirs, skip):
    mine, torch_params = ours.parameters, theirs.parameters
    missing, defaults = [], []
    for name, p in torch_params.items():
        if name in skip or name.startswith("_") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name not in mine:
            missing.append(name)
        elif p.default is not p.empty and _default(mine[name].default) != _default(p.default):
            defaults.append((name, mine[name].default, p.default))
    return missing, defaults


def _positional(signature):
    return [name for name, p in signature.parameters.items()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and name != "self"]


def _check_order(ours, theirs, label, skip):
    """torch's positional parameters (less the ones left out) open glassgrad's list, in
    torch's order. (A call that passes a deprecated size_average positionally is the one
    that means something else here.)"""
    torch_order = [name for name in _positional(theirs)
                   if not name.startswith("_") and name not in skip]
    mine = [name for name in _positional(ours) if not name.startswith("_")]
    assert mine[:len(torch_order)] == torch_order, (
        f"{label}: positional parameters {mine} do not start with torch's {torch_order}")


FUNCTIONS = [name for name in F.__all__ if hasattr(torch.nn.functional, name)
             and _signature(getattr(torch.nn.functional, name)) is not None]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functional_takes_torchs_arguments(name):
    skip = set(LEFT_OUT) - {"dtype"}
    missing, defaults = _differences(_signature(getattr(F, name)),
                                     _signature(getattr(torch.nn.functional, name)), skip)
    assert not missing, f"F.{name} lacks torch's parameters {missing}"
    assert not defaults, f"F.{name} has other defaults than torch: {defaults}"
    _check_order(_signature(getattr(F, name)), _signature(getattr(torch.nn.functional, name)),
                 f"F.{name}", skip)


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
    _check_order(ours, theirs, f"nn.{name}", set(LEFT_OUT))


def _twins(ours_module, torch_module):
    return [name for name in dir(ours_module) if isinstance(getattr(ours_module, name), type)
            and isinstance(getattr(torch_module, name, None), type) and not name.startswith("_")]


CLASSES = (
    [(f"optim.{n}", getattr(optim, n), getattr(torch.optim, n))
     for n in _twins(optim, torch.optim) if n != "Optimizer"]
    + [(f"lr_scheduler.{n}", getattr(lr_scheduler, n), getattr(torch.optim.lr_scheduler, n))
       for n in _twins(lr_scheduler, torch.optim.lr_scheduler)]
    + [(f"data.{n}", getattr(data, n), getattr(torch.utils.data, n))
       for n in ("DataLoader", "TensorDataset", "SequentialSampler", "RandomSampler",
                 "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler")]
)


@pytest.mark.parametrize("label, ours, theirs", CLASSES, ids=[c[0] for c in CLASSES])
def test_optimizers_schedulers_and_loaders_take_torchs_arguments(label, ours, theirs):
    mine, torchs = _signature(ours.__init__), _signature(theirs.__init__)
    missing, defaults = _differences(mine, torchs, {"self"})
    assert not missing, f"{label} lacks torch's parameters {missing}"
    assert not defaults, f"{label} has other defaults than torch: {defaults}"
    _check_order(mine, torchs, label, set(LEFT_OUT))


def test_the_check_covers_the_common_names():
    for name in ("relu", "cross_entropy", "conv2d" if "conv2d" in FUNCTIONS else "softmax",
                 "dropout", "mse_loss"):
        assert name in FUNCTIONS
    for name in ("Linear", "Conv2d", "ReLU", "Dropout", "CrossEntropyLoss", "Sequential"):
        assert name in LAYERS
    labels = [c[0] for c in CLASSES]
    for name in ("optim.SGD", "optim.Adam", "optim.AdamW", "lr_scheduler.StepLR",
                 "lr_scheduler.ReduceLROnPlateau", "data.DataLoader"):
        assert name in labels
