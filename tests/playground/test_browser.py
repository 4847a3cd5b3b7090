"""The playground page in a real browser: the test starts the real server
(``python -m glassgrad playground --no-browser --port P``) and drives its page in headless
Chromium (Debian's ``chromium``) through Playwright for Python, clicking the page's own
buttons and reading what the page shows.

The numbers a clicked point shows are held to a forward and backward pass written out in
NumPy here (float64, the chain rule by hand from the weights the server reports), not to
glassgrad's own values. The page must make no request outside its own server.

Skipped, saying so, where Playwright, Chromium or the playground's web stack is missing
(.ci/run installs Debian's chromium; Playwright comes from the test extra).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import glassgrad

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                               "(pip install 'glassgrad[test]'): the playground's browser tests need it")
pytest.importorskip("starlette", reason="the playground's web stack is not installed (pip install "
                    "'glassgrad[playground]'): its browser tests need a running server")
pytest.importorskip("uvicorn", reason="uvicorn is not installed (pip install 'glassgrad[playground]'): "
                    "the playground's browser tests need a running server")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium "
                                                         "(apt-get install chromium) to run the browser tests")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
WAIT_MS = 60_000  # two cores shared with other work: be patient, the checks are not about speed


# ---------------------------------------------------------------------- the server and the browser
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def post_json(url, body):
    """(status, answer) of a POST, errors included (the server's 4xx answers are JSON too)."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


@pytest.fixture(scope="module")
def server():
    """The real `glassgrad playground` on a free port; its base URL."""
    port = free_port()
    env = dict(os.environ)
    src = str(Path(glassgrad.__file__).resolve().parents[1])  # this tree's glassgrad, not another install
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "glassgrad", "playground", "--no-browser", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"glassgrad playground exited with {proc.returncode}: {proc.stdout.read()[-2000:]}")
        try:
            get_json(base + "/api/options")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"glassgrad playground did not answer on {base} within 60 s")
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    # bypass_csp: Playwright's wait_for_function evaluates its predicate as a string, which
    # the page's Content-Security-Policy (script-src 'self') refuses. The policy off also
    # means a request to another address would really be sent, and so seen by the check.
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


class Tab:
    """One browser tab on the playground, with every request it (and its frames) made."""

    def __init__(self, context, base):
        self.base = base
        self.requests = []
        self.errors = []
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(base + "/")
        self.page.wait_for_function("() => playground.state !== null")
        self.idle()

    def state(self):
        return self.page.evaluate("() => playground.state")

    def session(self):
        return self.page.evaluate("() => playground.session")

    def idle(self):
        """Wait until the page's queued server calls (and a Play loop) are done."""
        self.page.wait_for_function("() => !playground.playing")
        self.page.evaluate("() => playground.queue.then(() => true)")
        self.page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))")

    def shown(self, selector):
        """(text, full value) of a number the page shows."""
        element = self.page.locator(selector)
        return element.inner_text(), element.get_attribute("data-value")

    def shown_loss(self):
        return float(self.shown("#train-loss")[1])

    def iteration(self):
        return int(self.page.inner_text("#iteration"))

    def status(self):
        line = self.page.locator("#status")
        return line.inner_text(), "error" in (line.get_attribute("class") or "")

    def new_settings(self, change):
        """Change a setting through the page (``change(page)``) and wait for the new session."""
        before = self.session()
        change(self.page)
        self.page.wait_for_function("(old) => playground.session !== old", arg=before)
        self.idle()

    def play_until(self, iterations):
        self.page.click("#play")
        self.page.wait_for_function("(n) => playground.state.iteration >= n", arg=iterations)
        self.page.click("#play")  # Pause
        self.idle()

    def canvas_pixels(self, canvas_id):
        return np.array(self.page.evaluate("""(id) => {
            const c = document.getElementById(id);
            return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
        }""", canvas_id), dtype=np.uint8)

    def boundary_pixels(self):
        return self.canvas_pixels("boundary")

    def click_point(self, split, index):
        """A mouse click where the page drew that point."""
        x, y = self.page.evaluate("""([split, index]) => {
            const s = playground.state, r = document.getElementById('boundary').getBoundingClientRect();
            const [x0, x1, y0, y1] = s.boundary.extent, [x, y] = s.points[split][index];
            return [r.left + (x - x0) / (x1 - x0) * r.width, r.top + (y1 - y) / (y1 - y0) * r.height];
        }""", [split, index])
        self.page.mouse.click(x, y)

    def assert_only_own_origin(self):
        assert self.requests, "the page made no request at all: the test saw nothing"
        outside = [u for u in self.requests if not u.startswith(self.base + "/")]
        assert outside == [], f"requests outside {self.base}: {outside}"
        assert self.errors == [], f"script errors in the page: {self.errors}"


