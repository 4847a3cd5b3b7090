"""What each op computes (written with its inputs' names) and how it passes gradients back,
in the words of the seed: an add gate copies, a multiply gate swaps, a max gate routes.

Every fact comes from the op's class (``glassgrad.autograd.function``): its ``form`` (how
the forward is written), its ``plain`` rule (the local derivative), its ``kind``. Only the
seed's gate sentences (add, subtract, multiply, max/min, ReLU) are written here: they say
in words what the rule says in symbols.
"""

import re

from ..autograd.function import ShapeOp
from .format import number, tex_name

# (not "max"/"min": those are the reductions of ops/reduction.py)
ALIASES = {"multiply": "mul", "subtract": "sub",
           "divide": "div", "negative": "neg", "power": "pow", "mm": "matmul",
           "truediv": "div"}


_INFIX = {"add", "sub", "mul", "div", "pow", "neg", "matmul"}


def canonical(label):
    return ALIASES.get(label, label)


def _spell(rec, tex=False, digits=6):
    if rec.kind == "constant":
        s = rec.name
        return f"({s})" if s.startswith("-") else s
    return tex_name(rec.name) if tex else rec.name


def form(node, tex=False):
    """What the node computes, in its inputs' names: 'x*y', r'x \\cdot y'."""
    names = [_spell(r, tex) for r in node.inputs]
    text = _fill(node.op, names, tex)
    if text is not None:
        return text
    if tex:
        return r"\mathrm{" + node.label.replace("_", r"\_") + "}(" + ", ".join(names) + ")"
    return f"{node.label}({', '.join(names)})"


def _fill(op, names, tex):
    """The op's form with ``names`` put in, or None when it has no form for that many inputs."""
    templates = getattr(op, "form", None)
    if not templates:
        return None
    template = templates[1 if tex else 0]
    if "{...}" in template:  # all inputs, comma-separated (no other field in such a template)
        return template.replace("{...}", ", ".join(names))
    needed = 2 if "{1}" in template else 1
    return template.format(*names) if needed == len(names) else None


def with_numbers(node, digits=6, tex=False):
    """The node's form with its inputs' values put in (scalar nodes only): '3*(-4)'."""
    if any(r.value.size != 1 for r in node.inputs):
        return None
    label = canonical(node.label)
    vals = []
    for k, r in enumerate(node.inputs):
        s = number(r.value.reshape(()).item(), digits)
        # parentheses around a negative number only where an operator precedes it
        leading = k == 0 and label in ("add", "sub")
        if s.startswith("-") and label in _INFIX and not leading:
            s = f"({s})"
        vals.append(s)
    text = _fill(node.op, vals, tex)
    return text if text is not None else f"{node.label}({', '.join(vals)})"


def _scalar(a):
    return a is not None and a.size == 1


def describe(node, digits=6):
    """One sentence on how this node passes its upstream gradient to its inputs."""
    label = canonical(node.label)
    msgs = [m for m in node.outgoing if m is not None]
    names = [r.name for r in node.inputs]
    up = node.upstream
    scalar = _scalar(up) and all(_scalar(m.value) for m in msgs)

    if label == "add":
        return "add gate: copies the upstream gradient unchanged to each input"
    if label == "sub":
        return "subtract gate: copies the upstream to the first input and its negative to the second"
    if label == "mul":
        if len(msgs) == 2:
            return ("multiply gate: swaps the inputs: each gets the upstream times the other "
                    "input's value")
        if len(msgs) == 1:
            other = node.inputs[1 - msgs[0].index]
            return (f"multiply gate: {names[msgs[0].index]} gets the upstream times the other "
                    f"factor ({_spell(other)})")
    if label in ("maximum", "minimum"):
        word = "max" if label == "maximum" else "min"
        which = "larger" if label == "maximum" else "smaller"
        if scalar and len(node.inputs) == 2:
            locs = [m.local for m in node.outgoing]
            if all(loc is not None for loc in locs):
                l0, l1 = (float(loc.reshape(()).item()) for loc in locs)
                if 0 < l0 < 1 and 0 < l1 < 1:
                    return (f"{word} gate: tie ({names[0]} = {names[1]}): the upstream is split, "
                            f"{names[0]} gets {number(l0, digits)} of it and {names[1]} "
                            f"{number(l1, digits)}")
                win, lose = (0, 1) if l0 >= l1 else (1, 0)
                return (f"{word} gate: routes the whole upstream to {names[win]} (the {which} "
                        f"input); {names[lose]} gets 0")
        return (f"{word} gate: routes the upstream to the {which} input of each pair, 0 to "
                "the other (a tie splits it equally)")
    if label == "relu":
        if scalar and msgs:
            passed = float(msgs[0].local.reshape(()).item()) if msgs[0].local is not None else None
            if passed == 1:
                return f"ReLU gate: {names[0]} > 0, so the upstream passes unchanged"
            if passed == 0:
                return f"ReLU gate: {names[0]} <= 0, so the gradient is blocked (0)"
        return "ReLU gate: passes the upstream where the input is > 0, blocks it (0) elsewhere"
    if label in ("max", "min", "amax", "amin"):
        return f"{label} (reduction): routes the upstream to the selected element(s), 0 elsewhere"
    if issubclass(node.op, ShapeOp) or label in ("clone", "cast"):
        return f"{label}: moves the upstream back into the input's shape, no arithmetic"
    if node.op.plain:
        return f"{node.label}: {node.op.plain}"
    if node.elementwise:
        return f"{node.label}: downstream = upstream x local derivative"
    return f"{node.label}: downstream computed by its backward from the upstream"


def local_derivative(op, tex=False, names=None):
    """The right-hand side of the op's rule (after its last ' = '): the local derivative by
    itself, e.g. '1 - z^2' for tanh. ``names`` renames the rule's variables (whole words),
    e.g. {"z": "h1"} to write it with a layer's own values."""
    text = (op.rule if tex else op.plain).rsplit(" = ", 1)[-1].strip()
    for old, new in (names or {}).items():
        text = re.sub(rf"(?<![A-Za-z\\]){re.escape(old)}(?![A-Za-z])", lambda _: new, text)
    return text


def spell(rec, tex=False):
    return _spell(rec, tex)
