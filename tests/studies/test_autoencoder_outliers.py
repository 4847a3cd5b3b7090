"""autoencoder-outliers: the ROC/AUROC functions against scikit-learn and hand cases, and
the quick study's finding (reconstruction error ranks unseen kinds of digit above seen ones)."""

import numpy as np
import pytest

from glassgrad.studies.roc import auroc, roc_curve


@pytest.mark.parametrize("scores, labels, expected", [
    ([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 1.0),       # every outlier above every inlier
    ([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], 0.0),
    ([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5),       # all tied: each pair counts 1/2
    ([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75),     # 3 of the 4 (outlier, inlier) pairs ordered
])
def test_auroc_by_hand(scores, labels, expected):
    assert auroc(scores, labels) == expected


def test_roc_curve_by_hand():
    fpr, tpr, thr = roc_curve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    # thresholds 0.8, 0.4, 0.35, 0.1: (0, 1/2), (1/2, 1/2), (1/2, 1), (1, 1)
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    assert thr[0] == np.inf


@pytest.mark.parametrize("seed", range(5))
def test_auroc_and_curve_area_match_scikit_learn(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, 200).astype(float) + (seed % 2) * rng.random(200)  # ties in half the cases
    labels = rng.random(200) < 0.3
    expected = metrics.roc_auc_score(labels, scores)
    assert auroc(scores, labels) == pytest.approx(expected, abs=1e-12)
    fpr, tpr, _ = roc_curve(scores, labels)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)  # trapezoids
    assert area == pytest.approx(expected, abs=1e-12)
    sk_fpr, sk_tpr, _ = metrics.roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)


@pytest.mark.parametrize("scores, labels, message", [
    ([1, 2], [1, 1], "both outliers"), ([1, 2], [0, 1, 1], "differ in length"), ([np.nan, 1], [0, 1], "finite")])
def test_roc_refuses_what_has_no_curve(scores, labels, message):
    with pytest.raises(ValueError, match=message):
        auroc(scores, labels)


@pytest.fixture(scope="module")
def quick(need_mnist):
    from glassgrad.studies.autoencoder_outliers import run

    return run(quick=True).numbers


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_finds_clothes_among_digits(quick):
    """The issue's finding: an autoencoder trained on MNIST digits (nine classes) ranks
    Fashion-MNIST images above test digits: AUROC at least 0.9."""
    if not quick["fashion_mnist_present"]:
        pytest.skip("Fashion-MNIST not installed (glassgrad data fetch fashion-mnist): "
                    "the clothes-as-outliers finding cannot be checked")
    assert quick["held-out/mlp"]["auroc_fashion"] >= 0.9
    assert quick["one-class/mlp"]["auroc_fashion"] >= 0.9


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_finds_the_outlier_digits(quick):
    one, held = quick["one-class/mlp"], quick["held-out/mlp"]
    assert one["auroc"] >= 0.9  # trained on 0s: every other digit is unlike them
    # Trained on nine digits, the held-out 2s are the harder case (their strokes are
    # in the other classes; about 0.87 measured). The bound checks the finding "they
    # rank above inliers far more often than chance": with no detection the AUROC of
    # ~200 outliers against ~1800 inliers is 0.5 with standard deviation
    # sqrt((n1 + n2 + 1) / (12 n1 n2)) ~ 0.02 (Mann-Whitney), so 0.75 is a dozen
    # deviations above chance.
    assert held["auroc"] >= 0.75
    for e in (one, held):
        # the threshold is the validation inliers' 95th percentile: test inliers exceed it
        # about 5 % of the time (binomial sd on ~1000-1800 images is under 0.7 %)
        assert abs(e["inliers_flagged"] - 0.05) < 0.03
        assert e["outliers_detected"] > 3 * e["inliers_flagged"]
        assert e["train_loss"][-1] < e["train_loss"][0]
