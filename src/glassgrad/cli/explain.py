"""``glassgrad explain`` and ``glassgrad exercise``: worked solutions on the command line.

    glassgrad explain "2*(x*y + max(z, w))" --at x=3 y=-4 z=2 w=-1
    glassgrad explain "2*(x*y + max(z, w))" --at x=3 y=-4 z=2 w=-1 --format latex --out f.tex
    glassgrad explain cost --depth 4 --width 64
    glassgrad exercise --list
    glassgrad exercise seed001-q1 --answer loss=0.376 --answer "h1[0]=0.2913"

Thin: parses the arguments and calls glassgrad.explain.
"""

import argparse
import os
import sys

from glassgrad.errors import UserError

from .checks import Real, Whole, arg, check_out_file, need_matplotlib

CommandError = UserError  # the old name

# Limits of `explain cost`: finite differences cost O(N^2) and list every parameter, so the
# networks stay at a size a lecture can wait for.
MAX_COST_DEPTH = 64
MAX_COST_WIDTH = 4096
MAX_COST_BATCH = 100_000
MAX_COST_PARAMETERS = 2_000_000
MAX_COST_SIZES = 16  # widths compared by one table
# `exercise --steps`: one worked step is a page of the solution.
MAX_STEPS = 1000
MAX_VARIANT = 2**63 - 1  # a variant number seeds a generator

FORMATS = ["text", "markdown", "latex", "dot", "svg", "html"]


