"""The playground's JSON API through Starlette's TestClient (docs/playground.md).

Every route answers; training lowers the loss; Reset gives the first loss again, to the
bit; two sessions do not touch each other; every bad input is one line with its status
and the server keeps answering after it.
"""

import json
import warnings

import pytest

pytest.importorskip("starlette", reason="the playground needs the [playground] extra (starlette)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the [test] extra)")

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from glassgrad.playground import create_app, limits  # noqa: E402
from glassgrad.playground.store import SessionStore  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

SMALL = {"points": 60, "hidden": [4], "seed": 1}


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def new(client, **config):
    r = client.post("/api/session", json=config)
    assert r.status_code == 200, r.text
    body = r.json()
    return body["session"], body["state"]


def step(client, sid, steps):
    r = client.post(f"/api/session/{sid}/step", json={"steps": steps})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------------- every route
def test_options_names_every_choice_and_limit(client):
    r = client.get("/api/options")
    assert r.status_code == 200
    o = r.json()
    assert o["datasets"] == ["xor", "circles", "moons", "spirals", "blobs", "csv"]
    assert o["activations"] == ["tanh", "relu", "sigmoid", "identity"]
    assert o["losses"] == ["cross_entropy", "mse"]
    assert o["optimizers"] == ["sgd", "momentum", "adam"]
    assert set(o["limits"]) == {"max_layers", "max_width", "max_points", "max_csv_bytes",
                                "max_sessions", "max_steps", "max_step_examples"}
    assert o["limits"]["max_width"] == limits.MAX_WIDTH


def test_a_new_session_returns_the_whole_state(client):
    sid, s = new(client, dataset="circles", points=100, test_fraction=0.3, hidden=[5, 3])
    assert s["session"] == sid and s["iteration"] == 0 and s["epoch"] == 0
    assert len(s["train_loss"]) == len(s["test_loss"]) == 1
    assert 0 <= s["train_accuracy"] <= 1 and 0 <= s["test_accuracy"] <= 1
    assert len(s["points"]["train"]) == 70 and len(s["points"]["test"]) == 30
    assert all(len(p) == 3 and p[2] in (0, 1) for p in s["points"]["train"])
    b = s["boundary"]
    xmin, xmax, ymin, ymax = b["extent"]
    assert xmin < xmax and ymin < ymax
    assert len(b["probability"]) == b["size"] and all(len(row) == b["size"] for row in b["probability"])
    assert all(0 <= p <= 1 for row in b["probability"] for p in row)
    # every point lies inside the drawn region
    assert all(xmin <= x <= xmax and ymin <= y <= ymax for x, y, _ in s["points"]["train"] + s["points"]["test"])
    h = s["hidden"]
    assert h["layer"] == 1 and len(h["points"]) == 70 and all(len(p) == 2 for p in h["points"])
    assert s["config"]["hidden"] == [5, 3] and s["config"]["optimizer"] == "sgd"  # defaults filled in


def test_get_step_and_reset_answer_with_the_state(client):
    sid, first = new(client, **SMALL)
    after = step(client, sid, 3)
    assert after["iteration"] == 3 and len(after["train_loss"]) == 2
    assert after["epoch"] == pytest.approx(3 * 10 / 42)  # 3 batches of 10 of the 42 train points
    got = client.get(f"/api/session/{sid}")
    assert got.status_code == 200 and got.json()["iteration"] == 3
    r = client.post(f"/api/session/{sid}/reset")
    assert r.status_code == 200 and r.json()["iteration"] == 0
    assert r.json()["train_loss"] == first["train_loss"]


def test_the_state_is_json_without_nan(client):
    sid, _ = new(client, **SMALL)
    text = client.post(f"/api/session/{sid}/step", json={"steps": 2}).text
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the state"))


