"""nn.init.orthogonal_ (used by PyTorch's super_resolution example): the filled matrix is
(semi-)orthogonal times the gain, checked by its Gram matrix, in place, and torch's refusal
of a 1-D tensor."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (16, 1, 3, 3), (4, 2, 3, 3)])
def test_orthogonal_fills_a_semi_orthogonal_matrix(shape):
    w = gg.empty(*shape, dtype=gg.float64)
    gain = nn.init.calculate_gain("relu")  # sqrt(2)
    out = nn.init.orthogonal_(w, gain)
    assert out is w
    m = w.numpy().reshape(shape[0], -1) / gain
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m  # the smaller side is orthonormal
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_draws_from_the_generator():
    gg.manual_seed(3)
    a = nn.init.orthogonal_(gg.empty(4, 4)).numpy().copy()
    gg.manual_seed(3)
    b = nn.init.orthogonal_(gg.empty(4, 4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, nn.init.orthogonal_(gg.empty(4, 4)).numpy())


def test_orthogonal_refuses_a_vector():
    with pytest.raises(ValueError, match="2 or more dims"):
        nn.init.orthogonal_(gg.empty(4))


# ------------------------------------------------------------------ trunc_normal_
def _truncated_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) truncated to [a, b] (closed form)."""
    import math

    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    Z = cdf(beta) - cdf(alpha)
    m = (pdf(alpha) - pdf(beta)) / Z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / Z - m * m
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                             (1.0, 2.0, 0.0, 6.0)])
def test_trunc_normal_draws_the_truncated_normal(mean, std, a, b):
    gg.manual_seed(0)
    w = nn.init.trunc_normal_(gg.empty(400, 250, dtype=gg.float64), mean, std, a, b).numpy()
    assert w.min() >= a and w.max() <= b
    expected_mean, expected_std = _truncated_moments(mean, std, a, b)
    n = w.size  # 1e5 draws: the sample mean is within 5 standard errors
    assert abs(w.mean() - expected_mean) < 5 * expected_std / np.sqrt(n)
    assert abs(w.std() - expected_std) < 5 * expected_std / np.sqrt(2 * n)


def test_trunc_normal_refuses_an_empty_window():
    with pytest.raises(ValueError, match="a < b"):
        nn.init.trunc_normal_(gg.empty(3), a=1.0, b=-1.0)
