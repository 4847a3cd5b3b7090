"""What each op computes (written with its inputs' names) and how it passes gradients back,
in the words of the seed: an add gate copies, a multiply gate swaps, a max gate routes.

Keyed by the op's ``label``; several spellings are accepted so that an op renamed by its
author still reads well. An op missing here is written ``label(a, b)`` and described by
its ``rule``.
"""

from .format import array_plain, number, tex_name

# label -> (plain template, tex template); {0}, {1} are the inputs' spellings
FORMS = {
    "add": ("{0} + {1}", "{0} + {1}"),
    "sub": ("{0} - {1}", "{0} - {1}"),
    "mul": ("{0}*{1}", r"{0} \cdot {1}"),
    "div": ("{0}/{1}", r"\frac{{{0}}}{{{1}}}"),
    "neg": ("-{0}", "-{0}"),
    "pow": ("{0}**{1}", "{{{0}}}^{{{1}}}"),
    "exp": ("exp({0})", r"e^{{{0}}}"),
    "log": ("log({0})", r"\ln {0}"),
    "sqrt": ("sqrt({0})", r"\sqrt{{{0}}}"),
    "abs": ("abs({0})", r"\lvert {0} \rvert"),
    "maximum": ("max({0}, {1})", r"\max({0}, {1})"),
    "minimum": ("min({0}, {1})", r"\min({0}, {1})"),
    "tanh": ("tanh({0})", r"\tanh {0}"),
    "sigmoid": ("sigmoid({0})", r"\sigma({0})"),
    "relu": ("relu({0})", r"\mathrm{{ReLU}}({0})"),
    "matmul": ("{0} @ {1}", "{0} {1}"),
    "sum": ("sum({0})", r"\textstyle\sum {0}"),
}
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
    label = canonical(node.label)
    if label in FORMS and _arity_ok(FORMS[label], len(names)):
        template = FORMS[label][1 if tex else 0]
        return template.format(*names)
    if tex:
        return r"\mathrm{" + node.label.replace("_", r"\_") + "}(" + ", ".join(names) + ")"
    return f"{node.label}({', '.join(names)})"


def _arity_ok(templates, n):
    needed = 2 if "{1}" in templates[0] else 1
    return needed == n


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
    if label in FORMS and _arity_ok(FORMS[label], len(vals)):
        return FORMS[label][1 if tex else 0].format(*vals)
    return f"{node.label}({', '.join(vals)})"


def _scalar(a):
    return a is not None and a.size == 1


def describe(node, digits=6):
    """One sentence on how this node passes its upstream gradient to its inputs."""
    label = canonical(node.label)
    msgs = [m for m in node.outgoing if m is not None]
    names = [r.name for r in node.inputs]
    up = node.upstream
    scalar = _scalar(up) and all(_scalar(m.value) for m in msgs)
    fmt = (lambda a: number(a.reshape(()).item(), digits)) if scalar else (lambda a: array_plain(a, digits))

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
    if label == "neg":
        return "negate: sends the upstream with its sign flipped"
    if label == "div":
        return "divide gate: a/b sends upstream/b to a and -upstream*a/b^2 to b"
    if label == "exp":
        return "exp: local derivative e^a, the node's own value"
    if label == "log":
        return "log: local derivative 1/a"
    if label == "tanh":
        return "tanh: local derivative 1 - tanh(a)^2 = 1 - (value)^2"
    if label == "sigmoid":
        return "sigmoid: local derivative s(1 - s), s the node's value"
    if label == "sqrt":
        return "sqrt: local derivative 1/(2 sqrt(a))"
    if label == "abs":
        return "abs: local derivative sign(a)"
    if label == "pow":
        return "power: local derivative b*a^(b-1) for a, a^b ln a for b"
    if label == "matmul":
        return "matmul: dL/dA = upstream B^T, dL/dB = A^T upstream"
    if label == "sum":
        return "sum: copies the upstream to every element"
    if label == "mean":
        return "mean: sends upstream / n to every element"
    if label in ("max", "min", "amax", "amin"):
        return f"{label} (reduction): routes the upstream to the selected element(s), 0 elsewhere"
    if label == "linear":
        return ("linear y = x W^T + b: dL/dx = upstream W, dL/dW = upstream^T x, "
                "dL/db = upstream summed over the batch")
    if label == "cross_entropy":
        return "cross-entropy (fused with softmax): dL/dz = softmax(z) - y, times the upstream (/N for the mean)"
    if label == "softmax":
        return "softmax: dL/ds_j = p_j (g_j - sum_k p_k g_k) for the upstream g"
    if label == "log_softmax":
        return "log-softmax: dL/ds_j = g_j - softmax(s)_j sum_k g_k for the upstream g"
    if label == "leaky_relu":
        return "leaky ReLU gate: passes the upstream where the input is > 0, scales it by the slope elsewhere"
    if label == "softplus":
        return "softplus: local derivative sigmoid(a)"
    if label == "dropout":
        return "dropout: the upstream through the kept units, scaled by 1/(1-p); 0 for dropped ones"
    if label in ("reshape", "transpose", "permute", "contiguous", "broadcast_to", "getitem", "cat",
                 "stack", "pad", "clone", "cast"):
        return f"{label}: moves the upstream back into the input's shape, no arithmetic"
    if node.elementwise:
        return f"{node.label}: downstream = upstream x local derivative"
    return f"{node.label}: downstream computed by its backward from the upstream"


def spell(rec, tex=False):
    return _spell(rec, tex)
