"""Expression mode: evaluate a parsed expression with glassgrad ops, in float64, inside a
trace, and run backward; the trace then holds the whole worked solution.

    result = explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})
    print(result.document().title)

Intermediate values get short names as on paper: a, b, c, ... in the order they are
computed (m for the first max or min, as the seed writes m = max(z, w)), the output f;
``a = x*y; ...`` statements name them yourself.
"""

import math
from dataclasses import dataclass

from ..backend import float64, xp
from ..errors import UserError
from .document import Math, Paragraph
from .format import number, tex_name
from .parser import BinOp, Call, Neg, Num, Var, parse, unparse
from .trace import Trace

_LETTERS = [c for c in "abcdghjkmnpqrstuvwxyz"]  # no e (Euler), f (output), i l o (look alike)


def _glassgrad():
    import glassgrad

    return glassgrad


def _op(name):
    gg = _glassgrad()
    fn = getattr(gg, name, None)
    if fn is None:
        raise RuntimeError(f"glassgrad.{name} is not available in this version of glassgrad")
    return fn


_BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
_CALLS = {"max": "maximum", "min": "minimum", "exp": "exp", "log": "log", "tanh": "tanh",
          "sigmoid": "sigmoid", "relu": "relu", "sqrt": "sqrt", "abs": "abs"}


@dataclass
class ExpressionResult:
    program: object
    trace: Trace
    output: object  # the output Tensor
    values: dict
    constants: dict
    upstream: object

    def document(self, title=None):
        from .trace_doc import trace_document

        values = dict(self.values)
        values.update(self.constants)
        at_plain = ", ".join(f"{k} = {number(v)}" for k, v in values.items())
        text = self.program.text
        head = [Paragraph.of(Math(f"{self.program.output} = {text}" if self.program.statements[-1][0] is None
                                  else text, _tex_program(self.program)),
                             f" at {at_plain}" if values else "")]
        if self.upstream is not None:
            head.append(Paragraph.of(f"Backward starts from the upstream gradient "
                                     f"dL/d{self.program.output} = {number(self.upstream)} "
                                     "(it comes from later in the network)."))
        out = self.output.array.reshape(()).item()
        if not math.isfinite(out):
            head.append(Paragraph.of(f"Note: {self.program.output} = {number(out)}: an input is "
                                     "outside a function's domain (log or sqrt of a negative "
                                     "number, division by 0) or a value overflowed float64."))
        return trace_document(self.trace, title=title or f"Explain: {text}", blocks_before=head,
                              no_backward="Nothing to differentiate: the expression has no variables "
                                          "(give their values with --at).")

    # ------------------------------------------------------------ display
    def _repr_html_(self):
        from .render_html import to_html

        return to_html(self.document())

    def _repr_markdown_(self):
        from .render_markdown import to_markdown

        return to_markdown(self.document())

    def __str__(self):
        from .render_text import to_text

        return to_text(self.document())

    def __repr__(self):
        out = number(self.output.array.reshape(()).item())
        name = self.program.output
        text = self.program.text if self.program.statements[-1][0] is not None else f"{name} = {self.program.text}"
        of = name if self.upstream is None else "L"  # backward from an upstream dL/d(output)
        grads = ", ".join(f"d{of}/d{k} = {'0' if g is None else number(g)}" for k, g in self.gradient.items())
        return f"<ExpressionResult {text}; {name} = {out}; {grads}>"

    @property
    def gradient(self):
        """The gradient of each variable, in order of first appearance."""
        out = {}
        for name, t in self.tensors.items():
            out[name] = None if t.grad is None else float(t.grad.array.reshape(()).item())
        return out


def _tex_program(program):
    from .parser import unparse_tex

    parts = [f"{tex_name(name or program.output)} = {unparse_tex(tree)}"
             for name, tree in program.statements]
    return r",\ ".join(parts)


