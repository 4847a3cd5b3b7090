"""The graph behind a tensor, drawn: ``t.graph()`` in a notebook shows it inline as SVG.

A graph is boxes and arrows: leaves (the tensors you made, with their value and gradient),
op nodes (what each op computed, its output shape) and, drawn from a trace, every value
and every gradient message. ``Graph`` holds them and writes them two ways:

- ``to_dot()``: Graphviz's DOT text, always available; ``svg()`` runs Graphviz's ``dot``
  on it when that program is installed (``apt-get install graphviz``);
- without ``dot``, ``svg()`` lays the graph out itself: columns by depth (the longest path
  from a leaf), boxes in a column ordered by the mean height of their inputs, straight
  arrows. Plainer than Graphviz but readable, and never an error.

From a tensor alone the intermediate values are not known (a node keeps its inputs, not
its output: that is what frees memory); draw a trace for every value:

    with glassgrad.explain.trace() as tr:
        f = 2 * (x * y + glassgrad.maximum(z, w)); f.backward()
    glassgrad.display.graph(tr)
"""

import html
import shutil
import subprocess

import numpy as np

_SMALL = 6  # values with at most this many elements are written in the boxes


def _inline(a, digits=4):
    a = np.asarray(a)
    if a.size > _SMALL:
        return f"shape {tuple(a.shape)}"
    if a.size == 1:
        return f"{float(a.reshape(())):.{digits}g}" if a.dtype.kind in "fc" else str(a.reshape(()).item())
    flat = ", ".join(f"{float(v):.{digits}g}" for v in a.reshape(-1))
    return f"[{flat}]" + (f" {tuple(a.shape)}" if a.ndim > 1 else "")