def test_the_page_and_a_missing_static_file(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    r = client.get("/static/no-such-file.js")
    assert r.status_code == 404 and "error" in r.json()


# ---------------------------------------------------------------------- training
@pytest.mark.parametrize("dataset, config", [
    ("xor", {"hidden": [8], "lr": 0.3, "optimizer": "momentum"}),
    ("circles", {"hidden": [8, 8], "lr": 0.01, "optimizer": "adam"}),
])
def test_the_loss_falls_and_the_boundary_changes(client, dataset, config):
    sid, first = new(client, dataset=dataset, points=200, **config)
    last = None
    for _ in range(4):
        last = step(client, sid, 100)
    losses = last["train_loss"]
    assert last["iteration"] == 400 and len(losses) == 5
    assert losses[-1] < 0.5 * losses[0], losses
    assert last["test_loss"][-1] < last["test_loss"][0]
    assert last["train_accuracy"] > 0.9
    assert last["boundary"]["probability"] != first["boundary"]["probability"]


@pytest.mark.parametrize("config", [
    {"loss": "mse", "activation": "relu"},
    {"dropout": 0.3, "weight_decay": 0.001, "optimizer": "adam", "lr": 0.01},
    {"activation": "sigmoid", "hidden": []},
    {"activation": "identity", "hidden": [1]},
])
def test_reset_gives_the_first_loss_and_the_same_run_again(client, config):
    """Reset restores the seeded weights, the batch order and the dropout masks: the same
    steps then give the same curve, exactly."""
    sid, first = new(client, **dict(SMALL, **config))
    run1 = step(client, sid, 25)
    again = client.post(f"/api/session/{sid}/reset").json()
    assert again["train_loss"] == first["train_loss"] and again["test_loss"] == first["test_loss"]
    assert again["boundary"] == first["boundary"]
    run2 = step(client, sid, 25)
    assert run2["train_loss"] == run1["train_loss"]
    assert run1["train_loss"][1] != run1["train_loss"][0]  # the steps did move the weights


def test_the_same_config_gives_the_same_session_and_another_seed_another(client):
    _, a = new(client, dataset="moons", **SMALL)
    _, b = new(client, dataset="moons", **SMALL)
    _, c = new(client, dataset="moons", **dict(SMALL, seed=2))
    assert a["points"] == b["points"] and a["train_loss"] == b["train_loss"]
    assert a["points"] != c["points"] and a["train_loss"] != c["train_loss"]


def test_two_sessions_are_independent(client):
    """Training one tab's network leaves the other's where it was; stepping both in
    turns gives each the numbers it gets alone."""
    alone, _ = new(client, **SMALL, dropout=0.2)
    ref = step(client, alone, 10)["train_loss"]
    a, _ = new(client, **SMALL, dropout=0.2)
    b, b_first = new(client, **dict(SMALL, dataset="blobs", seed=5), dropout=0.2)
    for _ in range(5):
        step(client, a, 2)
        step(client, b, 1)
    b_now = client.get(f"/api/session/{b}").json()
    assert b_now["iteration"] == 5
    assert client.get(f"/api/session/{a}").json()["train_loss"][-1] == ref[-1]
    client.post(f"/api/session/{b}/reset")
    assert client.get(f"/api/session/{a}").json()["iteration"] == 10
    assert client.get(f"/api/session/{b}").json()["train_loss"] == b_first["train_loss"]


def test_every_dataset_makes_a_session(client):
    for name in ["xor", "circles", "moons", "spirals", "blobs"]:
        _, s = new(client, dataset=name, points=50, noise=0.2)
        assert len(s["points"]["train"]) + len(s["points"]["test"]) == 50
        assert {p[2] for p in s["points"]["train"]} == {0, 1}


# ---------------------------------------------------------------------- the session store
def test_a_full_store_refuses_while_tabs_are_active_and_evicts_the_idle():
    now = [0.0]
    store = SessionStore(capacity=2, idle_seconds=30, clock=lambda: now[0])
    with TestClient(create_app(store=store)) as c:
        a, _ = new(c, **SMALL)
        now[0] = 10
        b, _ = new(c, **SMALL)
        r = c.post("/api/session", json=SMALL)
        assert r.status_code == 429 and "too many sessions" in r.json()["error"]
        now[0] = 35  # a is idle for 35 s, b for 25 s
        c.get(f"/api/session/{b}")  # b is used again
        cc, _ = new(c, **SMALL)  # takes a's place
        assert c.get(f"/api/session/{a}").status_code == 404
        assert c.get(f"/api/session/{b}").status_code == 200
        assert c.get(f"/api/session/{cc}").status_code == 200


def test_delete_frees_the_slot_of_a_closed_tab():
    store = SessionStore(capacity=1, idle_seconds=1e9)
    with TestClient(create_app(store=store)) as c:
        a, _ = new(c, **SMALL)
        assert c.post("/api/session", json=SMALL).status_code == 429
        r = c.delete(f"/api/session/{a}")
        assert r.status_code == 200 and r.json() == {"closed": a}
        assert c.get(f"/api/session/{a}").status_code == 404
        assert c.delete(f"/api/session/{a}").status_code == 404
        new(c, **SMALL)


def test_session_ids_are_unguessable(client):
    ids = {new(client, **SMALL)[0] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) >= 16 for i in ids)


def test_sessions_in_threads_give_the_numbers_they_give_alone():
    """The server runs requests in a thread pool. glassgrad's grad mode and trace
    observers are process-wide, so one tab drawing its boundary (under no_grad) or
    tracing a point must not reach into another tab's training step."""
    import threading

    from glassgrad.playground.session import Session

    config = dict(SMALL, hidden=[6, 6], dropout=0.1, points=200)
    alone = Session(config)
    for _ in range(30):
        alone.step(5)
    expected = alone.state()["train_loss"]

    trained, other = Session(config), Session(dict(config, seed=9))
    errors = []
    stop = threading.Event()

    def train():
        try:
            for _ in range(30):
                trained.step(5)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            stop.set()

    def look():
        try:
            k = 0
            while not stop.is_set():
                other.state()
                other.explain_json("train", k % 10)
                k += 1
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=train), threading.Thread(target=look)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert trained.state()["train_loss"] == expected
