"""A safe parser for the expressions of ``glassgrad explain``.

The text is parsed by Python's ``ast`` module and then checked against a whitelist:
numbers, variable names, ``+ - * / **``, unary minus, and calls of a fixed set of
functions (max min exp log tanh sigmoid relu sqrt abs). Anything else (attribute access,
subscripts, lambdas, strings, comprehensions, other calls, keywords) is refused with a
message naming what was found and where. The text is never passed to eval or exec; the
result is a small tree of this module's own classes, evaluated by ``expression.py`` with
glassgrad ops.

Several statements are allowed, to name intermediate values as the seed does:

    a = x*y; m = max(z, w); b = a + m; f = 2*b

The last statement is the output (an assignment names it, a bare expression is called f).
"""

import ast
import math
from dataclasses import dataclass

from ..errors import UserError

# function name -> number of arguments
FUNCTIONS = {
    "max": 2, "min": 2, "exp": 1, "log": 1, "tanh": 1, "sigmoid": 1, "relu": 1,
    "sqrt": 1, "abs": 1,
}

MAX_CHARS = 2000  # longer text is refused before Python's parser sees it
MAX_NODES = 400  # operations and operands in the whole program
MAX_DEPTH = 100  # nesting depth of one expression
MAX_STATEMENTS = 50

_ALLOWED = "numbers, variable names, + - * / ** and " + " ".join(FUNCTIONS)


class ExpressionError(UserError):
    """The expression is not one glassgrad explain accepts (the message says why)."""


# ---------------------------------------------------------------- the parsed tree
@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / **
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple


@dataclass
class Program:
    statements: list  # (name or None, tree); None only for a final bare expression
    output: str  # the name the output gets
    variables: list  # free variables, in order of first appearance

    @property
    def text(self):
        return "; ".join((f"{n} = " if n else "") + unparse(t) for n, t in self.statements)


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

# what a refused node is called in the message
_WHAT = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts (indexing)",
    ast.Lambda: "lambdas", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if-expressions",
    ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
    ast.Starred: "star arguments", ast.JoinedStr: "strings", ast.FormattedValue: "strings",
    ast.NamedExpr: "the := operator", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "slices",
}


def _where(node):
    col = getattr(node, "col_offset", None)
    return f" at column {col + 1}" if col is not None else ""


def _refuse(node, what=None):
    what = what or _WHAT.get(type(node)) or type(node).__name__
    raise ExpressionError(f"not allowed in an expression: {what}{_where(node)}; allowed: {_ALLOWED}")


