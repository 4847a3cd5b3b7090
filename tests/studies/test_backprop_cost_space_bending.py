"""backprop-cost and space-bending: counts and agreement; separation in the hidden plane."""

import pytest


def test_finite_differences_use_two_forwards_per_parameter_and_agree_with_backprop():
    from glassgrad.studies.backprop_cost import run

    n = run(quick=True).numbers
    for w, P, forwards, rel in zip(n["widths"], n["parameters"], n["fd_forwards"], n["max_relative_difference"]):
        # 4-W-W-3 MLP: 4W + W + W^2 + W + 3W + 3 weights and biases
        assert P == w * w + 9 * w + 3
        assert forwards == 2 * P
        # central differences in float64, h = 1e-6: truncation h^2 and rounding eps/h ~ 1e-10
        assert rel < 1e-6


def test_hidden_plane_becomes_linearly_separable():
    from glassgrad.studies.space_bending import run

    n = run(quick=True).numbers
    acc = dict(zip(n["epochs"], n["accuracy"]))
    assert acc[0] < 0.8  # at the start the last hidden layer still mixes the two circles
    assert acc[max(acc)] > 0.97  # the output layer is linear: a line separates the hidden codes