def explain_expression(text, values, constants=None, upstream=None, digits=6):
    """Parse ``text``, evaluate it at ``values`` (name -> number) in float64 inside a
    trace, run backward (from ``upstream``, default 1), and return an ExpressionResult.

    ``constants``: names that take a value but get no gradient (a target y, say).
    """
    program = parse(text)
    constants = dict(constants or {})
    values = dict(values)
    missing = [v for v in program.variables if v not in values and v not in constants]
    if missing:
        raise UserError(f"no value given for {', '.join(missing)} (use --at {missing[0]}=...)")
    unused = [k for k in list(values) + list(constants) if k not in program.variables]
    if unused:
        raise UserError(f"{', '.join(unused)} given a value but not used in the expression "
                         f"(its variables: {', '.join(program.variables)})")
    both = [k for k in values if k in constants]
    if both:
        raise UserError(f"{', '.join(both)} given both as a variable and as a constant")
    if upstream is not None:
        upstream = _finite(upstream, "the upstream gradient")

    gg = _glassgrad()
    env = {}
    tensors = {}
    ordered_values = {}
    ordered_constants = {}
    for name in program.variables:  # in order of first appearance
        if name in values:
            v = _finite(values[name], name)
            env[name] = tensors[name] = gg.tensor(v, dtype=float64, requires_grad=True, name=name)
            ordered_values[name] = v
        else:
            v = _finite(constants[name], name)
            env[name] = gg.tensor(v, dtype=float64, name=name)
            ordered_constants[name] = v

    taken = set(program.variables) | {n for n, _ in program.statements if n} | {program.output}
    namer = _Namer(taken)
    t = Trace(digits=digits)
    with xp.errstate(all="ignore"), t:
        for k, (name, tree) in enumerate(program.statements):
            final = k == len(program.statements) - 1
            result = _evaluate(tree, env, namer)
            target = name if name else program.output
            if not isinstance(result, gg.Tensor) or any(result is v for v in env.values()):
                what = "a number" if not isinstance(result, gg.Tensor) else f"just {result.name}"
                raise UserError(f"{target} = {unparse(tree)} is {what}: there is no operation "
                                 "to explain (write the operation itself)")
            result.named(target)
            env[target] = result
            if final:
                out = result
        if out.requires_grad:
            if upstream is None:
                out.backward()
            else:
                out.backward(gg.tensor(float(upstream), dtype=float64))
    res = ExpressionResult(program, t, out, ordered_values, ordered_constants, upstream)
    res.tensors = tensors
    return res


def _as_tensor(v):
    gg = _glassgrad()
    if isinstance(v, gg.Tensor):
        return v
    return gg.tensor(float(v), dtype=float64, name=number(v))


def _finite(v, name):
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise UserError(f"the value of {name} must be a number, got {v!r}") from None
    if not math.isfinite(f):
        raise UserError(f"the value of {name} must be finite, got {v!r}")
    return f


class _Namer:
    def __init__(self, taken):
        self.taken = set(taken)
        self.letters = [c for c in _LETTERS if c not in self.taken]
        self.extra = 0

    def next(self, fn=None):
        if fn in ("max", "min") and "m" in self.letters:
            self.letters.remove("m")
            self.taken.add("m")
            return "m"
        while self.letters:
            c = self.letters.pop(0)
            if c not in self.taken:
                self.taken.add(c)
                return c
        while True:
            self.extra += 1
            name = f"v{self.extra}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def _evaluate(tree, env, namer):
    """Evaluate with glassgrad ops. Constants are float64 NumPy scalars (so 10.0**400 is
    inf, not a Python OverflowError). Each op output gets a short name."""
    gg = _glassgrad()
    if isinstance(tree, Num):
        return xp.float64(tree.value)
    if isinstance(tree, Var):
        return env[tree.name]
    if isinstance(tree, Neg):
        arg = _evaluate(tree.operand, env, namer)
        out = _op("neg")(_first(arg))
        return out.named(namer.next())
    if isinstance(tree, BinOp):
        a = _evaluate(tree.left, env, namer)
        b = _evaluate(tree.right, env, namer)
        fn = _op(_BINARY[tree.op])
        if not isinstance(a, gg.Tensor) and (tree.op == "**" or not isinstance(b, gg.Tensor)):
            a = _first(a)
        out = fn(a, b)
        return out.named(namer.next())
    if isinstance(tree, Call):
        args = [_evaluate(a, env, namer) for a in tree.args]
        if not isinstance(args[0], gg.Tensor):
            if len(args) == 1 or not isinstance(args[1], gg.Tensor):
                args[0] = _first(args[0])
            else:  # max(0, x): keep the tensor first, the order does not matter
                args = [args[1], args[0]]
        out = _op(_CALLS[tree.fn])(*args)
        return out.named(namer.next(tree.fn))
    raise TypeError(f"unknown expression node {tree!r}")  # pragma: no cover - parser guards


def _first(v):
    """A constant in first position becomes a (no-grad) float64 tensor: ops take their
    first argument as a tensor."""
    return _as_tensor(v)


__all__ = ["explain_expression", "ExpressionResult", "parse", "unparse"]
