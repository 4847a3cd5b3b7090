"""Exercise mode: a TOML spec -> a worked solution.

Two kinds of exercise (see docs/explain.md for every key):

``kind = "expression"``: a scalar graph (``expression``, ``[values]``, optional
``[constants]`` and ``upstream``), explained node by node by the trace.

``kind = "network"``: an MLP (``[network]``: sizes, activations, bias, weights given
explicitly, by a constant or from a seeded initializer), data (``[data]``: x and y, one
example per row), a loss (``[loss]``: squared_error, mse, cross_entropy, softmax_hinge,
logistic; reduction sum or mean over the examples) and plain gradient descent
(``[optimizer]``: lr, steps, batch_size). The solution is computed by the textbook MLP
(the delta recursion written with matrices) and checked against the autograd engine.

Both may carry ``[answers]`` (the student's values: check-my-answer) and ``[seed]`` (the
values a seed wrote, checked the same way, so that a slip shows up) and ``notes``.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..ops.activation import ReLU, Sigmoid, Tanh
from ..ops.loss import (
    BinaryCrossEntropyWithLogits, CrossEntropy, HalfSquaredError, MeanSquaredError, SoftmaxHinge,
)
from .answers import check_answers, dependencies, first_divergence
from .document import Document, Equation, Equations, Heading, Math, Paragraph, Table, Value
from .format import number, tex_name
from .gates import local_derivative

BUNDLED = Path(__file__).resolve().parent.parent / "exercises"


def _toml():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ImportError("reading exercises on Python 3.10 needs tomli: pip install tomli") from None
    return tomllib


# ====================================================================== the spec
@dataclass
class ExerciseSpec:
    name: str
    title: str
    kind: str
    source: str = ""
    notes: str = ""
    source_text: str = ""
    path: str = ""
    answers: dict = field(default_factory=dict)
    seed_values: dict = field(default_factory=dict)
    # expression exercises
    expression: str = ""
    values: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    upstream: float = None
    # network exercises
    mlp: object = None
    X: np.ndarray = None
    Y: np.ndarray = None
    loss: str = "squared_error"
    reduction: str = "sum"
    margin: float = 1.0
    lr: float = 0.1
    steps: int = 1
    batch_size: int = 0


# Limits of an exercise worked by hand (or on a lecture's slide): far above the seeds'
# networks, far below what would exhaust memory before anything is printed.
MAX_UNITS = 1000  # units of one layer
MAX_LAYERS = 20
MAX_WEIGHTS = 1_000_000
MAX_EXAMPLES = 10_000
MAX_STEPS = 1000
MAX_FILE_BYTES = 1_000_000


# Descriptive names of the bundled exercises -> their files (named after the seed and the
# question, which stay accepted as aliases: seed001-q1 is mlp-4433-tanh-sse).
NAMES = {
    "graph-2xy-max": "seed000-graph",
    "graph-logistic-regression": "seed000-logistic-regression",
    "neuron-tanh-upstream": "seed000-tanh-neuron",
    "mlp-4433-tanh-sse": "seed001-q1",
    "mlp-4433-softmax-ce": "seed001-q2",
    "logistic-loss-derivative": "seed002-logistic-loss",
    "mlp-231-relu-mean": "seed003-ex2-mean",
    "mlp-231-relu-sum": "seed003-ex2-sum",
    "softmax-hinge": "seed003-ex3-softmax-hinge",
    "mlp-242-tanh-softmax-ce": "seed004-2-4-2",
}


def list_bundled():
    """(name, title) of every bundled exercise, by descriptive name; the title ends with
    the seed the exercise comes from, whose name is an alias."""
    out = []
    for name, stem in sorted(NAMES.items()):
        spec = load_exercise(name)
        out.append((name, f"{spec.title} [{stem}]"))
    return out


def load_exercise(name_or_path):
    """A bundled exercise by name, or a TOML file by path."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or os.sep in str(name_or_path)):
        candidate = BUNDLED / f"{NAMES.get(name_or_path, name_or_path)}.toml"
        if not candidate.exists():
            names = ", ".join(sorted(NAMES)) + " (or their seed names: " + ", ".join(
                p.stem for p in sorted(BUNDLED.glob("*.toml"))) + ")"
            raise UserError(f"no bundled exercise called {name_or_path!r}; bundled: {names} "
                            "(or give a path to a .toml file)")
        path = candidate
    if not path.exists():
        raise UserError(f"exercise file not found: {path}")
    if not path.is_file():
        raise UserError(f"{path}: expected an exercise file (.toml), got a folder or a device")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UserError(f"{path}: expected an exercise of at most {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: expected UTF-8 text, got the byte 0x{raw[exc.start]:02x} at "
                        f"position {exc.start}") from None
    try:
        data = _toml().loads(text)
    except RecursionError:
        raise UserError(f"{path.name}: not valid TOML: nested too deeply") from None
    except Exception as exc:  # tomllib.TOMLDecodeError
        raise UserError(f"{path.name}: not valid TOML: {exc}") from None
    return spec_from_dict(data, name=path.stem, source_text=text, path=str(path))


