"""The explorer page in a real browser: headless Chromium (Debian's ``chromium``) opens the
page from file://, replays key presses given in the URL's hash through the page's own key
handler, and prints the DOM it built; the test reads the numbers shown and compares them
with the trace's values (and, for the seed-000 graph, with the hand derivation).

Skipped, saying so, where there is no Chromium (.ci/run installs it with apt).
"""

import re
import shutil
import subprocess
from html import unescape

import numpy as np
import pytest

from glassgrad.explain import explain_expression

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if shutil.os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium "
                                                         "(apt-get install chromium) to run the browser tests")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-extensions", "--no-first-run", "--user-data-dir={profile}"]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorer")
    result = explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})
    path = folder / "page.html"
    result.trace.to_html(str(path))
    return result, path, folder


def dom(page, fragment):
    """The DOM after the page's script ran with ``#fragment``."""
    _, path, folder = page
    flags = [f.format(profile=folder / "profile") for f in FLAGS]
    proc = subprocess.run([CHROMIUM, *flags, "--dump-dom", f"{path.as_uri()}#{fragment}"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "explorer-data" in proc.stdout
    return proc.stdout


def shown(html, attr):
    """{record id: text} of the SVG texts carrying ``attr`` (data-value / data-grad)."""
    return {m.group(1): unescape(m.group(2)).replace("\u2207", "").strip()
            for m in re.finditer(rf'{attr}="(r\d+)"[^>]*>([^<]*)<', html)}


def ids(result, html):
    """record name -> id, from the page's own node boxes."""
    return {unescape(m.group(2)): m.group(1)
            for m in re.finditer(r'data-id="(r\d+)" data-name="([^"]*)"', html)}


def step_value(html):
    m = re.search(r'id="stepvalue" data-text="([^"]*)"', html) or re.search(r'data-text="([^"]*)" id="stepvalue"', html)
    assert m, "no step value shown"
    return unescape(m.group(1))


def counter(html):
    return re.search(r'id="counter">step (\d+) of (\d+)<', html).groups()


def test_stepping_forward_shows_each_value_in_turn(page):
    result, _, _ = page
    nodes = result.trace.nodes
    html = dom(page, "keys=Right,Right")  # two nodes: a = x*y and m = max(z, w)
    name_to_id = ids(result, html)
    values = shown(html, "data-value")
    assert counter(html) == ("2", "12")  # 4 nodes forward; the seed and 7 edges backward
    for node in nodes[:2]:
        assert float(values[name_to_id[node.name]]) == pytest.approx(node.value.item(), rel=1e-5)
    for node in nodes[2:]:
        assert name_to_id[node.name] not in values  # not computed yet
    # the hand derivation: m = max(2, -1) = 2 is the current step
    assert float(step_value(html)) == 2.0
    # one more Right then Left: back at the same step
    assert shown(dom(page, "keys=Right,Right,Right,Left"), "data-value") == values


def test_stepping_backward_shows_upstream_times_local(page):
    result, _, _ = page
    F = len(result.trace.nodes)
    # after the forward pass: the seed, then the edge f -> b (df/df x df/db = 1 x 2 = 2),
    # then b -> a and b -> m (2 x 1 = 2 each), m -> z (2 x 1), m -> w (2 x 0), a -> x
    # (2 x (-4) = -8), a -> y (2 x 3 = 6): by hand from f = 2(xy + max(z, w)).
    expected = {F + 2: "2", F + 6: "0", F + 7: "-8", F + 8: "6"}
    for step, value in expected.items():
        html = dom(page, f"step={step}")
        assert step_value(html) == value, step
        assert counter(html)[0] == str(step)
    html = dom(page, f"step={F + 7}")
    assert "2 x (-4) = -8" in unescape(html)


def test_at_the_end_every_gradient_is_the_traces(page):
    result, _, _ = page
    html = dom(page, "keys=End")
    name_to_id = ids(result, html)
    grads = shown(html, "data-grad")
    for rec in result.trace.leaves + result.trace.nodes:
        g = rec.gradient
        if g is None:
            continue
        assert float(grads[name_to_id[rec.name]]) == pytest.approx(g.item(), rel=1e-5), rec.name
    # by hand: df/dx = 2y = -8, df/dy = 2x = 6, df/dz = 2, df/dw = 0
    assert [float(grads[name_to_id[n]]) for n in "xyzw"] == [-8, 6, 2, 0]


def test_check_my_answer_names_the_first_divergence(page):
    # a = x*y = -12 is right; m = max(2, -1) = 2, so 3 is wrong (the first divergence);
    # df/dx = -8 right, df/dy: 5 is wrong too, but later
    html = dom(page, "view=question&fill=a:-12;m:3;grad.x:-8;grad.y:5")
    marks = re.findall(r'id="mark(\d+)" class="(right|wrong)"', html) or \
        [(k, c) for c, k in re.findall(r'class="(right|wrong)" id="mark(\d+)"', html)]
    assert sorted(c for _, c in marks) == ["right", "right", "wrong", "wrong"]
    div = re.search(r'<div[^>]*id="divergence"[^>]*>', html).group(0)
    assert 'data-name="m"' in div and 'data-what="value"' in div
    assert "2 right, 2 wrong" in html


def test_all_right_answers_have_no_divergence(page):
    html = dom(page, "view=question&fill=a:-12;m:2;b:-10;f:-20;grad.x:-8.0;grad.w:0")
    assert "6 right, 0 wrong" in html
    assert "No divergence" in html


def test_network_exercise_page_shows_its_layer_view(tmp_path):
    import sys

    path = tmp_path / "net.html"
    proc = subprocess.run([sys.executable, "-m", "glassgrad", "exercise", "seed004-2-4-2", "--format", "html",
                           "--out", str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html = dom((None, path, tmp_path), "keys=End")
    from glassgrad.explain.exercise import solve

    solution = solve("seed004-2-4-2", steps=1)
    shown_layers = {m.group(1): unescape(m.group(2))
                    for m in re.finditer(r'data-layer-value="([^"]+)">([^<]*)<', html)}
    assert {"s1", "h1", "delta1", "dW1", "db1", "dW2", "db2"} <= set(shown_layers)
    for name in ("dW1", "db2"):
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", shown_layers[name])]
        np.testing.assert_allclose(numbers, solution.quantities[name].reshape(-1), rtol=1e-5, atol=1e-12)


def test_the_slider_moves_between_training_steps(tmp_path):
    from test_explorer import training_steps

    from glassgrad.explain.explorer import write_html

    traces, grads = training_steps(2)
    # the steps differ in what is checked, so the page must switch to tell them apart
    assert abs(float(grads[0]["2.bias"].item()) - float(grads[1]["2.bias"].item())) > 1e-3
    path = tmp_path / "steps.html"
    write_html(traces, str(path))
    for k in (1, 2):
        html = dom((None, path, tmp_path), f"pass={k}&keys=End")
        assert f'id="passno">{k} of 2<' in html
        name_to_id = ids(None, html)
        shown_grads = shown(html, "data-grad")
        expected = grads[k - 1]["2.bias"].reshape(())  # one number: fits in its box
        assert float(shown_grads[name_to_id["2.bias"]]) == pytest.approx(float(expected), rel=1e-5)
