"""The backprop explorer page (explain/explorer.py): self-contained, its numbers the trace's,
the command-line paths. The browser tests are in test_explorer_browser.py.

Expected values are derived by hand in each test (the seed-000 graph) or read from the
engine's own .grad, never from the page's code.
"""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import glassgrad
from glassgrad.explain import explain_expression
from glassgrad.explain.explorer import to_html

SEED000 = ["explain", "2*(x*y + max(z, w))", "--at", "x=3", "y=-4", "z=2", "w=-1"]
DATA = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.S)


def page_data(html):
    m = DATA.search(html)
    assert m, "the page has no explorer-data JSON"
    return json.loads(m.group(1))


def by_name(data):
    return {r["name"]: r for r in data["records"]}


def run(*args):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def seed000():
    return explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})


# ------------------------------------------------------------------ self-contained
def assert_self_contained(html):
    # no address of any kind: nothing can be loaded, linked or requested
    assert not re.search(r"https?://", html, re.I)
    assert not re.search(r"\b(?:src|href)\s*=", html, re.I)
    assert not re.search(r"<link\b|@import|url\(", html, re.I)
    for word in ("fetch(", "XMLHttpRequest", "import(", "import ", "WebSocket", "EventSource",
                 "sendBeacon", "new Image"):
        assert word not in html, word
    # and the browser is told to refuse any request anyway
    assert "default-src 'none'" in html


def test_page_is_self_contained():
    html = seed000().trace.to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert_self_contained(html)


def test_title_and_json_cannot_break_out_of_their_elements():
    r = seed000()
    html = to_html(r.trace, title="</script><script>alert(1)</script> {{DATA}}")
    assert "<script>alert(1)" not in html
    data = page_data(html)
    assert data["title"].startswith("</script>")  # the JSON carries it intact, escaped as \\u003c
    assert html.count('id="explorer-data"') == 1


# ------------------------------------------------------------------ the numbers
def test_seed000_numbers_in_the_page_are_the_hand_derived_ones():
    # f = 2*(x*y + max(z, w)) at x=3, y=-4, z=2, w=-1, by hand: a = x*y = -12, m = max(2, -1)
    # = 2, b = a + m = -10, f = 2b = -20; df/db = 2, df/da = df/dm = 2, df/dx = 2y = -8,
    # df/dy = 2x = 6, df/dz = 2 (z is the larger), df/dw = 0.
    data = page_data(seed000().trace.to_html())
    rec = by_name(data)
    assert {n: rec[n]["value"] for n in "amb"} == {"a": [-12.0], "m": [2.0], "b": [-10.0]}
    assert rec["f"]["value"] == [-20.0]
    assert {n: rec[n]["grad"] for n in "xyzw"} == {"x": [-8.0], "y": [6.0], "z": [2.0], "w": [0.0]}
    assert rec["f"]["grad"] == [1.0]  # the seed
    assert [data["records"][[r["id"] for r in data["records"]].index(i)]["name"] for i in data["forward"]] \
        == ["a", "m", "b", "f"]
    # the edge a -> x: upstream df/da = 2 times local da/dx = y = -4 is -8
    edge = [s for s in data["backward"] if s["kind"] == "edge" and s["target"] == rec["x"]["id"]]
    assert len(edge) == 1
    assert (edge[0]["upstream"], edge[0]["local"], edge[0]["downstream"]) == ([2.0], [-4.0], [-8.0])
    assert edge[0]["numbers"] == "2 x (-4) = -8"
    assert data["backward"][0]["kind"] == "seed"


def test_rules_and_labels_are_the_op_classes_own():
    r = seed000()
    rec = by_name(page_data(r.trace.to_html()))
    for node in r.trace.nodes:
        cls = type(node.op) if not isinstance(node.op, type) else node.op
        assert rec[node.name]["label"] == cls.label
        assert rec[node.name]["rule"] == (cls.plain or cls.rule)
    assert rec["a"]["rule"]  # the multiply gate states its rule


def test_page_numbers_equal_the_trace_values():
    r = seed000()
    data = page_data(r.trace.to_html())
    rec = by_name(data)
    for record in r.trace.nodes + r.trace.leaves:
        assert rec[record.name]["value"] == record.value.reshape(-1).tolist()
        if record.gradient is not None:
            assert rec[record.name]["grad"] == record.gradient.reshape(-1).tolist()