def _get(data, section, key, default=None, required=False, where=""):
    table = data.get(section, {}) if section else data
    if not isinstance(table, dict):
        raise UserError(f"{where}[{section}] must be a table")
    if key not in table:
        if required:
            place = f"[{section}] {key}" if section else key
            raise UserError(f"{where}missing {place}")
        return default
    return table[key]


def _bad(where, place, expected, value):
    return UserError(f"{where}{place}: expected {expected}, got {value!r}")


def _real(value, where, place, low=None, low_open=False):
    """A finite number (not a bool), at least ``low`` (above it if ``low_open``)."""
    expected = "a finite number" + ("" if low is None else f" {'>' if low_open else '>='} {low:g}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(where, place, expected, value)
    v = float(value)
    if not np.isfinite(v) or (low is not None and (v <= low if low_open else v < low)):
        raise _bad(where, place, expected, value)
    return v


def _whole(value, where, place, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(where, place, f"a whole number from {low} to {high}", value)
    return value


def _table(value, where, place):
    if not isinstance(value, dict):
        raise _bad(where, place, "a table (name = value lines)", value)
    return value


def _text(value, where, place, choices):
    if not isinstance(value, str) or value not in choices:
        raise _bad(where, place, "one of " + ", ".join(choices), value)
    return value


def _numbers(value, where, place):
    """A number or (nested) list of finite numbers as a float array."""
    expected = "a list of finite numbers (rows of equal length)"
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise _bad(where, place, expected, value)
    try:
        arr = np.asarray(value, dtype=float)
    except (ValueError, TypeError):
        raise _bad(where, place, expected, value) from None
    if arr.dtype == object or not np.all(np.isfinite(arr)):
        raise _bad(where, place, expected, value)
    return arr


def spec_from_dict(data, name="exercise", source_text="", path=""):
    where = f"{Path(path).name or name}: "
    kind = data.get("kind", "network")
    spec = ExerciseSpec(
        name=str(data.get("name", name)), title=str(data.get("title", name)), kind=kind,
        source=str(data.get("source", "")), notes=str(data.get("notes", "")).strip(),
        source_text=source_text, path=path,
        answers=dict(_table(data.get("answers", {}), where, "[answers]")),
        seed_values=dict(_table(data.get("seed", {}), where, "[seed]")),
    )
    if kind == "expression":
        expression = _get(data, None, "expression", required=True, where=where)
        if not isinstance(expression, str):
            raise _bad(where, "expression", "the expression as text", expression)
        spec.expression = expression
        for key in ("values", "constants"):
            table = _table(data.get(key, {}), where, f"[{key}]")
            setattr(spec, key, {k: _real(v, where, f"[{key}] {k}") for k, v in table.items()})
        up = data.get("upstream")
        spec.upstream = None if up is None else _real(up, where, "upstream")
        return spec
    if kind != "network":
        raise UserError(f"{where}kind must be 'expression' or 'network', got {kind!r}")
    _network_spec(spec, data, where)
    return spec


def _network_spec(spec, data, where):
    from ..textbook import MLP
    from ..textbook.activations import ACTIVATIONS
    from ..textbook.losses import LOSSES

    net = data.get("network")
    if not isinstance(net, dict):
        raise UserError(f"{where}missing the [network] table")
    sizes = _get(data, "network", "sizes", required=True, where=where)
    if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS + 1
            and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_UNITS for n in sizes)):
        raise _bad(where, "[network] sizes", f"a list of at least 2 positive integers (at most "
                   f"{MAX_LAYERS + 1} of them, each at most {MAX_UNITS})", sizes)
    if sum(a * b for a, b in zip(sizes, sizes[1:])) > MAX_WEIGHTS:
        raise _bad(where, "[network] sizes", f"a network of at most {MAX_WEIGHTS} weights", sizes)
    layers = len(sizes) - 1
    acts = _get(data, "network", "activations", default=["tanh"] * (layers - 1) + ["identity"])
    if isinstance(acts, str):
        acts = [acts] * (layers - 1) + ["identity"]
    if not isinstance(acts, list) or len(acts) != layers:
        raise UserError(f"{where}[network] activations: {len(acts) if isinstance(acts, list) else acts!r} "
                        f"given for {layers} layers")
    names = [n for n in ACTIVATIONS] + ["softmax"]
    for act in acts:
        _text(act, where, "[network] activations", names)
    if "softmax" in acts[:-1]:
        raise UserError(f"{where}[network] activations: softmax can only be the last layer's")
    bias = _get(data, "network", "bias", default=True)
    if not isinstance(bias, bool):
        raise _bad(where, "[network] bias", "true or false", bias)
    init = _text(_get(data, "network", "init", default="explicit"), where, "[network] init",
                 ("explicit", "constant", "normal", "uniform", "xavier_uniform"))
    layout = _get(data, "network", "weights_layout", default="out_in")
    if layout not in ("out_in", "in_out"):
        raise UserError(f"{where}[network] weights_layout must be 'out_in' (W is outputs x inputs, "
                        "s = W h) or 'in_out' (the transpose, s = h W)")
    Ws, bs = [], []
    rng = np.random.default_rng(_whole(_get(data, "network", "seed", default=0), where, "[network] seed",
                                       0, 2**64 - 1))
    for l in range(layers):  # noqa: E741
        shape = (sizes[l + 1], sizes[l])
        if init == "explicit":
            W = _numbers(_get(net, "weights", f"W{l + 1}", required=True, where=where), where,
                         f"[network.weights] W{l + 1}")
            if layout == "in_out":
                W = W.T
            b = None
            if bias:
                b = _numbers(_get(net, "biases", f"b{l + 1}", default=[0.0] * shape[0]), where,
                             f"[network.biases] b{l + 1}")
                if b.shape != (shape[0],):
                    raise UserError(f"{where}b{l + 1} has shape {b.shape}, expected ({shape[0]},) "
                                    f"for sizes {sizes}")
        elif init == "constant":
            value = _real(_get(data, "network", "value", required=True, where=where), where, "[network] value")
            W = np.full(shape, value)
            b = np.full(shape[0], value) if bias else None
        else:
            if init == "normal":
                std = _real(_get(data, "network", "std", default=0.1), where, "[network] std", low=0)
                W = rng.normal(0.0, std, size=shape)
            elif init == "uniform":
                a = _real(_get(data, "network", "limit", default=0.1), where, "[network] limit", low=0)
                W = rng.uniform(-a, a, size=shape)
            else:  # Glorot: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))
                a = float(np.sqrt(6.0 / (shape[0] + shape[1])))
                W = rng.uniform(-a, a, size=shape)
            b = np.zeros(shape[0]) if bias else None
        if W.shape != shape:
            raise UserError(f"{where}W{l + 1} has shape {W.shape}, expected {shape} for sizes {sizes}"
                            + (" (weights_layout = 'in_out' gives the transpose)" if layout == "in_out" else ""))
        Ws.append(W)
        bs.append(b)
    spec.mlp = MLP(Ws, bs, acts)

    loss = _get(data, "loss", "kind", default="squared_error")
    if loss not in LOSSES:
        raise UserError(f"{where}[loss] kind must be one of {', '.join(LOSSES)}, got {loss!r}")
    spec.loss = loss
    spec.reduction = _get(data, "loss", "reduction", default="sum")
    if spec.reduction not in ("sum", "mean"):
        raise UserError(f"{where}[loss] reduction must be 'sum' or 'mean'")
    spec.margin = _real(_get(data, "loss", "margin", default=1.0), where, "[loss] margin")

    x = _numbers(_get(data, "data", "x", required=True, where=where), where, "[data] x")
    X = x.reshape(1, -1) if x.ndim == 1 else x
    if X.ndim != 2 or X.shape[1] != sizes[0]:
        raise UserError(f"{where}[data] x must have {sizes[0]} numbers per example (one example per row)")
    if not 1 <= X.shape[0] <= MAX_EXAMPLES:
        raise _bad(where, "[data] x", f"1 to {MAX_EXAMPLES} examples", f"{X.shape[0]} examples")
    spec.X = X.T
    y = _numbers(_get(data, "data", "y", required=True, where=where), where, "[data] y")
    spec.Y = _targets(y, loss, sizes[-1], X.shape[0], where)
    try:  # the loss fits the network and the targets (softmax output, one sigmoid unit, ...)
        LOSSES[loss].check(spec.mlp, spec.Y)
    except ValueError as exc:
        raise UserError(f"{where}[loss] kind = {loss!r}: {exc}") from None

    opt = _get(data, "optimizer", "kind", default="sgd")
    if opt != "sgd":
        raise UserError(f"{where}[optimizer] kind: only 'sgd' (plain gradient descent) is worked out by hand")
    spec.lr = _real(_get(data, "optimizer", "lr", default=0.1), where, "[optimizer] lr", low=0, low_open=True)
    spec.steps = _whole(_get(data, "optimizer", "steps", default=1), where, "[optimizer] steps", 1, MAX_STEPS)
    spec.batch_size = _whole(_get(data, "optimizer", "batch_size", default=0), where, "[optimizer] batch_size",
                             0, X.shape[0])


