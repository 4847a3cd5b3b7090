"""Expression mode: the seed-000 graph by hand, other expressions against PyTorch."""

import math

import numpy as np
import pytest

from glassgrad.explain import explain_expression
from glassgrad.explain.render_text import to_text


def test_seed000_forward_and_backward_by_hand():
    # Seed 000: f = 2(xy + max(z, w)) at x=3, y=-4, z=2, w=-1.
    # a = xy = -12, m = max(z, w) = 2, b = a + m = -10, f = 2b = -20.
    # df/db = 2; add copies: df/da = df/dm = 2; multiply swaps: df/dx = 2y = -8,
    # df/dy = 2x = 6; max routes to z (z > w): df/dz = 2, df/dw = 0.
    r = explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})
    t = r.trace
    values = {n.name: float(n.value) for n in t.nodes}
    assert values == {"a": -12.0, "m": 2.0, "b": -10.0, "f": -20.0}
    assert [n.label for n in t.nodes] == ["mul", "maximum", "add", "mul"]
    assert r.gradient == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}

    # per node: upstream, local derivative per input, downstream per input
    def msgs(name):
        node = t[name]
        return float(node.upstream), {m.target.name: (float(m.local), float(m.raw))
                                      for m in node.outgoing if m is not None}

    assert msgs("f") == (1.0, {"b": (2.0, 2.0)})  # the constant 2 gets no message
    assert msgs("b") == (2.0, {"a": (1.0, 2.0), "m": (1.0, 2.0)})  # add gate copies
    assert msgs("m") == (2.0, {"z": (1.0, 2.0), "w": (0.0, 0.0)})  # max gate routes to z
    assert msgs("a") == (2.0, {"x": (-4.0, -8.0), "y": (3.0, 6.0)})  # multiply gate swaps
    # the engine's order: output first
    assert [n.name for n in t.backward_order()][0] == "f"


def test_seed000_text_mentions_the_gates_as_the_seed_does():
    r = explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})
    text = to_text(r.document())
    for phrase in ["add gate: copies", "multiply gate: swaps", "max gate: routes the whole upstream to z",
                   "w gets 0", "(-8, 6, 2, 0)", "df/dx = df/da * da/dx = 2 * (-4) = -8"]:
        assert phrase in text


def test_named_statements_keep_the_names():
    r = explain_expression("p = x*y; q = max(z, w); f = 2*(p + q)", {"x": 3, "y": -4, "z": 2, "w": -1})
    names = [n.name for n in r.trace.nodes]
    assert names[:2] == ["p", "q"] and names[-1] == "f"
    assert r.gradient == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}


def test_max_tie_splits_the_gradient_equally_like_torch():
    torch = pytest.importorskip("torch")
    r = explain_expression("3*max(z, w)", {"z": 2.0, "w": 2.0})
    z = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (3 * torch.maximum(z, w)).backward()
    assert r.gradient == {"z": z.grad.item(), "w": w.grad.item()}
    m = r.trace["a"] if r.trace.nodes[0].name == "a" else r.trace.nodes[0]
    assert sorted(float(msg.local) for msg in m.outgoing) == [0.5, 0.5]
    assert "tie (z = w)" in to_text(r.document())


def test_local_derivative_where_the_upstream_is_zero():
    # max(z, w*y) with z winning: the mul node receives upstream 0, so downstream/upstream
    # is undefined; the trace still shows the multiply gate's local derivatives (y and w).
    r = explain_expression("max(z, w*y)", {"z": 5.0, "w": 2.0, "y": -3.0})
    mul = [n for n in r.trace.nodes if n.label == "mul"][0]
    assert float(mul.upstream) == 0.0
    locals_ = {m.target.name: float(m.local) for m in mul.outgoing}
    assert locals_ == {"w": -3.0, "y": 2.0}
    assert r.gradient == {"z": 1.0, "w": 0.0, "y": 0.0}


