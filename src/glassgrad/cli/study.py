"""`glassgrad study`: run one of the course's studies (see glassgrad.studies).

    glassgrad study --list                              # every study and its question
    glassgrad study vanishing-gradients --quick         # the findings table, in under a minute
    glassgrad study vae --out runs/vae --dpi 300        # results.json + figures (PNG and SVG)

Thin: every option is checked before the study runs and before any folder is created;
the study itself is ``glassgrad.studies.run``.
"""

import os
import sys

from glassgrad.studies.result import MAX_DPI, MIN_DPI


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
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the weights (default 0)")
    p.add_argument("--dpi", type=int, default=150, help=f"resolution of the PNG figures, {MIN_DPI} to "
                   f"{MAX_DPI} (default 150; the SVG beside it is a vector figure)")
    p.add_argument("--no-figures", action="store_true", help="write results.json only (no matplotlib needed)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def one_line_error(message):  # argparse's default prints the whole usage first
        print(f"glassgrad study: error: {message} (see glassgrad study --help)", file=sys.stderr)
        sys.exit(2)

    p.error = one_line_error
    p.set_defaults(func=_study_command)


def _study_command(args):
    from glassgrad import studies

    if args.list:
        if args.name:
            raise ValueError("--list takes no study name")
        width = max(len(n) for n in studies.names())
        for name in studies.names():
            print(f"{name:<{width}}  {studies.get(name).question}")
        return 0
    if not args.name:
        raise ValueError("name a study to run, or --list to see them")
    study = studies.get(args.name)  # ValueError naming the studies
    out = _check_options(args)
    result = study(quick=args.quick, seed=args.seed, progress=not args.no_progress)
    print(result.table())
    written = result.save(out, dpi=args.dpi, figures=not args.no_figures)
    print(f"wrote {', '.join(written)} to {out}")
    return 0


def _check_options(args):
    """Every option checked before anything runs or is created; returns the output folder."""
    from glassgrad.studies.result import check_dpi, require_matplotlib

    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    try:
        check_dpi(args.dpi)
    except ValueError:
        raise ValueError(f"--dpi must be a whole number from {MIN_DPI} to {MAX_DPI}, got {args.dpi}") from None
    out = args.out if args.out is not None else f"study-{args.name}"
    if not out.strip():
        raise ValueError("--out is empty: give a folder name")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file; give a folder")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise ValueError(f"--out {out!r}: the folder {parent!r} does not exist")
    if not args.no_figures:
        try:
            require_matplotlib()
        except ImportError as exc:
            raise ValueError(f"{exc} (or run with --no-figures)") from None
    return out