def _class_indices(y, k, where):
    """Class indices: whole numbers in 0..k-1 (never -1 read as the last class, 1.5 as 1)."""
    if not np.all((y == np.round(y)) & (y >= 0) & (y < k)):
        raise _bad(where, "[data] y", f"class indices: whole numbers from 0 to {k - 1}", y.tolist())
    return y.astype(np.int64)


def _targets(y, loss, k, n, where):
    """Targets as the textbook wants them: (K, N) columns, or class indices (N,)."""
    if loss == "softmax_hinge":
        if y.ndim == 2:  # one-hot rows
            y = y.argmax(axis=1)
        y = y.reshape(-1)
        if y.size != n:
            raise UserError(f"{where}[data] y: one class index in 0..{k - 1} per example")
        return _class_indices(y, k, where)
    y = y.astype(float)
    if loss == "cross_entropy" and y.ndim == 1 and y.size == n and (n > 1 or k > 1) and np.all(y == np.round(y)) \
            and y.size != k:
        y = np.eye(k)[_class_indices(y, k, where)]  # class indices -> one-hot rows
    elif loss == "cross_entropy" and y.ndim == 1 and n == 1 and y.size == 1 and k > 1:
        y = np.eye(k)[_class_indices(y, k, where)]
    if y.ndim == 1:
        y = y.reshape(n, -1) if y.size == n * k else y.reshape(-1, k) if y.size % k == 0 else y.reshape(1, -1)
    if y.shape != (n, k):
        raise UserError(f"{where}[data] y must have {k} value(s) per example for {n} example(s), "
                        f"got shape {y.shape}")
    return y.T


