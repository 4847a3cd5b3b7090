"""`glassgrad explain` as a user runs it: subprocess, exit codes, one-line errors, files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
SEED000 = ["explain", "2*(x*y + max(z, w))", "--at", "x=3", "y=-4", "z=2", "w=-1"]


def run(*args, env=None):
    full_env = dict(os.environ)
    full_env.pop("GLASSGRAD_DEBUG", None)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "glassgrad", *args], capture_output=True,
                          text=True, env=full_env, timeout=300)


def test_seed000_piped_output_is_the_golden_text():
    proc = run(*SEED000)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (GOLDEN / "seed000_expression.txt").read_text()


def test_values_with_commas_and_markdown_to_a_file(tmp_path):
    out = tmp_path / "f.md"
    proc = run("explain", "2*(x*y + max(z, w))", "--at", "x=3,y=-4", "z=2,w=-1",
               "--format", "markdown", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == (GOLDEN / "seed000_expression.md").read_text()
    assert proc.stdout == ""
    assert f"wrote {out}" in proc.stderr


def test_latex_and_dot_outputs(tmp_path):
    proc = run(*SEED000, "--format", "latex", "--out", str(tmp_path / "f.tex"))
    assert proc.returncode == 0
    assert (tmp_path / "f.tex").read_text().startswith(r"\documentclass")
    proc = run(*SEED000, "--format", "dot")
    assert proc.returncode == 0 and proc.stdout.startswith("digraph")


def test_svg_without_graphviz_is_a_clear_one_line_error(tmp_path):
    # PATH without Graphviz's dot: the python executable is called by absolute path
    proc = run(*SEED000, "--format", "svg", env={"PATH": str(tmp_path)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Graphviz" in lines[0] and "--format dot" in lines[0]


@pytest.mark.parametrize("args,fragment", [
    (["explain", "__import__('os').system('echo pwned')", "--at", "x=1"], "not allowed"),
    (["explain", "x.y", "--at", "x=1"], "attribute access"),
    (["explain", "x[0]", "--at", "x=1"], "subscripts"),
    (["explain", "x*y", "--at", "x=1"], "no value given for y"),
    (["explain", "x*y", "--at", "x=one", "y=2"], "--at x: expected a finite number"),
    (["explain", "x*y", "--at", "x"], "NAME=VALUE"),
    (["explain", "x*", "--at", "x=1"], "cannot parse"),
    (["explain", "x", "--at", "x=1", "--digits", "0"], "--digits"),
])
def test_bad_input_exits_2_with_one_line(args, fragment):
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("glassgrad explain: error:")
    assert fragment in lines[0]
    assert "pwned" not in proc.stdout


def test_upstream_option():
    # dL/dz = 0.5 into z = tanh(x + y) at x + y = 0: dL/dx = 0.5 (1 - 0^2) = 0.5
    proc = run("explain", "s = x + y; z = tanh(s)", "--at", "x=0.25", "y=-0.25", "--upstream", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert "grad L = (dL/dx, dL/dy) = (0.5, 0.5)" in proc.stdout