EXPRESSIONS = [
    "x*y + exp(z) - log(w)",
    "sigmoid(x) * tanh(y) / sqrt(w)",
    "relu(x - y) + abs(z) ** 2 + min(x, z)",
    "x**3 - 2*x*y + y/z",
    "exp(-x) / (1 + exp(-x)) + sqrt(abs(y*z))",
    "max(x, 0) * x + min(y, w) - -z",
    "2**x + w**y",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_expression_gradients_match_torch(text):
    torch = pytest.importorskip("torch")
    values = {"x": 0.7, "y": -1.3, "z": 2.1, "w": 0.45}
    r = explain_expression(text, {k: v for k, v in values.items() if k in text})
    tv = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    env = {"exp": torch.exp, "log": torch.log, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
           "sqrt": torch.sqrt, "relu": torch.relu, "abs": torch.abs,
           "max": lambda a, b: torch.maximum(torch.as_tensor(a, dtype=torch.float64),
                                             torch.as_tensor(b, dtype=torch.float64)),
           "min": lambda a, b: torch.minimum(torch.as_tensor(a, dtype=torch.float64),
                                             torch.as_tensor(b, dtype=torch.float64))}
    env.update(tv)
    # the oracle evaluates the same (trusted, test-written) text with torch functions
    out = eval(text, {"__builtins__": {}}, env)  # noqa: S307 - test-side oracle, fixed strings
    out.backward()
    assert float(r.output.array) == pytest.approx(out.item(), rel=1e-12)
    for name, g in r.gradient.items():
        expected = tv[name].grad.item() if tv[name].grad is not None else 0.0
        assert g == pytest.approx(expected, rel=1e-10, abs=1e-14), name
    # every node's messages multiply out: downstream = upstream x local
    for node in r.trace.nodes:
        for m in node.outgoing:
            if m is not None and m.local is not None and float(node.upstream) != 0:
                assert float(m.raw) == pytest.approx(float(node.upstream) * float(m.local), rel=1e-12)


def test_fan_out_sums_the_messages():
    # f = x*x + x: three uses of x; df/dx = 2x + 1 = 7 at x = 3, as 3 + 3 + 1
    r = explain_expression("x*x + x", {"x": 3.0})
    x = r.trace["x"]
    assert sorted(float(m.value) for m in x.incoming) == [1.0, 3.0, 3.0]
    assert float(x.gradient) == 7.0
    assert "df/dx = df/dx (local) + df/da * da/dx + df/da * da/dx = 1 + 1 * 3 + 1 * 3 = 7" in to_text(r.document())


def test_upstream_and_constants():
    # Seed 000's tanh neuron: z = tanh(x + y); with g = dL/dz given,
    # dL/ds = g (1 - z^2) and dL/dx = dL/dy = dL/ds.
    g, x, y = 0.5, 0.2, 0.1
    r = explain_expression("s = x + y; z = tanh(s)", {"x": x, "y": y}, upstream=g)
    z = math.tanh(x + y)
    expected = g * (1 - z * z)
    assert r.gradient["x"] == pytest.approx(expected, rel=1e-14)
    assert r.gradient["y"] == pytest.approx(expected, rel=1e-14)
    r = explain_expression("a*x + b", {"a": 2.0, "b": 1.0}, constants={"x": 3.0})
    assert r.gradient == {"a": 3.0, "b": 1.0}
    assert "x" not in r.gradient


@pytest.mark.parametrize("values,constants,message", [
    ({"x": 1.0}, {}, "no value given for y"),
    ({"x": 1.0, "y": 2.0, "q": 3.0}, {}, "q given a value but not used"),
    ({"x": 1.0, "y": float("nan")}, {}, "finite"),
    ({"x": 1.0, "y": 2.0}, {"y": 1.0}, "both"),
])
def test_bad_values(values, constants, message):
    with pytest.raises(ValueError, match=message):
        explain_expression("x*y", values, constants)


def test_domain_errors_are_reported_not_raised():
    r = explain_expression("log(x)", {"x": -1.0})
    assert np.isnan(float(r.output.array))
    assert "outside a function's domain" in to_text(r.document())


def test_an_alias_is_refused():
    with pytest.raises(ValueError, match="no operation"):
        explain_expression("a = x; f = a*2", {"x": 1.0})
