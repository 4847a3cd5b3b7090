"""A multilayer perceptron whose backward pass is the delta recursion of the seeds, written
out with matrices. No autograd: every gradient is a line you could write on paper.

Notation (seed 003, with seed 001's layer indices). Examples are *columns*, as in the
seeds' column vectors: H0 = X has shape (n_0, N).

    forward     S_l = W_l H_{l-1} + b_l            pre-activation ("input of the unit", s_j)
                H_l = f_l(S_l)                      activation ("output of the unit", z_j)
    loss        L = sum_i L_i   or   (1/N) sum_i L_i
    backward    delta_L = dL/dS_L                   given by the loss (see losses.py)
                delta_l = (W_{l+1}^T delta_{l+1}) * f_l'(S_l)       (* is elementwise)
                dL/dW_l = delta_l H_{l-1}^T         (the sum over examples is in the product)
                dL/db_l = delta_l 1                 (sum of the columns)
    update      W_l <- W_l - lr dL/dW_l,  b_l <- b_l - lr dL/db_l
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import derivative, get_activation
from .losses import get_loss


@dataclass
class ForwardPass:
    """Everything the forward pass recorded: H[0] = X, S[l], H[l] for l = 1..L."""

    S: list  # S[0] is None; S[l] shape (n_l, N)
    H: list  # H[0] = X; H[l] shape (n_l, N); H[L] is the network's output
    losses: np.ndarray = None  # per-example losses L_i, shape (N,)
    loss: float = None  # reduced loss
    probabilities: np.ndarray = None  # softmax / sigmoid output of a fused loss (else None)


@dataclass
class BackwardPass:
    """delta[l] = dL/dS_l, dH[l] = dL/dH_l (l < L), and the parameter gradients.
    ``d_output``: dL/dH_L (squared error, MSE) or dL/dp (softmax hinge), None for the fused
    losses; ``extra["fprime"][l]``: f_l'(S_l) of the hidden layers."""

    delta: list
    dH: list
    dW: list
    db: list
    d_output: np.ndarray = None  # dL/dH_L when the loss has one (None for fused losses)
    extra: dict = field(default_factory=dict)


