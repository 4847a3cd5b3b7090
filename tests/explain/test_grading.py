"""`glassgrad grade NAME --answers class.csv --out DIR` on a class whose right and wrong
answers are known: values by hand (NumPy) for the exercise's own numbers, by torch for a
variant."""

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from glassgrad.explain.exercise import load_exercise
from glassgrad.explain.grading import read_answers
from glassgrad.explain.variants import variant

COLUMNS = ["s1", "loss", "dW1[0,0]", "W1[0,0]", "b3[1]"]


def _by_hand(W, b, x, y):
    """Seed 001 q1's network (tanh, tanh, identity; 1/2 SSE; one SGD step, lr 0.1)."""
    s1 = W[0] @ x + b[0]
    h1 = np.tanh(s1)
    h2 = np.tanh(W[1] @ h1 + b[1])
    out = W[2] @ h2 + b[2]
    delta3 = out - y
    delta2 = (W[2].T @ delta3) * (1 - h2 ** 2)
    delta1 = (W[1].T @ delta2) * (1 - h1 ** 2)
    dW1 = np.outer(delta1, x)
    return {"s1": s1, "loss": 0.5 * np.sum(delta3 ** 2), "dW1[0,0]": dW1[0, 0],
            "W1[0,0]": W[0][0, 0] - 0.1 * dW1[0, 0], "b3[1]": b[2][1] - 0.1 * delta3[1]}


def _torch_values(spec):
    torch = pytest.importorskip("torch")
    W = [torch.tensor(w, requires_grad=True) for w in spec.mlp.W]
    b = [torch.tensor(c, requires_grad=True) for c in spec.mlp.b]
    x, y = torch.tensor(spec.X[:, 0]), torch.tensor(spec.Y[:, 0])
    s1 = W[0] @ x + b[0]
    out = W[2] @ torch.tanh(W[1] @ torch.tanh(s1) + b[1]) + b[2]
    loss = 0.5 * ((out - y) ** 2).sum()
    loss.backward()
    return {"s1": s1.detach().numpy(), "loss": loss.item(), "dW1[0,0]": W[0].grad[0, 0].item(),
            "W1[0,0]": (W[0] - 0.1 * W[0].grad)[0, 0].item(), "b3[1]": (b[2] - 0.1 * b[2].grad)[1].item()}


def _fmt(v):
    v = np.asarray(v, dtype=float)
    return "[" + ", ".join(f"{e:.6f}" for e in v) + "]" if v.ndim else f"{float(v):.6f}"


def run(*args):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", "grade", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def _class_csv(path):
    hand = _by_hand([np.full((4, 4), 0.1), np.full((3, 4), 0.1), np.full((3, 3), 0.1)],
                    [np.full(4, 0.1), np.full(3, 0.1), np.full(3, 0.1)],
                    np.array([1.0, 0, 1, 0]), np.array([0.0, 1, 0]))
    v3 = _torch_values(variant(load_exercise("seed001-q1"), 3))
    rows = [["alice", ""] + [_fmt(hand[c]) for c in COLUMNS],
            ["bob", ""] + [_fmt(hand[c] + (0.5 if c == "dW1[0,0]" else 0)) for c in COLUMNS],
            ["carol", ""] + [_fmt(hand[c] + (0.01 if c == "s1" else 0)) if c != "loss" else "" for c in COLUMNS],
            ["dan", "3"] + [_fmt(v3[c]) for c in COLUMNS]]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "variant"] + COLUMNS)
        w.writerows(rows)
    return hand


def test_a_class_is_graded_with_scores_and_first_divergences(tmp_path):
    hand = _class_csv(tmp_path / "class.csv")
    done = run("seed001-q1", "--answers", str(tmp_path / "class.csv"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "summary.csv") as f:
        summary = {r["student"]: r for r in csv.DictReader(f)}
    assert {s: (r["correct"], r["total"], r["first_wrong"]) for s, r in summary.items()} == {
        "alice": ("5", "5", ""), "bob": ("4", "5", "dW1[0,0]"), "carol": ("3", "5", "s1"), "dan": ("5", "5", "")}
    assert summary["dan"]["variant"] == "3"
    bob = (tmp_path / "out" / "students" / "bob.md").read_text()
    assert "first diverge at dW1[0,0]" in bob and "depend on it are right (W1[0,0])" in bob
    assert f"{hand['dW1[0,0]']:.6f}" not in bob  # the right value is not given away
    assert "not answered" in (tmp_path / "out" / "students" / "carol.md").read_text()
    assert "Mean score" in (tmp_path / "out" / "summary.md").read_text()
    shown = run("seed001-q1", "--answers", str(tmp_path / "class.csv"), "--out", str(tmp_path / "o2"),
                "--show-solution")
    assert shown.returncode == 0 and "right value" in (tmp_path / "o2" / "students" / "bob.md").read_text()


def test_bad_answer_files_are_refused_before_anything_is_written(tmp_path):
    cases = {"header.csv": "name,variant,loss\nal,,0.3\n", "twice.csv": "student,variant,loss\nal,,0.3\nal,,0.3\n",
             "value.csv": "student,variant,loss\nal,,abc\n", "quantity.csv": "student,variant,nope\nal,,0.3\n",
             "variant.csv": "student,variant,loss\nal,0,0.3\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        done = run("seed001-q1", "--answers", str(tmp_path / name), "--out", str(tmp_path / "out"))
        assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1, (name, done.stderr)
        assert not (tmp_path / "out").exists(), name


def test_read_answers_keeps_blank_cells_as_unanswered():
    rows = read_answers('student,variant,loss,"W1[0,0]"\nal,2,0.376,\n')
    assert rows == [("al", 2, {"loss": "0.376", "W1[0,0]": ""})]
