"""explain cost: the counts and the agreement (never the times: tests do not time)."""

import os
import subprocess
import sys

import pytest

from glassgrad.explain.cost import cost_document, finite_difference_gradients, measure_costs, _network
from glassgrad.explain.render_text import to_text


def test_counts_and_agreement():
    rows = measure_costs(depth=2, width=4, widths=[2, 4], repeats=1)
    for r, w in zip(rows, [2, 4]):
        # inputs = width: W (w x w) + b (w), W (w x w) + b (w), W (1 x w) + b (1)
        expected = 2 * (w * w + w) + w + 1
        assert r.params == expected
        assert r.fd_forwards == expected + 1  # one per parameter, plus the unperturbed point
        assert not r.fd_estimated
        assert r.max_rel_diff < 1e-4  # forward differences vs backprop
    central = measure_costs(depth=1, width=3, widths=[3], central=True, repeats=1)[0]
    assert central.fd_forwards == 2 * central.params
    assert central.max_rel_diff < 1e-7


def test_sampled_when_large_and_the_document_says_so():
    rows = measure_costs(depth=1, width=6, widths=[6], repeats=1, full_limit=10, sample=5)
    assert rows[0].fd_estimated
    text = to_text(cost_document(rows, depth=1))
    assert rows[0].perturbed == 5
    assert "(est.)" in text and "ran on 5 randomly chosen parameters" in text
    assert "FD forward passes" in text and "O(N^2)" in text


def test_finite_differences_count_forward_passes():
    params, loss = _network(1, 3, 2, 1, 4, 0)
    n = sum(t.array.size for t in params)
    _, forwards = finite_difference_gradients(params, loss)
    assert forwards == n + 1
    _, forwards = finite_difference_gradients(params, loss, indices=[(0, 0), (1, 2)], central=True)
    assert forwards == 4


def test_cli_cost_table_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    env = dict(os.environ)
    out = tmp_path / "cost.png"
    proc = subprocess.run([sys.executable, "-m", "glassgrad", "explain", "cost", "--depth", "1",
                           "--width", "4", "--out", str(out)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "parameters N" in proc.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = subprocess.run([sys.executable, "-m", "glassgrad", "explain", "cost", "--depth", "0"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "--depth: expected a whole number from 1" in bad.stderr
