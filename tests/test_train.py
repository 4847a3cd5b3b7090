"""glassgrad.train: the fit loop, evaluate, History, callbacks, model selection.

The loop is checked against PyTorch running the same batches from the same weights (the
independent oracle), and its bookkeeping against counts derived by hand in each test.
"""

import json
import math

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn
from glassgrad.data import DataLoader, TensorDataset
from glassgrad.train import Callback, History, StopTraining, confusion_matrix, evaluate, fit, predict

torch = pytest.importorskip("torch")


# ------------------------------------------------------------------------------ helpers
def blobs(n=50, classes=3, seed=1, dtype=np.float64):
    """Three Gaussian blobs in the plane: an easy, non-trivial classification set."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])[:classes]
    X = centres[y] + rng.normal(scale=0.8, size=(n, 2))
    return gg.tensor(X.astype(dtype)), gg.tensor(y.astype(np.int64))


def mlp(dtype=gg.float64, hidden=8, out=3, dropout=0.0):
    layers = [nn.Linear(2, hidden), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, out))
    return nn.Sequential(*layers).to(dtype)


def torch_twin(model):
    """A torch Sequential with the same layers and a copy of the same weights."""
    layers = []
    for m in model.children():
        name = type(m).__name__
        if name == "Linear":
            t = torch.nn.Linear(m.in_features, m.out_features, dtype=torch.float64)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(m.weight.array.astype(np.float64)))
                t.bias.copy_(torch.from_numpy(m.bias.array.astype(np.float64)))
            layers.append(t)
        elif name == "Tanh":
            layers.append(torch.nn.Tanh())
        else:
            raise AssertionError(name)
    return torch.nn.Sequential(*layers)


def weights(model):
    return [p.array.copy() for p in model.parameters()]


class Recorder:
    """Wraps a loader and keeps a copy of every batch it hands out, in order."""

    def __init__(self, loader):
        self.loader = loader
        self.batches = []

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            self.batches.append((x.array.copy(), y.array.copy()))
            yield x, y


# ------------------------------------------------------------------------------ vs PyTorch
def test_fit_matches_a_torch_loop_over_the_same_batches():
    X, y = blobs(50)
    model = mlp()
    twin = torch_twin(model)
    # 50 examples in batches of 16: 16, 16, 16, 2 -- the short last batch tests the weighting.
    loader = Recorder(DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, generator=gg.Generator(3)))
    val = DataLoader(TensorDataset(*blobs(30, seed=2)), batch_size=7)
    opt = gg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, val, epochs=3, progress=False)

    topt = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    Xv, yv = (torch.from_numpy(t.array) for t in blobs(30, seed=2))
    per_epoch = len(loader)
    for epoch in range(3):
        loss_sum = correct = seen = 0
        for xb, yb in loader.batches[epoch * per_epoch:(epoch + 1) * per_epoch]:
            xb, yb = torch.from_numpy(xb), torch.from_numpy(yb)
            topt.zero_grad()
            out = twin(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            loss.backward()
            topt.step()
            loss_sum += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(yb)
        record = history[epoch]
        assert record["train_loss"] == pytest.approx(loss_sum / seen, rel=1e-9)
        assert record["train_accuracy"] == pytest.approx(correct / seen, rel=1e-12)
        with torch.no_grad():
            vout = twin(Xv)
            assert record["val_loss"] == pytest.approx(torch.nn.functional.cross_entropy(vout, yv).item(), rel=1e-9)
            assert record["val_accuracy"] == pytest.approx((vout.argmax(1) == yv).double().mean().item(), rel=1e-12)
    for p, t in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.array, t.detach().numpy(), rtol=1e-7, atol=1e-12)


def test_sum_reduction_losses_are_divided_by_the_examples_not_multiplied():
    # SquaredError's default reduction is 'sum' (the seeds' 1/2 sum): the epoch loss is
    # then the total over the epoch divided by N, which torch gives as 1/2 * sum of squares.
    X, y = blobs(20)
    target = gg.tensor(np.eye(3)[y.array])
    model = mlp()
    twin = torch_twin(model)
    with torch.no_grad():
        expected = 0.5 * ((twin(torch.from_numpy(X.array)) - torch.from_numpy(target.array)) ** 2).sum().item() / 20
    # lr = 0 keeps the weights fixed, so the running loss is the loss of the initial weights.
    opt = gg.optim.SGD(model.parameters(), lr=0.0)
    history = fit(model, nn.SquaredError(), opt, DataLoader(TensorDataset(X, target), batch_size=6),
                  epochs=1, progress=False)
    assert history[0]["train_loss"] == pytest.approx(expected, rel=1e-9)
    # one-hot targets: accuracy is argmax against argmax
    with torch.no_grad():
        acc = (twin(torch.from_numpy(X.array)).argmax(1).numpy() == y.array).mean()
    assert history[0]["train_accuracy"] == pytest.approx(acc)


# ------------------------------------------------------------------------------ accounting
@pytest.mark.parametrize("n, batch, drop_last, per_epoch", [
    (10, 3, False, 4),   # ceil(10 / 3): the last batch has 1 example
    (10, 3, True, 3),    # floor(10 / 3): it is dropped
    (10, 1, False, 10),  # online learning: one update per example
    (10, 10, False, 1),  # full batch: one update per epoch
])
def test_history_counts_iterations_and_epochs(n, batch, drop_last, per_epoch):
    X, y = blobs(n)
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.01)
    steps = []

    class Count(Callback):
        def on_batch_end(self, iteration, loss):
            steps.append(iteration)

    loader = DataLoader(TensorDataset(X, y), batch_size=batch, drop_last=drop_last)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, callbacks=[Count()], progress=False)
    assert h["iterations"] == [per_epoch] * 3
    assert h["step"] == [per_epoch, 2 * per_epoch, 3 * per_epoch]
    assert h.iterations == 3 * per_epoch
    assert steps == list(range(1, 3 * per_epoch + 1))
    seen = per_epoch * batch if drop_last else n
    assert h["examples"] == [seen] * 3
    assert h["epoch"] == [1, 2, 3]


def test_seeded_runs_are_bit_identical_and_the_seed_matters():
    def run(seed):
        gg.manual_seed(seed)
        X, y = blobs(40)
        model = mlp(dropout=0.2)  # dropout draws from the global generator too
        opt = gg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=gg.Generator(seed))
        h = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, progress=False)
        return weights(model), h["train_loss"]

    w1, l1 = run(7)
    w2, l2 = run(7)
    w3, _ = run(8)
    for a, b in zip(w1, w2):
        assert np.array_equal(a, b)
    assert l1 == l2
    assert not all(np.array_equal(a, b) for a, b in zip(w1, w3))


# ------------------------------------------------------------------------------ model selection
class Snapshots(Callback):
    """Copies of the weights at the end of each epoch; from epoch ``blow_up`` on, a huge
    learning rate makes the validation loss worse, so the best epoch is an earlier one."""

    def __init__(self, model, optimizer, blow_up):
        self.model, self.optimizer, self.blow_up = model, optimizer, blow_up
        self.by_epoch = {}

    def on_epoch_end(self, epoch, logs):
        self.by_epoch[epoch] = weights(self.model)
        if epoch == self.blow_up:
            self.optimizer.param_groups[0]["lr"] = 40.0


def _selection_run(keep_best=None, early_stopping=None, epochs=6):
    gg.manual_seed(0)
    X, y = blobs(60)
    Xv, yv = blobs(40, seed=5)
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    snaps = Snapshots(model, opt, blow_up=3)
    h = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X, y), batch_size=10),
            DataLoader(TensorDataset(Xv, yv), batch_size=40), epochs=epochs, callbacks=[snaps],
            progress=False, keep_best=keep_best, early_stopping=early_stopping)
    return model, h, snaps


def test_keep_best_restores_the_weights_of_the_best_validation_epoch():
    model, h, snaps = _selection_run(keep_best="val_loss")
    losses = h["val_loss"]
    best = int(np.nanargmin([v if v is not None and math.isfinite(v) else np.inf for v in losses])) + 1
    assert best <= 4 and best != len(h)  # the blow-up made later epochs worse
    assert h.best_epoch == best
    for now, then in zip(weights(model), snaps.by_epoch[best]):
        assert np.array_equal(now, then)


def test_keep_best_by_accuracy_breaks_ties_with_the_loss():
    model, h, snaps = _selection_run(keep_best="val_accuracy")
    rows = [(r["val_accuracy"], -r["val_loss"]) for r in h.epochs if r["val_loss"] == r["val_loss"]]
    best_row = max(rows)
    assert (h[h.best_epoch - 1]["val_accuracy"], -h[h.best_epoch - 1]["val_loss"]) == best_row
    for now, then in zip(weights(model), snaps.by_epoch[h.best_epoch]):
        assert np.array_equal(now, then)


def test_without_keep_best_the_last_weights_stay():
    model, h, snaps = _selection_run()
    assert h.best_epoch is None
    for now, then in zip(weights(model), snaps.by_epoch[len(h)]):
        assert np.array_equal(now, then)


def test_early_stopping_counts_epochs_without_improvement():
    _, full, _ = _selection_run(epochs=8)
    losses = [v if v == v else np.inf for v in full["val_loss"]]
    # With patience p, training stops at the first epoch that is the p-th in a row
    # without a new best validation loss.
    best, stale, expected = np.inf, 0, len(losses)
    for epoch, v in enumerate(losses, 1):
        if v < best:
            best, stale = v, 0
        else:
            stale += 1
            if stale == 2:
                expected = epoch
                break
    _, h, _ = _selection_run(early_stopping=2, epochs=8)
    assert len(h) == expected < 8
    assert h.stopped_early
    np.testing.assert_array_equal(h["val_loss"], full["val_loss"][:expected])  # same run, cut short


def test_a_callback_can_stop_training():
    X, y = blobs(20)
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.1)
    ended = []

    class StopAtTwo(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                raise StopTraining

        def on_train_end(self, history):
            ended.append(len(history))

    h = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X, y), batch_size=5), epochs=5,
            callbacks=[StopAtTwo()], progress=False)
    assert len(h) == 2 and h.stopped_early and ended == [2]


def test_plain_function_callbacks_get_epoch_and_logs():
    X, y = blobs(20)
    model = mlp()
    seen = []
    fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(X, y), batch_size=5), epochs=2, progress=False,
        callbacks=[lambda epoch, logs: seen.append((epoch, logs["iterations"]))])
    assert seen == [(1, 4), (2, 4)]


# ------------------------------------------------------------------------------ schedules
def test_lr_is_recorded_per_epoch_and_the_scheduler_steps_once_per_epoch():
    X, y = blobs(20)
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.1)
    sched = gg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X, y), batch_size=5), epochs=5,
            scheduler=sched, progress=False)
    assert h["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_reduce_on_plateau_receives_the_validation_loss():
    X, y = blobs(20)
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.1)
    received = []

    class ReduceLROnPlateau:  # recognised by name, like glassgrad's and torch's
        def step(self, metric):
            received.append(metric)

    h = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X, y), batch_size=5),
            DataLoader(TensorDataset(X, y), batch_size=20), epochs=3, scheduler=ReduceLROnPlateau(),
            progress=False)
    assert received == h["val_loss"]


# ------------------------------------------------------------------------------ evaluate
def test_evaluate_uses_eval_mode_no_grad_and_restores_the_mode():
    X, y = blobs(30)
    model = mlp(dropout=0.5)
    model.train()
    twin_model = nn.Sequential(model[0], model[1], model[3])  # the same layers without dropout
    twin = torch_twin(twin_model)
    scores = evaluate(model, DataLoader(TensorDataset(X, y), batch_size=7), nn.CrossEntropyLoss())
    assert model.training  # put back
    with torch.no_grad():
        out = twin(torch.from_numpy(X.array))
        yt = torch.from_numpy(y.array)
        assert scores["loss"] == pytest.approx(torch.nn.functional.cross_entropy(out, yt).item(), rel=1e-9)
        assert scores["accuracy"] == pytest.approx((out.argmax(1) == yt).double().mean().item())
    assert scores["examples"] == 30
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    evaluate(model, DataLoader(TensorDataset(X, y), batch_size=7))
    assert not model.training


class Fixed(nn.Module):
    """A 'model' that returns given outputs, to test what accuracy means."""

    def __init__(self, outputs):
        super().__init__()
        self.outputs = outputs

    def forward(self, x):
        return gg.tensor(self.outputs[x.array.astype(int).reshape(-1)])


@pytest.mark.parametrize("outputs, targets, expected", [
    # argmax of (N, C) scores against class indices: rows 0 and 2 right
    ([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0]], [0, 0, 0], 2 / 3),
    # against one-hot targets: argmax against argmax
    ([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], 2 / 3),
    # one logit per example with 0/1 targets and BCEWithLogitsLoss: logit > 0 means 1
    ([[0.3], [-0.2], [0.1]], [[1.0], [1.0], [0.0]], 1 / 3),
    # -1 / +1 targets: the sign
    ([0.5, -0.5, -2.0], [1.0, -1.0, 1.0], 2 / 3),
])
def test_accuracy_follows_the_kind_of_target(outputs, targets, expected):
    outputs = np.array(outputs)
    X = gg.tensor(np.arange(len(outputs), dtype=np.float64)[:, None])
    t = np.array(targets)
    y = gg.tensor(t.astype(np.int64) if t.dtype.kind == "i" else t)
    loss = nn.BCEWithLogitsLoss() if outputs.ndim == 2 and outputs.shape[1] == 1 else None
    scores = evaluate(Fixed(outputs), DataLoader(TensorDataset(X, y), batch_size=2), loss)
    assert scores["accuracy"] == pytest.approx(expected)


def test_accuracy_is_none_for_regression():
    X = gg.tensor(np.arange(4.0)[:, None])
    y = gg.tensor(np.array([[0.5, 2.0], [1.5, 3.0], [0.1, 0.2], [7.0, 1.0]]))
    scores = evaluate(Fixed(np.zeros((4, 1))), DataLoader(TensorDataset(X, y), batch_size=2))
    assert scores["accuracy"] is None


def test_predict_in_chunks_equals_one_pass():
    X, _ = blobs(25)
    model = mlp()
    twin = torch_twin(model)
    out = predict(model, X, batch_size=4)
    with torch.no_grad():
        expected = twin(torch.from_numpy(X.array)).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-7)


def test_confusion_matrix_matches_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 100)
    p = rng.integers(0, 4, 100)
    np.testing.assert_array_equal(confusion_matrix(t, p, 4), metrics.confusion_matrix(t, p, labels=range(4)))
    # by hand: true 0 predicted 1 once, true 1 predicted 1 twice
    np.testing.assert_array_equal(confusion_matrix([0, 1, 1], [1, 1, 1], 2), [[0, 1], [0, 2]])
    with pytest.raises(ValueError, match="labels must lie"):
        confusion_matrix([0, 3], [0, 1], 2)


# ------------------------------------------------------------------------------ end to end
def test_xor_reaches_100_percent():
    gg.manual_seed(0)
    X, y = gg.data.xor()
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = gg.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=200, progress=False)
    assert evaluate(model, loader)["accuracy"] == 1.0
    assert h.iterations == 200  # full batch: one iteration per epoch


def test_a_diverging_run_warns_and_keeps_going():
    X, y = blobs(20)
    X.array[3, 0] = np.nan  # one bad value poisons the loss, as a divergence does
    model = mlp()
    opt = gg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(RuntimeWarning, match="inf/NaN"):
        h = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X, y), batch_size=5), epochs=2,
                progress=False)
    assert len(h) == 2
    last = json.loads(h.to_json())["epochs"][-1]
    assert last["train_loss"] is None  # inf/NaN is stored as null


# ------------------------------------------------------------------------------ History
def test_history_json_round_trip_and_nan_becomes_null(tmp_path):
    h = History([{"epoch": 1, "train_loss": 0.5, "val_loss": None, "step": 3},
                 {"epoch": 2, "train_loss": float("nan"), "val_loss": float("inf"), "step": 6}],
                monitor="val_loss", best_epoch=1)
    path = tmp_path / "h.json"
    text = h.to_json(path)
    data = json.loads(path.read_text())  # strict JSON: no NaN tokens
    assert json.loads(text) == data
    assert data["epochs"][1]["train_loss"] is None and data["epochs"][1]["val_loss"] is None
    assert data["iterations"] == 6 and data["best_epoch"] == 1
    back = History.load(path)
    assert back["train_loss"] == [0.5, None] and back.best_epoch == 1 and back.monitor == "val_loss"
    with pytest.raises(KeyError, match="no 'accuracy'"):
        h["accuracy"]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        History.load(tmp_path / "bad.json")


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "epochs must be a positive int"),
    (dict(keep_best="val_loss"), "needs a val_loader"),
    (dict(keep_best="loss", val=True), "keep_best must be"),
    (dict(metrics=("loss", "f1")), "unknown metric 'f1'"),
    (dict(early_stopping=0), "patience"),
])
def test_bad_arguments_raise_before_any_update(kwargs, message):
    X, y = blobs(10)
    model = mlp()
    before = weights(model)
    val = DataLoader(TensorDataset(X, y), batch_size=5) if kwargs.pop("val", False) else None
    with pytest.raises(ValueError, match=message):
        fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
            DataLoader(TensorDataset(X, y), batch_size=5), val, progress=False, **kwargs)
    for a, b in zip(before, weights(model)):
        assert np.array_equal(a, b)


def test_batches_must_be_pairs():
    model = mlp()
    with pytest.raises(ValueError, match="pair"):
        fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
            [gg.tensor(np.zeros((2, 2)))], progress=False)


# ------------------------------------------------------------------------------ progress
def test_into_a_pipe_one_line_per_epoch_with_the_time_left_and_the_kept_epoch(capsys):
    X, y = blobs(10)
    model = mlp()
    fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(X, y), batch_size=5), epochs=3, progress=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["epoch", "1"], ["epoch", "2"], ["epoch", "3"]]
    assert "left" in lines[0] and "left" in lines[1]  # the last epoch has nothing left
    assert lines[3] == "kept the weights of epoch 3, the last" and len(lines) == 4


def test_the_kept_line_names_the_best_epoch_under_keep_best(capsys):
    X, y = blobs(10)
    model = mlp()
    val = DataLoader(TensorDataset(X, y), batch_size=10)
    h = fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
            DataLoader(TensorDataset(X, y), batch_size=5), val, epochs=3, progress=True, keep_best="val_loss")
    last = capsys.readouterr().out.splitlines()[-1]
    best = min(h.epochs, key=lambda r: r["val_loss"])  # the epoch of least validation loss
    assert last.startswith(f"kept the weights of epoch {best['epoch']} (best val_loss {best['val_loss']:.4f})")


def test_silent_without_progress(capsys):
    X, y = blobs(10)
    model = mlp()
    fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(X, y), batch_size=5), epochs=2, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_the_progress_bar_prints_one_summary_per_epoch_on_a_terminal(monkeypatch, capsys):
    import glassgrad.progress as progress

    monkeypatch.setattr(progress, "_isatty", lambda: True)
    X, y = blobs(10)
    model = mlp()
    fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(X, y), batch_size=5), epochs=2, progress=True)
    out = capsys.readouterr().out
    assert "epoch 1" in out and "epoch 2" in out and "loss" in out and "kept the weights of epoch 2" in out
    fit(model, nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(X, y), batch_size=5), epochs=1, progress=False)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------------------ examples
EXAMPLES = __import__("pathlib").Path(__file__).resolve().parent.parent / "examples"


def _run_example(name, tmp_path, *args):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(EXAMPLES / name), str(tmp_path), *args], capture_output=True,
                          text=True, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_example_xor_runs(tmp_path):
    out = _run_example("xor.py", tmp_path)
    assert "2-2-2 tanh network: accuracy 100%" in out
    assert "online: 100 epochs = 400 iterations (4 per epoch)" in out
    assert {"xor_curves.png", "xor_boundary.png", "xor_hidden.png"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.slow
def test_example_circles_runs(tmp_path):
    out = _run_example("circles.py", tmp_path)
    assert "test accuracy 100.0%" in out or "test accuracy 99." in out
    assert {"circles_curves.png", "circles_boundary.png", "circles_hidden.png",
            "circles_learning_rates.png"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.slow
@pytest.mark.mnist
def test_example_mnist_runs_one_epoch(tmp_path):
    from glassgrad.data.mnist import status

    if any(state == "missing" for _, _, state in status("mnist")):
        pytest.skip("MNIST not fetched (glassgrad data fetch mnist)")
    out = _run_example("mnist_mlp.py", tmp_path, "1")
    assert "test accuracy 9" in out  # above 90 % after one epoch
    assert {"mnist_curves.png", "mnist_confusion.png", "mnist_weights.png"} <= {p.name for p in tmp_path.iterdir()}
