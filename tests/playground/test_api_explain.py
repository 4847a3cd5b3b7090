"""The numbers behind a clicked point: explain.json and the explorer page, held to a
computation done here in plain NumPy (float64) from the returned weights: the forward pass,
the loss and the backward pass written out by hand (the chain rule, layer by layer), the
hand gradients themselves checked by central finite differences. Nothing expected is taken
from glassgrad.
"""

import json
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground needs the [playground] extra (starlette)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the [test] extra)")

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from glassgrad.playground import create_app  # noqa: E402

DATA = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.S)

ACTIVATIONS = {  # f(z) and f'(z), written out
    "Tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "ReLU": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "Sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "Identity": (lambda z: z, lambda z: np.ones_like(z)),
}


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


# ---------------------------------------------------------------------- the computation by hand
def net(numbers):
    """The layers as (kind, weight, bias) from explain.json, weights as float64."""
    out = []
    for layer in numbers["layers"]:
        if layer["kind"] == "Linear":
            out.append(("Linear", np.array(numbers["params"][layer["weight"]], dtype=float),
                        np.array(numbers["params"][layer["bias"]], dtype=float)))
        elif layer["kind"] != "Dropout":  # eval mode: dropout is the identity
            out.append((layer["kind"], None, None))
    return out


def forward(layers, x):
    """Activations of every layer for one point x (2,): [(input, pre-activation), ...]."""
    a, saved = np.asarray(x, dtype=float), []
    for kind, W, b in layers:
        z = W @ a + b if kind == "Linear" else a
        saved.append((a, z))
        a = z if kind == "Linear" else ACTIVATIONS[kind][0](z)
    return a, saved


def loss_of(output, label, loss, classes):
    onehot = np.eye(classes)[label]
    if loss == "cross_entropy":  # -log softmax(o)[label] = logsumexp(o) - o[label]
        m = output.max()
        return m + np.log(np.exp(output - m).sum()) - output[label]
    return np.mean((output - onehot) ** 2)


def backward(layers, saved, output, label, loss, classes):
    """dL/dW and dL/db of every Linear, by the chain rule from the output back."""
    onehot = np.eye(classes)[label]
    if loss == "cross_entropy":
        p = np.exp(output - output.max())
        g = p / p.sum() - onehot  # dL/do = softmax(o) - onehot
    else:
        g = 2 * (output - onehot) / classes  # d mean((o - t)^2) / do
    grads = {}
    for k in reversed(range(len(layers))):
        kind, W, b = layers[k]
        a, z = saved[k]
        if kind == "Linear":
            grads[k] = (np.outer(g, a), g.copy())  # dW = g a^T, db = g
            g = W.T @ g
        else:
            g = g * ACTIVATIONS[kind][1](z)
    return grads


def finite_difference(layers, x, label, loss, classes, k, which, index, h=1e-6):
    def at(delta):
        changed = [(kind, None if W is None else W.copy(), None if b is None else b.copy())
                   for kind, W, b in layers]
        target = changed[k][1 if which == "weight" else 2]
        target[index] += delta
        return loss_of(forward(changed, x)[0], label, loss, classes)

    return (at(h) - at(-h)) / (2 * h)


# ---------------------------------------------------------------------- the tests
CASES = [
    {"dataset": "circles", "hidden": [4, 3], "activation": "tanh", "loss": "cross_entropy"},
    {"dataset": "xor", "hidden": [5], "activation": "relu", "loss": "mse", "optimizer": "adam", "lr": 0.01},
    {"dataset": "moons", "hidden": [3, 3, 2], "activation": "sigmoid", "loss": "cross_entropy", "dropout": 0.3},
    {"dataset": "blobs", "hidden": [], "activation": "identity", "loss": "mse"},
]


