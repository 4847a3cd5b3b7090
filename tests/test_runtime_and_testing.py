"""glassgrad.testing.assert_close against torch.testing.assert_close (the same verdict on
the same inputs, messages naming the mismatch), and the process switches of runtime.py
(thread counts, determinism, compile)."""

import numpy as np
import pytest
import torch

import glassgrad
from glassgrad.testing import assert_close

F32_TOL = (1.3e-6, 1e-5)  # torch's documented float32 (rtol, atol)


def _verdict(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except AssertionError:
        return "mismatch"
    except (TypeError, ValueError) as exc:
        return type(exc).__name__
    return "close"


CASES = [
    ([1.0, 2.0], [1.0, 2.0 + 1e-6], "float32", {}),          # inside float32's tolerance
    ([1.0, 2.0], [1.0, 2.0 + 1e-4], "float32", {}),          # outside it
    ([1.0, 2.0], [1.0, 2.0 + 1e-9], "float64", {}),
    ([1.0, 2.0], [1.0, 2.0 + 1e-5], "float64", {}),
    ([1.0, 2.0], [1.0, 2.1], "float64", {"rtol": 0.1, "atol": 0.0}),
    ([1.0, float("nan")], [1.0, float("nan")], "float64", {}),
    ([1.0, float("nan")], [1.0, float("nan")], "float64", {"equal_nan": True}),
    ([float("inf")], [float("inf")], "float64", {}),
    ([float("inf")], [1e308], "float64", {}),
    ([1, 2], [1, 3], "int64", {}),
    ([1, 2], [1, 2], "int64", {}),
    ([1.0, 2.0], [1.0, 2.0], "float64", {"rtol": 0.1}),    # rtol without atol: ValueError
]


@pytest.mark.parametrize("a, e, dtype, kwargs", CASES)
def test_assert_close_gives_torchs_verdict(a, e, dtype, kwargs):
    ours = _verdict(assert_close, glassgrad.tensor(a, dtype=getattr(glassgrad, dtype)),
                    glassgrad.tensor(e, dtype=getattr(glassgrad, dtype)), **kwargs)
    theirs = _verdict(torch.testing.assert_close, torch.tensor(a, dtype=getattr(torch, dtype)),
                      torch.tensor(e, dtype=getattr(torch, dtype)), **kwargs)
    assert ours == theirs


def test_the_message_names_the_mismatch():
    with pytest.raises(AssertionError) as info:
        assert_close(glassgrad.tensor([1.0, 2.0, 3.0]), glassgrad.tensor([1.0, 2.5, 3.0]))
    text = str(info.value)
    assert "Mismatched elements: 1 / 3 (33.3%)" in text
    assert "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)" in text
    assert "Greatest relative difference: 0.2 at index (1,) (up to 1.3e-06 allowed)" in text


def test_shape_dtype_and_nested_items_are_named():
    with pytest.raises(AssertionError, match="'shape' do not match"):
        assert_close(glassgrad.zeros(2), glassgrad.zeros(3))
    with pytest.raises(AssertionError, match="'dtype' do not match: glassgrad.float32 != glassgrad.float64"):
        assert_close(glassgrad.zeros(2), glassgrad.zeros(2, dtype=glassgrad.float64))
    assert_close(glassgrad.zeros(2), glassgrad.zeros(2, dtype=glassgrad.float64), check_dtype=False)
    with pytest.raises(AssertionError, match=r"item \[1\]\['b'\]"):
        assert_close([1.0, {"b": glassgrad.ones(1)}], [1.0, {"b": glassgrad.zeros(1)}])
    with pytest.raises(AssertionError, match="Expected 1.0 but got 1.5"):
        assert_close(1.5, 1.0)
    with pytest.raises(TypeError, match="No comparison pair"):
        assert_close(glassgrad.zeros(1), "0")
    with pytest.raises(AssertionError, match="custom"):
        assert_close(glassgrad.zeros(1), glassgrad.ones(1), msg="custom")


def test_the_default_tolerance_is_torchs_float32_pair():
    rtol, atol = F32_TOL
    e = np.float32(100.0)
    just_inside = np.float32(e + 0.9 * (atol + rtol * e))
    assert_close(glassgrad.tensor([just_inside]), glassgrad.tensor([e]))
    torch.testing.assert_close(torch.tensor([just_inside]), torch.tensor([e]))


def test_set_num_threads_is_recorded_and_refuses_nonsense():
    before = glassgrad.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        glassgrad.set_num_threads(1)
        assert glassgrad.get_num_threads() == 1
    finally:
        glassgrad.set_num_threads(before)
    with pytest.raises(ValueError, match="positive int"):
        glassgrad.set_num_threads(0)


def test_deterministic_switch_is_recorded():
    assert glassgrad.are_deterministic_algorithms_enabled() is False
    try:
        glassgrad.use_deterministic_algorithms(True, warn_only=True)
        assert glassgrad.are_deterministic_algorithms_enabled() is True
        assert glassgrad.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        glassgrad.use_deterministic_algorithms(False)
    with pytest.raises(TypeError, match="True or False"):
        glassgrad.use_deterministic_algorithms("yes")


def test_compile_returns_the_model_as_it_is():
    model = glassgrad.nn.Linear(2, 1)
    assert glassgrad.compile(model) is model

    @glassgrad.compile(mode="max-autotune")
    def f(x):
        return x * 2

    assert f(glassgrad.tensor([1.0])).tolist() == [2.0]
    with pytest.raises(TypeError, match="model or a function"):
        glassgrad.compile(3)