def register(subparsers):
    p = subparsers.add_parser(
        "explain",
        help="explain a forward and backward pass node by node (or: explain cost)",
        description=(
            "Evaluate a scalar expression with glassgrad ops and print the worked solution: "
            "forward values, per node the upstream gradient, local derivative and downstream "
            "gradient, and the gradient. Functions: + - * / ** max min exp log tanh sigmoid "
            "relu sqrt abs. Name intermediate values with statements: "
            "\"a = x*y; m = max(z, w); f = 2*(a + m)\". "
            "'glassgrad explain cost' compares finite differences with backprop instead."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expression", help="the expression, quoted (or the word 'cost')")
    p.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                   help="the values of the variables (x=3 y=-4 or x=3,y=-4)")
    p.add_argument("--const", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                   help="names with a value but no gradient (a target, say)")
    p.add_argument("--upstream", type=arg(Real(), "--upstream"), default=None,
                   help="start backward from this upstream gradient dL/df instead of 1")
    _output_options(p)
    cost = p.add_argument_group("explain cost")
    cost.add_argument("--depth", type=arg(Whole(1, MAX_COST_DEPTH), "--depth"), default=4,
                      help="hidden layers of the MLP (cost)")
    cost.add_argument("--width", type=arg(Whole(1, MAX_COST_WIDTH), "--width"), default=64,
                      help="units per hidden layer (cost)")
    cost.add_argument("--inputs", type=arg(Whole(1, MAX_COST_WIDTH), "--inputs"), default=None,
                      help="input features (cost; default: width)")
    cost.add_argument("--batch", type=arg(Whole(1, MAX_COST_BATCH), "--batch"), default=32,
                      help="examples per forward pass (cost)")
    cost.add_argument("--sizes", type=arg(Whole(1, MAX_COST_WIDTH), "--sizes"), nargs="+", default=None,
                      metavar="WIDTH",
                      help="the widths compared for growth (cost; default: width/8 ... width)")
    cost.add_argument("--central", action="store_true",
                      help="central differences: two forward passes per parameter (cost)")
    p.set_defaults(func=run_explain)

    e = subparsers.add_parser(
        "exercise",
        help="print the worked solution of an exercise (a TOML file or a bundled name)",
        description=(
            "Solve an exercise: per layer the pre-activations and activations, the loss, the "
            "error signals delta from the output down, the gradients, the updated parameters "
            "and the loss after the step, checked against the autograd engine. "
            "--answer NAME=VALUE checks your own numbers (exit status 1 if one is wrong)."
        ),
    )
    e.add_argument("exercise", nargs="?", help="a bundled exercise name or a .toml file")
    e.add_argument("--list", action="store_true", help="list the bundled exercises")
    e.add_argument("--answer", action="append", default=[], metavar="NAME=VALUE",
                   help="your value of a quantity, e.g. loss=0.376, 'W1[0,0]=0.0987', "
                        "'h1=[0.29,0.29,0.29,0.29]' (repeatable)")
    e.add_argument("--tol", type=arg(Real(0), "--tol"), default=None,
                   help="absolute tolerance for --answer (default: the digits you wrote)")
    e.add_argument("--steps", type=arg(Whole(1, MAX_STEPS), "--steps"), default=None,
                   help="override the number of steps")
    e.add_argument("--show-spec", action="store_true", help="print the exercise's TOML and stop")
    e.add_argument("--sheet", choices=("questions", "solutions", "both"), default="solutions",
                   help="questions: the setup and blank answers in the solution's layout; "
                        "both: the questions, then the solutions (default: solutions)")
    e.add_argument("--no-notes", action="store_true", help="leave the Notes section out")
    e.add_argument("--variant", type=arg(Whole(1, MAX_VARIANT), "--variant"), default=None, metavar="K",
                   help="variant K (1, 2, ...) of the exercise: other friendly numbers, the same K always the same")
    e.add_argument("--variants", default=None, metavar="RANGE",
                   help="a class set, e.g. 1-30: a question sheet and a solution per variant, into the folder --out")
    _output_options(e)
    e.set_defaults(func=run_exercise)


def _output_options(p):
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (a table; rich in a terminal), markdown, latex (a complete "
                        "document), dot or svg (the graph; svg needs Graphviz), html (the "
                        "explorer: one page stepping through the passes, see docs/explorer.md)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--digits", type=arg(Whole(1, 17), "--digits"), default=6,
                   help="significant digits (default 6)")


# ---------------------------------------------------------------- helpers
def parse_assignments(items, what="--at"):
    """['x=3', 'y=-4,z=2'] -> {'x': 3.0, 'y': -4.0, 'z': 2.0} (numbers only, never eval)."""
    out = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise CommandError(f"{what}: expected NAME=VALUE, got {part!r}")
            name, value = (s.strip() for s in part.split("=", 1))
            if not name.isidentifier():
                raise CommandError(f"{what}: expected a variable name before '=', got {name!r}")
            out[name] = Real().parse(value, f"{what} {name}")
    return out


def write_output(text, out, binary=False):
    """Print, or write FILE atomically (temp file + rename: never half a file)."""
    if not out:
        sys.stdout.write(text)
        return
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise CommandError(f"cannot write {out}: the folder {folder} does not exist")
    from glassgrad.atomic import TargetError, write_text

    try:
        write_text(out, text)
    except TargetError as exc:
        raise CommandError(str(exc)) from None
    print(f"wrote {out}", file=sys.stderr)


def render(doc, fmt, out, dot=None, trace=None, title=None, view=None, layers=None):
    """Render a Document (and the graph's DOT text, or the trace for the html explorer,
    when there is one) in ``fmt``."""
    from glassgrad.explain import render_dot

    if fmt == "html":
        if trace is None:
            raise CommandError("--format html steps through a traced pass; this output has none")
        from glassgrad.explain.explorer import to_html

        write_output(to_html(trace, title=title or doc.title, view=view, layers=layers), out)
    elif fmt == "text":
        if out:
            from glassgrad.explain.render_text import to_text

            write_output(to_text(doc), out)
        else:
            from glassgrad.explain.render_text import show

            show(doc)
    elif fmt == "markdown":
        from glassgrad.explain.render_markdown import to_markdown

        write_output(to_markdown(doc), out)
    elif fmt == "latex":
        from glassgrad.explain.render_latex import to_latex

        write_output(to_latex(doc), out)
    elif fmt in ("dot", "svg"):
        if dot is None:
            raise CommandError(f"--format {fmt} draws a graph; this output has none")
        if fmt == "dot":
            write_output(dot, out)
        else:
            try:
                write_output(render_dot.dot_to_svg(dot), out)
            except render_dot.GraphvizMissing as exc:
                raise CommandError(str(exc)) from None


# ---------------------------------------------------------------- explain
def _check_output(args, graph=True):
    """--out can be written, and --format dot/svg/html only where there is a graph."""
    if args.format in ("dot", "svg", "html") and not graph:
        raise CommandError(f"--format: {args.format} draws a graph and this output has none; expected "
                           "text, markdown or latex")
    if args.out is not None:
        check_out_file(args.out)


def run_explain(args):
    if args.expression == "cost":
        return run_cost(args)
    from glassgrad.explain import explain_expression

    values = parse_assignments(args.at, "--at")
    constants = parse_assignments(args.const, "--const")
    _check_output(args)
    result = explain_expression(args.expression, values, constants, upstream=args.upstream,
                                digits=args.digits)
    doc = result.document()
    render(doc, args.format, args.out, dot=result.trace.to_dot() if args.format in ("dot", "svg") else None,
           trace=result.trace)
    return 0


def run_cost(args):
    from glassgrad.explain.cost import cost_document, measure_costs

    _check_cost(args)
    rows = measure_costs(depth=args.depth, width=args.width, inputs=args.inputs, batch=args.batch,
                         widths=args.sizes, central=args.central)
    doc = cost_document(rows, depth=args.depth, central=args.central)
    if args.out and args.format == "text" and args.out.lower().endswith((".png", ".svg", ".pdf")):
        from glassgrad.explain.cost import plot_costs

        plot_costs(rows, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
        from glassgrad.explain.render_text import show

        show(doc)
        return 0
    render(doc, args.format, args.out)
    return 0


def _check_cost(args):
    """Everything `explain cost` will build fits the limits, and its output can be written."""
    if args.at or args.const or args.upstream is not None:
        raise CommandError("--at, --const and --upstream: expected an expression to explain; "
                           "`explain cost` takes --depth, --width, --inputs, --batch, --sizes")
    plot = args.out and args.format == "text" and args.out.lower().endswith((".png", ".svg", ".pdf"))
    _check_output(args, graph=False)
    if plot:
        need_matplotlib("explain cost --out FIGURE")
    if args.sizes and len(args.sizes) > MAX_COST_SIZES:
        raise CommandError(f"--sizes: expected at most {MAX_COST_SIZES} widths, got {len(args.sizes)}")
    widths = args.sizes or [args.width]
    for w in widths:
        n_in = args.inputs or w
        params = (n_in + 1) * w + (args.depth - 1) * (w + 1) * w + (w + 1)
        if params > MAX_COST_PARAMETERS:
            name = "--sizes" if args.sizes else "--width"
            raise CommandError(f"{name}: expected a network of at most {MAX_COST_PARAMETERS} parameters, "
                               f"got {params} with width {w}, depth {args.depth} and {n_in} inputs")


# ---------------------------------------------------------------- exercise
def _sheet(solution, sheet, no_notes):
    """The document --sheet asks for (explain/sheet.py)."""
    from glassgrad.explain.sheet import both, question_document, without_notes

    answers = solution.document()
    if no_notes:
        answers = without_notes(answers)
    if sheet == "questions":
        return question_document(solution)
    if sheet == "both":
        return both(question_document(solution), answers)
    return answers


_SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex"}


def _write_variants(spec, args):
    """--variants 1-30 --out DIR: DIR/NAME-vK-questions.EXT and DIR/NAME-vK-solutions.EXT."""
    from glassgrad.atomic import write_text
    from glassgrad.explain import exercise as ex
    from glassgrad.explain.render_latex import to_latex
    from glassgrad.explain.render_markdown import to_markdown
    from glassgrad.explain.render_text import to_text
    from glassgrad.explain.sheet import question_document, without_notes
    from glassgrad.explain.variants import parse_range, variant

    try:
        numbers = parse_range(args.variants)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.out is None:
        raise CommandError("--variants writes one file per sheet: give the folder with --out DIR")
    if args.format not in _SUFFIX:
        raise CommandError("--variants writes sheets: use --format text, markdown or latex")
    if args.variant is not None or args.answer:
        raise CommandError("--variants makes a class set: leave out --variant and --answer")
    parent = os.path.dirname(os.path.abspath(args.out))
    if os.path.exists(args.out) and not os.path.isdir(args.out) or not os.path.isdir(parent):
        raise CommandError(f"--out: {args.out!r} must be a folder (or a new one in an existing folder)")
    render = {"text": to_text, "markdown": to_markdown, "latex": to_latex}[args.format]
    sheets = []
    for k in numbers:  # solve them all before writing anything
        v = variant(spec, k)
        solution = ex.solve(v, steps=args.steps, digits=args.digits)
        sheets.append((f"{v.name}-questions", render(question_document(solution))))
        sheets.append((f"{v.name}-solutions", render(without_notes(solution.document()))))
    os.makedirs(args.out, exist_ok=True)
    for stem, text in sheets:
        write_text(os.path.join(args.out, f"{stem}.{_SUFFIX[args.format]}"), text)
    print(f"wrote {len(sheets)} files ({len(numbers)} variants, questions and solutions) to {args.out}")
    return 0


def run_exercise(args):
    from glassgrad.explain import exercise as ex
    from glassgrad.explain.answers import parse_value

    if args.list:
        for name, title in ex.list_bundled():
            print(f"{name:28s} {title}")
        return 0
    if not args.exercise:
        raise CommandError("name an exercise (glassgrad exercise --list shows the bundled ones) "
                           "or give a .toml file")
    spec = ex.load_exercise(args.exercise)
    if args.variants is not None:
        return _write_variants(spec, args)
    _check_output(args)
    if args.variant is not None:
        from glassgrad.explain.variants import variant

        if args.variant < 1:
            raise CommandError(f"--variant: expected a whole number >= 1, got {args.variant}")
        spec = variant(spec, args.variant)
    if args.show_spec:
        sys.stdout.write(spec.source_text)
        return 0
    answers = {}
    for item in args.answer:
        if "=" not in item:
            raise CommandError(f"--answer: expected NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        try:
            parse_value(value.strip())  # read now: a bad answer is refused before solving
        except UserError as exc:
            raise CommandError(f"--answer {name.strip()}: {exc}") from None
        answers[name.strip()] = value.strip()
    if args.sheet != "solutions" and args.format in ("dot", "svg"):
        raise CommandError(f"--sheet {args.sheet} is a sheet to print: use --format text, markdown or latex")
    solution = ex.solve(spec, answers=answers or None, tol=args.tol, steps=args.steps,
                        digits=args.digits)
    doc = _sheet(solution, args.sheet, args.no_notes)
    trace, title, layers = solution.trace, None, None
    if args.format == "html" and trace is None:  # a network exercise: trace each step
        from glassgrad.explain.explorer import network_layers, network_trace

        steps = range(1, (args.steps or spec.steps) + 1)  # one pass per step, a slider between them
        trace = [network_trace(spec, digits=args.digits, step=k, solution=solution) for k in steps]
        layers = [network_layers(solution, digits=args.digits, step=k) for k in steps]
        if len(trace) == 1:
            trace, layers = trace[0], layers[0]
        title = doc.title
    render(doc, args.format, args.out, dot=solution.dot() if args.format in ("dot", "svg") else None,
           trace=trace, title=title, view="question" if args.sheet == "questions" else None, layers=layers)
    if solution.checks and not all(c.correct for c in solution.checks):
        return 1
    return 0
