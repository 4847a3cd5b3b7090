"""glassgrad.sweep and `glassgrad sweep --grid`: grids, random draws, executors giving the
same numbers, failures recorded, resume, bad input refused before anything runs."""

import csv
import math
import os

import pytest

import glassgrad.sweep as sweep
from glassgrad.cli import main
from glassgrad.errors import UserError
from glassgrad.sweep import executors, space

TINY = {"dataset": "circles", "epochs": 2, "n": 200}
GRID = {"lr": [0.1, 0.5], "model": ["mlp:4", "mlp:8"]}


# ------------------------------------------------------------------ the space
def test_grid_is_the_product_first_key_slowest():
    checked = space.check_space({"lr": "0.1,0.5".split(","), "activation": ["relu", "tanh", "sigmoid"]})
    configs = space.grid(checked)
    assert len(configs) == 2 * 3
    assert configs[:3] == [{"lr": 0.1, "activation": a} for a in ("relu", "tanh", "sigmoid")]
    assert {(c["lr"], c["activation"]) for c in configs} == {(l, a) for l in (0.1, 0.5)
                                                            for a in ("relu", "tanh", "sigmoid")}


def test_model_values_start_at_each_mlp():
    assert sweep.parse_spec("model=mlp:64,mlp:128,64") == ("model", ["mlp:64", "mlp:128,64"])
    assert sweep.parse_spec("model=mlp:4;mlp:8,8") == ("model", ["mlp:4", "mlp:8,8"])
    assert sweep.parse_spec("batch-size=1,10") == ("batch_size", ["1", "10"])
    assert sweep.parse_spec("lr=1e-4:1") == ("lr", sweep.Range("1e-4", "1"))


def test_random_draws_are_reproducible_and_log_uniform():
    checked = space.check_space({"lr": sweep.Range("1e-4", "1"), "activation": ["relu", "tanh"]})
    a = space.draw(checked, 1000, seed=7)
    assert a == space.draw(checked, 1000, seed=7)
    assert a != space.draw(checked, 1000, seed=8)
    lrs = [c["lr"] for c in a]
    assert all(1e-4 <= x <= 1 for x in lrs)
    # log-uniform on [1e-4, 1]: log10(lr) uniform on [-4, 0], so P(lr < 1e-2) = 2/4 and
    # P(lr < 1e-3) = 1/4 (binomial sd over 1000 draws is about 0.016)
    assert abs(sum(x < 1e-2 for x in lrs) / len(lrs) - 0.5) < 0.08
    assert abs(sum(x < 1e-3 for x in lrs) / len(lrs) - 0.25) < 0.07
    assert {c["activation"] for c in a} == {"relu", "tanh"}


def test_whole_number_ranges_stay_whole_and_in_bounds():
    checked = space.check_space({"batch_size": sweep.Range("4", "64"), "epochs": sweep.Range("1", "3")})
    drawn = space.draw(checked, 50, seed=0)
    assert all(isinstance(c["batch_size"], int) and 4 <= c["batch_size"] <= 64 for c in drawn)
    assert {c["epochs"] for c in drawn} <= {1, 2, 3}


def test_trial_seed_depends_on_the_configuration_only():
    a = sweep.complete_settings(dict(TINY, lr=0.1))
    b = sweep.complete_settings(dict(TINY, lr=0.1))
    c = sweep.complete_settings(dict(TINY, lr=0.5))
    assert space.trial_seed(a) == space.trial_seed(b) != space.trial_seed(c)


# ------------------------------------------------------------------ running
def _metrics(table):
    return [(r["lr"], r["model"], r["status"], r["val_accuracy"], r["val_loss"], r["test_accuracy"] if "test_accuracy" in r
             else None) for r in table]


def test_sequential_and_local_processes_find_the_same_numbers():
    sequential = sweep.run(TINY, GRID, executor="sequential", progress=False)
    local = sweep.run(TINY, GRID, executor="local", workers=2, progress=False)
    assert all(r["status"] == "ok" for r in sequential)
    assert _metrics(sequential) == _metrics(local)
    # the test split is looked at once: for the chosen row only
    assert sum(r.get("test_accuracy") is not None for r in sequential) == 1


