r"""symmetry (seed 001): what happens when every weight starts at the same value?

Seed 001's worked exercise starts a 4-4-3-3 tanh network with every weight and bias 0.1.
Then every hidden unit of a layer computes the same function of the same inputs, receives
the same gradient (its outgoing weights are equal too) and takes the same step: the units
stay identical for ever, and the layer is worth one unit. A random start breaks the tie.
The study trains the seed's network both ways (SGD, lr 0.1, 1/2 squared error as in the
seed) and prints the largest difference between two units' incoming weights.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn

from . import study
from .common import linear_layers, mlp
from .result import StudyResult


def unit_spread(model):
    """Per hidden layer: the largest |w_j - w_k| over units j, k of the incoming weights
    and bias (rows of W and entries of b)."""
    spreads = []
    for lin in linear_layers(model)[:-1]:
        rows = np.concatenate([lin.weight.array, lin.bias.array[:, None]], axis=1)
        spreads.append(float((rows.max(0) - rows.min(0)).max()))
    return spreads


def train(init, X, Y, steps, seed):
    model = mlp([4, 4, 3, 3], "tanh", init, seed=seed)
    opt = glassgrad.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.SquaredError(reduction="mean")
    history = []
    for _ in range(steps):
        loss = loss_fn(model(glassgrad.tensor(X)), glassgrad.tensor(Y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(unit_spread(model) + [float(loss.item())])
    return np.array(history)


@study("symmetry", "If every weight starts at 0.1, do the hidden units ever become different?", "001")
def run(quick=False, seed=0, progress=False):
    steps = 500 if quick else 5000
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((30, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 30)]
    same = train("constant:0.1", X, Y, steps, seed)
    rand = train("default", X, Y, steps, seed)
    result = StudyResult(numbers={"constant_0.1": {"spread_layer1": same[:, 0], "spread_layer2": same[:, 1],
                                                   "loss": same[:, 2]},
                                  "random": {"spread_layer1": rand[:, 0], "spread_layer2": rand[:, 1],
                                             "loss": rand[:, 2]}},
                         settings=dict(network="4-4-3-3 tanh (seed 001)", steps=steps, lr=0.1,
                                       loss="1/2 squared error, mean over 30 random examples"))
    result.find(f"all weights 0.1: largest difference between hidden units after {steps} steps",
                float(max(same[-1, 0], same[-1, 1])), "0: the units stay identical")
    result.find(f"random init: the same after {steps} steps", float(min(rand[-1, 0], rand[-1, 1])), "they differ")
    result.find("final loss: all 0.1 / random", f"{same[-1, 2]:.4f} / {rand[-1, 2]:.4f}",
                "the symmetric net has one unit per layer")
    result.add_figure("spread", lambda: _figure(same, rand))
    return result


def _figure(same, rand):
    from .plot import figure, integer_ticks, legend_outside

    fig, ax = figure(width=5.0, height=3.2)
    steps = np.arange(1, len(same) + 1)
    ax.plot(steps, rand[:, 0], label="random init, layer 1")
    ax.plot(steps, rand[:, 1], "--", label="random init, layer 2")
    ax.plot(steps, same[:, 0], ":", linewidth=2.5, label="all weights 0.1, both layers")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("largest difference between units")
    integer_ticks(ax)
    legend_outside(ax)
    return fig
