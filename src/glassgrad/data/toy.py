"""Small 2-D classification datasets for the first lessons: xor, circles, moons, spirals.

Each returns ``(X, y)``: X a float32 Tensor of shape (n, 2), y an int64 Tensor of class
labels. circles and moons follow scikit-learn's make_circles / make_moons definitions
point for point (same points, same labels, same noise model); only the random stream
differs, since glassgrad draws from NumPy's PCG64 generator. scikit-learn is not needed.

seed: an int gives a private generator (same data every call, global state untouched);
None draws from the global generator, which ``glassgrad.manual_seed`` controls.
"""

import math

from .. import backend
from ..backend import xp
from ..tensor import Tensor


def _rng(seed):
    return backend.rng() if seed is None else backend.Generator(int(seed)).numpy


def _check_n(n, at_least=1):
    if isinstance(n, bool) or not isinstance(n, (int, xp.integer)) or n < at_least:
        raise ValueError(f"n must be an integer >= {at_least}, got {n!r}")
    return int(n)


def _finish(X, y, rng, shuffle, noise):
    """Shuffle, then add Gaussian noise of std ``noise`` to every coordinate (sklearn's order)."""
    if noise is not None and noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}")
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return Tensor._wrap(X.astype(xp.float32)), Tensor._wrap(y.astype(xp.int64))


def xor():
    """The four XOR points: X = [[0,0],[0,1],[1,0],[1,1]], y = [0,1,1,0].

    No line separates the two classes, which is why a network needs a hidden layer."""
    X = xp.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=xp.float32)
    y = xp.array([0, 1, 1, 0], dtype=xp.int64)
    return Tensor._wrap(X), Tensor._wrap(y)


def circles(n=200, noise=0.05, factor=0.5, seed=0, shuffle=True):
    """Two concentric circles (sklearn.datasets.make_circles).

    Class 0: floor(n/2) points evenly spaced on the unit circle; class 1: the other
    ceil(n/2) points on the circle of radius ``factor`` (0 < factor < 1). Then Gaussian
    noise of standard deviation ``noise`` is added to each coordinate."""
    n = _check_n(n, 2)
    if not 0 < factor < 1:
        raise ValueError(f"factor is the inner radius and must be in (0, 1), got {factor}")
    n_out = n // 2
    n_in = n - n_out
    t_out = xp.linspace(0, 2 * math.pi, n_out, endpoint=False)
    t_in = xp.linspace(0, 2 * math.pi, n_in, endpoint=False)
    X = xp.concatenate([
        xp.stack([xp.cos(t_out), xp.sin(t_out)], axis=1),
        factor * xp.stack([xp.cos(t_in), xp.sin(t_in)], axis=1),
    ])
    y = xp.concatenate([xp.zeros(n_out, xp.int64), xp.ones(n_in, xp.int64)])
    return _finish(X, y, _rng(seed), shuffle, noise)


def moons(n=200, noise=0.1, seed=0, shuffle=True):
    """Two interleaving half circles (sklearn.datasets.make_moons).

    Class 0: floor(n/2) points (cos t, sin t), t evenly from 0 to pi inclusive; class 1:
    the other points (1 - cos t, 1/2 - sin t). Then Gaussian noise of std ``noise``."""
    n = _check_n(n, 2)
    n_out = n // 2
    n_in = n - n_out
    t_out = xp.linspace(0, math.pi, n_out)
    t_in = xp.linspace(0, math.pi, n_in)
    X = xp.concatenate([
        xp.stack([xp.cos(t_out), xp.sin(t_out)], axis=1),
        xp.stack([1 - xp.cos(t_in), 1 - xp.sin(t_in) - 0.5], axis=1),
    ])
    y = xp.concatenate([xp.zeros(n_out, xp.int64), xp.ones(n_in, xp.int64)])
    return _finish(X, y, _rng(seed), shuffle, noise)


def spirals(n=300, classes=2, noise=0.05, seed=0, shuffle=True, turns=0.75):
    """``classes`` interleaved spiral arms (the classic CS231n spiral, made exact).

    The n points are shared out as evenly as possible (the first n % classes classes get
    one more). On arm k with m points, point j has r = j / (m - 1) in [0, 1] and angle
    theta = 2 pi k / classes + 2 pi * turns * r; it sits at r (cos theta, sin theta). So
    every arm starts at the centre and winds ``turns`` revolutions out to radius 1.
    Then Gaussian noise of std ``noise`` is added to each coordinate."""
    classes = _check_n(classes, 2)
    n = _check_n(n, 2 * classes)
    sizes = [n // classes + (k < n % classes) for k in range(classes)]
    X, y = [], []
    for k, m in enumerate(sizes):
        r = xp.linspace(0.0, 1.0, m)
        theta = 2 * math.pi * k / classes + 2 * math.pi * turns * r
        X.append(r[:, None] * xp.stack([xp.cos(theta), xp.sin(theta)], axis=1))
        y.append(xp.full(m, k, dtype=xp.int64))
    return _finish(xp.concatenate(X), xp.concatenate(y), _rng(seed), shuffle, noise)