# ====================================================================== solving
@dataclass
class Solution:
    spec: ExerciseSpec
    document_: Document
    quantities: dict  # name -> array, in dependency order
    checks: list
    seed_checks: list
    trace: object = None
    engine_error: float = None

    def document(self):
        return self.document_

    def _repr_html_(self):
        from .render_markdown import to_html

        return to_html(self.document_)

    def _repr_markdown_(self):
        from .render_markdown import to_markdown

        return to_markdown(self.document_)

    def __repr__(self):
        return f"<Solution of {self.spec.name!r}: {len(self.quantities)} quantities; .document(), str() for text>"

    def __str__(self):
        from .render_text import to_text

        return to_text(self.document_)

    def dot(self):
        if self.trace is not None:
            return self.trace.to_dot()
        return network_dot(self)


def solve(spec, answers=None, tol=None, steps=None, digits=6):
    """The worked solution of ``spec`` (an ExerciseSpec, a bundled name or a path)."""
    if not isinstance(spec, ExerciseSpec):
        spec = load_exercise(spec)
    if steps is not None:
        steps = _whole(steps, "", "steps", 1, MAX_STEPS)
    if tol is not None:
        tol = _real(tol, "", "tol", low=0)
    merged = dict(spec.answers)
    merged.update(answers or {})
    if spec.kind == "expression":
        return _solve_expression(spec, merged, tol, digits)
    return _solve_network(spec, merged, tol, steps or spec.steps, digits)


def _header(spec):
    blocks = []
    if spec.source:
        blocks.append(Paragraph.of(f"Source: {spec.source}."))
    return blocks


def _notes(spec):
    if not spec.notes:
        return []
    blocks = [Heading("Notes", 2)]
    for par in spec.notes.split("\n\n"):
        blocks.append(Paragraph.of(" ".join(par.split())))
    return blocks


def _check_blocks(title, checks, digits, who="Your", depends=None):
    rows = []
    for c in checks:
        rows.append([c.name, Value(c.given), Value(c.expected),
                     ("correct" if c.correct else "WRONG") + (f" ({c.message})" if c.message else "")])
    blocks = [Heading(title, 2), Table(["quantity", "given", "right value", "verdict"], rows)]
    _, text = first_divergence(checks, who, depends)
    blocks.append(Paragraph.of(text))
    return blocks


