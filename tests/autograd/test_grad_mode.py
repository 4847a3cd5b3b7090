"""no_grad / enable_grad / set_grad_enabled: nothing recorded, flags restored, decorators."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")


def test_no_grad_records_nothing():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with gg.no_grad():
        y = (x * 2.0).exp()
        assert not gg.is_grad_enabled()
    assert gg.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    with torch.no_grad():
        ty = (torch.tensor([1.0, 2.0], requires_grad=True) * 2.0).exp()
    assert ty.grad_fn is None and not ty.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_enable_grad_inside_no_grad_and_nesting_restores():
    x = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with gg.no_grad():
        with gg.enable_grad():
            y = x * x
        z = x * x
        with gg.no_grad():
            pass
        assert not gg.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 4.0])


def test_decorator_forms():
    x = gg.tensor(np.array([3.0]), requires_grad=True)

    @gg.no_grad()
    def evaluate(t):
        """Docstring kept."""
        return t * 2.0

    @gg.enable_grad()
    def train_step(t):
        return t * 2.0

    assert not evaluate(x).requires_grad
    assert evaluate.__doc__ == "Docstring kept."
    with gg.no_grad():
        assert train_step(x).requires_grad
    assert gg.is_grad_enabled()


def test_flag_restored_after_exception():
    with pytest.raises(ValueError):
        with gg.no_grad():
            raise ValueError("boom")
    assert gg.is_grad_enabled()


def test_set_grad_enabled():
    x = gg.tensor(np.array([1.0]), requires_grad=True)
    gg.set_grad_enabled(False)
    try:
        assert not (x * 2.0).requires_grad
    finally:
        gg.set_grad_enabled(True)
    assert (x * 2.0).requires_grad


def test_in_place_update_under_no_grad_bumps_version_only():
    w = gg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    v0 = w._version
    with gg.no_grad():
        w -= 0.5 * gg.tensor(np.array([2.0, 2.0]))
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w._version == v0 + 1
    np.testing.assert_array_equal(w.array, [0.0, 1.0])