def parse(text):
    """Parse and check ``text``; return a Program or raise ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError(f"expected the expression as text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"expression too long: {len(text)} characters (at most {MAX_CHARS})")
    if not text.strip():
        raise ExpressionError("empty expression")
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"cannot parse the expression{col}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError) as exc:  # absurdly nested input
        raise ExpressionError(f"cannot parse the expression: {type(exc).__name__}") from None
    body = module.body
    if not body:
        raise ExpressionError("empty expression")
    if len(body) > MAX_STATEMENTS:
        raise ExpressionError(f"too many statements: {len(body)} (at most {MAX_STATEMENTS})")

    checker = _Checker()
    statements = []
    assigned = set()
    for k, stmt in enumerate(body):
        last = k == len(body) - 1
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                _refuse(stmt, "assignments other than name = expression")
            name = stmt.targets[0].id
            _check_name(name, stmt.targets[0])
            if name in assigned:
                raise ExpressionError(f"{name} is assigned twice; give each value its own name")
            if name in checker.variables:
                raise ExpressionError(f"{name} is used before it is assigned")
            tree = checker.expr(stmt.value, 0)
            assigned.add(name)
            checker.assigned.add(name)
            statements.append((name, tree))
        elif isinstance(stmt, ast.Expr):
            if not last:
                raise ExpressionError("only the last statement may be a bare expression; "
                                      "name the others (a = x*y; ...)")
            statements.append((None, checker.expr(stmt.value, 0)))
        else:
            _refuse(stmt, _statement_kind(stmt))

    if statements[-1][0] is not None:
        output = statements[-1][0]
    else:
        used = set(checker.variables) | assigned
        output = "f" if "f" not in used else next(n for n in ("out", "result", "f_out") if n not in used)
    return Program(statements, output, list(checker.variables))


def _statement_kind(stmt):
    kinds = {ast.Import: "import", ast.ImportFrom: "import", ast.FunctionDef: "def",
             ast.ClassDef: "class", ast.For: "for loops", ast.While: "while loops",
             ast.If: "if statements", ast.With: "with", ast.AugAssign: "augmented assignment",
             ast.AnnAssign: "annotated assignment", ast.Delete: "del", ast.Global: "global",
             ast.Try: "try", ast.Raise: "raise", ast.Return: "return", ast.Assert: "assert"}
    return kinds.get(type(stmt), type(stmt).__name__)


def _check_name(name, node):
    if name.startswith("_"):
        raise ExpressionError(f"names may not start with an underscore: {name}{_where(node)}")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} is a function, not a variable{_where(node)}")


class _Checker:
    def __init__(self):
        self.variables = {}  # ordered set of free variables
        self.assigned = set()
        self.count = 0

    def expr(self, node, depth):
        self.count += 1
        if self.count > MAX_NODES:
            raise ExpressionError(f"expression too large (more than {MAX_NODES} operations and operands)")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            _check_name(node.id, node)
            if node.id not in self.assigned:
                self.variables.setdefault(node.id, None)
            return Var(node.id)
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                _refuse(node, f"the operator {type(node.op).__name__}")
            return BinOp(op, self.expr(node.left, depth + 1), self.expr(node.right, depth + 1))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.expr(node.operand, depth + 1)
                if isinstance(operand, Num):  # -1 is a number, not a negation node
                    return Num(-operand.value)
                return Neg(operand)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth + 1)
            _refuse(node, f"the operator {type(node.op).__name__}")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        _refuse(node)

    def constant(self, node):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            kind = {str: "strings", bytes: "bytes", complex: "complex numbers",
                    bool: "True/False", type(None): "None", type(...): "..."}.get(type(v), type(v).__name__)
            _refuse(node, kind)
        try:
            f = float(v)
        except OverflowError:
            raise ExpressionError(f"number too large for float64{_where(node)}") from None
        if not math.isfinite(f):
            raise ExpressionError(f"number too large for float64{_where(node)}")
        return Num(f)

    def call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            _refuse(node, "calls of anything but the functions " + " ".join(FUNCTIONS))
        fn = node.func.id
        if fn not in FUNCTIONS:
            _refuse(node, f"the function {fn}() (only {' '.join(FUNCTIONS)})")
        if node.keywords:
            _refuse(node, "keyword arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            _refuse(node, "star arguments")
        if len(node.args) != FUNCTIONS[fn]:
            raise ExpressionError(f"{fn}() takes {FUNCTIONS[fn]} argument(s), got {len(node.args)}{_where(node)}")
        return Call(fn, tuple(self.expr(a, depth + 1) for a in node.args))


# ---------------------------------------------------------------- writing a tree back
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def unparse(tree):
    """The tree as text (normalised spacing, minimal parentheses)."""
    return _unparse(tree, 0)


def _fmt_num(v):
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _unparse(t, parent):
    if isinstance(t, Num):
        s = _fmt_num(t.value)
        return f"({s})" if t.value < 0 else s
    if isinstance(t, Var):
        return t.name
    if isinstance(t, Call):
        return f"{t.fn}({', '.join(_unparse(a, 0) for a in t.args)})"
    if isinstance(t, Neg):
        s = "-" + _unparse(t.operand, _PREC["neg"])
        return f"({s})" if parent > _PREC["neg"] else s
    prec = _PREC[t.op]
    if t.op == "**":  # right-associative
        s = f"{_unparse(t.left, prec + 1)}**{_unparse(t.right, prec)}"
    else:
        s = f"{_unparse(t.left, prec)} {t.op} {_unparse(t.right, prec + 1)}"
    return f"({s})" if prec < parent else s


_TEX_CALLS = {"max": r"\max", "min": r"\min", "exp": r"\exp", "log": r"\ln", "tanh": r"\tanh",
              "sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}"}


def unparse_tex(tree, name=None):
    """The tree in LaTeX (names through ``name``, default format.tex_name)."""
    if name is None:
        from .format import tex_name as name
    return _tex(tree, 0, name)


def _tex(t, parent, name):
    if isinstance(t, Num):
        s = _fmt_num(t.value)
        return f"({s})" if t.value < 0 else s
    if isinstance(t, Var):
        return name(t.name)
    if isinstance(t, Call):
        args = [_tex(a, 0, name) for a in t.args]
        if t.fn == "sqrt":
            return r"\sqrt{" + args[0] + "}"
        if t.fn == "abs":
            return r"\lvert " + args[0] + r" \rvert"
        return _TEX_CALLS[t.fn] + r"\left(" + ", ".join(args) + r"\right)"
    if isinstance(t, Neg):
        s = "-" + _tex(t.operand, _PREC["neg"], name)
        return rf"\left({s}\right)" if parent > _PREC["neg"] else s
    prec = _PREC[t.op]
    if t.op == "/":
        s = r"\frac{" + _tex(t.left, 0, name) + "}{" + _tex(t.right, 0, name) + "}"
        return s
    if t.op == "**":
        s = "{" + _tex(t.left, prec + 1, name) + "}^{" + _tex(t.right, 0, name) + "}"
    elif t.op == "*":
        s = f"{_tex(t.left, prec, name)} \\cdot {_tex(t.right, prec + 1, name)}"
    else:
        s = f"{_tex(t.left, prec, name)} {t.op} {_tex(t.right, prec + 1, name)}"
    return rf"\left({s}\right)" if prec < parent else s