def isolated_point(state, split="train"):
    """The index of the point of ``split`` farthest from every other point (a click on it
    cannot pick a neighbour)."""
    pts = np.array([p[:2] for p in state["points"][split]])
    every = np.array([p[:2] for s in ("train", "test") for p in state["points"][s]])
    d = np.linalg.norm(pts[:, None, :] - every[None, :, :], axis=2)
    d[d == 0] = np.inf  # itself
    return int(d.min(axis=1).argmax())


# ---------------------------------------------------------------------- the tests
def test_play_then_pause_trains_the_loss_falls_and_the_boundary_changes(context, server):
    tab = Tab(context, server)
    tab.new_settings(lambda page: page.select_option("#optimizer", "adam"))
    assert tab.state()["config"]["optimizer"] == "adam"
    first = tab.shown_loss()
    assert first == pytest.approx(tab.state()["train_loss"][0])  # the page shows the server's loss
    before = tab.boundary_pixels()

    tab.play_until(100)
    stopped_at = tab.iteration()
    assert stopped_at >= 100
    time.sleep(0.5)
    assert tab.iteration() == stopped_at, "Pause did not stop the training"
    # circles with Adam at lr 0.03 learn quickly: 100 iterations take the mean loss well down
    assert tab.shown_loss() < 0.75 * first
    after = tab.boundary_pixels()
    changed = np.mean(np.any(before.reshape(-1, 4) != after.reshape(-1, 4), axis=1))
    assert changed > 0.2, f"only {changed:.1%} of the boundary's pixels changed"

    # the loss curves: drawn, and redrawn on the other axis when log scale is switched off
    log_curve = tab.canvas_pixels("loss-curve")
    assert (log_curve.reshape(-1, 4)[:, 3] > 0).mean() > 0.01
    tab.page.uncheck("#log-scale")
    assert not np.array_equal(tab.canvas_pixels("loss-curve"), log_curve)
    tab.assert_only_own_origin()


def test_step_then_reset_gives_the_first_loss_again(context, server):
    tab = Tab(context, server)
    first_text, first = tab.shown("#train-loss")
    assert tab.iteration() == 0

    tab.page.click("#step")
    tab.idle()
    assert tab.iteration() == 1
    after_one = tab.shown("#train-loss")[1]
    assert after_one != first  # one SGD step moved the weights
    tab.page.click("#step")
    tab.idle()
    assert tab.iteration() == 2

    tab.page.click("#reset")
    tab.idle()
    assert tab.iteration() == 0
    assert tab.shown("#train-loss") == (first_text, first)  # the same seeded initial weights
    assert len(tab.state()["train_loss"]) == 1
    tab.page.click("#step")
    tab.idle()
    assert tab.shown("#train-loss")[1] == after_one  # and the same batches after them
    tab.assert_only_own_origin()


