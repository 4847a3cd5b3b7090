"""A model summary in the manner of torchinfo: one row per layer with its output shape and
its number of parameters, then the totals.

    >>> summary(model, input_size=(1, 2))      # runs one forward pass to find the shapes
    >>> model                                  # in a notebook: the same table, no shapes

Output shapes are known only by running the model: ``summary`` puts a forward hook on
every submodule, calls the model once on zeros of ``input_size`` (under ``no_grad``, in
eval mode, then puts the mode back) and removes the hooks. A module that is called twice
shows its last output shape.
"""

import html

from ..tensor import Tensor


class Summary:
    """The rows of a summary; ``str()`` is a text table, a notebook shows HTML.

    ``rows``: dicts with ``name`` (dotted path), ``depth``, ``layer`` (class name and
    settings), ``output_shape`` (tuple, list of tuples, or None if not run),
    ``param_shapes`` (list of (name, shape)) and ``params`` (count: the module's own
    parameters for a layer, all below it for a container).
    """

    def __init__(self, model, rows, input_size=None):
        self.model = model
        self.rows = rows
        self.input_size = input_size
        params = list(model.parameters())
        self.total_params = sum(p.array.size for p in params)
        self.trainable_params = sum(p.array.size for p in params if p.requires_grad)

    # ------------------------------------------------------------ text
    def _cells(self, row):
        shapes = ", ".join(f"{n} {_shape(s)}" for n, s in row["param_shapes"]) or "--"
        out = _shape(row["output_shape"]) if row["output_shape"] is not None else "--"
        return ["  " * row["depth"] + row["layer"], out, shapes, f"{row['params']:,}"]

    def __str__(self):
        head = ["Layer (type)", "Output shape", "Parameters", "Param #"]
        body = [self._cells(r) for r in self.rows]
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        rule = "=" * (sum(widths) + 3 * (len(widths) - 1))

        def line(cells):
            return "   ".join(c.ljust(w) if j < 3 else c.rjust(w) for j, (c, w) in enumerate(zip(cells, widths)))

        lines = [rule, line(head), rule] + [line(c) for c in body] + [rule]
        lines += [f"Total params: {self.total_params:,}", f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.total_params - self.trainable_params:,}"]
        if self.input_size is not None:
            lines.append(f"Input size: {_shape(self.input_size)}")
        return "\n".join(lines + [rule])

    __repr__ = __str__

    # ------------------------------------------------------------ notebook
    def _repr_html_(self):
        e = html.escape
        th = "style='text-align:left;padding:2px 10px'"
        td = "style='text-align:left;padding:2px 10px;font-family:monospace;white-space:nowrap'"
        tdr = "style='text-align:right;padding:2px 10px;font-family:monospace'"
        parts = [f"<div class='glassgrad-summary'><b>{e(type(self.model).__name__)}</b>",
                 "<table><thead><tr>" + "".join(f"<th {th}>{h}</th>" for h in
                                                ("Layer (type)", "Output shape", "Parameters", "Param #"))
                 + "</tr></thead><tbody>"]
        for row in self.rows:
            layer, out, shapes, count = self._cells(row)
            indent = "&nbsp;" * (2 * row["depth"])
            parts.append(f"<tr><td {td}>{indent}{e(layer.strip())}</td><td {td}>{e(out)}</td>"
                         f"<td {td}>{e(shapes)}</td><td {tdr}>{e(count)}</td></tr>")
        parts.append("</tbody></table>")
        facts = [f"Total params: {self.total_params:,}", f"trainable: {self.trainable_params:,}"]
        if self.input_size is not None:
            facts.append(f"input size {_shape(self.input_size)}")
        elif any(r["output_shape"] is None for r in self.rows):
            facts.append("output shapes: glassgrad.display.summary(model, input_size)")
        parts.append(f"<div style='color:#555'>{e(' · '.join(facts))}</div></div>")
        return "".join(parts)


def _shape(s):
    if isinstance(s, list):
        return "[" + ", ".join(_shape(x) for x in s) + "]"
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def _describe(module):
    extra = module.extra_repr()
    if extra and "\n" not in extra and len(extra) <= 60:
        return f"{type(module).__name__}({extra})"
    return type(module).__name__


def _rows(model, shapes):
    rows = []
    entries = list(model.named_modules())
    only_root = len(entries) == 1
    for name, module in entries:
        if name == "" and not only_root:
            continue  # the model itself is the table's title and its totals
        depth = 0 if only_root else name.count(".")
        leaf = not any(True for _ in module.children())
        own = list(module.named_parameters(recurse=False))
        params = sum(p.array.size for _, p in own) if leaf else sum(p.array.size for p in module.parameters())
        rows.append({
            "name": name,
            "depth": depth,
            "layer": (f"{name}: " if name else "") + _describe(module),
            "output_shape": shapes.get(id(module)),
            "param_shapes": [(n, tuple(p.array.shape)) for n, p in own],
            "params": params,
        })
    return rows


def module_html(model):
    """The table a Module shows in a notebook: parameter shapes, no output shapes."""
    return Summary(model, _rows(model, {}))._repr_html_()


def _output_shape(out):
    if isinstance(out, Tensor):
        return tuple(out.array.shape)
    if isinstance(out, (tuple, list)):
        shapes = [_output_shape(o) for o in out]
        return [s for s in shapes if s is not None] or None
    return None


def summary(model, input_size=None, input_data=None, dtype=None):
    """The summary of ``model`` with the output shape of every layer, found by one forward
    pass on zeros of ``input_size`` (a shape, batch first, e.g. ``(1, 2)``; or a list of
    shapes for a model with several inputs), or on ``input_data`` (a Tensor or a tuple of
    them). Without either, output shapes are left out."""
    import glassgrad

    from ..autograd.grad_mode import no_grad

    if input_size is not None and input_data is not None:
        raise ValueError("summary: give input_size or input_data, not both")
    inputs = None
    if input_data is not None:
        inputs = input_data if isinstance(input_data, (tuple, list)) else (input_data,)
    elif input_size is not None:
        sizes = list(input_size) if input_size and isinstance(input_size[0], (tuple, list)) else [input_size]
        for s in sizes:
            if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in s):
                raise ValueError(f"summary: input_size must be a shape of positive ints such as (1, 2), got {input_size!r}")
        inputs = [glassgrad.zeros(*s, dtype=dtype) for s in sizes]
        input_size = tuple(sizes[0]) if len(sizes) == 1 else [tuple(s) for s in sizes]
    shapes = {}
    if inputs is not None:
        def record(module, args, output):
            shapes[id(module)] = _output_shape(output)

        handles = [m.register_forward_hook(record) for _, m in model.named_modules()]
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                model(*inputs)
        finally:
            model.train(was_training)
            for h in handles:
                h.remove()
        if input_size is None:
            input_size = tuple(inputs[0].shape) if len(inputs) == 1 else [tuple(i.shape) for i in inputs]
    return Summary(model, _rows(model, shapes), input_size)
