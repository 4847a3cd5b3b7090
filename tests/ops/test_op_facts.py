"""Every op is one Function class carrying every fact about it (docs/architecture.md):
``label``, ``rule`` (LaTeX) and ``plain`` (the same in plain text), ``form`` (how its forward
is written in a worked solution) and ``kind`` (given by a base class, never guessed).

The second half traces every elementwise op and checks that the trace shows its local
derivative, against central finite differences of the op itself (an independent source:
the forward pass, not the backward that the trace reads).
"""

import ast

import numpy as np
import pytest

import glassgrad
import glassgrad.nn  # noqa: F401  (its Functions: backward hooks)
import glassgrad.utils.checkpoint  # noqa: F401
from glassgrad import explain
from glassgrad.autograd import function as function_module
from glassgrad.autograd.function import Elementwise, Function

KIND_BASES = {
    cls for cls in vars(function_module).values()
    if isinstance(cls, type) and issubclass(cls, Function) and cls.__module__ == function_module.__name__
}


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _ops():
    """Every concrete op of the library: not the kind bases, not the private abstract
    bases (a leading underscore), not the tensor-level autograd.Function protocol (whose
    subclasses are the user's own ops), not a class a test defined."""
    found = []
    for cls in set(_all_subclasses(Function)):
        module = cls.__module__
        if (cls in KIND_BASES or cls.__name__.startswith("_") or not module.startswith("glassgrad.")
                or module == "glassgrad.autograd.custom_function"):
            continue
        found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


OPS = _ops()


def test_the_walk_finds_the_ops():
    names = {cls.__name__ for cls in OPS}
    assert {"Add", "Tanh", "Sin", "Sum", "Reshape", "MatMul", "Conv2d", "CrossEntropy"} <= names
    assert len(OPS) > 100


@pytest.mark.parametrize("op", OPS, ids=lambda c: c.__name__)
def test_every_op_declares_its_facts(op):
    assert isinstance(op.label, str) and op.label and not op.label.startswith("_"), "label"
    assert isinstance(op.rule, str) and op.rule.strip(), "rule (LaTeX)"
    assert isinstance(op.plain, str) and op.plain.strip(), "plain-text rule"
    assert "\\" not in op.plain, f"plain rule has LaTeX in it: {op.plain!r}"
    assert (isinstance(op.form, tuple) and len(op.form) == 2
            and all(isinstance(t, str) and "{" in t for t in op.form)), "form: (plain, tex) templates"
    # kind comes from a base class of autograd/function.py, never set on the op itself
    assert isinstance(op.kind, str) and op.kind, "kind"
    assert not any("kind" in vars(c) for c in op.__mro__ if c not in KIND_BASES), \
        "kind is given by a base class (Elementwise, Reduction, ...), not set on the op"
    assert any(issubclass(op, base) for base in KIND_BASES - {Function}), "derives from a kind base"


