r"""ROC curve and the area under it, for anomaly scores (higher = more anomalous).

For a threshold t, the true-positive rate is the share of outliers with score >= t and
the false-positive rate the share of inliers with score >= t; the ROC curve joins these
points as t falls from +inf to -inf. Its area equals the probability that a random
outlier scores above a random inlier, ties counting one half (Mann-Whitney U / (n_pos n_neg)),
which is how ``auroc`` computes it, from average ranks.
"""

import numpy as np


def _check(scores, is_outlier):
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(is_outlier).ravel().astype(bool)
    if scores.shape != labels.shape:
        raise ValueError(f"scores and labels differ in length: {scores.size} and {labels.size}")
    if not np.isfinite(scores).all():
        raise ValueError("the scores must be finite numbers")
    if labels.all() or not labels.any():
        raise ValueError("ROC needs both outliers (True) and inliers (False) among the labels")
    return scores, labels


def roc_curve(scores, is_outlier):
    """(false-positive rates, true-positive rates, thresholds), from (0, 0) to (1, 1); one
    point per distinct score, tied scores moving together."""
    scores, labels = _check(scores, is_outlier)
    order = np.argsort(-scores, kind="stable")
    s, pos = scores[order], labels[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]  # cut only between distinct scores
    tp = np.cumsum(pos)[last_of_tie]
    fp = np.cumsum(~pos)[last_of_tie]
    fpr = np.r_[0.0, fp / (~labels).sum()]
    tpr = np.r_[0.0, tp / labels.sum()]
    return fpr, tpr, np.r_[np.inf, s[last_of_tie]]


def _average_ranks(x):
    """Ranks 1..n, tied values sharing the mean of their ranks."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    first = np.r_[True, sorted_x[1:] != sorted_x[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(x)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks start..end-1 (0-based) -> mean, 1-based
    ranks = np.empty(len(x))
    ranks[order] = mean_rank[group]
    return ranks


def auroc(scores, is_outlier):
    """Area under the ROC curve = P(outlier score > inlier score) + P(tie) / 2."""
    scores, labels = _check(scores, is_outlier)
    n_pos, n_neg = labels.sum(), (~labels).sum()
    rank_sum = _average_ranks(scores)[labels].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
