"""`glassgrad grade NAME --answers answers.csv --out DIR`: grade a class set.

Reads one row of answers per student (student, variant, then one column per quantity),
checks every value against the solution of that student's variant, and writes
DIR/summary.csv, DIR/summary.md and DIR/students/STUDENT.md (each value right or wrong,
the first divergence in dependency order, the score). The right values are written only
with --show-solution. Everything is read and checked before anything is written.
"""

import os

from glassgrad.errors import UserError

from .checks import Real, arg


def register(subparsers):
    g = subparsers.add_parser(
        "grade", help="grade a class's answers to an exercise (CSV in, reports out)",
        description=__doc__.split("\n\n")[1])
    g.add_argument("exercise", help="a bundled exercise name or a .toml file")
    g.add_argument("--answers", required=True, metavar="CSV", help="student,variant,QUANTITY,... one row per student")
    g.add_argument("--out", required=True, metavar="DIR", help="the folder for the reports (created)")
    g.add_argument("--tol", type=arg(Real(0), "--tol"), default=None, help="absolute tolerance (default: the digits written)")
    g.add_argument("--show-solution", action="store_true", help="write the right values in the reports")
    g.set_defaults(func=run_grade)


def run_grade(args):
    from glassgrad.atomic import write_text
    from glassgrad.explain import exercise as ex
    from glassgrad.explain.grading import (file_stem, grade, read_answers, student_report, summary_csv,
                                           summary_markdown)

    spec = ex.load_exercise(args.exercise)
    if args.tol is not None and not args.tol > 0:
        raise UserError(f"--tol: expected a positive number, got {args.tol}")
    try:
        with open(args.answers, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as exc:
        raise UserError(f"--answers: cannot read {args.answers!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"--answers: {args.answers!r} is not UTF-8 text (a CSV file is expected)") from None
    try:
        rows = read_answers(text)
        results = grade(spec, rows, tol=args.tol)
    except ValueError as exc:
        raise UserError(f"--answers {args.answers}: {exc}") from None
    stems = [file_stem(r.student) for r in results]
    if len(set(stems)) != len(stems):
        raise UserError("--answers: two student names give the same file name; make them differ in letters or digits")
    parent = os.path.dirname(os.path.abspath(args.out))
    if (os.path.exists(args.out) and not os.path.isdir(args.out)) or not os.path.isdir(parent):
        raise UserError(f"--out: {args.out!r} must be a folder (or a new one in an existing folder)")
    os.makedirs(os.path.join(args.out, "students"), exist_ok=True)
    for result, stem in zip(results, stems):
        write_text(os.path.join(args.out, "students", f"{stem}.md"), student_report(result, show_solution=args.show_solution))
    write_text(os.path.join(args.out, "summary.csv"), summary_csv(results))
    summary = summary_markdown(results, spec.title)
    write_text(os.path.join(args.out, "summary.md"), summary)
    print(summary, end="")
    print(f"\nwrote summary.csv, summary.md and {len(results)} student reports to {args.out}")
    return 0
