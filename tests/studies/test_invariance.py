"""invariance: convolution's equivariance and pooling's partial invariance checked on
hand-made images, and the quick study's finding on shifted test digits."""

import numpy as np
import pytest

from glassgrad.studies.invariance import equivariance, shift


def test_shift_moves_content_and_brings_zeros_in():
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3)
    np.testing.assert_array_equal(shift(x, 1, 0)[0], [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(shift(x, 0, -1)[0], [[2, 3, 0], [5, 6, 0], [8, 9, 0]])


def test_convolution_commutes_with_a_shift_and_pooling_halves_an_even_one():
    rng = np.random.default_rng(0)
    image = np.zeros((1, 20, 20), dtype=np.float32)
    image[0, 6:14, 6:14] = rng.random((8, 8))
    e = equivariance(image, 3, seed=0)
    # the same products summed for each output pixel, whichever the shift: equal up to
    # float32 rounding of a 25-term sum
    assert e["max_difference"] <= 25 * np.finfo(np.float32).eps * e["feature_scale"]
    assert e["pool_shifted_by_one_cell_after_2px"] <= 25 * np.finfo(np.float32).eps * e["feature_scale"]
    assert e["pool_unchanged_after_1px"] < 1  # a 1-pixel shift is not absorbed everywhere


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_cnn_and_augmentation_resist_shifts(need_mnist):
    from glassgrad.studies.invariance import run

    acc = run(quick=True).numbers["accuracy"]
    mlp, cnn, aug = acc["MLP"], acc["CNN"], acc["MLP + random shifts"]
    assert mlp[0] > 0.8 and cnn[0] > 0.6  # both learn centred digits (chance: 0.1); the small
    # CNN learns more slowly in the quick mode's 3 epochs of 4000 images
    # 3 pixels right and down: the MLP's pixel-tied weights miss, the CNN's do not
    assert cnn[3] > mlp[3] + 0.2
    assert aug[3] > mlp[3] + 0.2
