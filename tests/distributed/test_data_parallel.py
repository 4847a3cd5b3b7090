"""DistributedDataParallel and `glassgrad train --distributed` under a real `mpirun -n 2`.

The claim (seed 002's mini-batch gradient, split over workers): K ranks with batch B/K
each, gradients averaged, end with the same weights as one process with batch B. The
one-process reference is PyTorch (float64, same start, same batches, same SGD)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(__file__)
SRC = os.path.abspath(os.path.join(HERE, "..", "..", "src"))


def _load(path):
    with np.load(path) as f:
        return [f[k] for k in sorted(f.files, key=lambda name: int(name.split("_")[1]))]


def _torch_one_process(start, steps, batch):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for p, w in zip(model.parameters(), start):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    data = np.random.default_rng(7)
    X, Y = data.normal(size=(steps * batch, 3)), data.integers(0, 2, steps * batch)
    for s in range(steps):
        opt.zero_grad()
        xb = torch.from_numpy(X[s * batch:(s + 1) * batch])
        yb = torch.from_numpy(Y[s * batch:(s + 1) * batch])
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
    return [p.detach().numpy() for p in model.parameters()]


def test_two_ranks_with_half_batches_match_one_process_with_the_whole_batch(mpirun, tmp_path):
    out = str(tmp_path / "w")
    job = mpirun(2, [os.path.join(HERE, "ddp_program.py"), out, "12", "16"])
    assert job.returncode == 0, job.stderr
    rank0, rank1 = _load(out + ".rank0.npz"), _load(out + ".rank1.npz")
    for a, b in zip(rank0, rank1):  # one averaged gradient, one step: the same bits
        np.testing.assert_array_equal(a, b)
    expected = _torch_one_process(_load(out + ".start.npz"), steps=12, batch=16)
    for got, want in zip(rank0, expected):
        # float64, 12 steps of a 3-5-2 net: rounding of the reordered sums only
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_rank_that_fails_stops_the_others_with_a_clear_error(mpirun):
    job = mpirun(2, [os.path.join(HERE, "failing_rank.py"), "error"], timeout=120)
    assert job.returncode != 0
    assert "rank 1 of 2: the test program failed: ValueError: rank 1 cannot read its data; " \
           "stopping all ranks" in job.stderr


def test_a_rank_that_is_killed_ends_the_job_instead_of_leaving_the_others_waiting(mpirun):
    job = mpirun(2, [os.path.join(HERE, "failing_rank.py"), "killed"], timeout=120)
    assert job.returncode != 0  # mpirun ends rank 0 too (a hang would hit the timeout)


def test_parameters_that_drift_apart_are_detected(mpirun):
    job = mpirun(2, [os.path.join(HERE, "failing_rank.py"), "drift"], timeout=120)
    assert job.returncode != 0
    assert "the parameters of rank(s) [1] differ from rank 0's" in job.stderr


def test_in_a_trace_the_average_is_a_node_mean_over_workers(mpirun, tmp_path):
    out = str(tmp_path / "t")
    job = mpirun(2, [os.path.join(HERE, "trace_program.py"), out])
    assert job.returncode == 0, job.stderr
    table = open(out + ".txt").read()
    assert "mean over workers(" in table  # one node per parameter, between it and linear
    assert "g = (1/K) sum_k g_k (Allreduce over the K ranks)" in table
    f = np.load(out + ".npz")
    # By hand: L = mean over the whole batch of (x W^T + b)^2, the mean of the two ranks'
    # shard means: dL/dW = (2/4) sum_i r_i x_i, dL/db = (2/4) sum_i r_i, r = X W^T + b.
    r = f["X"] @ f["W"].T + f["b"]
    np.testing.assert_allclose(f["gW"], 0.5 * (r * f["X"]).sum(0, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(f["gb"], 0.5 * r.sum(0), rtol=1e-12)


def _train(tmp_path, name, extra, ranks=None, mpirun=None):
    args = ["-m", "glassgrad", "train", "--dataset", "circles", "--epochs", "2", "--batch-size", "10",
            "--no-figures", "--no-progress", "--out", str(tmp_path / name)] + extra
    if ranks:
        return mpirun(ranks, args)
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable] + args, capture_output=True, text=True, env=env, timeout=300)


def test_train_distributed_matches_one_process_and_only_rank_0_writes(mpirun, tmp_path):
    two = _train(tmp_path, "two", ["--distributed"], ranks=2, mpirun=mpirun)
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("test accuracy:") == 1  # rank 0 reports, rank 1 is silent
    one = _train(tmp_path, "one", [])
    assert one.returncode == 0, one.stderr
    assert sorted(os.listdir(tmp_path)) == ["one", "two"]  # no other folder, no temporary left
    with np.load(tmp_path / "one" / "model.npz") as a, np.load(tmp_path / "two" / "model.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            if k.startswith("__"):
                continue
            # float32, 140 steps: differences of a few float32 ulps of the weights (~1)
            np.testing.assert_allclose(b[k], a[k], rtol=1e-4, atol=1e-5)
    config = json.loads((tmp_path / "two" / "config.json").read_text())
    assert config["batch_size"] == 10  # the global batch, as one process would record it


def test_a_batch_that_cannot_feed_every_rank_is_refused_before_training(mpirun, tmp_path):
    # 700 training examples in batches of 9: the last batch has 7, fine; batch 1 is not
    job = _train(tmp_path, "bad", ["--distributed", "--batch-size", "1"], ranks=2, mpirun=mpirun)
    assert job.returncode != 0
    assert "a batch of 1 examples cannot give every rank one" in job.stderr
    assert not (tmp_path / "bad").exists()
