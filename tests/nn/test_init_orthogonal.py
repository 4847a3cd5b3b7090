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
