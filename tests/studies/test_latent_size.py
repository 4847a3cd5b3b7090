"""latent-size: a wider bottleneck reconstructs better."""

import pytest


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_error_falls_with_the_code_size(need_mnist):
    from glassgrad.studies.latent_size import run

    n = run(quick=True).numbers
    mse = dict(zip(n["sizes"], n["test_mse"]))
    # a code of d numbers can hold whatever a code of fewer can (pad with zeros), so the
    # error should fall with d; the quick mode measured 0.057, 0.046, 0.041
    assert mse[2] > 1.1 * mse[8]
    assert mse[8] > 1.03 * mse[32]
    # predicting the training set's mean image everywhere scores 0.065 on these test digits
    # (computed from the data, not by the study); every code must beat that
    assert max(mse.values()) < 0.065
