"""Turn a Trace into a Document: inputs, forward pass, backward pass, chain rule, gradient.

The backward table has one row per message: for each node (in the order the engine ran
them) its upstream gradient, and for each input the local derivative and the downstream
gradient (upstream x local), with a sentence on what kind of gate it is. Where the engine
summed a gradient over broadcast axes, a row says so. For scalar graphs the chain rule is
also written out line by line, as on paper: df/dx = df/da * da/dx = 2 * (-4) = -8.
"""

from .document import Document, Equation, Equations, Heading, Math, Paragraph, Table, Value
from .format import number, tex_name
from .gates import describe, form, spell, with_numbers


def _d(of, wrt, tex):
    if tex:
        return rf"\frac{{\partial {tex_name(of)}}}{{\partial {tex_name(wrt)}}}"
    return f"d{of}/d{wrt}"


def _all_scalar(trace):
    return all(r.value.size == 1 for r in trace.nodes + trace.leaves)


def _is_one(a):
    return a is not None and a.size == 1 and float(a.reshape(()).item()) == 1.0


def trace_document(trace, title=None, of=None, blocks_before=(),
                   no_backward="No backward pass was recorded (call .backward() inside the trace)."):
    """The Document for ``trace``. ``of``: the name of the differentiated quantity in the
    chain-rule lines (default: the output's name, or "L" when backward started from an
    upstream gradient other than 1)."""
    digits = trace.digits
    doc = Document(title or "Forward and backward pass", digits=digits)
    doc.add(*blocks_before)
    scalar = _all_scalar(trace)

    # ---------------------------------------------------------------- inputs
    if trace.leaves:
        rows = [[leaf.name, Value(leaf.value), "yes" if leaf.requires_grad else "no (constant)"]
                for leaf in trace.leaves]
        doc.add(Heading("Inputs", 2), Table(["name", "value", "gradient wanted"], rows))

    # ---------------------------------------------------------------- forward
    doc.add(Heading("Forward pass", 2))
    rows = []
    for node in trace.nodes:
        nums = with_numbers(node, digits)
        rows.append([
            node.name,
            Math(form(node), form(node, tex=True)),
            Math(nums, with_numbers(node, digits, tex=True)) if nums is not None else "",
            Value(node.value),
            node.label,
            Math(node.rule, node.rule) if node.rule else "",
        ])
    doc.add(Table(["node", "computes", "with numbers", "value", "op", "rule"], rows,
                  text_hidden=(5,), only=("text", "markdown")))
    lines = []
    for node in trace.nodes:
        rhs = [Math(form(node), form(node, tex=True))]
        nums = with_numbers(node, digits, tex=True)
        if nums is not None:
            rhs.append(Math(with_numbers(node, digits), nums))
        rhs.append(Value(node.value))
        note = Math(node.rule, node.rule) if node.rule else ""
        lines.append(Equation(Math(node.name, tex_name(node.name)), rhs, note))
    doc.add(Equations(lines, only=("latex",)))

    ran = trace.backward_order()
    if not ran:
        doc.add(Paragraph.of(no_backward))
        return doc

    root = ran[0]
    if of is None:
        of = root.name if _is_one(root.upstream) else "L"

    # ---------------------------------------------------------------- backward table
    doc.add(Heading("Backward pass", 2))
    doc.add(Paragraph.of(
        "Each node receives the upstream gradient ",
        Math(f"d{of}/d(node)", rf"\partial {tex_name(of)} / \partial (\text{{node}})"),
        " and sends each input downstream = upstream x local derivative.",
    ))
    rows = []
    for node in ran:
        first = True
        upstream_cell = _upstream_cell(node, digits)
        how = describe(node, digits)
        for msg in node.outgoing:
            if msg is None:
                continue
            rows.append([
                node.name if first else "",
                upstream_cell if first else "",
                spell(msg.target),
                Value(msg.local) if msg.local is not None else "-",
                Value(msg.raw),
                how if first else "",
            ])
            if msg.broadcast:
                rows.append(["", "", spell(msg.target), "", Value(msg.value),
                             f"sum over broadcast axes {msg.axes}: shape "
                             f"{tuple(msg.raw.shape)} -> {tuple(msg.value.shape)}"])
            first = False
        if first:  # no input wanted a gradient
            rows.append([node.name, upstream_cell, "", "", "", how])
    doc.add(Table(["node", "upstream", "to", "local", "downstream", "how"], rows))

    # ---------------------------------------------------------------- chain rule
    if scalar:
        doc.add(Heading("Chain rule", 2))
        lines = []
        if not _is_one(root.upstream):
            lines.append(Equation(Math(_d(of, root.name, False), _d(of, root.name, True)),
                                  [Value(root.upstream)], "given (upstream from later in the network)"))
        for rec in ran[1:] + [leaf for leaf in trace.leaves if leaf.incoming]:
            lines.append(_chain_line(rec, root, of, digits))
        doc.add(Equations(lines))

    # ---------------------------------------------------------------- gradient
    wanted = [leaf for leaf in trace.leaves if leaf.requires_grad]
    if wanted:
        doc.add(Heading("Gradient", 2))
        rows = []
        for leaf in wanted:
            g = leaf.gradient
            rows.append([Math(_d(of, leaf.name, False), _d(of, leaf.name, True)),
                         Value(g) if g is not None else "0 (no path from the output)"])
        doc.add(Table(["derivative", "value"], rows))
        if scalar:
            names_plain = ", ".join(_d(of, leaf.name, False) for leaf in wanted)
            names_tex = ", ".join(_d(of, leaf.name, True) for leaf in wanted)
            vals = []
            for leaf in wanted:
                g = leaf.gradient
                vals.append(number(g.reshape(()).item(), digits) if g is not None else "0")
            doc.add(Equations([Equation(
                Math(f"grad {of}", rf"\nabla {tex_name(of)}"),
                [Math(f"({names_plain})", rf"\left({names_tex}\right)"),
                 Math(f"({', '.join(vals)})", rf"\left({', '.join(vals)}\right)")],
            )]))
    return doc


