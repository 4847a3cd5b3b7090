"""Bad input to the playground's API: each refused with its status and one line naming
what was wrong and what was expected, nothing made (no session), and the server keeps
answering. And the uploaded CSV path, good and bad.
"""

import warnings

import pytest

pytest.importorskip("starlette", reason="the playground needs the [playground] extra (starlette)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (the [test] extra)")

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from glassgrad.playground import create_app, limits  # noqa: E402

GOOD_CSV = "x,y,label\n" + "\n".join(f"{i / 10},{(i * 7 % 10) / 10},{i % 2}" for i in range(20))


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def _csv(text):
    return {"dataset": "csv", "csv": text}


# config -> the text the 400's one line must contain
CONFIGS = [
    ({"colour": "red"}, "config: unknown field 'colour'"),
    ({"dataset": "mnist"}, "dataset: expected one of xor, circles, moons, spirals, blobs, csv, got 'mnist'"),
    ({"dataset": 3}, "dataset: expected one of"),
    ({"points": 5}, f"points: expected a whole number from {limits.MIN_POINTS} to {limits.MAX_POINTS}, got 5"),
    ({"points": 10**9}, "points: expected a whole number"),
    ({"points": 100.5}, "points: expected a whole number"),
    ({"points": True}, "points: expected a whole number"),
    ({"points": "200"}, "points: expected a whole number"),
    ({"noise": -0.1}, "noise: expected a finite number in [0.0, 1.0], got -0.1"),
    ({"noise": 1e308}, "noise"),
    ({"noise": None}, "noise"),
    ({"test_fraction": 0.95}, "test_fraction: expected a finite number in [0.0, 0.9]"),
    ({"hidden": [8] * (limits.MAX_LAYERS + 1)}, f"hidden: expected a list of at most {limits.MAX_LAYERS} layer widths"),
    ({"hidden": [limits.MAX_WIDTH + 1]}, f"each a whole number from 1 to {limits.MAX_WIDTH}, got {limits.MAX_WIDTH + 1}"),
    ({"hidden": [0]}, "hidden: expected"),
    ({"hidden": [4, "8"]}, "hidden: expected"),
    ({"hidden": [2.5]}, "hidden: expected"),
    ({"hidden": 8}, "hidden: expected a list"),
    ({"hidden": [[4]]}, "hidden: expected"),
    ({"activation": "gelu"}, "activation: expected one of tanh, relu, sigmoid, identity, got 'gelu'"),
    ({"loss": "hinge"}, "loss: expected one of cross_entropy, mse, got 'hinge'"),
    ({"optimizer": "lbfgs"}, "optimizer: expected one of sgd, momentum, adam, got 'lbfgs'"),
    ({"lr": 0}, "lr: expected a finite number in (0.0, 10.0], got 0"),
    ({"lr": -1}, "lr: expected"),
    ({"lr": 100}, "lr: expected"),
    ({"lr": "0.1"}, "lr: expected"),
    ({"batch_size": 0}, "batch_size: expected a whole number from 1"),
    ({"batch_size": 10**6}, "batch_size: expected a whole number"),
    ({"weight_decay": -0.01}, "weight_decay: expected a finite number in [0.0, 1.0]"),
    ({"dropout": 0.95}, "dropout: expected a finite number in [0.0, 0.9]"),
    ({"dropout": 1}, "dropout"),
    ({"seed": -1}, "seed: expected a whole number from 0 to 4294967295, got -1"),
    ({"seed": 2**40}, "seed"),
    ({"csv": 5}, "csv: expected the CSV file's text"),
    ({"dataset": "csv"}, "csv: dataset 'csv' needs the CSV text"),
    ({"dataset": "csv", "csv": "  \n "}, "csv: dataset 'csv' needs the CSV text"),
    # the CSV itself
    (_csv("x,y,label\n1,2\n"), "csv line 2: expected 3 values x,y,label, got 2"),
    (_csv("1,2,0,4\n"), "csv line 1: expected 3 values x,y,label, got 4"),
    (_csv(GOOD_CSV + "\n1,two,0"), "csv line 22: y: expected a number, got 'two'"),
    (_csv(GOOD_CSV + "\nnan,1,0"), "csv line 22: x: expected a finite number, got 'nan'"),
    (_csv(GOOD_CSV + "\n1,inf,0"), "csv line 22: y: expected a finite number, got 'inf'"),
    (_csv(GOOD_CSV + "\n1,1e999,0"), "csv line 22: y: expected a finite number, got '1e999'"),
    (_csv(GOOD_CSV + "\n1,1,0.5"), f"csv line 22: label: expected a whole number from 0 to {limits.MAX_CLASSES - 1}, got '0.5'"),
    (_csv(GOOD_CSV + "\n1,1,-1"), "csv line 22: label: expected a whole number"),
    (_csv(GOOD_CSV + "\n1,1,99"), "csv line 22: label: expected a whole number"),
    (_csv(GOOD_CSV + "\n1,1,cat"), "csv line 22: label: expected a whole number"),
    (_csv("x,y,label\n" + "\n".join(f"{i},{i},0" for i in range(10))), "csv: expected points of at least 2 classes, every label is 0"),
    (_csv("1,1,0\n2,2,1\n"), "csv: expected at least 4 points (lines x,y,label), got 2"),
    (_csv("x,y,label\n"), "csv: expected at least 4 points"),
    (_csv("\n".join(f"{i},{i},{i % 2}" for i in range(limits.MAX_POINTS + 1))),
     f"csv: expected at most {limits.MAX_POINTS} points, got more (line {limits.MAX_POINTS + 1})"),
    (_csv("1,1,0\n2,2,1\n3,3,0\n4,4,1\n1e300,1,0"), "csv: expected coordinates of at most 1e6"),
    (_csv('1,1,0\n2,2,1\n"3,3,0\n4,4,1'), "csv line 3: expected 3 values x,y,label, got 1"),
    (_csv("1,1,0\n2,\x002,1\n3,3,0\n4,4,1"), "csv line 2: y: expected a number"),
    (_csv("x" * (limits.MAX_CSV_BYTES + 1)), f"csv: expected at most {limits.MAX_CSV_BYTES} bytes"),
    (dict(_csv("1,1,0\n2,2,1\n3,3,0\n4,4,1"), test_fraction=0.9), "test_fraction: 0.9 of 4 points leaves 0 to train on"),
]


