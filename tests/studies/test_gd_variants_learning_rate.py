"""gd-variants and learning-rate: the update accounting and the sweep's three regimes."""

import math

import pytest


def test_updates_per_epoch_and_online_learning_fastest_per_epoch():
    from glassgrad.studies.gd_variants import run

    r = run(quick=True)
    n = r.settings["examples"]
    u = {name: v["updates"] for name, v in r.numbers.items()}
    # iteration/epoch accounting: ceil(n / B) updates per epoch
    assert u["online (B = 1)"][0] == n
    assert u["mini-batch (B = 32)"][0] == math.ceil(n / 32)
    assert u["full batch"][0] == 1
    assert u["online (B = 1)"][-1] == n * r.settings["epochs"]
    loss = {name: v["loss"][-1] for name, v in r.numbers.items()}
    # same lr, same epochs: n small steps per epoch go much further than one
    assert loss["online (B = 1)"] < loss["full batch"] - 0.1


def test_learning_rate_sweep_shows_too_small_right_and_too_large():
    from glassgrad.studies.learning_rate import run

    curves = run(quick=True).numbers["loss"]
    start = curves["0.001"][0]
    assert curves["0.001"][-1] > 0.95 * start  # too small: hardly moves in 20 epochs
    assert curves["1"][-1] < 0.2               # a good rate: most of the way down
    assert not curves["100"][-1] < start       # too large: ends worse than it began (or inf/NaN)