def test_a_value_feeding_two_nodes_gets_a_sum_step():
    # f = x*y + x: x feeds the product and the sum; df/dx = y + 1 = -3 at y = -4,
    # the sum of the two messages -4 (through x*y) and 1 (straight into the add)
    r = explain_expression("x*y + x", {"x": 3, "y": -4})
    data = page_data(r.trace.to_html())
    x = by_name(data)["x"]
    sums = [s for s in data["backward"] if s["kind"] == "sum"]
    assert [s["target"] for s in sums] == [x["id"]]
    assert sorted(p[0] for p in sums[0]["parts"]) == [-4.0, 1.0]
    assert sums[0]["value"] == [-3.0]
    assert x["grad"] == [-3.0]
    # the sum comes after both edges into x
    steps = data["backward"]
    into_x = [k for k, s in enumerate(steps) if s["kind"] == "edge" and s["target"] == x["id"]]
    assert len(into_x) == 2 and steps.index(sums[0]) > max(into_x)


def test_broadcast_sum_is_its_own_step():
    # f = sum(X + b) with X of shape (3, 2), b of shape (2,): the engine sums the (3, 2)
    # gradient of ones over axis 0, so df/db = [3, 3]
    X = glassgrad.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    b = glassgrad.tensor([0.5, -1.0], requires_grad=True)
    with glassgrad.explain.trace() as t:
        (X + b).sum().backward()
    data = page_data(t.to_html())
    steps = [s for s in data["backward"] if s["kind"] == "broadcast"]
    assert len(steps) == 1
    assert steps[0]["axes"] == [0]
    assert steps[0]["value"] == [3.0, 3.0]
    assert "(3, 2) -> (2,)" in steps[0]["text"]


def test_a_training_step_of_a_model():
    glassgrad.manual_seed(0)
    model = glassgrad.nn.Sequential(glassgrad.nn.Linear(3, 4), glassgrad.nn.Tanh(), glassgrad.nn.Linear(4, 1))
    x = glassgrad.randn(5, 3)
    y = glassgrad.randn(5, 1)
    with glassgrad.explain.trace(names=model) as t:
        loss = glassgrad.nn.functional.mse_loss(model(x), y)
        loss.backward()
    data = page_data(t.to_html())
    rec = by_name(data)
    for name, p in model.named_parameters():
        assert rec[name]["shape"] == list(p.shape)
        np.testing.assert_array_equal(np.array(rec[name]["grad"]).reshape(p.shape), p.grad.numpy())
    assert rec[t.output.name]["value"] == [float(loss.item())]
    assert_self_contained(t.to_html())


def test_to_html_with_a_path_writes_the_file(tmp_path):
    out = tmp_path / "page.html"
    r = seed000()
    assert r.trace.to_html(str(out)) == str(out)
    assert out.read_text() == r.trace.to_html()


def test_a_forward_only_trace_has_no_backward_steps():
    x = glassgrad.tensor([1.0, 2.0], requires_grad=True)
    with glassgrad.explain.trace() as t:
        (x * 3).sum()
    data = page_data(t.to_html())
    assert data["backward"] == []
    assert [q["expected"] for q in data["questions"]] == [[3.0, 6.0], [9.0]]  # 3x, then 3 + 6


def test_an_empty_trace_is_refused_clearly():
    with glassgrad.explain.trace() as t:
        pass
    with pytest.raises(ValueError, match="no operation"):
        t.to_html()


def test_unknown_view_is_refused():
    with pytest.raises(ValueError, match="view"):
        to_html(seed000().trace, view="bogus")