@pytest.mark.parametrize("config", CASES, ids=lambda c: f"{c['dataset']}-{c['activation']}-{c['loss']}")
def test_explain_json_equals_the_hand_computation(client, config):
    r = client.post("/api/session", json=dict(config, points=80, seed=3))
    sid, state = r.json()["session"], r.json()["state"]
    state = client.post(f"/api/session/{sid}/step", json={"steps": 30}).json()
    for split, index in [("train", 0), ("train", 17), ("test", 5)]:
        got = client.get(f"/api/session/{sid}/explain.json?split={split}&index={index}").json()
        x, label = state["points"][split][index][:2], state["points"][split][index][2]
        assert got["point"] == x and got["label"] == label  # the point the page shows
        layers = net(got)
        classes = state["classes"]
        output, saved = forward(layers, x)
        loss = loss_of(output, label, config["loss"], classes)
        # float32 in glassgrad: a relative error of a few 1e-7 per term, over a handful of terms
        assert got["output"] == pytest.approx(output.tolist(), rel=1e-5, abs=1e-6)
        assert got["loss"] == pytest.approx(loss, rel=1e-5, abs=1e-6)
        grads = backward(layers, saved, output, label, config["loss"], classes)
        assert set(got["grads"]) == set(got["params"])
        linear_names = [(entry["weight"], entry["bias"]) for entry in got["layers"] if entry["kind"] == "Linear"]
        linear_positions = [k for k, (kind, _, _) in enumerate(layers) if kind == "Linear"]
        for (wname, bname), k in zip(linear_names, linear_positions):
            dW, db = grads[k]
            assert np.array(got["grads"][wname]) == pytest.approx(dW, rel=1e-4, abs=1e-6), wname
            assert np.array(got["grads"][bname]) == pytest.approx(db, rel=1e-4, abs=1e-6), bname
        # the hand gradients are right: central differences on the float64 forward
        k = linear_positions[0]
        for which, index, hand in [("weight", (0, 1), grads[k][0][0, 1]), ("bias", (0,), grads[k][1][0])]:
            fd = finite_difference(layers, x, label, config["loss"], classes, k, which, index)
            assert hand == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_the_curve_is_the_mean_loss_of_the_train_points_at_these_weights(client):
    """The last point of the train curve equals the mean, over the train points the
    state lists, of the hand-computed loss at the weights explain.json returns."""
    r = client.post("/api/session", json={"dataset": "spirals", "points": 60, "hidden": [6], "seed": 4})
    sid = r.json()["session"]
    state = client.post(f"/api/session/{sid}/step", json={"steps": 40}).json()
    got = client.get(f"/api/session/{sid}/explain.json?index=0").json()
    layers = net(got)
    for split, key, acc in [("train", "train_loss", "train_accuracy"), ("test", "test_loss", "test_accuracy")]:
        points = state["points"][split]
        outputs = [forward(layers, p[:2])[0] for p in points]
        losses = [loss_of(o, p[2], "cross_entropy", 2) for o, p in zip(outputs, points)]
        assert state[key][-1] == pytest.approx(np.mean(losses), rel=1e-5)
        assert state[acc] == pytest.approx(np.mean([o.argmax() == p[2] for o, p in zip(outputs, points)]))
    # and a cell of the boundary grid: p(class 1) = softmax at the cell's centre
    b = state["boundary"]
    xmin, xmax, ymin, ymax = b["extent"]
    n = b["size"]
    for row, col in [(0, 0), (n - 1, 3), (n // 2, n - 1)]:
        x = xmin + (xmax - xmin) * col / (n - 1)
        y = ymax - (ymax - ymin) * row / (n - 1)  # rows from the top down
        o = forward(layers, [x, y])[0]
        p1 = np.exp(o[1] - o.max()) / np.exp(o - o.max()).sum()
        assert b["probability"][row][col] == pytest.approx(p1, rel=1e-4, abs=1e-6)
        assert b["predicted"][row][col] == int(o.argmax()) or abs(o[0] - o[1]) < 1e-5
    # the hidden space: the first two units of the last hidden layer, after tanh
    h = state["hidden"]
    W, b0 = layers[0][1], layers[0][2]
    for p, shown in zip(state["points"]["train"][:5], h["points"][:5]):
        assert shown == pytest.approx(np.tanh(W @ np.array(p[:2]) + b0)[:2].tolist(), rel=1e-5, abs=1e-6)


def test_explain_does_not_change_the_training(client):
    """Tracing a point runs a backward pass: the training that follows is the same as
    without it (the gradients it left are not added to the next step's)."""
    config = {"dataset": "xor", "points": 50, "hidden": [4], "optimizer": "momentum"}
    a = client.post("/api/session", json=config).json()["session"]
    b = client.post("/api/session", json=config).json()["session"]
    client.post(f"/api/session/{a}/step", json={"steps": 5})
    client.post(f"/api/session/{b}/step", json={"steps": 5})
    client.get(f"/api/session/{a}/explain.json?index=3")
    client.get(f"/api/session/{a}/explain?index=4")
    sa = client.post(f"/api/session/{a}/step", json={"steps": 5}).json()
    sb = client.post(f"/api/session/{b}/step", json={"steps": 5}).json()
    assert sa["train_loss"] == sb["train_loss"]


def test_the_explorer_page_is_self_contained_and_shows_these_numbers(client):
    config = {"dataset": "circles", "points": 60, "hidden": [3], "seed": 2}
    sid = client.post("/api/session", json=config).json()["session"]
    client.post(f"/api/session/{sid}/step", json={"steps": 20})
    r = client.get(f"/api/session/{sid}/explain?split=train&index=7")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not re.search(r"https?://", html, re.I)
    assert not re.search(r"\b(?:src|href)\s*=", html, re.I)
    assert "default-src 'none'" in html
    page = json.loads(DATA.search(html).group(1))
    numbers = client.get(f"/api/session/{sid}/explain.json?split=train&index=7").json()
    layers = net(numbers)
    x, label = numbers["point"], numbers["label"]
    output, saved = forward(layers, x)
    grads = backward(layers, saved, output, label, "cross_entropy", 2)
    records = {rec["name"]: rec for rec in page["records"]}
    assert records["x"]["value"] == pytest.approx(x)
    loss_node = [rec for rec in page["records"] if rec.get("label") == "cross_entropy"]
    assert len(loss_node) == 1
    assert loss_node[0]["value"][0] == pytest.approx(loss_of(output, label, "cross_entropy", 2), rel=1e-5)
    assert np.array(records["0.weight"]["grad"]) == pytest.approx(grads[0][0].ravel(), rel=1e-4, abs=1e-6)
    assert np.array(records["2.bias"]["grad"]) == pytest.approx(grads[2][1], rel=1e-4, abs=1e-6)
