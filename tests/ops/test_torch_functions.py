"""torch.* functions without a gradient (searchsorted, bucketize, tril/triu_indices) and
the bad input of the composed ones, against torch 2.13 and by hand."""

import itertools

import numpy as np
import pytest
import torch

import glassgrad


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_and_bucketize_match_torch(right):
    seq = [1.0, 3.0, 3.0, 5.0, 7.0]
    values = [[0.0, 3.0, 4.0], [7.0, 8.0, 5.0]]
    ours = glassgrad.searchsorted(glassgrad.tensor(seq), glassgrad.tensor(values), right=right)
    theirs = torch.searchsorted(torch.tensor(seq), torch.tensor(values), right=right)
    assert ours.tolist() == theirs.tolist() and ours.dtype == glassgrad.int64
    rows = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]
    ours = glassgrad.searchsorted(glassgrad.tensor(rows), glassgrad.tensor(values), right=right)
    assert ours.tolist() == torch.searchsorted(torch.tensor(rows), torch.tensor(values), right=right).tolist()
    ours = glassgrad.bucketize(glassgrad.tensor(values), glassgrad.tensor(seq), right=right, out_int32=True)
    theirs = torch.bucketize(torch.tensor(values), torch.tensor(seq), right=right, out_int32=True)
    assert ours.tolist() == theirs.tolist() and ours.dtype == glassgrad.int32
    side = "right" if right else "left"
    assert (glassgrad.searchsorted(glassgrad.tensor(seq), 3.0, side=side).item()
            == torch.searchsorted(torch.tensor(seq), 3.0, side=side).item())


def test_searchsorted_with_a_sorter():
    seq, sorter = [5.0, 1.0, 3.0], [1, 2, 0]  # sorted: 1 3 5
    ours = glassgrad.searchsorted(glassgrad.tensor(seq), glassgrad.tensor([2.0, 6.0]), sorter=glassgrad.tensor(sorter))
    theirs = torch.searchsorted(torch.tensor(seq), torch.tensor([2.0, 6.0]), sorter=torch.tensor(sorter))
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("row, col, offset", list(itertools.product([1, 3, 4], [2, 4], [-2, 0, 1])))
def test_tril_and_triu_indices_match_torch(row, col, offset):
    assert glassgrad.tril_indices(row, col, offset).tolist() == torch.tril_indices(row, col, offset).tolist()
    assert glassgrad.triu_indices(row, col, offset).tolist() == torch.triu_indices(row, col, offset).tolist()


def test_logit_is_the_inverse_of_sigmoid_and_clamps_with_eps():
    x = glassgrad.tensor([-3.0, 0.0, 2.5], dtype=glassgrad.float64)
    np.testing.assert_allclose(glassgrad.logit(glassgrad.sigmoid(x)).numpy(), x.numpy(), rtol=1e-12, atol=1e-15)
    out = glassgrad.logit(glassgrad.tensor([0.0, 1.0], dtype=glassgrad.float64)).numpy()
    assert out[0] == -np.inf and out[1] == np.inf
    # eps: log(eps / (1 - eps)) at 0; the clamped inputs get no gradient (torch's rule)
    p = glassgrad.tensor([0.0, 0.5, 1.0], dtype=glassgrad.float64, requires_grad=True)
    out = glassgrad.logit(p, eps=0.1)
    np.testing.assert_allclose(out.detach().numpy(), [np.log(1 / 9), 0.0, np.log(9)], rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [0.0, 4.0, 0.0])


def test_kron_by_its_definition():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.0, 5.0], [6.0, 7.0]])
    out = glassgrad.kron(glassgrad.tensor(a), glassgrad.tensor(b)).numpy()
    for i, j, k, l in itertools.product(range(2), repeat=4):
        assert out[2 * i + k, 2 * j + l] == a[i, j] * b[k, l]