# ------------------------------------------------------------------ the command line
def test_cli_explain_html_to_a_file(tmp_path):
    out = tmp_path / "page.html"
    proc = run(*SEED000, "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    html = out.read_text()
    assert_self_contained(html)
    assert by_name(page_data(html))["x"]["grad"] == [-8.0]


def test_cli_explain_html_without_out_prints_the_page():
    proc = run(*SEED000, "--format", "html")
    assert proc.returncode == 0, proc.stderr
    assert by_name(page_data(proc.stdout))["y"]["grad"] == [6.0]


def test_cli_exercise_html_and_its_question_view(tmp_path):
    out = tmp_path / "q.html"
    proc = run("exercise", "seed000-graph", "--format", "html", "--out", str(out), "--sheet", "questions")
    assert proc.returncode == 0, proc.stderr
    data = page_data(out.read_text())
    assert data["view"] == "question"
    values = [q for q in data["questions"] if q["what"] == "value"]
    assert len(values) == len(data["forward"]) and all(q["expected"] is not None for q in values)
    assert any(q["what"] == "grad" and q["name"] == "x" for q in data["questions"])


def test_cli_network_exercise_html_is_its_first_training_step(tmp_path):
    out = tmp_path / "n.html"
    proc = run("exercise", "seed001-q1", "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert_self_contained(html)
    rec = by_name(page_data(html))
    # the page's gradients are the engine's for the same network, data and loss
    from glassgrad.explain.exercise import load_exercise
    from glassgrad.textbook.engine import engine_gradients

    spec = load_exercise("seed001-q1")
    n = spec.batch_size or spec.X.shape[1]
    loss, dW, db = engine_gradients(spec.mlp.copy(), spec.X[:, :n], spec.Y[..., :n] if spec.Y.ndim == 2
                                    else spec.Y[:n], spec.loss, spec.reduction)
    for k, (g_w, g_b) in enumerate(zip(dW, db), start=1):
        np.testing.assert_array_equal(np.array(rec[f"W{k}"]["grad"]).reshape(g_w.shape), g_w)
        if g_b is not None:
            np.testing.assert_array_equal(np.array(rec[f"b{k}"]["grad"]), g_b)
    assert rec["X"]["value"] == spec.X[:, :n].reshape(-1).tolist()


def test_network_trace_agrees_with_the_textbook_solution():
    # the traced step (autograd) must reach the loss and gradients of the worked solution,
    # computed layer by layer with the textbook's delta recursion (no autograd)
    from glassgrad.explain.exercise import load_exercise, solve
    from glassgrad.explain.explorer import network_trace

    spec = load_exercise("seed001-q1")
    t = network_trace(spec)
    solution = solve(spec, steps=1)
    assert t.output.value.item() == pytest.approx(float(solution.quantities["loss"]), rel=1e-12)
    # and the gradients of the textbook's delta recursion (computed without the engine)
    rec = by_name(page_data(t.to_html()))
    for k in range(1, spec.mlp.depth + 1):
        dW = solution.quantities[f"dW{k}"]
        np.testing.assert_allclose(np.array(rec[f"W{k}"]["grad"]).reshape(dW.shape), dW, rtol=1e-10, atol=1e-14)
        db = solution.quantities[f"db{k}"]
        np.testing.assert_allclose(np.array(rec[f"b{k}"]["grad"]).reshape(db.shape), db, rtol=1e-10, atol=1e-14)


def test_network_layer_view_agrees_with_the_traced_nodes(tmp_path):
    # the layer view shows the textbook's matrices (delta recursion, no autograd); the
    # traced leaves carry the engine's gradients: the two computations must agree
    out = tmp_path / "n.html"
    proc = run("exercise", "seed004-2-4-2", "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = page_data(out.read_text())
    rec = by_name(data)
    assert [L["layer"] for L in data["layers"]] == [1, 2]
    for L in data["layers"]:
        rows = {r["name"]: r for r in L["rows"]}
        k = L["layer"]
        assert {f"s{k}", f"h{k}", f"delta{k}", f"dW{k}", f"db{k}"} <= set(rows)
        np.testing.assert_allclose(rows[f"dW{k}"]["value"], rec[f"W{k}"]["grad"], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(rows[f"db{k}"]["value"], rec[f"b{k}"]["grad"], rtol=1e-10, atol=1e-14)


def test_cli_explain_cost_html_is_refused(tmp_path):
    proc = run("explain", "cost", "--format", "html", "--out", str(tmp_path / "c.html"))
    assert proc.returncode == 2
    assert "html" in proc.stderr and proc.stderr.count("\n") == 1
    assert os.listdir(tmp_path) == []


def training_steps(n=2):
    """n SGD steps of a small model, each traced; the gradients copied after each backward."""
    glassgrad.manual_seed(1)
    model = glassgrad.nn.Sequential(glassgrad.nn.Linear(2, 3), glassgrad.nn.Tanh(), glassgrad.nn.Linear(3, 1))
    opt = glassgrad.optim.SGD(model.parameters(), lr=0.5)
    x, y = glassgrad.randn(4, 2), glassgrad.randn(4, 1)
    traces, grads = [], []
    for _ in range(n):
        opt.zero_grad()
        with glassgrad.explain.trace(names=model) as t:
            glassgrad.nn.functional.mse_loss(model(x), y).backward()
        traces.append(t)
        grads.append({name: p.grad.numpy().copy() for name, p in model.named_parameters()})
        opt.step()
    return traces, grads


def test_several_training_steps_make_one_page_with_a_pass_each():
    traces, grads = training_steps(2)
    html = to_html(traces, title="two steps")
    assert_self_contained(html)
    data = page_data(html)
    assert data["title"] == "two steps" and len(data["passes"]) == 2
    for passed, g in zip(data["passes"], grads):
        rec = by_name(passed)
        for name, expected in g.items():
            np.testing.assert_array_equal(np.array(rec[name]["grad"]).reshape(expected.shape), expected)
    assert not np.array_equal(grads[0]["0.weight"], grads[1]["0.weight"])  # the step changed them
    with pytest.raises(ValueError, match="at least one"):
        to_html([])
