"""`glassgrad train --out R` writes R as a unit: after a failure or beside a concurrent run,
R holds one whole run (the old one or the new one), never a mix of their files."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import glassgrad
from glassgrad import atomic
from glassgrad.cli import main

TRAIN = ["train", "--dataset", "circles", "--n", "200", "--epochs", "3", "--no-progress", "--no-figures"]


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def _run(folder, seed):
    return subprocess.Popen([sys.executable, "-m", "glassgrad", *TRAIN, "--seed", str(seed), "--out", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _signature(folder):
    """What ties a run's files together: the seed in config.json, the weights in model.npz,
    the losses in history.json and the accuracy in metrics.json."""
    config = json.loads((folder / "config.json").read_text())
    history = json.loads((folder / "history.json").read_text())
    metrics = json.loads((folder / "metrics.json").read_text())
    weights = {k: v.array for k, v in glassgrad.load(folder / "model.npz").items()}
    return config["seed"], weights, [e["train_loss"] for e in history["epochs"]], metrics["test_accuracy"]


def _same_run(a, b):
    return (a[0] == b[0] and a[2] == b[2] and a[3] == b[3] and a[1].keys() == b[1].keys()
            and all(np.array_equal(a[1][k], b[1][k]) for k in a[1]))


@pytest.mark.parametrize("breaking", ["glassgrad.save", "history"])
def test_a_failure_while_writing_leaves_the_previous_run_whole(tmp_path, monkeypatch, breaking):
    run = tmp_path / "run"
    assert main([*TRAIN, "--seed", "1", "--out", str(run)]) == 0
    before = _snapshot(run)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if breaking == "glassgrad.save":  # the case: new config written, then the weights fail
        monkeypatch.setattr(glassgrad, "save", disk_full)
    else:
        monkeypatch.setattr(glassgrad.train.History, "to_json", disk_full)
    try:  # a full disk ends the command, as one line or as the OSError itself
        assert main([*TRAIN, "--seed", "2", "--out", str(run)]) != 0
    except OSError as exc:
        assert exc.errno == 28
    assert _snapshot(run) == before
    assert os.listdir(tmp_path) == ["run"]  # no temporary folder left behind


def test_concurrent_runs_into_one_folder_never_mix(tmp_path):
    refs = {}
    for seed in (1, 2):
        refs[seed] = tmp_path / f"ref{seed}"
        proc = _run(refs[seed], seed)
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
    expected = {seed: _signature(folder) for seed, folder in refs.items()}
    run = tmp_path / "run"
    for pair in range(3):
        procs = [_run(run, 1), _run(run, 2)]
        for proc in procs:
            assert proc.wait(timeout=300) == 0, proc.stderr.read()
        got = _signature(run)
        assert _same_run(got, expected[got[0]]), f"pair {pair}: the files of two runs are mixed"
        assert sorted(os.listdir(run)) == sorted(
            [atomic.RUN_MARKER, "config.json", "model.npz", "history.json", "metrics.json"])
    assert sorted(os.listdir(tmp_path)) == ["ref1", "ref2", "run"]


def test_a_folder_of_other_files_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main([*TRAIN, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds files glassgrad did not write" in err[0] and str(tmp_path) in err[0]
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_the_out_folder_is_created_only_when_the_run_is_complete(tmp_path, monkeypatch):
    run = tmp_path / "deep" / "run"

    def fails(*args, **kwargs):
        raise RuntimeError("training failed")

    monkeypatch.setattr("glassgrad.cli.train.run", fails)
    try:  # one line and exit 2, or the exception itself: either way nothing is created
        assert main([*TRAIN, "--out", str(run)]) != 0
    except RuntimeError:
        pass
    assert os.listdir(tmp_path) == []


def test_sweep_writes_its_own_folder_by_default(tmp_path):
    done = subprocess.run([sys.executable, "-m", "glassgrad", "sweep", "lr", "--values", "0.1,1", "--dataset",
                           "circles", "--n", "100", "--epochs", "1", "--no-progress"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "runs" / "sweep_lr"
    assert sorted(os.listdir(folder)) == sorted([atomic.RUN_MARKER, "sweep_lr.json", "sweep_lr.png"])


def test_a_run_folder_of_an_older_glassgrad_is_replaced_but_not_with_foreign_files(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in ("config.json", "model.npz", "history.json", "metrics.json", "curves.png", "sweep_lr.json"):
        (old / name).write_text("from glassgrad 0.x")
    assert main([*TRAIN, "--out", str(old)]) == 0
    assert atomic.RUN_MARKER in os.listdir(old) and "curves.png" not in os.listdir(old)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "config.json").write_text("{}")
    (mixed / "holiday.png").write_text("not a run")
    assert main([*TRAIN, "--out", str(mixed)]) == 2
    assert sorted(os.listdir(mixed)) == ["config.json", "holiday.png"]


def test_an_out_folder_that_cannot_be_created_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main([*TRAIN, "--out", str(tmp_path / "afile" / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot create the folder" in err[0]
    assert os.listdir(tmp_path) == ["afile"]