def _upstream_cell(node, digits):
    if len(node.incoming) > 1 and all(m.value.size == 1 for m in node.incoming):
        parts = [number(m.value.reshape(()).item(), digits) for m in node.incoming]
        total = number(node.upstream.reshape(()).item(), digits)
        return f"{total} (= {' + '.join(parts)})"
    return Value(node.upstream)


def _chain_line(rec, root, of, digits):
    """d of/d rec as the sum over the messages rec received: sum_k d of/d src_k * d src_k/d rec."""
    sym_plain, sym_tex, num_plain, num_tex = [], [], [], []
    for msg in rec.incoming:
        src = msg.source
        local = msg.local
        if src is root and _is_one(root.upstream):
            # d f/d f = 1: the message is the local derivative itself (marked as such
            # when other paths add to it, since d f/d x alone would read as the total)
            many = len(rec.incoming) > 1
            sym_plain.append(_d(src.name, rec.name, False) + (" (local)" if many else ""))
            sym_tex.append(_d(src.name, rec.name, True) + (r"\big|_{\text{local}}" if many else ""))
            s = number(msg.value.reshape(()).item(), digits)
            num_plain.append(s)
            num_tex.append(s)
            continue
        sym_plain.append(f"{_d(of, src.name, False)} * {_d(src.name, rec.name, False)}")
        sym_tex.append(f"{_d(of, src.name, True)} {_d(src.name, rec.name, True)}")
        up = number(src.upstream.reshape(()).item(), digits)
        if local is not None:
            loc = number(local.reshape(()).item(), digits)
            loc_p = f"({loc})" if loc.startswith("-") else loc
            up_p = f"({up})" if up.startswith("-") else up
            num_plain.append(f"{up_p} * {loc_p}")
            num_tex.append(rf"{up_p} \cdot {loc_p}")
        else:
            s = number(msg.value.reshape(()).item(), digits)
            num_plain.append(s)
            num_tex.append(s)
    lhs = Math(_d(of, rec.name, False), _d(of, rec.name, True))
    rhs = []
    sym = Math(" + ".join(sym_plain), " + ".join(sym_tex))
    if sym.plain != lhs.plain:  # d f/d c from f itself needs no chain
        rhs.append(sym)
    nums = Math(" + ".join(num_plain), " + ".join(num_tex))
    total = rec.gradient
    if nums.plain != number(total.reshape(()).item(), digits):
        rhs.append(nums)
    rhs.append(Value(total))
    return Equation(lhs, rhs)
