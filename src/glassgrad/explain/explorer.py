"""The backprop explorer: a trace as one self-contained HTML page to step through.

    with glassgrad.explain.trace() as t:
        f = 2 * (x * y + glassgrad.maximum(z, w))
        f.backward()
    t.to_html("page.html")          # or: glassgrad explain ... --format html --out page.html

The page draws the graph left to right, steps the forward pass node by node (each value
appears), then the backward pass edge by edge (upstream x local = downstream with the
numbers in, the sum where a value feeds several nodes, the sum over broadcast axes as its
own step); a click on a node shows its rule and its numbers; the question view leaves
every value and gradient blank for the student to fill in and names the first divergence.

Everything the page shows is computed here, in Python, from the trace: the layout (layers
by depth), the formatted numbers, the text of every step. The page's script only shows
and hides it, so the numbers are the trace's own (the raw floats travel in the page's JSON
next to their text). Nothing is derived twice: labels and rules come from the op classes
(``node.label``, ``node.rule``), the forms and gate sentences from explain/gates.py, the
local derivatives from the trace's messages.

The page is one file with its script and style inline, a Content-Security-Policy that
forbids every request, and no URL: it opens from file:// with no network.
"""

import json
import math

from .format import array_plain, number
from .gates import describe, form, spell, with_numbers

MAX_EMBEDDED = 10_000  # raw numbers per value in the page's JSON; larger values keep their text only
COLUMN = 190  # layout: pixels between layers
ROW = 96  # pixels between nodes of one layer
MARGIN = 30
NODE_WIDTH = 140
NODE_HEIGHT = 62


