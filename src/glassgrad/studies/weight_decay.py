r"""weight-decay (seed 002, exam question 1.5): are L2 regularisation and weight decay the same?

L2 adds lambda/2 ||w||^2 to the loss, so the gradient gains lambda w and an SGD step is
w <- w - eta (g + lambda w) = (1 - eta lambda) w - eta g. Weight decay shrinks the weight
directly, w <- (1 - lambda') w - eta g. They are the same update when lambda' = eta lambda,
i.e. lambda = lambda' / eta (the exam's answer). With Adam they are not: the L2 term goes
through Adam's per-weight scaling by 1 / sqrt(v), the decoupled decay (AdamW) does not.
The study runs both pairs from the same start on the same batches in float64 and
measures how far apart the weights end up.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.data import circles

from . import study
from .common import mlp
from .result import StudyResult


def _run(make_optimizer, X, y, steps, batch, seed, manual_decay=0.0):
    """Train the same 2-16-16-2 tanh net; returns the flat weight vector after each step.
    ``manual_decay`` = lambda': shrink every weight by (1 - lambda') after computing the
    gradient and before the optimizer's step, by hand."""
    previous = glassgrad.get_default_dtype()
    glassgrad.set_default_dtype(glassgrad.float64)
    try:
        model = mlp([2, 16, 16, 2], "tanh", "default", seed=seed)
        opt = make_optimizer(model.parameters())
        rng = np.random.default_rng(seed)
        Xt, yt = X.astype(np.float64), y
        path = []
        for _ in range(steps):
            idx = rng.choice(len(Xt), batch, replace=False)
            loss = nn.functional.cross_entropy(model(glassgrad.tensor(Xt[idx])), glassgrad.tensor(yt[idx]))
            opt.zero_grad()
            loss.backward()
            if manual_decay:
                with glassgrad.no_grad():
                    for p in model.parameters():
                        p.mul_(1 - manual_decay)
            opt.step()
            path.append(np.concatenate([p.array.ravel() for p in model.parameters()]))
        return np.array(path)
    finally:
        glassgrad.set_default_dtype(previous)


@study("weight-decay", "Is weight decay the same as L2 regularisation (with SGD, and with Adam)?", "002")
def run(quick=False, seed=0, progress=False):
    steps = 300 if quick else 3000
    eta, lam, batch = 0.1, 0.01, 32
    X, y = circles(n=400, noise=0.05, seed=seed)
    X, y = X.array, y.array
    settings = dict(steps=steps, lr=eta, l2_lambda=lam, decay_lambda_prime=eta * lam, batch=batch,
                    dtype="float64", model="2-16-16-2 tanh MLP on circles", adam_lr=0.01)
    optim = glassgrad.optim
    sgd_l2 = _run(lambda p: optim.SGD(p, lr=eta, weight_decay=lam), X, y, steps, batch, seed)
    sgd_hand = _run(lambda p: optim.SGD(p, lr=eta), X, y, steps, batch, seed, manual_decay=eta * lam)
    sgd_decoupled = _run(lambda p: optim.SGD(p, lr=eta, weight_decay=lam, decay="decoupled"), X, y, steps, batch, seed)
    adam_l2 = _run(lambda p: optim.Adam(p, lr=0.01, weight_decay=lam), X, y, steps, batch, seed)
    adamw = _run(lambda p: optim.AdamW(p, lr=0.01, weight_decay=lam), X, y, steps, batch, seed)
    gap = lambda a, b: np.abs(a - b).max(1)  # noqa: E731  largest weight difference per step
    numbers = {
        "sgd_l2_vs_hand_decay": gap(sgd_l2, sgd_hand), "sgd_l2_vs_decoupled": gap(sgd_l2, sgd_decoupled),
        "adam_l2_vs_adamw": gap(adam_l2, adamw),
        "norm": {"sgd_l2": np.linalg.norm(sgd_l2, axis=1), "adam_l2": np.linalg.norm(adam_l2, axis=1),
                 "adamw": np.linalg.norm(adamw, axis=1)},
    }
    result = StudyResult(numbers=numbers, settings=settings)
    result.find(f"SGD: max |w_L2 - w_decay| over {steps} steps, lambda' = eta lambda",
                float(numbers["sgd_l2_vs_hand_decay"].max()), "float64 rounding only: the same update")
    result.find("SGD: L2 against SGD(decay='decoupled')", float(numbers["sgd_l2_vs_decoupled"].max()), "the same")
    result.find("Adam(L2) against AdamW: max weight difference", float(numbers["adam_l2_vs_adamw"].max()),
                "different trajectories")
    result.find("final ||w||: Adam with L2 / AdamW",
                f"{numbers['norm']['adam_l2'][-1]:.3f} / {numbers['norm']['adamw'][-1]:.3f}", "")
    result.add_figure("trajectories", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import figure, integer_ticks, legend_outside, log_axis

    fig, ax = figure(width=5.0, height=3.4)
    steps = np.arange(1, len(numbers["adam_l2_vs_adamw"]) + 1)
    floor = 1e-18  # a difference of exactly 0 has no place on a log axis
    ax.plot(steps, np.maximum(numbers["sgd_l2_vs_hand_decay"], floor), label="SGD: L2 vs weight decay")
    ax.plot(steps, np.maximum(numbers["adam_l2_vs_adamw"], floor), "--", label="Adam (L2) vs AdamW")
    log_axis(ax, "y")
    integer_ticks(ax)
    ax.set_xlabel("step")
    ax.set_ylabel("largest weight difference")
    legend_outside(ax)
    return fig
