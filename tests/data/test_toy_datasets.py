import math
import subprocess
import sys

import numpy as np
import pytest

from glassgrad.data import circles, moons, spirals, xor


def _sorted_rows(a):
    a = np.round(np.asarray(a, dtype=np.float64), 5)
    return a[np.lexsort(a.T[::-1])]


def test_xor_is_the_truth_table():
    X, y = xor()
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert X.array.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.array.tolist() == [int(a) ^ int(b) for a, b in X.array.tolist()]


@pytest.mark.parametrize("make", [circles, moons, spirals])
def test_shapes_dtypes_and_determinism(make):
    X, y = make(n=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    X2, y2 = make(n=101, seed=3)
    np.testing.assert_array_equal(X.array, X2.array)
    np.testing.assert_array_equal(y.array, y2.array)
    X3, _ = make(n=101, seed=4)
    assert not np.array_equal(X.array, X3.array)


@pytest.mark.parametrize("make", [circles, moons])
def test_two_class_balance_follows_sklearn(make):
    # sklearn: floor(n/2) points in class 0, the rest in class 1
    _, y = make(n=101)
    assert np.bincount(y.array).tolist() == [50, 51]


def test_circle_radii_ratio_is_factor():
    X, y = circles(n=200, noise=0.0, factor=0.3)
    r = np.linalg.norm(X.array.astype(np.float64), axis=1)
    np.testing.assert_allclose(r[y.array == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(r[y.array == 1], 0.3, rtol=1e-6)


def test_noise_has_the_requested_standard_deviation():
    X, y = circles(n=20000, noise=0.1, factor=0.5, seed=0)
    clean, y_clean = circles(n=20000, noise=0.0, factor=0.5, seed=0)
    # same seed: same shuffle, so the difference is the noise alone
    np.testing.assert_array_equal(y.array, y_clean.array)
    assert abs(np.std(X.array - clean.array) - 0.1) < 0.002


@pytest.mark.parametrize("n", [10, 11, 200])
def test_circles_and_moons_equal_sklearn_without_noise(n):
    sklearn = pytest.importorskip("sklearn.datasets")
    for ours, theirs in [
        (circles(n=n, noise=0, factor=0.4, shuffle=False), sklearn.make_circles(n, factor=0.4, shuffle=False)),
        (moons(n=n, noise=0, shuffle=False), sklearn.make_moons(n, shuffle=False)),
    ]:
        np.testing.assert_allclose(ours[0].array, theirs[0], atol=1e-6)
        np.testing.assert_array_equal(ours[1].array, theirs[1])
    # shuffled: the same set of labelled points
    X, y = circles(n=n, noise=0, factor=0.4)
    Xs, ys = sklearn.make_circles(n, factor=0.4, random_state=0)
    np.testing.assert_allclose(_sorted_rows(np.c_[X.array, y.array]), _sorted_rows(np.c_[Xs, ys]), atol=1e-5)


def test_spirals_balance_and_geometry():
    X, y = spirals(n=301, classes=3, noise=0.0, shuffle=False)
    assert np.bincount(y.array).tolist() == [101, 100, 100]
    r = np.linalg.norm(X.array, axis=1)
    assert r.max() <= 1 + 1e-6
    # Each arm starts at the centre and ends at radius 1, at angle 2 pi k/3 + 2 pi * 0.75.
    for k in range(3):
        arm = X.array[y.array == k]
        np.testing.assert_allclose(arm[0], [0.0, 0.0], atol=1e-7)
        end = 2 * math.pi * k / 3 + 1.5 * math.pi
        np.testing.assert_allclose(arm[-1], [math.cos(end), math.sin(end)], atol=1e-6)


def test_spirals_two_classes_default():
    X, y = spirals()
    assert X.shape == (300, 2) and np.bincount(y.array).tolist() == [150, 150]


def test_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        circles(factor=1.5)
    with pytest.raises(ValueError, match="n must be"):
        moons(n=1)
    with pytest.raises(ValueError, match="noise"):
        moons(noise=-1)
    with pytest.raises(ValueError, match="n must be"):
        spirals(n=3, classes=3)


def test_seed_none_follows_manual_seed():
    import glassgrad

    glassgrad.manual_seed(11)
    a = moons(seed=None)[0].array
    glassgrad.manual_seed(11)
    b = moons(seed=None)[0].array
    np.testing.assert_array_equal(a, b)


def test_import_glassgrad_needs_no_sklearn():
    code = "import sys, glassgrad, glassgrad.data; print('sklearn' in sys.modules, 'urllib.request' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