def _finish(spec, doc, quantities, order, answers, tol, digits, aliases=None):
    checks = check_answers(answers, quantities, order, tol, aliases) if answers else []
    seed_checks = check_answers(spec.seed_values, quantities, order, None, aliases) if spec.seed_values else []
    depends = dependencies(order) if spec.kind == "network" else None  # what is computed from what
    if seed_checks:
        doc.add(*_check_blocks("The seed's numbers, checked", seed_checks, digits, who="The seed's", depends=depends))
    doc.add(*_notes(spec))
    if checks:
        doc.add(*_check_blocks("Your answers", checks, digits, depends=depends))
    return checks, seed_checks


def _solve_expression(spec, answers, tol, digits):
    from .expression import explain_expression
    from .trace_doc import trace_document

    r = explain_expression(spec.expression, spec.values, spec.constants, upstream=spec.upstream,
                           digits=digits)
    head = r.document().blocks[: _n_head(r)]
    doc = trace_document(r.trace, title=spec.title, blocks_before=_header(spec) + head)
    t = r.trace
    ran = t.backward_order()
    of = ran[0].name if ran and spec.upstream is None else "L"
    quantities, order = {}, []
    for node in t.nodes:
        quantities[node.name] = node.value
        order.append(node.name)
    for rec in ran[1:] + [leaf for leaf in t.leaves if leaf.incoming]:
        key = f"d{of}/d{rec.name}"
        quantities[key] = rec.gradient
        order.append(key)
    checks, seed_checks = _finish(spec, doc, quantities, order, answers, tol, digits)
    return Solution(spec, doc, quantities, checks, seed_checks, trace=t)


def _n_head(result):
    """How many leading blocks of an ExpressionResult document are its header paragraphs."""
    doc = result.document()
    n = 0
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            n += 1
        else:
            break
    return n


# ---------------------------------------------------------------------- networks
def _col(a):
    return Value(np.asarray(a), column=True)


def _mat(a):
    return Value(np.asarray(a))


def _M(plain, tex=None):
    return Math(plain, plain if tex is None else tex)


def _name(n):
    return _M(n, tex_name(n))


