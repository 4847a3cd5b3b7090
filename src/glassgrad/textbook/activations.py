"""Activation functions f and their derivatives f'(s), written with the values the forward
pass already has (tanh' = 1 - z^2 and sigmoid' = z(1 - z) need only the output z).

softmax is a layer of its own kind: its Jacobian is not diagonal, so instead of f'(s)
it has ``softmax_backward``: dL/ds = p * (g - <p, g>) for g = dL/dp (per example).
"""

import numpy as np


def identity(s):
    return s


def tanh(s):
    return np.tanh(s)


def sigmoid(s):
    # 1 / (1 + e^-s) without overflow for large |s|
    e = np.exp(-np.abs(s))
    return np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(s):
    return np.maximum(s, 0.0)


def softmax(s):
    """Column-wise softmax: p_k = exp(s_k) / sum_j exp(s_j) (shifted by the max for safety)."""
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


ACTIVATIONS = {"identity": identity, "linear": identity, "tanh": tanh, "sigmoid": sigmoid,
               "relu": relu, "softmax": softmax}

# f'(s) in terms of s and z = f(s); the rule is what the worked solution prints
DERIVATIVES = {
    "identity": (lambda s, z: np.ones_like(s), "f'(s) = 1"),
    "linear": (lambda s, z: np.ones_like(s), "f'(s) = 1"),
    "tanh": (lambda s, z: 1.0 - z * z, "f'(s) = 1 - tanh(s)^2 = 1 - z^2"),
    "sigmoid": (lambda s, z: z * (1.0 - z), "f'(s) = sigmoid(s)(1 - sigmoid(s)) = z(1 - z)"),
    # ReLU'(0) is taken as 0, as PyTorch does
    "relu": (lambda s, z: (s > 0).astype(s.dtype), "f'(s) = 1 if s > 0 else 0"),
}

DERIVATIVE_TEX = {
    "identity": "f'(s) = 1", "linear": "f'(s) = 1",
    "tanh": r"f'(s) = 1 - \tanh^2 s = 1 - z^2",
    "sigmoid": r"f'(s) = \sigma(s)\,(1 - \sigma(s)) = z(1 - z)",
    "relu": r"f'(s) = [s > 0]",
}


def get_activation(name):
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of "
                         f"{', '.join(ACTIVATIONS)}") from None


def derivative(name, s, z):
    """f'(s) for an elementwise activation."""
    if name == "softmax":
        raise ValueError("softmax is not elementwise: it can only be the last layer, "
                         "with cross_entropy, softmax_hinge or squared_error")
    return DERIVATIVES[name][0](s, z)


def backprop(name, s, z, g):
    """dL/ds from g = dL/dz through the activation: g * f'(s), or the softmax Jacobian."""
    if name == "softmax":
        return softmax_backward(z, g)
    return g * derivative(name, s, z)


def softmax_backward(p, g):
    """dL/ds_j = sum_k g_k dp_k/ds_j = p_j (g_j - sum_k p_k g_k), per column."""
    return p * (g - (p * g).sum(axis=0, keepdims=True))
