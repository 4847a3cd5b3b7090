"""median, quantile, the nan-ignoring reductions and the running extremes beyond the op
table (tests/ops/table_reduce_more.py): PyTorch's documented rules by hand (the lower
middle value, ties sharing the gradient), nans, and bad input."""

import numpy as np
import pytest
import torch

import glassgrad

NAN = float("nan")


def g64(a, grad=False):
    return glassgrad.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def test_median_of_an_even_count_is_the_lower_middle_value():
    # sorted: 1 2 3 4, the two middle values 2 and 3: PyTorch's median is 2 (not 2.5)
    assert glassgrad.median(g64([4.0, 1.0, 3.0, 2.0])).item() == 2.0
    values, indices = glassgrad.median(g64([[4.0, 1.0, 3.0, 2.0], [0.0, 8.0, 6.0, 7.0]]), dim=1)
    assert values.tolist() == [2.0, 6.0] and indices.tolist() == [3, 2]
    assert g64([5.0, 9.0]).median().item() == 5.0


def test_full_median_ties_share_the_gradient_evenly():
    # median of 1 2 2 3 5 is 2, held by two elements: each gets half of the upstream
    x = g64([1.0, 2.0, 2.0, 3.0, 5.0], True)
    glassgrad.median(x).backward(g64(3.0))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.5, 1.5, 0.0, 0.0])


def test_median_along_a_dim_sends_the_gradient_to_its_index():
    x = g64([[3.0, 1.0, 2.0], [9.0, 7.0, 8.0]], True)
    values, indices = x.median(1)
    values.sum().backward()
    expected = np.zeros((2, 3))
    expected[[0, 1], indices.numpy()] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_a_nan_makes_the_median_nan_and_nanmedian_skips_it():
    x = [[1.0, NAN, 3.0, 2.0], [NAN, NAN, NAN, NAN]]
    assert np.isnan(glassgrad.median(g64(x)).item())
    assert np.isnan(glassgrad.median(g64(x), 1).values.numpy()).all()
    # non-nan of row 0: 1 2 3, median 2; row 1 has none: nan
    values = glassgrad.nanmedian(g64(x), 1).values.numpy()
    assert values[0] == 2.0 and np.isnan(values[1])
    assert glassgrad.nanmedian(g64(x)).item() == 2.0
    np.testing.assert_array_equal(values, torch.nanmedian(torch.tensor(x), 1).values.numpy())


def test_quantile_and_nanquantile_with_nans_match_torch():
    x = np.array([[0.5, NAN, 2.0, -1.0, 4.0], [1.0, 2.0, 3.0, 4.0, 5.0], [NAN] * 5])
    q = [0.0, 0.25, 0.8, 1.0]
    for name in ("quantile", "nanquantile"):
        ours = getattr(glassgrad, name)(g64(x), g64(q), dim=1).numpy()
        theirs = getattr(torch, name)(torch.tensor(x), torch.tensor(q, dtype=torch.float64), dim=1).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


def test_quantile_gradient_is_the_interpolation_weights():
    # q = 0.3 of 1 2 3 4 5 (sorted): position 0.3 * 4 = 1.2, so 2 + 0.2 (3 - 2): the
    # gradient is 0.8 on the element 2 and 0.2 on the element 3
    x = g64([5.0, 3.0, 1.0, 2.0, 4.0], True)
    out = glassgrad.quantile(x, 0.3)
    assert out.item() == pytest.approx(2.2, abs=1e-15)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.2, 0.0, 0.8, 0.0], atol=1e-15)


@pytest.mark.parametrize("call, error, words", [
    (lambda: glassgrad.quantile(g64([1.0, 2.0]), 1.5), ValueError, r"\[0, 1\]"),
    (lambda: glassgrad.quantile(g64([1.0, 2.0]), g64([[0.5]])), ValueError, "1-D"),
    (lambda: glassgrad.quantile(g64([1.0, 2.0]), 0.5, interpolation="cubic"), ValueError, "linear"),
    (lambda: glassgrad.quantile(glassgrad.tensor([1, 2]), 0.5), TypeError, "floating-point"),
    (lambda: glassgrad.median(g64([[1.0]]), (0, 1)), TypeError, "single int"),
    (lambda: glassgrad.median(g64([])), ValueError, "empty"),
    (lambda: glassgrad.nanmean(glassgrad.tensor([1, 2])), TypeError, "floating-point"),
])
def test_bad_input_is_refused_in_one_line(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_nanmean_and_nansum_skip_nans_with_torch_gradients():
    x = np.array([[1.0, NAN, 3.0], [NAN, NAN, NAN], [0.5, -2.0, 4.0]])
    for name in ("nanmean", "nansum"):
        gx, tx = g64(x, True), torch.tensor(x, requires_grad=True)
        ours, theirs = getattr(glassgrad, name)(gx, 1), getattr(torch, name)(tx, 1)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), equal_nan=True)
        ours[[0, 2]].sum().backward()
        theirs[[0, 2]].sum().backward()
        np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy())


def test_cummax_carries_a_nan_forward_and_logcumsumexp_of_minus_inf():
    values = glassgrad.cummax(g64([1.0, NAN, 5.0, 0.0]), 0).values.numpy()
    assert values[0] == 1.0 and np.isnan(values[1:]).all()
    out = glassgrad.logcumsumexp(g64([-np.inf, 0.0, -np.inf]), 0).numpy()
    np.testing.assert_array_equal(out, [-np.inf, 0.0, 0.0])


def test_std_mean_is_std_and_mean():
    x = g64(np.arange(12.0).reshape(3, 4))
    std, mean = glassgrad.std_mean(x, dim=1)
    np.testing.assert_allclose(std.numpy(), np.arange(12.0).reshape(3, 4).std(1, ddof=1))
    np.testing.assert_allclose(mean.numpy(), [1.5, 5.5, 9.5])


@pytest.mark.parametrize("name", ["median", "nanmedian", "nansum", "nanmean", "logcumsumexp",
                                  "cummax", "cummin", "std_mean", "var_mean"])
def test_numpy_spellings_axis_and_keepdims_as_torch_takes_them(name):
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    kwargs = {"axis": 1} if name in ("logcumsumexp", "cummax", "cummin") else {"axis": 1, "keepdims": True}
    ours = getattr(glassgrad, name)(g64(x), **kwargs)
    theirs = getattr(torch, name)(torch.tensor(x), **kwargs)
    for o, t in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,)):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    if hasattr(torch.Tensor, name):
        method = getattr(g64(x), name)(**kwargs)
        first = method[0] if isinstance(method, tuple) else method
        assert tuple(first.shape) == tuple((theirs[0] if isinstance(theirs, tuple) else theirs).shape)