# ------------------------------------------------------------------ elementwise ops traced
# One call per elementwise op, on inputs in its smooth region (away from kinks and jumps):
# the public function, as a user writes it. A new elementwise op needs a row here.
X = [0.31, 0.42, 0.63, 0.77]
CALLS = {
    "Add": (lambda a, b: a + b, 2), "Sub": (lambda a, b: a - b, 2),
    "Mul": (lambda a, b: a * b, 2), "Div": (lambda a, b: a / b, 2),
    "Neg": (lambda a: -a, 1), "Pow": (lambda a, b: a ** b, 2),
    "Exp": (glassgrad.exp, 1), "Log": (glassgrad.log, 1), "Sqrt": (glassgrad.sqrt, 1),
    "Abs": (glassgrad.abs, 1),
    "Maximum": (lambda a, b: glassgrad.maximum(a, b.flip(0)), 2),
    "Minimum": (lambda a, b: glassgrad.minimum(a, b.flip(0)), 2),
    "Where": (lambda a, b: glassgrad.where(glassgrad.tensor([True, False, True, False]), a, b), 2),
    "Clamp": (lambda a: glassgrad.clamp(a, 0.35, 0.7), 1),
    "Clone": (glassgrad.clone, 1),
    "Cast": (lambda a: a.double(), 1),
    "Sin": (glassgrad.sin, 1), "Cos": (glassgrad.cos, 1), "Tan": (glassgrad.tan, 1),
    "Asin": (glassgrad.asin, 1), "Acos": (glassgrad.acos, 1), "Atan": (glassgrad.atan, 1),
    "Sinh": (glassgrad.sinh, 1), "Cosh": (glassgrad.cosh, 1), "Asinh": (glassgrad.asinh, 1),
    "Acosh": (lambda a: glassgrad.acosh(a + 1), 1), "Atanh": (glassgrad.atanh, 1),
    "Log1p": (glassgrad.log1p, 1), "Expm1": (glassgrad.expm1, 1), "Log2": (glassgrad.log2, 1),
    "Log10": (glassgrad.log10, 1), "Square": (glassgrad.square, 1), "Rsqrt": (glassgrad.rsqrt, 1),
    "Reciprocal": (glassgrad.reciprocal, 1), "Atan2": (glassgrad.atan2, 2),
    "Lerp": (lambda a, b: glassgrad.lerp(a, b.flip(0), a * 0.5), 2),
    "Sign": (glassgrad.sign, 1), "Floor": (glassgrad.floor, 1), "Ceil": (glassgrad.ceil, 1),
    "Trunc": (glassgrad.trunc, 1), "Round": (glassgrad.round, 1), "Frac": (glassgrad.frac, 1),
    "NanToNum": (glassgrad.nan_to_num, 1),
    "Erf": (glassgrad.erf, 1), "Erfc": (glassgrad.erfc, 1),
    "Erfinv": (glassgrad.erfinv, 1), "Lgamma": (glassgrad.lgamma, 1),
    "Digamma": (glassgrad.digamma, 1), "Polygamma": (lambda a: glassgrad.polygamma(2, a), 1),
    "Logit": (glassgrad.logit, 1),
    "ReLU": (glassgrad.relu, 1), "LeakyReLU": (lambda a: glassgrad.nn.functional.leaky_relu(a - 0.5), 1),
    "Tanh": (glassgrad.tanh, 1), "Sigmoid": (glassgrad.sigmoid, 1),
    "Softplus": (glassgrad.nn.functional.softplus, 1), "GELU": (glassgrad.nn.functional.gelu, 1),
    "SiLU": (glassgrad.nn.functional.silu, 1), "ELU": (lambda a: glassgrad.nn.functional.elu(a - 0.5), 1),
    "LogSigmoid": (glassgrad.nn.functional.logsigmoid, 1),
    "Softsign": (glassgrad.nn.functional.softsign, 1), "Hardtanh": (glassgrad.nn.functional.hardtanh, 1),
    "Hardsigmoid": (glassgrad.nn.functional.hardsigmoid, 1),
    "Hardswish": (glassgrad.nn.functional.hardswish, 1), "Mish": (glassgrad.nn.functional.mish, 1),
    "PReLU": (lambda a, b: glassgrad.nn.functional.prelu(a - 0.5, b[:1]), 2),
    "Hardshrink": (lambda a: glassgrad.nn.functional.hardshrink(a, 0.5), 1),
    "Softshrink": (lambda a: glassgrad.nn.functional.softshrink(a, 0.5), 1),
    "Tanhshrink": (glassgrad.nn.functional.tanhshrink, 1),
    "Threshold": (lambda a: glassgrad.nn.functional.threshold(a, 0.5, 0.0), 1),
    "Dropout": (lambda a: glassgrad.nn.functional.dropout(a, 0.5), 1),
    "ChannelDropout": (lambda a: glassgrad.nn.functional.dropout2d(a.reshape(1, 4, 1, 1), 0.5), 1),
}
ELEMENTWISE = [op for op in OPS if issubclass(op, Elementwise)]


def test_every_elementwise_op_has_a_call():
    assert sorted(op.__name__ for op in ELEMENTWISE) == sorted(CALLS)


def _inputs(n, dtype):
    a = np.array(X)
    b = np.array([0.55, 0.27, 0.81, 0.46])
    return [glassgrad.tensor(v.astype(dtype), requires_grad=True) for v in (a, b)[:n]]


def _rerun(node, values):
    """The node's op applied again to its recorded inputs (``values`` replacing the
    tensors'), with its recorded parameters: the forward pass only."""
    args = []
    for rec, value in zip(node.inputs, values):
        if rec.kind == "constant":
            args.append(rec.value.item() if rec.value.size == 1 else rec.value)
        else:
            args.append(glassgrad.tensor(value))
    glassgrad.manual_seed(0)  # dropout: the same mask at every evaluation
    with glassgrad.no_grad():
        return node.op.apply(*args, **node.params).numpy().astype(np.float64)


def _finite_difference(node, k, eps):
    """d out / d input k, one output-shaped array per element of input k; their supports
    are disjoint for an elementwise op (broadcast copies aside), so their sum is the local
    derivative the trace should show."""
    values = [rec.value for rec in node.inputs]
    total = 0
    for j in range(values[k].size):
        up, down = [v.copy() for v in values], [v.copy() for v in values]
        up[k].reshape(-1)[j] += eps
        down[k].reshape(-1)[j] -= eps
        total = total + (_rerun(node, up) - _rerun(node, down)) / (2 * eps)
    return total