def _solve_network(spec, answers, tol, steps, digits):
    from ..textbook.engine import engine_gradients
    from ..textbook.losses import get_loss

    mlp = spec.mlp.copy()
    loss = get_loss(spec.loss)
    opts = {"margin": spec.margin} if spec.loss == "softmax_hinge" else {}
    L = mlp.depth
    doc = Document(spec.title, digits=digits, zero_tol=1e-13)
    doc.add(*_header(spec))
    doc.add(*_setup_blocks(spec, mlp, loss))
    quantities, order = {}, []
    worst = 0.0
    N_all = spec.X.shape[1]
    bs = spec.batch_size or N_all

    def put(name, value, step):
        key = name if step == 1 else f"step{step}.{name}"
        quantities[key] = np.asarray(value, dtype=float)
        order.append(key)

    for step in range(1, steps + 1):
        idx = (np.arange(bs) + (step - 1) * bs) % N_all
        X = spec.X[:, idx]
        Y = spec.Y[..., idx] if spec.Y.ndim == 2 else spec.Y[idx]
        N = X.shape[1]
        one = N == 1
        vec = _col if one else _mat
        if steps > 1:
            doc.add(Heading(f"Step {step}" + (f" (examples {', '.join(str(i + 1) for i in idx)})"
                                              if bs < N_all else ""), 1))

        # ---------------- forward
        fwd = mlp.forward(X)
        mlp.loss(fwd, Y, spec.loss, spec.reduction, **opts)
        doc.add(Heading("Forward pass", 2))
        if not one:
            doc.add(Paragraph.of("One column per example (", _M("h0 = X^T", "h_0 = X^\\top"),
                                 ": example i is column i)."))
        lines = [Equation(_name("h0"), [_M("x", "x"), vec(X)])]
        put("h0", X, step)
        for l in range(1, L + 1):  # noqa: E741
            act = mlp.activations[l - 1]
            bias = mlp.b[l - 1] is not None
            rhs_s = _M(f"W{l} h{l - 1}" + (f" + b{l}" if bias else ""),
                       f"W_{{{l}}} h_{{{l - 1}}}" + (f" + b_{{{l}}}" if bias else ""))
            lines.append(Equation(_name(f"s{l}"), [rhs_s, vec(fwd.S[l])]))
            put(f"s{l}", fwd.S[l], step)
            f_tex = {"identity": "s_{%d}" % l, "linear": "s_{%d}" % l, "tanh": r"\tanh(s_{%d})" % l,
                     "sigmoid": r"\sigma(s_{%d})" % l, "relu": r"\mathrm{ReLU}(s_{%d})" % l,
                     "softmax": r"\mathrm{softmax}(s_{%d})" % l}[act]
            f_plain = f"s{l}" if act in ("identity", "linear") else f"{act}(s{l})"
            lines.append(Equation(_name(f"h{l}"), [_M(f_plain, f_tex), vec(fwd.H[l])]))
            put(f"h{l}", fwd.H[l], step)
        doc.add(Equations(lines))

        doc.add(Heading("Loss", 2))
        red_plain = "sum_i L_i" if spec.reduction == "sum" else f"(1/{N}) sum_i L_i"
        red_tex = r"\sum_i L_i" if spec.reduction == "sum" else rf"\tfrac{{1}}{{{N}}} \sum_i L_i"
        eq = [Equation(_M("L_i", "L_i"), [_M(loss.formula.split("=", 1)[1].strip(),
                                              loss.formula_tex.split("=", 1)[1].strip())])]
        if not one:
            eq.append(Equation(_M("(L_1 ... L_N)", r"(L_1, \dots, L_N)"), [_mat(fwd.losses)]))
            eq.append(Equation(_M("L", "L"), [_M(red_plain, red_tex), Value(fwd.loss)]))
        else:
            eq.append(Equation(_M("L", "L"), [Value(fwd.loss)]))
        doc.add(Equations(eq))
        put("losses", fwd.losses, step)
        put("loss", fwd.loss, step)

        # ---------------- backward
        bwd = mlp.backward(fwd, Y, spec.loss, spec.reduction, **opts)
        doc.add(Heading("Backward pass: the error signals delta = dL/ds, from the output down", 2,
                        tex=r"Backward pass: the error signals $\delta = \partial L / \partial s$, "
                            "from the output down"))
        # With the mean over examples, the 1/N stands in each formula it scales (every later
        # delta and gradient inherits it through the chain rule).
        mean_plain, mean_tex = ("", "") if spec.reduction == "sum" else (f"(1/{N}) ", rf"\tfrac{{1}}{{{N}}} ")
        lines = []
        if bwd.d_output is not None and not loss.fused:
            d_out = ([_M(f"{mean_plain}dL_i/dh{L}", rf"{mean_tex}\frac{{\partial L_i}}{{\partial h_{{{L}}}}}")]
                     if mean_plain else [])
            lines.append(Equation(_M(f"dL/dh{L}", rf"\frac{{\partial L}}{{\partial h_{{{L}}}}}"),
                                  d_out + [vec(bwd.d_output)], "derivative of the loss"))
            put(f"dh{L}", bwd.d_output, step)
        if spec.loss == "softmax_hinge":
            g = bwd.d_output  # dL/dp, from the textbook's backward
            g_rhs = [_M(f"{mean_plain}dL_i/dp", rf"{mean_tex}\frac{{\partial L_i}}{{\partial p}}")] if mean_plain else []
            lines.append(Equation(_M("g = dL/dp", r"g = \frac{\partial L}{\partial p}"), g_rhs + [vec(g)],
                                  "1 for each active margin term j != y, minus their count at y"))
            put("dp", g, step)
        d_plain, d_tex, d_note = _delta(spec.loss)
        if spec.loss != "softmax_hinge":  # its g already carries the 1/N
            d_plain, d_tex = mean_plain + d_plain, mean_tex + d_tex
        lines.append(Equation(_name(f"delta{L}"), [_M(d_plain, d_tex), vec(bwd.delta[L])], d_note))
        put(f"delta{L}", bwd.delta[L], step)
        for l in range(L - 1, 0, -1):  # noqa: E741
            act = mlp.activations[l - 1]
            lines.append(Equation(_M(f"dL/dh{l}", rf"\frac{{\partial L}}{{\partial h_{{{l}}}}}"),
                                  [_M(f"W{l + 1}^T delta{l + 1}", rf"W_{{{l + 1}}}^\top \delta_{{{l + 1}}}"),
                                   vec(bwd.dH[l])]))
            put(f"dh{l}", bwd.dH[l], step)
            deriv = bwd.extra["fprime"][l]
            d_plain, d_tex = _fprime(act, l)
            lines.append(Equation(_M(f"f'(s{l})", f"f'(s_{{{l}}})"),
                                  [_M(d_plain, d_tex), vec(deriv)], f"{act}'"))
            lines.append(Equation(_name(f"delta{l}"),
                                  [_M(f"dL/dh{l} * f'(s{l})",
                                      rf"\frac{{\partial L}}{{\partial h_{{{l}}}}} \odot f'(s_{{{l}}})"),
                                   vec(bwd.delta[l])]))
            put(f"delta{l}", bwd.delta[l], step)
        doc.add(Equations(lines))

        doc.add(Heading("Gradients: dL/dW = delta h^T, dL/db = delta (summed over examples)", 2,
                        tex=r"Gradients: $\partial L/\partial W = \delta h^\top$, "
                            r"$\partial L/\partial b = \delta$ (summed over examples)"))
        lines = []
        for l in range(L, 0, -1):  # noqa: E741
            lines.append(Equation(_M(f"dL/dW{l}", rf"\frac{{\partial L}}{{\partial W_{{{l}}}}}"),
                                  [_M(f"delta{l} h{l - 1}^T", rf"\delta_{{{l}}} h_{{{l - 1}}}^\top"),
                                   _mat(bwd.dW[l])]))
            put(f"dW{l}", bwd.dW[l], step)
            if bwd.db[l] is not None:
                lines.append(Equation(_M(f"dL/db{l}", rf"\frac{{\partial L}}{{\partial b_{{{l}}}}}"),
                                      [_M(f"delta{l}" + ("" if one else " 1"),
                                          rf"\delta_{{{l}}}" + ("" if one else r" \mathbf{1}")),
                                       _col(bwd.db[l])]))
                put(f"db{l}", bwd.db[l], step)
        doc.add(Equations(lines))

        # ---------------- engine check (before the update changes the weights)
        e_loss, e_dW, e_db = engine_gradients(mlp, X, Y, spec.loss, spec.reduction, **opts)
        diffs = [abs(e_loss - fwd.loss)]
        diffs += [float(np.max(np.abs(a - b))) for a, b in zip(e_dW, bwd.dW[1:])]
        diffs += [float(np.max(np.abs(a - b))) for a, b in zip(e_db, bwd.db[1:]) if a is not None]
        err = max(diffs)
        worst = max(worst, err)
        scale_ref = max([1.0] + [float(np.max(np.abs(g))) for g in bwd.dW[1:]])
        agree = err <= 1e-10 * scale_ref
        doc.add(Paragraph.of(
            ("Check: glassgrad's autograd engine, run on the same network, gives the same loss "
             f"and gradients (largest difference {number(err, 2)})." if agree else
             f"WARNING: the autograd engine disagrees with the delta recursion by {number(err, 3)}.")))

        # ---------------- update
        doc.add(Heading(f"Update: W <- W - lr dL/dW with lr = {number(spec.lr)}", 2,
                        tex=rf"Update: $W \leftarrow W - \eta\, \partial L/\partial W$ with "
                            rf"$\eta = {number(spec.lr)}$"))
        mlp.step(bwd, spec.lr)
        lines = []
        for l in range(1, L + 1):  # noqa: E741
            lines.append(Equation(_M(f"W{l}'", f"W_{{{l}}}'"),
                                  [_M(f"W{l} - {number(spec.lr)} dL/dW{l}",
                                      rf"W_{{{l}}} - {number(spec.lr)}\,\frac{{\partial L}}{{\partial W_{{{l}}}}}"),
                                   _mat(mlp.W[l - 1])]))
            put(f"W{l}_new", mlp.W[l - 1], step)
            if mlp.b[l - 1] is not None:
                lines.append(Equation(_M(f"b{l}'", f"b_{{{l}}}'"), [_col(mlp.b[l - 1])]))
                put(f"b{l}_new", mlp.b[l - 1], step)
        doc.add(Equations(lines))
        after = mlp.forward(X)
        mlp.loss(after, Y, spec.loss, spec.reduction, **opts)
        doc.add(Equations([Equation(_M("L after the step", r"L_{\text{after}}"), [Value(after.loss)],
                                    f"was {number(fwd.loss, digits)}")]))
        put("loss_after", after.loss, step)

    # yhat is the output; W1, b1 ... name the parameters after the update (what an exercise
    # asks for), as do W1_new, b1_new
    aliases = {"yhat": f"h{L}"}
    for l in range(1, L + 1):  # noqa: E741
        aliases[f"W{l}"] = f"W{l}_new"
        if mlp.b[l - 1] is not None:
            aliases[f"b{l}"] = f"b{l}_new"
    checks, seed_checks = _finish(spec, doc, quantities, order, answers, tol, digits, aliases)
    sol = Solution(spec, doc, quantities, checks, seed_checks, engine_error=worst)
    sol.final_mlp = mlp
    return sol


