"""The playground's data: five seeded 2-D datasets, an uploaded CSV, a train/test split.

    X, y = make_dataset("circles", points=200, noise=0.1, seed=0)   # X (n, 2) float32, y (n,) int64
    X, y = parse_csv("x,y,label\\n0.5,1,0\\n...")                   # or a UserError of one line
    (X_train, y_train), (X_test, y_test) = split(X, y, test_fraction=0.3, seed=0)

circles, moons and spirals are glassgrad.data.toy's (scikit-learn's definitions, drawn
with NumPy); xor and blobs are TensorFlow Playground's two others, written here:

- xor: points uniform on the square [-1, 1]^2, each coordinate pushed 0.05 away from its
  axis (so the quadrants do not touch), labelled 1 where x*y > 0 (first and third quadrant);
- blobs: two Gaussian clouds of standard deviation 0.25 around (-0.5, -0.5) (label 0) and
  (0.5, 0.5) (label 1).

In every generated set ``noise`` is the standard deviation of Gaussian noise added to each
coordinate after the labels are set, so noise moves points across the true boundary.
Each random draw has its own stream, ``numpy.random.default_rng((seed, purpose))``: the
same seed gives the same points, split and (session.py) weights, whatever ran before.
"""

import csv
import math

import numpy as np

from ..errors import UserError
from . import limits

# the purposes a seed is spent on, one random stream each
DATA, SPLIT, WEIGHTS, BATCHES, DROPOUT = range(5)


def stream(seed, purpose):
    """The random stream of ``purpose`` (one of the constants above) for ``seed``."""
    return np.random.default_rng((int(seed), purpose))


def make_dataset(name, points=200, noise=0.1, seed=0):
    """``points`` points of dataset ``name`` (xor, circles, moons, spirals, blobs)."""
    from ..data import toy

    if name in ("circles", "moons", "spirals"):
        make = getattr(toy, name)
        data_seed = int(stream(seed, DATA).integers(2**31))
        X, y = make(n=points, noise=noise, seed=data_seed)
        return X.numpy().astype(np.float32), y.numpy().astype(np.int64)
    rng = stream(seed, DATA)
    if name == "xor":
        X = rng.uniform(-1.0, 1.0, size=(points, 2))
        X += np.where(X > 0, 0.05, -0.05)
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    elif name == "blobs":
        y = np.arange(points) % 2
        centre = np.where(y[:, None] == 1, 0.5, -0.5)
        X = centre + rng.normal(0.0, 0.25, size=(points, 2))
    else:
        raise UserError(f"dataset: expected one of xor, circles, moons, spirals, blobs, got {name!r}")
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X.astype(np.float32), y.astype(np.int64)


def parse_csv(text):
    """The points of an uploaded CSV: lines ``x,y,label`` (an optional header line first),
    x and y finite numbers, labels whole numbers from 0 to MAX_CLASSES - 1, at least two
    classes, at most MAX_POINTS rows. Anything else: a UserError naming the line."""
    if not isinstance(text, str):
        raise UserError(f"csv: expected the file's text, got {type(text).__name__}")
    rows = []
    header_seen = False
    try:
        for number, fields in enumerate(csv.reader(text.splitlines()), start=1):
            fields = [f.strip() for f in fields]
            if not any(fields):
                continue  # a blank line
            if len(fields) != 3:
                raise UserError(f"csv line {number}: expected 3 values x,y,label, got {len(fields)}: "
                                f"{_clip(','.join(fields))!r}")
            if not rows and not header_seen and not _is_number(fields[0]) and not _is_number(fields[1]):
                header_seen = True  # a header such as x,y,label
                continue
            if len(rows) == limits.MAX_POINTS:
                raise UserError(f"csv: expected at most {limits.MAX_POINTS} points, got more "
                                f"(line {number})")
            rows.append(_row(number, fields))
    except csv.Error as exc:
        raise UserError(f"csv: cannot read the file as CSV: {exc}") from None
    if len(rows) < 4:
        raise UserError(f"csv: expected at least 4 points (lines x,y,label), got {len(rows)}")
    X = np.array([r[:2] for r in rows], dtype=np.float64)
    y = np.array([r[2] for r in rows], dtype=np.int64)
    if np.abs(X).max() > 1e6:
        raise UserError("csv: expected coordinates of at most 1e6 in size, got "
                        f"{np.abs(X).max():g}")
    labels = sorted(set(y.tolist()))
    if len(labels) < 2:
        raise UserError(f"csv: expected points of at least 2 classes, every label is {labels[0]}")
    return X.astype(np.float32), y


def _row(number, fields):
    coords = []
    for name, text in zip("xy", fields[:2]):
        try:
            v = float(text)
        except ValueError:
            raise UserError(f"csv line {number}: {name}: expected a number, got {_clip(text)!r}") from None
        if not math.isfinite(v):
            raise UserError(f"csv line {number}: {name}: expected a finite number, got {_clip(text)!r}")
        coords.append(v)
    label = _label(fields[2])
    if label is None:
        raise UserError(f"csv line {number}: label: expected a whole number from 0 to "
                        f"{limits.MAX_CLASSES - 1}, got {_clip(fields[2])!r}")
    return coords[0], coords[1], label


def _label(text):
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v) or not v.is_integer() or not 0 <= v < limits.MAX_CLASSES:
        return None
    return int(v)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _clip(text, room=40):
    return text if len(text) <= room else text[:room] + "..."


def split(X, y, test_fraction, seed):
    """A seeded random split: round(test_fraction * n) points to test, the rest to train
    (at least 2). Returns ((X_train, y_train), (X_test, y_test))."""
    n = len(y)
    n_test = int(round(test_fraction * n))
    if n - n_test < 2:
        raise UserError(f"test_fraction: {test_fraction} of {n} points leaves {n - n_test} to "
                        "train on; expected at least 2")
    order = stream(seed, SPLIT).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return (X[train], y[train]), (X[test], y[test])
