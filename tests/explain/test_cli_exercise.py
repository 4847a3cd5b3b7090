"""`glassgrad exercise` as a user runs it."""

import os
import subprocess
import sys

import pytest


def run(*args):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", "exercise", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_list():
    proc = run("--list")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert "mlp-4433-tanh-sse" in names and "graph-2xy-max" in names and len(names) == 10
    assert "[seed001-q1]" in proc.stdout  # the seed's name, still accepted
    assert run("mlp-4433-tanh-sse").stdout == run("seed001-q1").stdout


def test_the_readme_exercise_commands_work(tmp_path):
    readme = (__import__("pathlib").Path(__file__).resolve().parents[2] / "README.md").read_text()
    commands = [line.split()[2:] for line in readme.splitlines() if line.startswith("glassgrad exercise ")]
    assert commands
    for args in commands:
        args = [str(tmp_path / a) if a.endswith((".tex", ".md", ".txt")) else a for a in args]
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)


def test_run_by_name_with_answers_exit_codes():
    # loss = 0.376364 (by hand in test_exercises), s3 = 0.163961
    ok = run("seed001-q1", "--answer", "loss=0.376", "--answer", "s3=[0.164, 0.164, 0.164]")
    assert ok.returncode == 0, ok.stderr
    assert "All your answers are correct." in ok.stdout
    bad = run("seed001-q1", "--answer", "loss=0.376", "--answer", "s3=0.16936")
    assert bad.returncode == 1
    assert "Your numbers first diverge at s3" in bad.stdout
    assert "WRONG" in bad.stdout


def test_formats(tmp_path):
    out = tmp_path / "sol.tex"
    proc = run("seed003-ex2-sum", "--format", "latex", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    tex = out.read_text()
    assert tex.startswith(r"\documentclass") and r"\begin{bmatrix}" in tex
    md = run("seed000-graph", "--format", "markdown")
    assert md.returncode == 0 and md.stdout.startswith("# Backpropagation on the graph")
    for name in ("seed000-graph", "seed004-2-4-2"):
        dot = run(name, "--format", "dot")
        assert dot.returncode == 0 and dot.stdout.startswith("digraph")


def test_show_spec_prints_the_toml():
    proc = run("seed001-q1", "--show-spec")
    assert proc.returncode == 0 and "[network]" in proc.stdout


@pytest.mark.parametrize("args,fragment", [
    (["no-such-exercise"], "no bundled exercise called 'no-such-exercise'"),
    (["missing/file.toml"], "exercise file not found"),
    ([], "name an exercise"),
    (["seed001-q1", "--answer", "nonsense"], "NAME=VALUE"),
    (["seed001-q1", "--answer", "q=1"], "unknown quantity 'q'"),
])
def test_errors_are_one_line(args, fragment):
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassgrad exercise: error:"), proc.stderr
    assert fragment in lines[0]