# The textbook's losses and activations, as the engine's ops: the local derivatives the
# worked solution prints are read from these classes (their ``plain`` and ``rule``).
def _delta(loss):
    """delta_L = dL/ds at the output, plain and LaTeX, and a note."""
    on_s = {"z": "s"}  # the ops call the scores z; the worked solution calls them s
    if loss in ("squared_error", "mse"):
        op = HalfSquaredError if loss == "squared_error" else MeanSquaredError
        d, d_tex = local_derivative(op), local_derivative(op, tex=True)
        scale, scale_tex = ("", "") if loss == "squared_error" else ("1/K ", r"\tfrac{1}{K}\, ")
        return (f"{scale}({d}) * f'(s)", rf"{scale_tex}({d_tex}) \odot f'(s_L)", "dL/ds at the output")
    op, note = {
        "cross_entropy": (CrossEntropy, "softmax + cross-entropy: dL/ds directly, no f'(s)"),
        "logistic": (BinaryCrossEntropyWithLogits, "sigmoid + logistic loss: dL/ds directly, no f'(s)"),
        "softmax_hinge": (SoftmaxHinge, "through the softmax Jacobian, with g = dL/dp"),
    }[loss]
    return (local_derivative(op, names=on_s), local_derivative(op, tex=True, names={"z": "s_L"}), note)


