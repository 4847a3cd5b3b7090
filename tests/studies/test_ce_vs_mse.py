"""ce-vs-mse: the logit gradients against the closed forms, and the quick study's curves."""

import numpy as np
import pytest

from glassgrad.studies.ce_vs_mse import logit_gradients


@pytest.mark.parametrize("margin", [0.0, 3.0, 12.0])
def test_logit_gradients_match_the_closed_forms(margin):
    z = np.zeros(10)
    z[1] = margin
    p = np.exp(z - z.max())
    p /= p.sum()
    y = np.eye(10)[0]
    ce = p - y                                   # softmax + cross-entropy
    mse = (np.diag(p) - np.outer(p, p)) @ (p - y)  # J^T (p - y), J symmetric
    g = logit_gradients(margin)
    assert g["ce"] == pytest.approx(np.linalg.norm(ce), rel=1e-12)
    assert g["mse"] == pytest.approx(np.linalg.norm(mse), rel=1e-12)


def test_squared_error_gradient_vanishes_when_confidently_wrong():
    g = logit_gradients(12.0)
    assert g["ce"] > 1.0 and g["mse"] < 1e-3


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_both_losses_learn(need_mnist):
    from glassgrad.studies.ce_vs_mse import run

    acc = run(quick=True).numbers["test_accuracy"]
    assert all(np.isfinite(c).all() for c in acc.values())
    assert acc["ce"][-1] > 0.85 and acc["mse"][-1] > 0.5  # ten classes: chance is 0.1
