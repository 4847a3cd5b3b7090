"""Variants of an exercise (`glassgrad exercise NAME --variant K`, `--variants 1-30 --out DIR`):
seeded, friendly, distinct, and solved right (checked against torch)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from glassgrad.explain.exercise import list_bundled, load_exercise, solve
from glassgrad.explain.variants import check_friendly, parse_range, variant

BUNDLED = [name for name, _ in list_bundled()]


def _numbers(spec):
    if spec.kind == "network":
        return [spec.X] + list(spec.mlp.W) + [b for b in spec.mlp.b if b is not None]
    return [np.array(list(spec.values.values()))]


@pytest.mark.parametrize("name", BUNDLED)
def test_variants_are_seeded_distinct_and_friendly(name):
    spec = load_exercise(name)
    first, again, other = variant(spec, 1), variant(spec, 1), variant(spec, 2)
    assert all(np.array_equal(a, b) for a, b in zip(_numbers(first), _numbers(again)))
    assert not all(np.array_equal(a, b) for a, b in zip(_numbers(first), _numbers(other)))
    for k in range(1, 6):
        v = variant(spec, k)
        check_friendly(v)
        for a in _numbers(v):  # on the coarse grid: multiples of 0.1
            assert np.allclose(a * 10, np.round(a * 10), atol=1e-9)
        assert v.seed_values == {} and v.notes == "" and f"(variant {k})" in v.title
        solve(v)  # solvable: the engine check inside agrees, no error


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_seed001_variants_solved_right_against_torch(k):
    torch = pytest.importorskip("torch")
    v = variant(load_exercise("seed001-q1"), k)
    q = solve(v).quantities
    W = [torch.tensor(w, requires_grad=True) for w in v.mlp.W]
    b = [torch.tensor(c, requires_grad=True) for c in v.mlp.b]
    h = torch.tensor(v.X[:, 0])
    for layer in range(3):  # tanh, tanh, identity
        s = W[layer] @ h + b[layer]
        h = torch.tanh(s) if layer < 2 else s
    y = torch.tensor(v.Y[:, 0])
    loss = 0.5 * ((h - y) ** 2).sum()
    loss.backward()
    assert np.isclose(float(np.asarray(q["loss"]).reshape(())), loss.item(), rtol=1e-12)
    for layer in range(3):
        assert np.allclose(np.asarray(q[f"dW{layer + 1}"]), W[layer].grad.numpy(), rtol=1e-10, atol=1e-14)
        assert np.allclose(np.asarray(q[f"db{layer + 1}"]).reshape(-1), b[layer].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_parse_range():
    assert parse_range("1-3") == [1, 2, 3] and parse_range("2,5") == [2, 5] and parse_range("7") == [7]
    for bad in ("0-3", "3-1", "a", "1-2000"):
        with pytest.raises(ValueError, match="--variants"):
            parse_range(bad)


def run(*args, cwd=None):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", "exercise", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=cwd)


def test_the_cli_writes_a_class_set_and_refuses_bad_requests(tmp_path):
    out = tmp_path / "class"
    done = run("seed000-graph", "--variants", "1-3", "--out", str(out), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    names = sorted(os.listdir(out))
    assert names == sorted(f"seed000-graph-v{k}-{s}.md" for k in (1, 2, 3) for s in ("questions", "solutions"))
    one = run("seed000-graph", "--variant", "2")
    assert one.returncode == 0 and "(variant 2)" in one.stdout
    assert (out / "seed000-graph-v2-solutions.md").read_text().count("variant 2") >= 1
    for args in (["--variants", "1-3"], ["--variants", "0-2", "--out", str(tmp_path / "x")],
                 ["--variants", "1-2", "--out", str(tmp_path / "y"), "--format", "dot"]):
        bad = run("seed000-graph", *args)
        assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()  # refused before writing
