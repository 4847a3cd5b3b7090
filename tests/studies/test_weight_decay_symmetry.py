"""weight-decay and symmetry: their findings against what the algebra says."""

import numpy as np
import pytest

from glassgrad.studies import symmetry, weight_decay


def test_l2_and_weight_decay_follow_one_trajectory_with_sgd_but_not_with_adam():
    r = weight_decay.run(quick=True)
    # (1 - eta lambda) w - eta g  and  w - eta (g + lambda w) differ only in float64 rounding
    assert r.numbers["sgd_l2_vs_hand_decay"].max() <= 1e-12
    assert r.numbers["sgd_l2_vs_decoupled"].max() <= 1e-12
    # Adam divides the L2 term by sqrt(v): the trajectories part by far more than rounding
    assert r.numbers["adam_l2_vs_adamw"].max() > 1e-2


def test_equal_weights_stay_equal_and_random_ones_differ():
    r = symmetry.run(quick=True)
    same, rand = r.numbers["constant_0.1"], r.numbers["random"]
    # identical units compute identical values from identical inputs; allow only rounding
    # (a BLAS kernel may sum one output column in another order than the next)
    assert max(same["spread_layer1"].max(), same["spread_layer2"].max()) <= 1e-6
    assert min(rand["spread_layer1"][-1], rand["spread_layer2"][-1]) > 1e-2


def test_unit_spread_by_hand():
    from glassgrad.studies.common import mlp

    model = mlp([2, 3, 2], "tanh", "constant:0.5", seed=0)
    assert symmetry.unit_spread(model) == [0.0]
    model[0].weight.array[1, 0] = 2.0
    assert symmetry.unit_spread(model) == [pytest.approx(1.5)]


def test_overwrite_sqrt_formula_is_absolute_cosine_and_backward_refuses():
    from glassgrad.studies import overwrite

    r = overwrite.run(quick=True).numbers
    # sqrt(1 - sin^2 x) = |cos x| differs from cos x by 2|cos x| where cos x < 0: 2 at x = pi
    assert r["sin_max_error"] == pytest.approx(2.0)
    # on a symmetric grid of [-pi, pi], cos x < 0 on |x| > pi/2: half of the points
    assert r["sin_wrong_fraction"] == pytest.approx(0.5, abs=2e-3)
    assert r["version_after"] == r["version_before"] + 1
    assert "in-place" in r["backward_error"] or "inplace" in r["backward_error"]


def test_xor_linear_fails_goodfellow_and_training_succeed():
    from glassgrad.studies import xor

    r = xor.run(quick=True).numbers
    # normal equations by hand: by symmetry w1 = w2 = w, and the mean gives b = 1/2 - w;
    # sum over points of x1 (y - f) = 0 gives w = 0: f = 1/2 and MSE = 1/4
    assert r["linear"]["mse"] == pytest.approx(0.25, abs=1e-12)
    assert r["goodfellow"]["output"].tolist() == [0.0, 1.0, 1.0, 0.0]  # small integers: exact
    assert r["goodfellow"]["hidden"].tolist() == [[0, 0], [1, 0], [1, 0], [2, 1]]
    assert r["trained"]["mse"] < 1e-3


def test_linear_stack_is_one_linear_map_and_tanh_bends():
    from glassgrad.studies import linear_stack

    r = linear_stack.run(quick=True).numbers
    # float32 through four 16-wide layers: a few ulps of the output's size per layer
    assert r["max_output_difference"] <= 1e-5 * max(1.0, r["output_scale"])
    acc = r["test_accuracy"]
    # circles: one class inside the other; any straight line leaves about half misclassified
    assert acc["1 linear layer"] < 0.7 and acc["4 linear layers, no activation"] < 0.7
    assert acc["4 layers with tanh"] > 0.95


def test_collapse_by_hand():
    from glassgrad.studies.common import mlp
    from glassgrad.studies.linear_stack import collapse

    model = mlp([2, 2, 1], "identity", "constant:1.0", seed=0)
    W, b = collapse(model)
    # layer 1: [[1,1],[1,1]] x + [1,1]; layer 2: [1,1] h + 1 -> W = [2, 2], b = 3
    np.testing.assert_array_equal(W, [[2.0, 2.0]])
    np.testing.assert_array_equal(b, [3.0])
