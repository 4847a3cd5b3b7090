"""Graphviz rendering of a trace: each node with its value and gradient, each edge with
the gradient it carried backward. DOT text is always available; SVG needs Graphviz's
``dot`` program (``apt-get install graphviz``, ``brew install graphviz``).
"""

import shutil
import subprocess

from .format import array_inline


class GraphvizMissing(RuntimeError):
    """SVG was asked for but Graphviz's `dot` program is not installed."""


def _q(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def trace_to_dot(trace, digits=None):
    digits = trace.digits if digits is None else digits

    def v(a):
        return array_inline(a, digits)

    ids = {}
    lines = ["digraph glassgrad {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for k, leaf in enumerate(trace.leaves):
        ids[id(leaf)] = f"v{k}"
        text = f"{leaf.name}\nvalue {v(leaf.value)}"
        g = leaf.gradient
        if g is not None:
            text += f"\ngrad {v(g)}"
        shape = "ellipse" if leaf.requires_grad else "note"
        lines.append(f"  v{k} [shape={shape}, label={_q(text)}];")
    from .gates import form

    const = 0
    for k, node in enumerate(trace.nodes):
        nid = f"n{k}"
        ids[id(node)] = nid
        text = f"{node.name} = {form(node)}\n[{node.label}]\nvalue {v(node.value)}"
        if node.upstream is not None:
            text += f"\ngrad {v(node.upstream)}"
        lines.append(f"  {nid} [shape=box, style=rounded, label={_q(text)}];")
    for node in trace.nodes:
        nid = ids[id(node)]
        for i, rec in enumerate(node.inputs):
            if rec.kind == "constant":
                cid = f"c{const}"
                const += 1
                lines.append(f"  {cid} [shape=plaintext, label={_q(rec.name)}];")
                src = cid
            else:
                src = ids.get(id(rec))
                if src is None:
                    continue
            msg = node.outgoing[i]
            attrs = ""
            if msg is not None:
                attrs = f' [label={_q("grad " + v(msg.value))}, color="#1f4e9c", fontcolor="#1f4e9c"]'
            lines.append(f"  {src} -> {nid}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_to_svg(dot_text):
    """Run Graphviz on DOT text; a clear error when it is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(
            "SVG needs Graphviz's `dot` program, which is not installed (apt-get install "
            "graphviz / brew install graphviz); use --format dot to get the DOT text instead"
        )
    proc = subprocess.run([exe, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()
