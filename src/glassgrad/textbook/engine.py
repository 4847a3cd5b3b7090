"""The same network and loss through glassgrad's autograd engine, to hold the textbook's
delta recursion to it (and it to the textbook): both must give the same gradients.

The graph is built from glassgrad ops (matmul, add, the activation ops, softmax /
log_softmax / sigmoid for the losses) on float64 tensors, in the textbook's layout
(examples are columns), and differentiated by ``loss.backward()``.
"""

import numpy as np

from ..backend import float64


def _activation(name, s):
    import glassgrad as gg

    if name in ("identity", "linear"):
        return s
    if name == "softmax":
        return gg.softmax(s, dim=0)
    return getattr(gg, name)(s)


def engine_gradients(mlp, X, Y, loss="squared_error", reduction="sum", margin=1.0):
    """(loss, [dL/dW_l], [dL/db_l]) by autograd, for the textbook MLP ``mlp``.

    X: (n_0, N); Y as the textbook's loss expects (see textbook.losses)."""
    import glassgrad as gg

    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    N = X.shape[1]
    Ws = [gg.tensor(W, dtype=float64, requires_grad=True) for W in mlp.W]
    bs = [None if b is None else gg.tensor(b.reshape(-1, 1), dtype=float64, requires_grad=True)
          for b in mlp.b]
    h = gg.tensor(X, dtype=float64)
    s = None
    for W, b, act in zip(Ws, bs, mlp.activations):
        s = W @ h
        if b is not None:
            s = s + b  # (n, 1) broadcast over the N columns: the engine sums it back
        h = _activation(act, s)

    per_example = _loss(loss, s, h, Y, margin)
    total = per_example.sum() if reduction == "sum" else per_example.sum() / N
    total.backward()
    dW = [W.grad.array for W in Ws]
    db = [None if b is None else b.grad.array.reshape(-1) for b in bs]
    return float(total.array), dW, db


def _loss(name, s, h, Y, margin):
    import glassgrad as gg

    if name == "squared_error":
        d = h - gg.tensor(np.asarray(Y, dtype=np.float64))
        return (d * d).sum(dim=0) * 0.5
    if name == "mse":
        d = h - gg.tensor(np.asarray(Y, dtype=np.float64))
        return (d * d).sum(dim=0) / d.shape[0]
    if name == "cross_entropy":
        y = gg.tensor(np.asarray(Y, dtype=np.float64))
        return -(y * gg.log_softmax(s, dim=0)).sum(dim=0)
    if name == "softmax_hinge":
        Y = np.asarray(Y)
        k, n = h.shape
        onehot = np.zeros((k, n))
        onehot[Y, np.arange(n)] = 1.0
        p_true = (h * gg.tensor(onehot)).sum(dim=0)
        margins = h - p_true + margin
        return (gg.relu(margins) * gg.tensor(1.0 - onehot)).sum(dim=0)
    if name == "logistic":
        y = gg.tensor(np.asarray(Y, dtype=np.float64))
        p = h  # the sigmoid output
        return -(y * gg.log(p) + (1.0 - y) * gg.log(1.0 - p)).sum(dim=0)
    raise ValueError(f"unknown loss {name!r}")