def _assert_refused(r, status, expected):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    line = body["error"]
    assert "\n" not in line and "Traceback" not in line
    assert expected in line, line


@pytest.mark.parametrize("config, expected", CONFIGS, ids=[e[:60] for _, e in CONFIGS])
def test_a_bad_config_is_one_line_and_makes_no_session(client, config, expected):
    store = client.app.state.store
    _assert_refused(client.post("/api/session", json=config), 400, expected)
    assert len(store) == 0
    assert client.get("/api/options").status_code == 200  # still serving


BODIES = [
    (b"{", "request body: expected JSON, but Expecting property name"),
    (b"[1, 2]", "request body: expected a JSON object, got list"),
    (b'"xor"', "request body: expected a JSON object, got str"),
    (b'{"lr": NaN}', "request body: expected finite numbers, got NaN"),
    (b'{"lr": Infinity}', "request body: expected finite numbers, got Infinity"),
    (b'{"lr": 1e999}', "lr: expected a finite number"),
    (b"\xff\xfe{}", "request body: expected UTF-8 JSON text"),
    (b"[" * 50_000 + b"]" * 50_000, "request body: expected JSON nested a few levels deep"),
]


@pytest.mark.parametrize("body, expected", BODIES, ids=[e[:50] for _, e in BODIES])
def test_a_body_that_is_not_a_json_object_is_refused(client, body, expected):
    _assert_refused(client.post("/api/session", content=body), 400, expected)