# ------------------------------------------------------------------ numbers
def _raw(a):
    """A value's numbers for the page's JSON: a flat list of floats (nan/inf as strings,
    which JSON cannot spell), or None for a value too large to embed."""
    if a is None:
        return None
    a = a.reshape(-1) if hasattr(a, "reshape") else a
    if a.size > MAX_EMBEDDED:
        return None
    out = []
    for v in a.tolist():
        v = float(v)
        out.append(v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")))
    return out


def _plain_rule(op):
    """The op's rule as its class states it: the plain-text spelling (``plain``), else the
    LaTeX ``rule`` itself (readable as it is)."""
    text = getattr(op, "plain", None)
    return text if isinstance(text, str) and text else (getattr(op, "rule", "") or "")


def _text(a, digits):
    return None if a is None else array_plain(a, digits)


def _scalar(a):
    return a is not None and a.size == 1


def _paren(s):
    return f"({s})" if s.startswith("-") else s


# ------------------------------------------------------------------ layout
def _layout(records, inputs_of):
    """Layers by depth (a leaf or constant is 0, a node 1 + its deepest input), then, in
    each layer, nodes ordered by the mean row of their inputs (fewer crossings), and each
    layer centred on the tallest. Returns {id: (layer, x, y)}."""
    depth = {}
    for rid in records:  # records are in creation order: inputs come first
        ins = inputs_of.get(rid, [])
        depth[rid] = 1 + max((depth[i] for i in ins), default=-1) if ins else 0
    # a leaf or constant sits just left of its first consumer (a constant 2 used by the
    # last node is drawn next to it, not in the first column)
    consumers = {}
    for rid in records:
        for i in inputs_of.get(rid, []):
            consumers.setdefault(i, []).append(depth[rid])
    for rid in records:
        if not inputs_of.get(rid) and rid in consumers:
            depth[rid] = min(consumers[rid]) - 1
    layers = {}
    for rid in records:
        layers.setdefault(depth[rid], []).append(rid)
    row = {}
    for d in sorted(layers):
        members = layers[d]
        first = {r: k for k, r in enumerate(members)}  # creation order within the layer

        def key(r):
            ins = inputs_of.get(r)
            return (sum(row[i] for i in ins) / len(ins) if ins else first[r], records.index(r))

        members.sort(key=key)
        for k, rid in enumerate(members):
            row[rid] = k
    tallest = max(len(m) for m in layers.values())
    pos = {}
    for d, members in layers.items():
        offset = (tallest - len(members)) * ROW / 2
        for k, rid in enumerate(members):
            pos[rid] = (d, MARGIN + d * COLUMN, MARGIN + offset + k * ROW)
    return pos


# ------------------------------------------------------------------ the page's data
def explorer_data(trace, title=None, of=None, view=None, layers=None):
    """Everything the page shows, as a JSON-ready dict (see the module docstring).
    ``view="question"`` opens the page on its question view; ``layers`` (from
    ``network_layers``) adds the layer view of a network exercise."""
    if not trace.nodes:
        raise ValueError("this trace recorded no operation: nothing to explore (run the "
                         "computation inside the `with trace()` block)")
    digits = trace.digits
    ids = {}
    order = []  # records in creation order: leaves and constants before the nodes using them

    def rid(rec):
        key = id(rec)
        if key not in ids:
            ids[key] = f"r{len(ids)}"
            order.append(rec)
        return ids[key]

    inputs_of = {}
    for node in trace.nodes:
        ins = [rid(r) for r in node.inputs]
        inputs_of[rid(node)] = ins
    for leaf in trace.leaves:
        rid(leaf)
    pos = _layout([ids[id(r)] for r in order], inputs_of)

    ran = trace.backward_order()
    root = ran[0] if ran else None
    if of is None and root is not None:
        up = root.upstream
        of = root.name if _scalar(up) and float(up.reshape(()).item()) == 1.0 else "L"

    records = []
    for rec in order:
        r = ids[id(rec)]
        layer, x, y = pos[r]
        item = {
            "id": r, "name": spell(rec), "kind": rec.kind, "layer": layer, "x": x, "y": y,
            "shape": list(rec.value.shape), "value": _raw(rec.value), "text": _text(rec.value, digits),
            "grad": None, "grad_text": None,
            "requires_grad": bool(rec.requires_grad),
        }
        if rec.kind == "node":
            nums = with_numbers(rec, digits)
            item.update({
                "label": rec.label, "form": form(rec), "numbers": nums,
                "rule": _plain_rule(rec.op), "op_kind": getattr(rec.op, "kind", None) or "",
                "inputs": inputs_of[r],
            })
        g = rec.gradient if rec.kind != "constant" else None
        if g is None and rec is root:  # the output: its gradient is the seed
            g = root.upstream
        if g is not None:
            item["grad"] = _raw(g)
            item["grad_text"] = _text(g, digits)
        records.append(item)

    edges = []
    edge_of = {}
    for node in trace.nodes:
        for k, src in enumerate(node.inputs):
            e = f"e{len(edges)}"
            edge_of[(id(node), k)] = e
            edges.append({"id": e, "from": ids[id(src)], "to": ids[id(node)], "index": k})

    forward = [ids[id(n)] for n in trace.nodes]
    backward = _backward_steps(trace, ran, ids, edge_of, of, digits)
    for node in ran:  # the 'how' sentence, with this pass's numbers, for the node's panel
        records[[r["id"] for r in records].index(ids[id(node)])]["how"] = describe(node, digits)

    return {
        "title": title or "Forward and backward pass",
        "digits": digits, "of": of, "view": view or "steps",
        "width": MARGIN * 2 + max((p[1] for p in pos.values()), default=0) + NODE_WIDTH,
        "height": MARGIN * 2 + max((p[2] for p in pos.values()), default=0) + NODE_HEIGHT,
        "node_width": NODE_WIDTH, "node_height": NODE_HEIGHT,
        "records": records, "edges": edges, "forward": forward, "backward": backward,
        "questions": _questions(trace, ran, ids, of),
        "layers": layers or [],
    }


def _backward_steps(trace, ran, ids, edge_of, of, digits):
    """The backward pass as steps: the seed, then per message one edge step (upstream x
    local = downstream), a broadcast step where the engine summed over axes, and a sum step
    when the last of several messages reaches a value."""
    if not ran:
        return []
    n = lambda a: number(a.reshape(()).item(), digits)  # noqa: E731
    root = ran[0]
    steps = [{"kind": "seed", "target": ids[id(root)], "value": _raw(root.upstream),
              "text": f"d{of}/d{root.name} = {_text(root.upstream, digits)}",
              "note": "backward starts here" if of == root.name
              else "the upstream gradient handed in from later in the network"}]
    for node in ran:
        for msg in node.outgoing:
            if msg is None:
                continue
            tgt = msg.target
            d_up, d_loc = f"d{of}/d{node.name}", f"d{node.name}/d{spell(tgt)}"
            symbolic = f"d{of}/d{spell(tgt)} <- {d_up} x {d_loc}"
            if msg.local is not None and _scalar(msg.local) and _scalar(node.upstream):
                nums = f"{_paren(n(node.upstream))} x {_paren(n(msg.local))} = {n(msg.raw)}"
            elif msg.local is not None:
                nums = (f"{_text(node.upstream, digits)}\n  (elementwise) x\n{_text(msg.local, digits)}\n"
                        f"  =\n{_text(msg.raw, digits)}")
            else:
                nums = f"the {node.label} backward applied to the upstream gives\n{_text(msg.raw, digits)}"
            steps.append({"kind": "edge", "edge": edge_of[(id(node), msg.index)],
                          "source": ids[id(node)], "target": ids[id(tgt)],
                          "upstream": _raw(node.upstream), "local": _raw(msg.local),
                          "downstream": _raw(msg.raw), "text": symbolic, "numbers": nums,
                          "downstream_text": _text(msg.raw, digits)})
            if msg.broadcast:
                steps.append({"kind": "broadcast", "edge": edge_of[(id(node), msg.index)],
                              "source": ids[id(node)], "target": ids[id(tgt)],
                              "axes": list(msg.axes), "value": _raw(msg.value),
                              "text": (f"sum over broadcast axes {tuple(msg.axes)}: shape "
                                       f"{tuple(msg.raw.shape)} -> {tuple(msg.value.shape)}"),
                              "numbers": _text(msg.value, digits),
                              "downstream_text": _text(msg.value, digits)})
            if len(tgt.incoming) > 1 and msg is tgt.incoming[-1]:
                parts = [m.value for m in tgt.incoming]
                total = tgt.gradient
                if all(_scalar(p) for p in parts):
                    nums = " + ".join(_paren(n(p)) for p in parts) + f" = {n(total)}"
                else:
                    nums = "\n  +\n".join(_text(p, digits) for p in parts) + f"\n  =\n{_text(total, digits)}"
                steps.append({"kind": "sum", "target": ids[id(tgt)],
                              "sources": [ids[id(m.source)] for m in tgt.incoming],
                              "parts": [_raw(p) for p in parts], "value": _raw(total),
                              "text": (f"{spell(tgt)} feeds {len(parts)} nodes: d{of}/d{spell(tgt)} "
                                       "is the sum of the gradients they send back"),
                              "numbers": nums})
    return steps


def _questions(trace, ran, ids, of):
    """The blank cells of the question view, in the order the solution computes them:
    each node's value (forward), then each gradient (backward, as it becomes complete)."""
    cells = []
    for node in trace.nodes:
        cells.append({"record": ids[id(node)], "what": "value", "name": node.name,
                      "label": f"{node.name} = {form(node)}", "shape": list(node.value.shape),
                      "expected": _raw(node.value)})
    done = []
    for node in ran:
        if node not in done:
            done.append(node)
        for msg in node.outgoing:
            if msg is not None and msg.target.kind == "leaf" and msg.target not in done:
                done.append(msg.target)
    for rec in done:
        g = rec.gradient
        if g is None or (rec.kind == "leaf" and not rec.requires_grad):
            continue
        cells.append({"record": ids[id(rec)], "what": "grad", "name": rec.name,
                      "label": f"d{of}/d{rec.name}", "shape": list(g.shape), "expected": _raw(g)})
    return cells


# ------------------------------------------------------------------ the page
def to_html(trace, title=None, of=None, view=None, layers=None):
    """The explorer page of ``trace`` as one HTML string. ``trace`` may be a list of
    traces (one per training step, say): the page then has a slider between them."""
    from html import escape

    from .explorer_page import PAGE

    if view not in (None, "steps", "question"):
        raise ValueError(f"view: expected 'steps' or 'question', got {view!r}")
    if isinstance(trace, (list, tuple)):
        if not trace:
            raise ValueError("expected at least one trace, got an empty list")
        if layers is not None:
            raise ValueError("layers: a layer view goes with one trace, not a list")
        passes = [explorer_data(t, title=f"step {k}", of=of, view=view) for k, t in enumerate(trace, 1)]
        data = {"title": title or "Forward and backward passes", "view": view or "steps", "passes": passes}
    else:
        data = explorer_data(trace, title=title, of=of, view=view, layers=layers)
    payload = json.dumps(data, allow_nan=False, separators=(",", ":"))
    # inside <script>, "</script" would end the element early (and "<!--" change how it
    # is read): JSON spells every "<" as \u003c instead
    payload = payload.replace("<", "\\u003c")
    head, tail = PAGE.split("{{DATA}}")  # one slot each: no text is substituted twice
    return head.replace("{{TITLE}}", escape(data["title"])) + payload + tail


def write_html(trace, path, title=None, of=None, view=None, layers=None):
    """Write the page to ``path`` atomically (glassgrad.atomic); returns the path."""
    from ..atomic import write_text

    write_text(path, to_html(trace, title=title, of=of, view=view, layers=layers))
    return path


# ------------------------------------------------------------------ network exercises
def network_trace(spec, digits=6):
    """The first training step of a network exercise, traced: its forward and backward
    pass run by glassgrad's engine (textbook/engine.py, examples as columns) under a trace,
    with the leaves named as the exercise names them (W1, b1, ..., X, Y)."""
    from ..textbook.engine import engine_gradients
    from .trace import Trace

    mlp = spec.mlp.copy()
    n = spec.batch_size or spec.X.shape[1]
    X = spec.X[:, :n]
    Y = spec.Y[..., :n] if spec.Y.ndim == 2 else spec.Y[:n]
    opts = {"margin": spec.margin} if spec.loss == "softmax_hinge" else {}
    t = Trace(digits=digits)
    with t:
        engine_gradients(mlp, X, Y, spec.loss, spec.reduction, **opts)
    # the engine's tensors are unnamed: give each leaf the first exercise name (in the order
    # the engine uses them) whose array it holds
    given = []
    for k, (W, b) in enumerate(zip(mlp.W, mlp.b), start=1):
        given.append((f"W{k}", W))
        if b is not None:
            given.append((f"b{k}", b.reshape(-1, 1)))
    given.insert(1, ("X", X))
    given.append(("Y", Y))
    for leaf in t.leaves:
        for k, (name, arr) in enumerate(given):
            a = leaf.value
            if a.shape == arr.shape and (a == arr).all():
                leaf.tensor.name = name
                del given[k]
                break
    return t


LAYER_QUANTITIES = ("s", "h", "delta", "dW", "db")  # the notes' names, per layer l: s_l, h_l, ...


def network_layers(solution, digits=6):
    """The layer view of a network exercise's first step: per layer the matrices of the
    worked solution (s, h, delta, dW, db: the textbook's layer-by-layer computation, shown
    next to the traced nodes), each as text and raw numbers."""
    q = solution.quantities
    layers = []
    for k in range(1, solution.spec.mlp.depth + 1):
        rows = [{"name": f"{base}{k}", "text": _text(q[f"{base}{k}"], digits), "value": _raw(q[f"{base}{k}"]),
                 "shape": list(q[f"{base}{k}"].shape)}
                for base in LAYER_QUANTITIES if f"{base}{k}" in q]
        layers.append({"layer": k, "rows": rows})
    return layers