def test_cross_of_the_unit_vectors_and_the_first_dim_of_size_3():
    e = glassgrad.eye(3)
    assert glassgrad.cross(e[0], e[1]).tolist() == [0.0, 0.0, 1.0]
    # no dim: the first of size 3 (torch.cross's rule): here dim 0 of a (3, 3) pair
    a, b = torch.randn(3, 3, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    np.testing.assert_allclose(glassgrad.cross(glassgrad.tensor(a.numpy()), glassgrad.tensor(b.numpy())).numpy(),
                               torch.linalg.cross(a, b, dim=0).numpy(), rtol=1e-12)


def test_composed_functions_refuse_bad_input_in_one_line():
    x = glassgrad.randn(2, 4)
    cases = [
        (lambda: glassgrad.cross(x, x), ValueError, "size 3"),
        (lambda: glassgrad.cross(x, x, dim=1), ValueError, "does not have size 3"),
        (lambda: glassgrad.take(x, glassgrad.tensor([8])), IndexError, "out of bounds"),
        (lambda: glassgrad.take(x, glassgrad.tensor([0.5])), TypeError, "integer tensor"),
        (lambda: glassgrad.tensor_split(x, 0), ValueError, "positive int"),
        (lambda: glassgrad.cov(glassgrad.randn(2, 2, 2)), ValueError, "at most 2 dims"),
        (lambda: glassgrad.cov(x, fweights=glassgrad.tensor([1, 2])), ValueError, "4 weights"),
        (lambda: glassgrad.cov(x, fweights=glassgrad.tensor([1.0, 2.0, 1.0, 1.0])), ValueError, "integers"),
        (lambda: glassgrad.cov(x, aweights=glassgrad.tensor([1.0, -2.0, 1.0, 1.0])), ValueError, "negative"),
        (lambda: glassgrad.searchsorted(x, glassgrad.randn(3, 1)), ValueError, "leading dims"),
        (lambda: glassgrad.searchsorted(x[0], x, side="middle"), ValueError, "'left' or 'right'"),
        (lambda: glassgrad.bucketize(x, x), ValueError, "1-D"),
        (lambda: glassgrad.block_diag(glassgrad.randn(2, 2, 2)), ValueError, "at most 2 dims"),
        (lambda: glassgrad.cartesian_prod(x), ValueError, "1-D"),
    ]
    for call, error, words in cases:
        with pytest.raises(error, match=words):
            call()


def test_hstack_vstack_keep_the_gradient_of_every_piece():
    a = glassgrad.randn(2, 3, requires_grad=True)
    b = glassgrad.randn(2, 2, requires_grad=True)
    w = glassgrad.randn(2, 5)
    (glassgrad.hstack([a, b]) * w).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), w.numpy()[:, :3])
    np.testing.assert_array_equal(b.grad.numpy(), w.numpy()[:, 3:])


def test_isin_histc_is_floating_point_and_xlogy_at_zero_match_torch():
    e, t = [1, 2, 3, 4], [2, 5, 4]
    assert glassgrad.isin(glassgrad.tensor(e), glassgrad.tensor(t)).tolist() == torch.isin(torch.tensor(e), torch.tensor(t)).tolist()
    assert (glassgrad.isin(glassgrad.tensor(e), glassgrad.tensor(t), invert=True).tolist()
            == torch.isin(torch.tensor(e), torch.tensor(t), invert=True).tolist())
    data = np.random.default_rng(0).standard_normal(200).astype(np.float32)
    for kwargs in ({"bins": 7}, {"bins": 5, "min": -1, "max": 1}, {"bins": 3, "min": 2, "max": 2}):
        assert glassgrad.histc(glassgrad.tensor(data), **kwargs).tolist() == torch.histc(torch.tensor(data), **kwargs).tolist()
    assert glassgrad.is_floating_point(glassgrad.zeros(1)) and not glassgrad.is_floating_point(glassgrad.tensor([1]))
    # 0 log 0 = 0, and the gradient in x there is log(1) = 0 (torch: xlogy(x != 0, y))
    x = glassgrad.tensor([0.0, 0.0, 2.0], dtype=glassgrad.float64, requires_grad=True)
    out = glassgrad.xlogy(x, glassgrad.tensor([0.0, 3.0, 3.0], dtype=glassgrad.float64))
    assert out.tolist() == [0.0, 0.0, 2 * np.log(3.0)]
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, np.log(3.0)])
    assert np.isnan(glassgrad.xlogy(glassgrad.tensor([0.0]), glassgrad.tensor([float("nan")])).item())


# polygamma with n = 2: torch's n = 1 (trigamma) is good to 1e-9 only
@pytest.mark.parametrize("name, args", [
    ("erfinv", ()), ("lgamma", ()), ("digamma", ()), ("polygamma", (2,)), ("logit", ()),
    ("xlogy", ("other",)), ("hypot", ("other",)), ("deg2rad", ()), ("rad2deg", ()), ("sgn", ()),
])
def test_in_place_methods_write_what_the_function_gives(name, args):
    values = np.array([[0.2, 0.45], [0.7, 0.9]])
    other = np.array([[1.5, 0.3], [2.0, 0.8]])
    ours, theirs = glassgrad.tensor(values), torch.tensor(values)
    g_args = [glassgrad.tensor(other) if a == "other" else a for a in args]
    t_args = [torch.tensor(other) if a == "other" else a for a in args]
    assert getattr(ours, name + "_")(*g_args) is ours
    getattr(theirs, name + "_")(*t_args)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_baddbmm_in_place():
    rng = np.random.default_rng(1)
    c, a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 5, 4))
    ours = glassgrad.tensor(c)
    ours.baddbmm_(glassgrad.tensor(a), glassgrad.tensor(b), beta=0.5, alpha=2.0)
    np.testing.assert_allclose(ours.numpy(), torch.tensor(c).baddbmm_(torch.tensor(a), torch.tensor(b), beta=0.5, alpha=2.0).numpy(), rtol=1e-12)