def _fprime(activation, layer):
    """f'(s_l) of a hidden layer's activation, written with the layer's own values
    (h_l = f(s_l)), plain and LaTeX."""
    if activation in ("identity", "linear"):
        return "1", "1"
    op = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}[activation]
    plain = local_derivative(op, names={"z": f"h{layer}", "s": f"s{layer}"})
    tex = local_derivative(op, tex=True, names={"z": f"h_{{{layer}}}", "s": f"s_{{{layer}}}"})
    return plain, tex


def _setup_blocks(spec, mlp, loss):
    blocks = [Heading("Setup", 2)]
    sizes = "-".join(str(n) for n in mlp.sizes)
    acts = ", ".join(mlp.activations)
    N = spec.X.shape[1]
    blocks.append(Paragraph.of(
        f"Network {sizes} (activations: {acts}; "
        + ("with" if any(b is not None for b in mlp.b) else "no") + " biases). Loss: ",
        Math(loss.formula, loss.formula_tex),
        f", reduced by {spec.reduction} over {N} example(s). "
        f"Gradient descent with lr = {number(spec.lr)}"
        + (f", batches of {spec.batch_size}" if spec.batch_size else "") + "."))
    lines = []
    for l in range(1, mlp.depth + 1):  # noqa: E741
        lines.append(Equation(_name(f"W{l}"), [_mat(mlp.W[l - 1])]))
        if mlp.b[l - 1] is not None:
            lines.append(Equation(_name(f"b{l}"), [_col(mlp.b[l - 1])]))
    X = spec.X
    lines.append(Equation(_M("x", "x"), [_col(X[:, 0]) if N == 1 else _mat(X)]))
    Y = spec.Y
    lines.append(Equation(_M("y", "y"), [_col(Y[:, 0]) if Y.ndim == 2 and N == 1 else
                                         (_mat(Y) if Y.ndim == 2 else _mat(Y.reshape(1, -1)))],
                          "" if Y.ndim == 2 else "class indices, starting at 0"))
    blocks.append(Equations(lines))
    return blocks


def network_dot(solution):
    """A unit-level drawing of the network: each unit with its activation and delta
    (first example, step 1)."""
    mlp = solution.spec.mlp
    q = solution.quantities
    lines = ["digraph network {", "  rankdir=LR;", '  node [shape=circle, fontname="Helvetica", fontsize=10];']
    for l, n in enumerate(mlp.sizes):  # noqa: E741
        h = np.asarray(q[f"h{l}"])
        d = np.asarray(q[f"delta{l}"]) if l else None
        lines.append(f"  subgraph cluster_{l} {{ label=\"layer {l}\"; color=\"#cccccc\";")
        for j in range(n):
            label = f"h={number(h[j, 0], 4)}"
            if d is not None:
                label += f"\\nd={number(d[j, 0], 4)}"
            lines.append(f"    u{l}_{j} [label=\"{label}\"];")
        lines.append("  }")
    for l in range(1, mlp.depth + 1):  # noqa: E741
        W = mlp.W[l - 1]
        small = W.size <= 16
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                attr = f' [label="{number(W[j, i], 3)}", fontsize=8]' if small else ""
                lines.append(f"  u{l - 1}_{i} -> u{l}_{j}{attr};")
    lines.append("}")
    return "\n".join(lines) + "\n"
