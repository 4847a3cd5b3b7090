"""cnn-mnist: output sizes against the shapes glassgrad produces, weight counts by hand,
the seed's formula slip, and the quick training run."""

import pytest

from glassgrad.studies.cnn_mnist import layer_table, lenet, out_size, seed_out_size


@pytest.mark.parametrize("n, k, s, expected", [(28, 5, 1, 24), (24, 2, 2, 12), (7, 3, 2, 3), (8, 3, 3, 2)])
def test_output_size_by_counting_window_positions(n, k, s, expected):
    # windows start at 0, s, 2s, ... while start + k <= n
    assert out_size(n, k, s) == expected == len(range(0, n - k + 1, s))


def test_seed_formula_slips_for_some_strides():
    assert seed_out_size(7, 3, 2) == 2 and out_size(7, 3, 2) == 3
    assert all(seed_out_size(n, k, 1) == out_size(n, k, 1) for n in range(2, 30) for k in range(1, n + 1))


def test_layer_table_shapes_and_weight_counts():
    rows = [r for r in layer_table(lenet()) if "formula" in r or "weights" in r]
    assert all(tuple(r["formula"]) == r["output"] for r in rows if "formula" in r)
    conv1 = rows[0]
    assert conv1["weights"] == 16 * (1 * 5 * 5 + 1)               # K (C n' p' + 1)
    assert conv1["dense_weights"] == (28 * 28 + 1) * 16 * 24 * 24  # (n p + 1) n_out p_out K


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_learns_digits(need_mnist):
    from glassgrad.studies.cnn_mnist import run

    assert run(quick=True).numbers["test_accuracy"][-1] > 0.85
