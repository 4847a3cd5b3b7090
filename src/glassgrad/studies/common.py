"""Small pieces the studies share: deep MLPs, per-layer gradient norms, MNIST loading."""

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.nn.init import init_scheme_

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}


def mlp(sizes, activation="relu", init="default", seed=0):
    """Linear layers of the given sizes with ``activation`` between them (none after the last),
    initialised by the named scheme (see ``glassgrad.nn.init.init_scheme_``) from ``seed``."""
    glassgrad.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    model = nn.Sequential(*layers)
    return init_scheme_(model, init, nonlinearity=activation)


def linear_layers(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def weight_grad_norms(model):
    """The Frobenius norm of dL/dW of each Linear layer, first to last (after a backward)."""
    return np.array([float(np.linalg.norm(m.weight.grad.array)) for m in linear_layers(model)])


def mnist_arrays(split, n=None, flat=True):
    """(images float32 in [0, 1], labels int64) of MNIST ``split``, the first ``n``.
    Raises glassgrad.data.DatasetNotFoundError when the files are missing."""
    from glassgrad.data import mnist

    X, y = mnist(split).tensors
    X, y = X.array, y.array
    if n is not None:
        X, y = X[:n], y[:n]
    if flat:
        X = X.reshape(len(X), -1)
    return X, y


def batches(n, batch_size, rng):
    """Shuffled index batches covering 0..n-1 once."""
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
