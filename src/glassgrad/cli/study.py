"""`glassgrad study`: run one of the course's studies (see glassgrad.studies).

    glassgrad study --list                              # every study and its question
    glassgrad study vanishing-gradients --quick         # the findings table, in under a minute
    glassgrad study vae --out runs/vae --dpi 300        # results.json + figures (PNG and SVG)

Thin: every option is checked before the study runs and before any folder is created;
the study itself is ``glassgrad.studies.run``.
"""

from glassgrad.errors import UserError
from glassgrad.studies.result import MAX_DPI, MIN_DPI

from . import checks
from .checks import Whole, arg


def register(subparsers):
    p = subparsers.add_parser(
        "study", help="run a study of the course notes (--list to see them)",
        description="Run one study: each answers a question of the course notes with measured "
                    "numbers, a findings table and figures.")
    p.add_argument("name", nargs="?", help="the study to run (see --list)")
    p.add_argument("--list", action="store_true", help="list the studies with their questions")
    p.add_argument("--quick", action="store_true", help="small data and few epochs: under a minute on 2 cores")
    p.add_argument("--out", metavar="DIR", help="folder for results.json and the figures "
                   "(default: study-NAME in the current folder)")
    p.add_argument("--seed", type=arg(Whole(0, checks.MAX_SEED), "--seed"), default=0, help="seed of the data and the weights (default 0)")
    p.add_argument("--dpi", type=arg(Whole(MIN_DPI, MAX_DPI), "--dpi"), default=150, help=f"resolution of the PNG figures, {MIN_DPI} to "
                   f"{MAX_DPI} (default 150; the SVG beside it is a vector figure)")
    p.add_argument("--no-figures", action="store_true", help="write results.json only (no matplotlib needed)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_study_command)


def _study_command(args):
    from glassgrad import studies

    if args.list:
        if args.name:
            raise UserError("--list takes no study name")
        width = max(len(n) for n in studies.names())
        for name in studies.names():
            print(f"{name:<{width}}  {studies.get(name).question}")
        return 0
    if not args.name:
        raise UserError("name a study to run, or --list to see them")
    try:
        study = studies.get(args.name)
    except ValueError as exc:  # the message names the studies
        raise UserError(str(exc)) from None
    out = _check_options(args)
    result = study(quick=args.quick, seed=args.seed, progress=not args.no_progress)
    print(result.table())
    written = result.save(out, dpi=args.dpi, figures=not args.no_figures)
    print(f"wrote {', '.join(written)} to {out}")
    return 0


def _check_options(args):
    """Every option checked before anything runs or is created; returns the output folder.
    (--seed and --dpi are checked as they are read: their argparse types.)"""
    out = args.out if args.out is not None else f"study-{args.name}"
    if not out.strip():
        raise UserError("--out: expected a folder, got an empty name")
    checks.check_out_folder(out)
    if not args.no_figures:
        try:
            checks.need_matplotlib("the study figures")
        except UserError as exc:
            raise UserError(f"{exc} (or run with --no-figures)") from None
    return out