class MLP:
    """A fully connected network given by its matrices.

    ``weights``: list of arrays W_l of shape (n_l, n_{l-1}); ``biases``: list of arrays
    b_l of shape (n_l,) or None (no bias); ``activations``: one name per layer
    ('identity', 'tanh', 'sigmoid', 'relu', or 'softmax' for the last layer of a
    cross-entropy / hinge network). Arrays are kept as given (float64 recommended).
    """

    def __init__(self, weights, biases=None, activations=None):
        self.W = [np.asarray(W, dtype=np.float64) for W in weights]
        n = len(self.W)
        if biases is None:
            biases = [None] * n
        self.b = [None if b is None else np.asarray(b, dtype=np.float64).reshape(-1) for b in biases]
        if activations is None:
            activations = ["tanh"] * (n - 1) + ["identity"]
        if len(activations) != n or len(self.b) != n:
            raise ValueError(f"MLP: {n} weight matrices but {len(self.b)} biases and "
                             f"{len(activations)} activations; give one of each per layer")
        for name in activations:
            get_activation(name)  # validate early
        self.activations = list(activations)
        for l in range(n):  # noqa: E741 - l is the layer index, as in the seeds
            W = self.W[l]
            if W.ndim != 2:
                raise ValueError(f"MLP: W{l + 1} must be a matrix, got shape {W.shape}")
            if l and W.shape[1] != self.W[l - 1].shape[0]:
                raise ValueError(f"MLP: W{l + 1} has shape {W.shape} but layer {l} has "
                                 f"{self.W[l - 1].shape[0]} units; expected ({W.shape[0]}, "
                                 f"{self.W[l - 1].shape[0]})")
            if self.b[l] is not None and self.b[l].shape != (W.shape[0],):
                raise ValueError(f"MLP: b{l + 1} has shape {self.b[l].shape}, expected ({W.shape[0]},)")

    @property
    def sizes(self):
        return [self.W[0].shape[1]] + [W.shape[0] for W in self.W]

    @property
    def depth(self):
        return len(self.W)

    def copy(self):
        return MLP([W.copy() for W in self.W], [None if b is None else b.copy() for b in self.b],
                   list(self.activations))

    # ------------------------------------------------------------ forward
    def forward(self, X):
        """X: (n_0, N), one example per column (a 1-D X is one example)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.shape[0] != self.sizes[0]:
            raise ValueError(f"MLP: the input has {X.shape[0]} features per example (rows), "
                             f"the network expects {self.sizes[0]}")
        S, H = [None], [X]
        for l in range(self.depth):  # noqa: E741
            s = self.W[l] @ H[l]
            if self.b[l] is not None:
                s = s + self.b[l][:, None]
            S.append(s)
            H.append(get_activation(self.activations[l])(s))
        return ForwardPass(S, H)

    # ------------------------------------------------------------ loss + backward
    def loss(self, fwd, Y, loss="squared_error", reduction="sum", **options):
        """Per-example losses and the reduced loss; stored on ``fwd``."""
        spec = get_loss(loss)
        spec.check(self, Y)
        losses, probs = spec.value(fwd.S[-1], fwd.H[-1], Y, **options)
        fwd.losses = losses
        fwd.loss = float(losses.sum() if reduction == "sum" else losses.mean())
        fwd.probabilities = probs
        return fwd.loss

    def backward(self, fwd, Y, loss="squared_error", reduction="sum", **options):
        """The delta recursion. Returns a BackwardPass."""
        if reduction not in ("sum", "mean"):
            raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
        spec = get_loss(loss)
        spec.check(self, Y)
        N = fwd.H[0].shape[1]
        scale = 1.0 if reduction == "sum" else 1.0 / N
        L = self.depth
        delta = [None] * (L + 1)
        dH = [None] * (L + 1)
        # the output layer: delta_L = dL/dS_L, from the loss (and the output activation)
        delta_out, d_output = spec.delta(fwd.S[L], fwd.H[L], Y, self.activations[-1], **options)
        delta[L] = delta_out * scale
        d_output = None if d_output is None else d_output * scale
        dH[L] = d_output
        # hidden layers: delta_l = (W_{l+1}^T delta_{l+1}) * f_l'(S_l)
        fprime = [None] * (L + 1)
        for l in range(L - 1, 0, -1):  # noqa: E741
            dH[l] = self.W[l].T @ delta[l + 1]
            fprime[l] = derivative(self.activations[l - 1], fwd.S[l], fwd.H[l])
            delta[l] = dH[l] * fprime[l]
        # parameter gradients: dL/dW_l = delta_l H_{l-1}^T, dL/db_l = sum over examples of delta_l
        dW = [None] + [delta[l] @ fwd.H[l - 1].T for l in range(1, L + 1)]
        db = [None] + [None if self.b[l - 1] is None else delta[l].sum(axis=1) for l in range(1, L + 1)]
        return BackwardPass(delta, dH, dW, db, d_output, {"fprime": fprime})

    def gradients(self, X, Y, loss="squared_error", reduction="sum", **options):
        """(forward, backward) for data X, Y in one call."""
        fwd = self.forward(X)
        self.loss(fwd, Y, loss, reduction, **options)
        return fwd, self.backward(fwd, Y, loss, reduction, **options)

    def step(self, bwd, lr):
        """Gradient descent: W_l <- W_l - lr dL/dW_l (and the biases). In place."""
        for l in range(self.depth):  # noqa: E741
            self.W[l] = self.W[l] - lr * bwd.dW[l + 1]
            if self.b[l] is not None:
                self.b[l] = self.b[l] - lr * bwd.db[l + 1]
        return self