class Graph:
    """Boxes (``nodes``: id -> (lines of text, kind)) and arrows (``edges``: (from, to,
    label)). Kinds: "leaf" (wants a gradient), "constant", "op", "output"."""

    def __init__(self, nodes, edges, title=""):
        self.nodes = nodes
        self.edges = edges
        self.title = title

    # ------------------------------------------------------------ DOT and SVG
    def to_dot(self):
        style = {"leaf": "shape=ellipse", "constant": "shape=note", "op": "shape=box, style=rounded",
                 "output": 'shape=box, style="rounded,bold"'}
        lines = ["digraph glassgrad {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=10];']
        for nid, (text, kind) in self.nodes.items():
            lines.append(f"  {nid} [{style[kind]}, label={_q(chr(10).join(text))}];")
        for a, b, label in self.edges:
            attrs = f' [label={_q(label)}, color="#1f4e9c", fontcolor="#1f4e9c"]' if label else ""
            lines.append(f"  {a} -> {b}{attrs};")
        return "\n".join(lines + ["}"]) + "\n"

    def svg(self, engine=None):
        """SVG text: Graphviz when ``dot`` is installed (or ``engine="dot"``), else glassgrad's
        own layout (``engine="glassgrad"``)."""
        if engine not in (None, "dot", "glassgrad"):
            raise ValueError(f"engine must be None, 'dot' or 'glassgrad', got {engine!r}")
        exe = shutil.which("dot") if engine != "glassgrad" else None
        if exe is not None:
            try:
                proc = subprocess.run([exe, "-Tsvg"], input=self.to_dot().encode(), capture_output=True, timeout=60)
                if proc.returncode == 0:
                    self.engine = "dot"
                    return proc.stdout.decode()
            except (OSError, subprocess.TimeoutExpired):
                pass
        if engine == "dot":
            raise RuntimeError("Graphviz's `dot` is not installed or failed (apt-get install graphviz)")
        self.engine = "glassgrad"
        return _layout_svg(self)

    def _repr_svg_(self):
        return self.svg()

    def __repr__(self):
        return f"<Graph: {len(self.nodes)} boxes, {len(self.edges)} arrows; .svg(), .to_dot()>"


def _q(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------------- builders
def graph(obj):
    """The Graph of a Tensor (the graph that made it, walked back from its grad_fn) or of a
    Trace (every node with its value and gradient, every gradient message on its arrow)."""
    from ..explain.trace import Trace
    from ..tensor import Tensor

    if isinstance(obj, Trace):
        return _from_trace(obj)
    if isinstance(obj, Tensor):
        return _from_tensor(obj)
    raise TypeError(f"graph() draws a Tensor or an explain Trace, got {type(obj).__name__}")


def _from_tensor(t):
    from ..tensor import Tensor

    nodes, edges = {}, []
    ids = {}
    leaves = [0]

    def leaf_id(x):
        key = id(x)
        if key not in ids:
            ids[key] = f"v{len(ids)}"
            name = x.name or f"leaf {leaves[0]}"
            leaves[0] += 1
            text = [name, f"value {_inline(x.array)}"]
            if x.grad is not None:
                text.append(f"grad {_inline(x.grad.array)}")
            nodes[ids[key]] = (text, "leaf")
        return ids[key]

    if t.grad_fn is None:
        leaf_id(t)
        return Graph(nodes, edges)
    order, stack, seen = [], [t.grad_fn], set()
    while stack:  # every node once; inputs before the nodes that use them in `order` below
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        for nxt in fn.next_functions:
            if nxt is not None and not isinstance(nxt, Tensor):
                stack.append(nxt)
    for fn in order:
        ids[id(fn)] = f"n{len(ids)}"
    for fn in reversed(order):
        text = [getattr(fn, "label", "") or type(fn).__name__.lower(), f"out {tuple(fn._out_shape)}"]
        kind = "op"
        if fn is t.grad_fn:
            kind = "output"
            text.append(f"value {_inline(t.array)}")
            if t.grad is not None:
                text.append(f"grad {_inline(t.grad.array)}")
        nodes[ids[id(fn)]] = (text, kind)
        for nxt in fn.next_functions:
            if nxt is None:
                continue
            src = leaf_id(nxt) if isinstance(nxt, Tensor) else ids[id(nxt)]
            edges.append((src, ids[id(fn)], ""))
    return Graph(nodes, edges)


def _from_trace(trace):
    from ..explain.gates import form

    digits = min(trace.digits, 6)
    nodes, edges, ids = {}, [], {}
    for k, leaf in enumerate(trace.leaves):
        ids[id(leaf)] = f"v{k}"
        text = [leaf.name, f"value {_inline(leaf.value, digits)}"]
        if leaf.gradient is not None:
            text.append(f"grad {_inline(leaf.gradient, digits)}")
        nodes[f"v{k}"] = (text, "leaf" if leaf.requires_grad else "constant")
    for k, node in enumerate(trace.nodes):
        ids[id(node)] = f"n{k}"
    const = 0
    for k, node in enumerate(trace.nodes):
        text = [f"{node.name} = {form(node)}", f"[{node.label}]", f"value {_inline(node.value, digits)}"]
        if node.upstream is not None:
            text.append(f"grad {_inline(node.upstream, digits)}")
        nodes[f"n{k}"] = (text, "output" if k == len(trace.nodes) - 1 else "op")
        for i, rec in enumerate(node.inputs):
            if rec.kind == "constant":
                src = f"c{const}"
                const += 1
                nodes[src] = ([rec.name], "constant")
            else:
                src = ids.get(id(rec))
                if src is None:
                    continue
            msg = node.outgoing[i] if i < len(node.outgoing) else None
            edges.append((src, f"n{k}", f"grad {_inline(msg.value, digits)}" if msg is not None else ""))
    return Graph(nodes, edges)


# ---------------------------------------------------------------------- the fallback layout
_CHAR_W, _LINE_H, _PAD, _GAP_X, _GAP_Y = 7.0, 15, 8, 70, 22
_FILL = {"leaf": "#eef4fb", "constant": "#f4f4f4", "op": "#ffffff", "output": "#fff6e0"}


def _layout_svg(g):
    ids = list(g.nodes)
    preds = {n: [] for n in ids}
    for a, b, _ in g.edges:
        preds[b].append(a)
    rank = {}

    def depth(n, path=()):
        if n not in rank:
            rank[n] = 1 + max((depth(p, path + (n,)) for p in preds[n] if p not in path), default=-1)
        return rank[n]

    for n in ids:
        depth(n)
    size = {n: (max(len(s) for s in text) * _CHAR_W + 2 * _PAD, len(text) * _LINE_H + 2 * _PAD - 4)
            for n, (text, _) in g.nodes.items()}
    columns = {}
    for n in ids:
        columns.setdefault(rank[n], []).append(n)
    pos = {}
    x = 10.0
    height = 0.0
    for r in sorted(columns):
        col = columns[r]
        if r > 0:  # order a column by the mean height of its inputs: fewer crossings
            col.sort(key=lambda n: sum(pos[p][1] for p in preds[n]) / max(len(preds[n]), 1))
        y = 10.0
        width = max(size[n][0] for n in col)
        for n in col:
            pos[n] = (x + (width - size[n][0]) / 2, y)
            y += size[n][1] + _GAP_Y
        height = max(height, y)
        x += width + _GAP_X
    e = html.escape
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{x:.0f}' height='{height:.0f}' "
           f"viewBox='0 0 {x:.0f} {height:.0f}' font-family='monospace' font-size='12'>",
           "<defs><marker id='gg-arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' "
           "markerHeight='7' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#1f4e9c'/></marker></defs>"]
    for a, b, label in g.edges:
        (xa, ya), (wa, ha) = pos[a], size[a]
        (xb, yb), (_, hb) = pos[b], size[b]
        x1, y1, x2, y2 = xa + wa, ya + ha / 2, xb, yb + hb / 2
        out.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='#1f4e9c' "
                   "marker-end='url(#gg-arrow)'/>")
        if label:
            out.append(f"<text x='{(x1 + x2) / 2:.1f}' y='{(y1 + y2) / 2 - 4:.1f}' fill='#1f4e9c' "
                       f"font-size='10' text-anchor='middle'>{e(label)}</text>")
    for n, (text, kind) in g.nodes.items():
        (x0, y0), (w, h) = pos[n], size[n]
        rx = h / 2 if kind == "leaf" else 6
        weight = " stroke-width='2'" if kind == "output" else ""
        out.append(f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{w:.1f}' height='{h:.1f}' rx='{rx:.1f}' "
                   f"fill='{_FILL[kind]}' stroke='#333'{weight}/>")
        for i, line in enumerate(text):
            out.append(f"<text x='{x0 + _PAD:.1f}' y='{y0 + _PAD + 10 + i * _LINE_H:.1f}'>{e(line)}</text>")
    out.append("</svg>")
    return "\n".join(out)
