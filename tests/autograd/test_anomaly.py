"""detect_anomaly: the first NaN/inf is named with its op, pass, input and creation line."""

import sys

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from glassgrad.autograd.anomaly import creation_site
from glassgrad.autograd.function import observers

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's log(0) warnings


def here():
    """The line number of the caller, to name the line an op was written on."""
    return sys._getframe(1).f_lineno


def test_backward_nan_names_op_input_and_creation_line():
    x = gg.tensor(np.array([1.0, 0.0]), requires_grad=True)
    w = gg.tensor(np.array([2.0, 0.0]))
    with detect_anomaly(check_forward=False):
        line = here() + 1
        y = x.log()
        loss = (y * w).sum()  # forward holds -inf * 0 = nan: not checked here
        with pytest.raises(RuntimeError) as info:
            loss.backward()
    msg = str(info.value)
    # Hand derivation: d log(x)/dx = upstream / x = 0 / 0 = nan at element 1.
    assert msg.startswith("Function 'log' (Log) returned nan values in its 0th output during backward")
    assert "the gradient for its input 0" in msg
    assert f"test_anomaly.py:{line}: y = x.log()" in msg
    assert x.grad is None  # nothing reached the leaf


def test_backward_inf_in_second_input_of_div():
    # d(a/b)/db = -(a/b)/b (PyTorch's order): with a = 1, b = 1e-200 the forward value
    # a/b = 1e200 and d/da = 1/b = 1e200 are finite, but d/db = -1e200/1e-200 overflows to -inf.
    a = gg.tensor(np.array([1.0]), requires_grad=True)
    b = gg.tensor(np.array([1e-200]), requires_grad=True)
    with detect_anomaly():
        line = here() + 1
        q = (a / b).sum()
        assert q.item() == 1e200
        with pytest.raises(RuntimeError) as info:
            q.backward()
    msg = str(info.value)
    assert "Function 'div' (Div) returned inf values in its 1st output during backward" in msg
    assert "gradient for its input 1" in msg
    assert f"test_anomaly.py:{line}: q = (a / b).sum()" in msg


def test_forward_nan_named_at_the_call():
    x = gg.tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with detect_anomaly():
        with pytest.raises(RuntimeError) as info:
            line = here() + 1
            x.log()
    msg = str(info.value)
    assert "Function 'log' (Log) returned nan values in its 0th output during forward" in msg
    assert f"test_anomaly.py:{line}: x.log()" in msg


def test_upstream_already_bad_is_explained():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with detect_anomaly():
        y = x * 2
        with pytest.raises(RuntimeError, match="already non-finite"):
            y.backward(gradient=gg.tensor(np.array([np.nan, 1.0])))


def test_finite_passes_and_state_restored():
    before = list(observers)
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with detect_anomaly():
        assert is_anomaly_enabled()
        y = (x.exp() * x).sum()
        y.backward()
        assert creation_site(y.grad_fn) is not None
        assert "y = (x.exp() * x).sum()" in str(creation_site(y.grad_fn))
    assert not is_anomaly_enabled()
    assert observers == before
    # Hand derivation: d(x e^x)/dx = e^x (1 + x).
    np.testing.assert_allclose(x.grad.array, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])), rtol=1e-12)


def test_off_by_default_nothing_raises():
    x = gg.tensor(np.array([-1.0]), requires_grad=True)
    y = x.log()  # nan, but anomaly detection is off
    assert np.isnan(y.array).all()
    assert creation_site(y.grad_fn) is None


def test_set_detect_anomaly_and_decorator():
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="during forward"):
            gg.tensor(np.array([0.0])).log()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def step():
        assert is_anomaly_enabled()
        return gg.tensor(np.array([-1.0])).log()

    with pytest.raises(RuntimeError, match="'log'"):
        step()
    assert not is_anomaly_enabled()


def test_nested_contexts_restore_outer():
    with detect_anomaly():
        with detect_anomaly(check_forward=False):
            gg.tensor(np.array([-1.0])).log()  # forward not checked in the inner block
        assert is_anomaly_enabled()
        with pytest.raises(RuntimeError):
            gg.tensor(np.array([-1.0])).log()
    assert not is_anomaly_enabled()


def test_nodes_built_before_are_said_to_be_unrecorded():
    x = gg.tensor(np.array([0.0]), requires_grad=True)
    y = x.log()
    with detect_anomaly(check_forward=False):
        with pytest.raises(RuntimeError, match="not recorded"):
            y.sum().backward()
