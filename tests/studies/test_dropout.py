"""dropout: inverted dropout's expectation, scale and eval mode; overfitting on few images."""

import numpy as np
import pytest

from glassgrad.studies.dropout import expectation


def test_inverted_dropout_keeps_the_expectation():
    e = expectation(0.5, 4000, seed=0)
    # each output is 0 or 2x (x up to 2): standard deviation x, standard error x / sqrt(4000);
    # over 50 units allow 5 standard errors
    assert e["max_mean_error"] <= 5 * 2.0 / np.sqrt(4000)
    assert abs(e["kept_fraction"] - 0.5) < 0.01  # 200,000 Bernoulli(0.5) draws: sd 0.0011
    assert e["survivor_scale"] == pytest.approx(2.0, rel=1e-6)  # 1 / (1 - p)
    assert e["eval_equals_input"]


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_small_subset_overfits(need_mnist):
    from glassgrad.studies.dropout import run

    curves = run(quick=True).numbers["curves"]
    for c in curves.values():
        assert c["train"][-1] > 0.98           # 500 images memorised
        assert c["test"][-1] < c["train"][-1] - 0.05  # and the test set lags behind


@pytest.mark.slow
@pytest.mark.mnist
def test_n_examples_gap_closes_as_the_training_set_grows(need_mnist):
    from glassgrad.studies.n_examples import run

    n = run(quick=True).numbers
    gaps = [tr - te for tr, te in zip(n["train"], n["test"])]
    assert n["train"][0] > 0.98                 # 100 examples: memorised
    assert n["test"][-1] > n["test"][0] + 0.1   # more data, better test accuracy
    assert gaps[-1] < gaps[0] / 2               # and a smaller generalisation gap