@pytest.mark.parametrize("op", ELEMENTWISE, ids=lambda c: c.__name__)
def test_the_trace_shows_the_local_derivative_of_every_elementwise_op(op):
    fn, arity = CALLS[op.__name__]
    dtype, eps, tol = (np.float32, 1e-3, 1e-3) if op.__name__ == "Cast" else (np.float64, 1e-6, 1e-6)
    glassgrad.manual_seed(0)
    with explain.trace() as t:
        out = fn(*_inputs(arity, dtype))
        out.sum().backward()
    nodes = [n for n in t.nodes if n.op is op]
    assert len(nodes) == 1, f"{op.__name__} not found in the trace"
    node = nodes[0]
    assert node.elementwise
    checked = 0
    for msg in node.outgoing:
        if msg is None:
            continue
        assert msg.local is not None, f"{op.__name__}: no local derivative for input {msg.index}"
        local = np.broadcast_to(msg.local, node.value.shape).astype(np.float64)
        expected = _finite_difference(node, msg.index, eps)
        np.testing.assert_allclose(local, expected, rtol=tol, atol=tol,
                                   err_msg=f"{op.__name__}: local derivative of input {msg.index}")
        checked += 1
    assert checked >= 1


def test_a_traced_sin_times_tanh_shows_the_local_derivative_of_sin():
    x = glassgrad.tensor([0.5, -1.25], requires_grad=True)
    with explain.trace() as t:
        (glassgrad.sin(x) * glassgrad.tanh(x)).sum().backward()
    (sin,) = [n for n in t.nodes if n.label == "sin"]
    np.testing.assert_allclose(sin.outgoing[0].local, np.cos([0.5, -1.25]), rtol=1e-6)
    (tanh,) = [n for n in t.nodes if n.label == "tanh"]
    np.testing.assert_allclose(tanh.outgoing[0].local, 1 - np.tanh([0.5, -1.25]) ** 2, rtol=1e-6)


# ------------------------------------------------------------- the layout of an ops module
# "Its public function stands directly below the class" (docs/architecture.md): a reader who
# finds class Tanh finds def tanh right under it, with nothing in between. Read from the
# source (ast), so that the check sees the file as a reader does.
def _ops_modules():
    import pkgutil

    import glassgrad.ops

    return sorted(info.name for info in pkgutil.iter_modules(glassgrad.ops.__path__)
                  if not info.name.startswith("_") and info.name != "methods")


def _applied_classes(function, class_names):
    """Names of this module's op classes the function uses: ``Tanh.apply(x)``, or the class
    handed to a helper (``_activation(ELU, ...)``)."""
    return {node.id for node in ast.walk(function)
            if isinstance(node, ast.Name) and node.id in class_names}


def _misplaced_functions(source):
    """(function, what stands above its block instead of its class) for every public
    function that applies a class of the module but does not stand below it. A run of
    public functions may share one class (matmul, dot, bmm and mv under MatMul)."""
    body = ast.parse(source).body
    class_names = {node.name for node in body if isinstance(node, ast.ClassDef)
                   and not node.name.endswith("Error")}  # (an exception it raises is no op)
    # a private helper that applies a class (elu, selu and celu call _elu, which applies ELU)
    helpers = {node.name: _applied_classes(node, class_names) for node in body
               if isinstance(node, ast.FunctionDef) and node.name.startswith("_")}
    found = []
    for i, node in enumerate(body):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        applied = _applied_classes(node, class_names).union(*(
            helpers[call.func.id] for call in ast.walk(node) if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name) and call.func.id in helpers))
        if not applied:
            continue
        above = i - 1
        while above >= 0 and isinstance(body[above], ast.FunctionDef) and not body[above].name.startswith("_"):
            above -= 1
        if above < 0 or not (isinstance(body[above], ast.ClassDef) and body[above].name in applied):
            what = "the top of the file" if above < 0 else getattr(body[above], "name", type(body[above]).__name__)
            found.append((node.name, what))
    return found


def test_the_layout_check_finds_a_helper_between_class_and_function():
    source = ("class Tanh(ElementwiseUnary):\n    pass\n\n"
              "def _helper():\n    pass\n\n"
              "def tanh(input):\n    return Tanh.apply(input)\n\n"
              "class Sin(ElementwiseUnary):\n    pass\n\n"
              "def sin(input):\n    return Sin.apply(input)\n\n"
              "def sin_again(input):\n    return Sin.apply(input)\n\n"
              "class Elu(ElementwiseUnary):\n    pass\n\n"
              "def _elu(input):\n    return Elu.apply(input)\n\n"
              "def elu(input):\n    return _elu(input)\n")
    assert _misplaced_functions(source) == [("tanh", "_helper"), ("elu", "_elu")]


@pytest.mark.parametrize("module", _ops_modules())
def test_each_public_function_stands_directly_below_its_class(module):
    import importlib

    path = importlib.import_module(f"glassgrad.ops.{module}").__file__
    with open(path, encoding="utf-8") as f:
        misplaced = _misplaced_functions(f.read())
    assert not misplaced, (f"ops/{module}.py: each public function goes directly below the "
                           f"class it applies; found (function, what is above it): {misplaced}")