def test_dask_local_cluster_finds_the_same_numbers():
    pytest.importorskip("dask.distributed", reason="dask.distributed not installed (pip install 'glassgrad[dask]')")
    sequential = sweep.run(TINY, GRID, executor="sequential", progress=False)
    dask = sweep.run(TINY, GRID, executor="dask-local", workers=2, progress=False)
    assert _metrics(sequential) == _metrics(dask)


def test_an_existing_dask_cluster_reached_by_address_finds_the_same_numbers():
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed not installed (pip install 'glassgrad[dask]')")
    sequential = sweep.run(TINY, GRID, executor="sequential", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = sweep.run(TINY, GRID, executor="dask", scheduler=cluster.scheduler_address, progress=False)
    assert _metrics(sequential) == _metrics(remote)


def test_the_chosen_trial_has_the_best_validation_score():
    table = sweep.run(TINY, GRID, progress=False)
    chosen = [r for r in table if r.get("test_accuracy") is not None]
    assert len(chosen) == 1
    best = max(r["val_accuracy"] for r in table)
    assert chosen[0]["val_accuracy"] == best
    assert min(r["val_loss"] for r in table if r["val_accuracy"] == best) == chosen[0]["val_loss"]


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    from glassgrad.sweep import trial

    real = trial._train

    def sometimes(s, seed, test):
        if s["lr"] == 0.5:
            raise FloatingPointError("boom at lr 0.5")
        return real(s, seed, test)

    monkeypatch.setattr(trial, "_train", sometimes)
    out = tmp_path / "s"
    table = sweep.run(TINY, GRID, out=str(out), figures=False, progress=False)
    failed = [r for r in table if r["status"] == "failed"]
    assert [r["lr"] for r in failed] == [0.5, 0.5]
    assert failed[0]["error"] == "FloatingPointError: boom at lr 0.5"
    assert all(r["status"] == "ok" and r["val_accuracy"] is not None for r in table if r["lr"] == 0.1)
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == [r["status"] for r in table]
    assert "boom at lr 0.5" in (out / "summary.md").read_text()


def test_interrupted_sweep_keeps_finished_trials_and_resume_skips_them(tmp_path, monkeypatch):
    out = str(tmp_path / "s")
    fresh = sweep.run(TINY, GRID, progress=False)
    real = executors.run_trial
    calls = []

    def interrupted_after_two(s, seed, test=False):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(s["lr"])
        return real(s, seed, test)

    monkeypatch.setattr(executors, "run_trial", interrupted_after_two)
    with pytest.raises(KeyboardInterrupt):
        sweep.run(TINY, GRID, out=out, figures=False, progress=False)
    with open(os.path.join(out, "results.csv"), newline="") as f:
        assert len(list(csv.DictReader(f))) == 2

    ran = []
    monkeypatch.setattr(executors, "run_trial", lambda s, seed, test=False: ran.append(s["model"]) or real(s, seed))
    resumed = sweep.run(TINY, GRID, out=out, resume=True, figures=False, progress=False)
    assert len(ran) == 2  # only the two unfinished trials
    assert [(r["val_accuracy"], r["val_loss"]) for r in resumed] == [(r["val_accuracy"], r["val_loss"]) for r in fresh]
    # a folder already holding a sweep is not overwritten without --resume
    with pytest.raises(UserError, match="--resume"):
        sweep.run(TINY, GRID, out=out, progress=False)


# ------------------------------------------------------------------ bad input
BAD = [
    (["--grid", "foo=1"], "--grid: expected a setting among"),
    (["--grid", "lr=0.1,0"], "--grid lr: expected a finite number > 0, got '0'"),
    (["--grid", "lr=0.1,0.1"], "--grid lr: expected different values"),
    (["--grid", "lr="], "--grid lr: expected at least one value"),
    (["--grid", "lr"], "--grid: expected NAME=VALUES"),
    (["--grid", "lr=1e-4:1"], "needs --random N"),
    (["--grid", "lr=1:1e-4", "--random", "3"], "LOW < HIGH"),
    (["--grid", "weight-decay=0:1", "--random", "3"], "log-uniform range needs LOW > 0"),
    (["--grid", "activation=relu:tanh", "--random", "3"], "a range is for numbers"),
    (["--grid", "lr=0.1", "--grid", "lr=0.2"], "given twice"),
    (["--grid", "model=mlp:4,cnn"], "trial model=cnn: --model: cnn needs images"),
    (["--grid", "optimizer=sgd,adam", "--momentum", "0.9"], "trial optimizer=adam: --momentum"),
    (["--grid", "lr=0.1", "--val-fraction", "0"], "--val-fraction"),
    (["--grid", "lr=0.1", "--executor", "dask"], "--executor dask: expected --dask-scheduler"),
    (["--grid", "lr=0.1", "--dask-scheduler", "tcp://127.0.0.1:1"], "goes with --executor dask"),
    (["--grid", "lr=0.1", "--executor", "dask", "--dask-scheduler", "cosine"], "expected an address"),
    (["--grid", "lr=0.1", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler: invalid choice"),
    (["--grid", "lr=0.1", "--resume"], "--resume"),
    (["--grid", "lr=" + ",".join(str(i / 1000 + 0.001) for i in range(40)), "--grid",
      "momentum=" + ",".join(str(i / 100) for i in range(30))], "at most 1000 trials"),
    (["lr", "--values", "0.1", "--random", "3"], "--random: goes with --grid"),
    ([], "expected a setting to vary"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_nothing_created(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert main(["sweep", *argv, "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not out.exists()


def test_unreachable_scheduler_is_refused_before_anything_is_written(tmp_path, capsys):
    pytest.importorskip("dask.distributed", reason="dask.distributed not installed (pip install 'glassgrad[dask]')")
    out = tmp_path / "out"
    argv = ["sweep", "--grid", "lr=0.1", "--executor", "dask", "--dask-scheduler", "tcp://127.0.0.1:1", "--out", str(out)]
    assert main(argv) == 2
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_missing_dask_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask", None)  # None in sys.modules: the import fails
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UserError, match=r'--executor dask-local needs dask.*pip install "glassgrad\[dask\]"'):
        executors.make_executor("dask-local", workers=1)


def test_command_writes_results_summary_and_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "g"
    argv = ["sweep", "--grid", "lr=0.1,0.5", "--grid", "activation=tanh,relu", "--dataset", "circles",
            "--n", "200", "--epochs", "2", "--out", str(out)]
    assert main(argv) == 0
    names = set(os.listdir(out))
    assert {"results.csv", "summary.md", "metric_vs_lr.png", "metric_vs_activation.png",
            "heatmap_lr_activation.png"} <= names
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and all(r["status"] == "ok" for r in rows)
    assert sum(r["test_accuracy"] != "" for r in rows) == 1
    assert all(0 <= float(r["val_accuracy"]) <= 1 and math.isfinite(float(r["seconds"])) for r in rows)
    assert "[4/4]" in capsys.readouterr().out


def test_to_dataframe_is_the_table_or_names_the_extra():
    import importlib.util

    from glassgrad.errors import MissingExtra

    table = [{"lr": 0.1, "status": "ok", "val_accuracy": 0.5}, {"lr": 0.5, "status": "failed", "val_accuracy": None}]
    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(MissingExtra, match=r'glassgrad\[pandas\]'):
            sweep.to_dataframe(table)
    else:
        frame = sweep.to_dataframe(table)
        assert list(frame.columns) == ["lr", "status", "val_accuracy"]
        assert frame["lr"].tolist() == [0.1, 0.5] and frame["status"].tolist() == ["ok", "failed"]