def test_a_body_too_large_is_413_before_it_is_read_whole(client):
    r = client.post("/api/session", content=b" " * (limits.MAX_BODY_BYTES + 1))
    _assert_refused(r, 413, f"request body: expected at most {limits.MAX_BODY_BYTES} bytes")


def test_bad_step_reset_and_explain_requests(client):
    sid = client.post("/api/session", json={"points": 40, "hidden": [3]}).json()["session"]
    step = f"/api/session/{sid}/step"
    _assert_refused(client.post(step, json={"steps": 0}), 400, f"steps: expected a whole number from 1 to {limits.MAX_STEPS}, got 0")
    _assert_refused(client.post(step, json={"steps": limits.MAX_STEPS + 1}), 400, "steps: expected")
    _assert_refused(client.post(step, json={"steps": 2.5}), 400, "steps: expected")
    _assert_refused(client.post(step, json={"steps": "10"}), 400, "steps: expected")
    _assert_refused(client.post(step, json={"steps": True}), 400, "steps: expected")
    _assert_refused(client.post(step, json={"steps": 1, "lr": 9}), 400, "step: unknown field 'lr'")
    _assert_refused(client.post(step, json=[1]), 400, "request body: expected a JSON object")
    assert client.get(f"/api/session/{sid}").json()["iteration"] == 0  # none of them trained
    assert client.post(step).json()["iteration"] == 1  # an empty body is one step

    explain = f"/api/session/{sid}/explain.json"
    _assert_refused(client.get(explain), 400, "index: expected the example's index")
    _assert_refused(client.get(explain + "?index=-1"), 400, "index: expected a whole number from 0, got '-1'")
    _assert_refused(client.get(explain + "?index=abc"), 400, "index: expected a whole number from 0, got 'abc'")
    _assert_refused(client.get(explain + "?index=1e3"), 400, "index")
    _assert_refused(client.get(explain + "?index=" + "9" * 40), 400, "index")
    _assert_refused(client.get(explain + "?index=28"), 400, "index: expected a whole number from 0 to 27 (the train set has 28 points), got 28")
    _assert_refused(client.get(explain + "?split=test&index=12"), 400, "(the test set has 12 points)")
    _assert_refused(client.get(explain + "?split=val&index=0"), 400, "split: expected train or test, got 'val'")
    _assert_refused(client.get(explain + "?index=0&x=1"), 400, "explain: unknown parameter 'x'")
    _assert_refused(client.get(f"/api/session/{sid}/explain?index=zz"), 400, "index")

    for path in ["/api/session/nope", "/api/session/nope/explain?index=0"]:
        _assert_refused(client.get(path), 404, "no session 'nope'")
    for path in ["/api/session/nope/step", "/api/session/nope/reset"]:
        _assert_refused(client.post(path, json={}), 404, "no session 'nope'")
    _assert_refused(client.get("/api/nothing"), 404, "no such page or route: /api/nothing")
    _assert_refused(client.get("/api/session"), 405, "method GET is not allowed on /api/session")
    _assert_refused(client.put(f"/api/session/{sid}"), 405, "method PUT is not allowed")
    _assert_refused(client.delete("/api/session/nope"), 404, "no session 'nope'")
    assert client.get(f"/api/session/{sid}").json()["iteration"] == 1  # the session is still there


def test_a_bug_is_a_500_of_one_line_and_the_server_keeps_serving(monkeypatch):
    from glassgrad.playground.session import Session

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        sid = client.post("/api/session", json={"points": 40}).json()["session"]

        def broken(self):
            raise KeyError("a bug")

        monkeypatch.setattr(Session, "state", broken)
        r = client.get(f"/api/session/{sid}")
        assert r.status_code == 500
        assert "internal error" in r.json()["error"] and "KeyError" in r.json()["error"]
        monkeypatch.undo()
        assert client.get(f"/api/session/{sid}").status_code == 200


