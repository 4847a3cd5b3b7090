"""The losses of the seeds, per example (columns), each with the error signal it starts the
delta recursion with: delta_L = dL_i/dS_L for one example (the reduction over examples
scales it by 1 or 1/N afterwards).

| name            | L_i                                        | delta_L = dL_i/dS_L                     |
|-----------------|--------------------------------------------|-----------------------------------------|
| squared_error   | 1/2 sum_k (z_k - y_k)^2                    | (z - y) * f'(s)                         |
| mse             | 1/K sum_k (z_k - y_k)^2                    | 2/K (z - y) * f'(s)                     |
| cross_entropy   | -sum_k y_k log p_k,  p = softmax(s)        | p - y  (y one-hot or a distribution)    |
| softmax_hinge   | sum_{j != c} max(0, p_j - p_c + margin)    | p * (g - <p, g>),  g = dL/dp            |
| logistic        | -y log p - (1-y) log(1-p),  p = sigmoid(s) | p - y                                   |

For squared_error and mse the output activation f may be any activation (softmax too,
through its Jacobian). cross_entropy and softmax_hinge need a softmax output layer,
logistic a single sigmoid unit: their delta is computed directly from s, as seed 001's
tip says ("skip dL/dh, compute dL/dz directly").
"""

import numpy as np

from .activations import backprop


def _log_softmax(s):
    shifted = s - s.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def _softplus(s):
    return np.maximum(s, 0.0) + np.log1p(np.exp(-np.abs(s)))


class SquaredError:
    name = "squared_error"
    formula = "L_i = 1/2 sum_k (yhat_k - y_k)^2"
    formula_tex = r"L_i = \tfrac{1}{2} \sum_k (\hat{y}_k - y_k)^2"
    delta_tex = r"\delta_L = \frac{\partial L}{\partial \hat{y}} \odot f'(s_L) = (\hat{y} - y) \odot f'(s_L)"
    fused = False

    def check(self, mlp, Y):
        _check_shape(self.name, Y, (mlp.sizes[-1], None))

    def value(self, S, Z, Y, **_):
        return 0.5 * ((Z - Y) ** 2).sum(axis=0), None

    def d_output(self, Z, Y):
        return Z - Y

    def delta(self, S, Z, Y, activation, **_):
        g = self.d_output(Z, Y)
        return backprop(activation, S, Z, g), g


class MSE(SquaredError):
    name = "mse"
    formula = "L_i = 1/K sum_k (yhat_k - y_k)^2"
    formula_tex = r"L_i = \tfrac{1}{K} \sum_k (\hat{y}_k - y_k)^2"
    delta_tex = r"\delta_L = \tfrac{2}{K} (\hat{y} - y) \odot f'(s_L)"

    def value(self, S, Z, Y, **_):
        return ((Z - Y) ** 2).mean(axis=0), None

    def d_output(self, Z, Y):
        return 2.0 * (Z - Y) / Z.shape[0]


class CrossEntropy:
    name = "cross_entropy"
    formula = "L_i = -sum_k y_k log yhat_k,  yhat = softmax(s)"
    formula_tex = r"L_i = -\sum_k y_k \log \hat{y}_k,\quad \hat{y} = \mathrm{softmax}(s_L)"
    delta_tex = r"\delta_L = \hat{y} - y"
    fused = True

    def check(self, mlp, Y):
        if mlp.activations[-1] != "softmax":
            raise ValueError("cross_entropy needs a softmax output layer (activation 'softmax')")
        _check_shape(self.name, Y, (mlp.sizes[-1], None))

    def value(self, S, Z, Y, **_):
        return -(Y * _log_softmax(S)).sum(axis=0), Z

    def delta(self, S, Z, Y, activation, **_):
        # dL/ds = p * sum_k y_k - y, which is p - y when the targets sum to 1
        return Z * Y.sum(axis=0, keepdims=True) - Y, None


class SoftmaxHinge:
    name = "softmax_hinge"
    formula = "L_i = sum_{j != y} max(0, p_j - p_y + margin),  p = softmax(s)"
    formula_tex = r"L_i = \sum_{j \neq y_i} \max(0,\ p_j - p_{y_i} + \Delta),\quad p = \mathrm{softmax}(s_L)"
    delta_tex = (r"g = \frac{\partial L}{\partial p}:\ g_j = [p_j - p_{y} + \Delta > 0]\ (j \neq y),\ "
                 r"g_y = -\sum_{j \neq y} g_j;\quad \delta_L = p \odot (g - p^\top g)")
    fused = True

    def check(self, mlp, Y):
        if mlp.activations[-1] != "softmax":
            raise ValueError("softmax_hinge needs a softmax output layer (activation 'softmax')")
        _check_classes(self.name, Y, mlp.sizes[-1])

    def active(self, Z, Y, margin=1.0):
        N = Z.shape[1]
        cols = np.arange(N)
        p_true = Z[Y, cols]
        margins = Z - p_true[None, :] + margin
        active = margins > 0
        active[Y, cols] = False
        return margins, active

    def value(self, S, Z, Y, margin=1.0, **_):
        margins, active = self.active(Z, Y, margin)
        return np.where(active, margins, 0.0).sum(axis=0), Z

    def d_probabilities(self, Z, Y, margin=1.0):
        _, active = self.active(Z, Y, margin)
        g = active.astype(Z.dtype)
        g[Y, np.arange(Z.shape[1])] = -active.sum(axis=0)
        return g

    def delta(self, S, Z, Y, activation, margin=1.0, **_):
        g = self.d_probabilities(Z, Y, margin)
        return backprop("softmax", S, Z, g), g


class Logistic:
    name = "logistic"
    formula = "L_i = -y log p - (1 - y) log(1 - p) = log(1 + e^s) - y s,  p = sigmoid(s)"
    formula_tex = (r"L_i = -y \log p - (1-y)\log(1-p) = \log(1 + e^{s}) - y\,s,"
                   r"\quad p = \sigma(s_L)")
    delta_tex = r"\delta_L = \sigma(s_L) - y"
    fused = True

    def check(self, mlp, Y):
        if mlp.sizes[-1] != 1 or mlp.activations[-1] != "sigmoid":
            raise ValueError("logistic loss needs one sigmoid output unit (last layer of size 1, "
                             "activation 'sigmoid')")
        _check_shape(self.name, Y, (1, None))

    def value(self, S, Z, Y, **_):
        return (_softplus(S) - Y * S).sum(axis=0), Z

    def delta(self, S, Z, Y, activation, **_):
        return Z - Y, None


LOSSES = {cls.name: cls() for cls in (SquaredError, MSE, CrossEntropy, SoftmaxHinge, Logistic)}


def get_loss(name):
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}") from None


def _check_shape(name, Y, shape):
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[0] != shape[0]:
        raise ValueError(f"{name}: targets must have shape ({shape[0]}, N) (one column per "
                         f"example), got {Y.shape}")


def _check_classes(name, Y, k):
    Y = np.asarray(Y)
    if Y.ndim != 1 or Y.dtype.kind not in "iu" or (Y.size and (Y.min() < 0 or Y.max() >= k)):
        raise ValueError(f"{name}: targets must be class indices in 0..{k - 1}, one per example")
