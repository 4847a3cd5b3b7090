"""The expression parser: what it accepts, and hostile inputs it must refuse."""

import builtins

import pytest

from glassgrad.explain.parser import (
    BinOp, Call, ExpressionError, Neg, Num, Var, parse, unparse,
)


def test_seed_expression_tree():
    p = parse("2*(x*y + max(z, w))")
    assert p.output == "f"
    assert p.variables == ["x", "y", "z", "w"]
    ((name, tree),) = p.statements
    assert name is None
    assert tree == BinOp("*", Num(2.0), BinOp("+", BinOp("*", Var("x"), Var("y")),
                                                Call("max", (Var("z"), Var("w")))))


def test_statements_name_values_and_the_last_is_the_output():
    p = parse("a = x*y; m = max(z, w); b = a + m; f = 2*b")
    assert [n for n, _ in p.statements] == ["a", "m", "b", "f"]
    assert p.output == "f"
    assert p.variables == ["x", "y", "z", "w"]  # a, m, b are assigned, not free


def test_output_name_avoids_a_variable_called_f():
    assert parse("f*2").output == "out"


def test_negative_literal_is_a_number_and_unary_minus_of_a_name_is_a_node():
    assert parse("-1").statements[0][1] == Num(-1.0)
    assert parse("-x").statements[0][1] == Neg(Var("x"))
    # Python's precedence: -2**2 is -(2**2)
    assert parse("-2**2").statements[0][1] == Neg(BinOp("**", Num(2.0), Num(2.0)))


def test_unparse_round_trip_keeps_meaning():
    for text in ["2 * (x * y + max(z, w))", "x - (y - z)", "(x + y) * z", "x**y**z", "(x**y)**z",
                 "-x * y", "exp(-x) / (1 + exp(-x))"]:
        tree = parse(text).statements[0][1]
        assert parse(unparse(tree)).statements[0][1] == tree


HOSTILE = [
    ("__import__('os')", "__import__"),
    ("__import__('os').system('ls')", "calls"),
    ("os.system('ls')", "calls"),
    ("x.__class__", "attribute"),
    ("x.real", "attribute"),
    ("(lambda: 1)()", "calls"),
    ("lambda x: x", "lambda"),
    ("x[0]", "subscript"),
    ("'abc'", "strings"),
    ("f'{x}'", "strings"),
    ("b'abc'", "bytes"),
    ("[i for i in range(3)]", "comprehension"),
    ("{i: i for i in x}", "comprehension"),
    ("sum(i for i in x)", "function sum"),
    ("x if y else z", "if-expression"),
    ("x < y", "comparison"),
    ("x and y", "and/or"),
    ("(x, y)", "tuple"),
    ("[x]", "list"),
    ("True", "True/False"),
    ("None", "None"),
    ("1j", "complex"),
    ("...", "..."),
    ("eval('1')", "function eval"),
    ("exec('1')", "function exec"),
    ("open('/etc/passwd')", "function open"),
    ("getattr(x, 'y')", "function getattr"),
    ("globals()", "function globals"),
    ("exp(x, y)", "takes 1"),
    ("max(x)", "takes 2"),
    ("exp(x=1)", "keyword"),
    ("max(*x)", "star"),
    ("import os", "import"),
    ("def g(): pass", "def"),
    ("(y := 3)", ":="),
    ("a = b = x", "assignments other than"),
    ("x += 1", "augmented"),
    ("_x + 1", "underscore"),
    ("__builtins__", "underscore"),
    ("exp = 3", "is a function"),
    ("a = x; a = y", "assigned twice"),
    ("x % y", "operator Mod"),
    ("x // y", "operator FloorDiv"),
    ("x @ y", "operator MatMult"),
    ("~x", "operator Invert"),
    ("1e999", "too large"),
    ("1" + "0" * 400, "too large"),
    ("x +", "cannot parse"),
    ("", "empty"),
]


@pytest.mark.parametrize("text,expect", HOSTILE)
def test_hostile_inputs_are_refused_with_a_message(text, expect):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    msg = str(info.value)
    assert expect.lower() in msg.lower(), msg
    assert "\n" not in msg  # one line for the CLI


def test_size_and_nesting_limits():
    with pytest.raises(ExpressionError, match="too long"):
        parse("x+" * 1500 + "x")
    with pytest.raises(ExpressionError, match="too large|too deeply"):
        parse("+".join(["x"] * 500))
    with pytest.raises(ExpressionError, match="too large"):
        parse("; ".join(f"a{k} = " + "+".join(["x"] * 90) for k in range(5)) + "; a0")
    with pytest.raises(ExpressionError, match="nested too deeply|cannot parse"):
        parse("exp(" * 120 + "x" + ")" * 120)
    assert parse("(" * 150 + "x" + ")" * 150).variables == ["x"]  # parentheses alone nest nothing
    with pytest.raises(ExpressionError, match="nested too deeply|cannot parse"):
        parse("-" * 1000 + "x")
    with pytest.raises(ExpressionError, match="statements"):
        parse("; ".join(f"a{k} = x" for k in range(60)) + "; a0")


def test_parser_never_calls_eval_or_exec(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called on user text")

    # (ast.parse itself goes through compile(..., PyCF_ONLY_AST): that parses, never runs)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    from glassgrad.explain import explain_expression

    r = explain_expression("2*(x*y + max(z, w))", {"x": 3, "y": -4, "z": 2, "w": -1})
    assert float(r.output.array) == -20.0


def test_huge_exponent_is_a_float_overflow_not_a_hang():
    from glassgrad.explain import explain_expression

    # With Python ints 9**9**9 would take minutes; in float64 it is inf at once.
    r = explain_expression("x * 9**9**9", {"x": 1.0})
    assert float(r.output.array) == float("inf")
    r = explain_expression("x + 10**400", {"x": 1.0})
    assert float(r.output.array) == float("inf")