def test_every_dataset_can_be_chosen(context, server):
    tab = Tab(context, server)
    datasets = [d for d in get_json(server + "/api/options")["datasets"] if d != "csv"]
    assert {"xor", "circles", "moons", "spirals", "blobs"} <= set(datasets)
    seen = {}
    for name in datasets:
        if tab.state()["config"]["dataset"] != name:
            tab.new_settings(lambda page: page.select_option("#dataset", name))
        state = tab.state()
        assert state["config"]["dataset"] == name
        text, is_error = tab.status()
        assert not is_error, text
        assert len(state["points"]["train"]) > 0
        seen[name] = state["points"]["train"][:5]
    assert len({json.dumps(v) for v in seen.values()}) == len(datasets)  # each its own points
    tab.assert_only_own_origin()


def write_csv(path, rows, header=True):
    lines = (["x,y,label"] if header else []) + [f"{x},{y},{k}" for x, y, k in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_uploading_a_csv_trains_on_its_points(context, server, tmp_path):
    rng = np.random.default_rng(1)
    rows = [(round(float(x), 3), round(float(y), 3), int(x + y > 0)) for x, y in rng.uniform(-1, 1, (40, 2))]
    tab = Tab(context, server)
    tab.new_settings(lambda page: page.set_input_files("#csv-file", str(write_csv(tmp_path / "mine.csv", rows))))
    state = tab.state()
    assert state["config"]["dataset"] == "csv"
    assert tab.page.input_value("#dataset") == "csv"
    got = sorted(tuple(p) for s in ("train", "test") for p in state["points"][s])
    want = sorted((x, y, k) for x, y, k in rows)
    assert len(got) == len(want)
    np.testing.assert_allclose(np.array(got), np.array(want, dtype=float), rtol=1e-6, atol=1e-6)
    tab.page.click("#step")
    tab.idle()
    assert tab.iteration() == 1
    tab.assert_only_own_origin()


def test_three_classes_colour_the_regions_by_the_predicted_class(context, server, tmp_path):
    # three clusters, labels 0, 1, 2: p(class 1) alone cannot show the regions
    rng = np.random.default_rng(2)
    centres = [(-1.0, -1.0), (1.0, -1.0), (0.0, 1.0)]
    rows = [(round(cx + float(dx), 3), round(cy + float(dy), 3), k)
            for k, (cx, cy) in enumerate(centres) for dx, dy in rng.normal(0, 0.2, (20, 2))]
    tab = Tab(context, server)
    tab.new_settings(lambda page: page.set_input_files("#csv-file", str(write_csv(tmp_path / "three.csv", rows))))
    assert tab.state()["classes"] == 3
    caption = tab.page.inner_text("#boundary-caption")
    assert "predicted class" in caption and "class 2" in caption
    tab.new_settings(lambda page: page.select_option("#optimizer", "adam"))
    tab.play_until(150)
    assert tab.state()["train_accuracy"] > 0.9
    # Okabe-Ito's bluish green (class 2), paled, is the only colour whose green beats red and blue
    rgb = tab.boundary_pixels().reshape(-1, 4)[:, :3].astype(int)
    green = (rgb[:, 1] > rgb[:, 0] + 30) & (rgb[:, 1] > rgb[:, 2] + 5)
    assert green.mean() > 0.1, f"only {green.mean():.1%} of the map in class 2's colour"
    tab.assert_only_own_origin()


def test_bad_input_shows_the_servers_line_and_the_page_keeps_working(context, server, tmp_path):
    tab = Tab(context, server)
    session = tab.session()
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n0.5,0.25,1\nnot a number,3,0\n")
    # what the server itself says about this file
    status, answer = post_json(server + "/api/session", {"dataset": "csv", "csv": bad.read_text()})
    assert status == 400
    message = answer["error"]
    assert "\n" not in message

    tab.page.set_input_files("#csv-file", str(bad))
    tab.page.wait_for_function("() => document.getElementById('status').classList.contains('error')")
    tab.idle()
    text, is_error = tab.status()
    assert is_error and message in text
    assert tab.page.locator("#status").evaluate("e => e.getClientRects().length") == 1  # one line
    assert tab.session() == session  # the old session goes on

    tab.page.click("#step")
    tab.idle()
    assert tab.iteration() == 1
    assert not tab.status()[1]  # working again: the error line gives way

    # an absurd size: the server's limit, said in the page
    max_points = get_json(server + "/api/options")["limits"]["max_points"]
    tab.page.select_option("#dataset", "moons")
    tab.page.fill("#points", str(max_points * 1000))
    tab.page.dispatch_event("#points", "change")
    tab.page.wait_for_function("() => document.getElementById('status').classList.contains('error')")
    tab.idle()
    text, is_error = tab.status()
    assert is_error and "points" in text
    assert tab.session() == session

    tab.page.fill("#points", "100")  # corrected: a new session, the error line gone
    tab.new_settings(lambda page: page.dispatch_event("#points", "change"))
    assert not tab.status()[1]
    assert tab.state()["config"]["dataset"] == "moons"
    tab.assert_only_own_origin()


def numpy_pass(params, layers, activation, loss, point, label, classes):
    """The loss of one example and the gradient of every weight, in float64 by the chain
    rule: s_l = W_l h_{l-1} + b_l, h_l = f(s_l); delta at the output from the loss, then
    delta_{l-1} = (W_l^T delta_l) * f'(s_{l-1}); dW_l = delta_l h_{l-1}^T, db_l = delta_l."""
    f, df = {"tanh": (np.tanh, lambda s, h: 1 - h ** 2),
             "relu": (lambda s: np.maximum(s, 0), lambda s, h: (s > 0).astype(float)),
             "sigmoid": (lambda s: 1 / (1 + np.exp(-s)), lambda s, h: h * (1 - h)),
             "identity": (lambda s: s, lambda s, h: np.ones_like(s))}[activation]
    linears = [(np.array(params[e["weight"]], dtype=np.float64), np.array(params[e["bias"]], dtype=np.float64))
               for e in layers if e["kind"] == "Linear"]
    hs, ss = [np.array(point, dtype=np.float64)], []
    for k, (W, b) in enumerate(linears):
        s = W @ hs[-1] + b
        ss.append(s)
        hs.append(f(s) if k < len(linears) - 1 else s)
    z = hs[-1]
    onehot = np.eye(classes)[label]
    if loss == "cross_entropy":
        value = np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[label]
        delta = np.exp(z - z.max()) / np.sum(np.exp(z - z.max())) - onehot
    else:  # mse of the outputs and the one-hot label, the mean over the classes
        value = np.mean((z - onehot) ** 2)
        delta = 2 * (z - onehot) / classes
    grads = []
    for k in range(len(linears) - 1, -1, -1):
        grads.append((np.outer(delta, hs[k]), delta))
        if k:
            delta = (linears[k][0].T @ delta) * df(ss[k - 1], hs[k])
    return z, value, grads[::-1]


def test_a_clicked_points_numbers_equal_a_pass_computed_here(context, server):
    tab = Tab(context, server)
    for _ in range(3):
        tab.page.click("#step")
    tab.idle()
    state = tab.state()
    index = isolated_point(state)
    tab.click_point("train", index)
    tab.page.wait_for_selector("#explain:not([hidden])")
    tab.idle()
    assert tab.page.evaluate("() => playground.selected") == {"split": "train", "index": index, "iteration": 3}

    # the weights the server used (the page paused training, so they stay put)
    numbers = get_json(f"{server}/api/session/{tab.session()}/explain.json?split=train&index={index}")
    point, label = numbers["point"], numbers["label"]
    assert point + [label] == pytest.approx(state["points"]["train"][index])
    config = state["config"]
    output, loss, grads = numpy_pass(numbers["params"], numbers["layers"], config["activation"], config["loss"],
                                     point, label, len(numbers["output"]))

    # the loss shown: its full value (float32 arithmetic on the server) and the rounded text
    text, value = tab.shown("#explain-loss")
    assert float(value) == pytest.approx(loss, rel=1e-5, abs=1e-7)
    assert float(text) == pytest.approx(loss, rel=1e-5, abs=1e-7)
    assert tab.page.inner_text("#explain-label") == str(label)

    # the first layer's weight gradient, cell by cell
    name = tab.page.get_attribute("#explain-grad", "data-name")
    assert name == numbers["layers"][0]["weight"]
    dW = grads[0][0]
    cells = tab.page.locator("#explain-grad td")
    assert cells.count() == dW.size
    shown_values = np.array([float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.value)")])
    shown_texts = np.array([float(t) for t in cells.all_inner_texts()])
    scale = np.abs(dW).max()
    np.testing.assert_allclose(shown_values, dW.ravel(), rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_allclose(shown_texts, dW.ravel(), rtol=1e-4, atol=1e-5 * scale)

    # the explorer in the frame: its gradient of the same weight and its loss are ours too
    frame = tab.page.frame_locator("#explorer-frame")
    frame.locator("#explorer-data").wait_for(state="attached")
    data = json.loads(frame.locator("#explorer-data").text_content())
    records = {r["name"]: r for r in data["records"]}
    np.testing.assert_allclose(records[name]["grad"], dW.ravel(), rtol=1e-4, atol=1e-5 * scale)
    last = next(r for r in data["records"] if r["id"] == data["forward"][-1])
    assert last["value"][0] == pytest.approx(loss, rel=1e-5, abs=1e-7)
    assert f"label {label}" in frame.locator("#title").inner_text()

    # the counters at the top, from the same weights: the mean train loss and the accuracy
    passes = [numpy_pass(numbers["params"], numbers["layers"], config["activation"], config["loss"],
                         p[:2], p[2], len(numbers["output"])) for p in state["points"]["train"]]
    mean_loss = np.mean([value for _, value, _ in passes])
    accuracy = np.mean([np.argmax(z) == p[2] for (z, _, _), p in zip(passes, state["points"]["train"])])
    # a point whose two best outputs are within float32 rounding could go either way
    near_ties = sum(np.diff(np.sort(z)[-2:])[0] < 1e-4 for z, _, _ in passes)
    assert tab.shown_loss() == pytest.approx(mean_loss, rel=1e-5)
    shown_accuracy = float(tab.page.inner_text("#train-accuracy").rstrip(" %")) / 100
    assert abs(shown_accuracy - accuracy) <= (near_ties + 0.5) / len(passes) + 1e-3  # + the text's 0.1 % rounding
    tab.assert_only_own_origin()


def test_two_tabs_train_independently(context, server):
    one, two = Tab(context, server), Tab(context, server)
    assert one.session() != two.session()
    two.new_settings(lambda page: page.select_option("#dataset", "moons"))
    one.play_until(20)
    at = one.iteration()
    assert two.iteration() == 0
    assert get_json(f"{server}/api/session/{two.session()}")["iteration"] == 0
    two.page.click("#step")
    two.idle()
    assert two.iteration() == 1
    assert get_json(f"{server}/api/session/{one.session()}")["iteration"] == at
    assert get_json(f"{server}/api/session/{one.session()}")["config"]["dataset"] == "circles"
    assert two.state()["config"]["dataset"] == "moons"
    one.assert_only_own_origin()
    two.assert_only_own_origin()


def test_a_session_the_server_forgot_is_replaced_and_the_page_goes_on(context, server):
    tab = Tab(context, server)
    gone = tab.session()
    request = urllib.request.Request(f"{server}/api/session/{gone}", method="DELETE")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    tab.page.click("#step")  # 404 from the server: the page starts a new session itself
    tab.page.wait_for_function("(old) => playground.session !== null && playground.session !== old", arg=gone)
    tab.idle()
    text, is_error = tab.status()
    assert not is_error and "new one" in text
    tab.page.click("#step")
    tab.idle()
    assert tab.iteration() == 1
    assert get_json(f"{server}/api/session/{tab.session()}")["iteration"] == 1
    tab.assert_only_own_origin()