def test_a_host_header_from_elsewhere_is_refused_when_asked():
    """The command serves loopback with allowed_hosts: a page on another site that
    rebinds its name to 127.0.0.1 cannot use the server."""
    with TestClient(create_app(allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://127.0.0.1") as c:
        assert c.get("/api/options").status_code == 200
        assert c.get("/api/options", headers={"host": "evil.example"}).status_code == 400


# ---------------------------------------------------------------------- the CSV upload
def test_an_uploaded_csv_is_the_data_split_and_trained_on(client):
    rows = [(0.1 * i, -0.05 * i, int(i >= 10)) for i in range(20)]
    text = "x , y , label\r\n" + "\r\n".join(f"{x}, {y}, {c}" for x, y, c in rows) + "\r\n\r\n"
    r = client.post("/api/session", json={"dataset": "csv", "csv": text, "test_fraction": 0.25,
                                          "hidden": [4], "lr": 0.5})
    assert r.status_code == 200, r.text
    s = r.json()["state"]
    got = sorted(tuple(p) for p in s["points"]["train"] + s["points"]["test"])
    assert len(s["points"]["test"]) == 5 and len(s["points"]["train"]) == 15
    assert [c for _, _, c in got] == [c for _, _, c in sorted(rows)]
    for (x, y, c), (gx, gy, gc) in zip(sorted(rows), got):
        assert gx == pytest.approx(x, rel=1e-6, abs=1e-7) and gy == pytest.approx(y, rel=1e-6, abs=1e-7) and gc == c
    assert s["classes"] == 2
    after = client.post(f"/api/session/{r.json()['session']}/step", json={"steps": 200}).json()
    assert after["train_loss"][-1] < after["train_loss"][0]


def test_a_csv_without_header_and_with_three_classes(client):
    text = "\n".join(f"{k + 0.01 * i},{-k + 0.02 * i},{k}" for k in range(3) for i in range(6))
    r = client.post("/api/session", json={"dataset": "csv", "csv": text, "test_fraction": 0})
    assert r.status_code == 200, r.text
    s = r.json()["state"]
    assert s["classes"] == 3 and len(s["points"]["train"]) == 18 and s["points"]["test"] == []
    assert s["test_accuracy"] is None and s["test_loss"] == [None]
    assert {c for row in s["boundary"]["predicted"] for c in row} <= {0, 1, 2}


def test_a_step_request_has_a_work_budget(client):
    """steps x batch size is capped per request, so one click cannot hold the server for
    minutes; the refusal says how many steps this batch size allows."""
    sid = client.post("/api/session", json={"points": 1000, "batch_size": 500, "test_fraction": 0,
                                           "hidden": [2]}).json()["session"]
    budget = limits.MAX_STEP_EXAMPLES // 500
    r = client.post(f"/api/session/{sid}/step", json={"steps": budget + 1})
    _assert_refused(r, 400, f"steps: {budget + 1} steps of 500 examples is {(budget + 1) * 500} examples; "
                            f"expected at most {limits.MAX_STEP_EXAMPLES} per request, so at most {budget} steps")
    assert client.get(f"/api/session/{sid}").json()["iteration"] == 0
    assert client.post(f"/api/session/{sid}/step", json={"steps": 2}).json()["iteration"] == 2


def test_a_csv_at_the_size_limit_with_windows_line_ends_is_judged_by_its_size_not_the_body(client):
    """JSON spells \\r\\n in four characters: a CSV just over its byte limit is refused for
    its own size (400, naming csv), not for the body's (413)."""
    line = "1,2,0\r\n"
    text = line * (limits.MAX_CSV_BYTES // len(line) + 1)
    _assert_refused(client.post("/api/session", json=_csv(text)), 400,
                    f"csv: expected at most {limits.MAX_CSV_BYTES} bytes")
