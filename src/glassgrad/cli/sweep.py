"""`glassgrad sweep --grid ...`: a grid or random search, scored on the validation split.

    glassgrad sweep --grid lr=0.01,0.1,0.5 --grid model=mlp:4,mlp:16 --dataset circles --out runs/g
    glassgrad sweep --grid lr=1e-4:1 --grid activation=relu,tanh --random 20 --executor local
    glassgrad sweep --grid lr=0.01,0.1 --executor dask --dask-scheduler tcp://10.0.0.5:8786

The one-parameter form (`glassgrad sweep lr --values ...`, cli/train.py) keeps its own
figure of curves. This module reads the options; the work is glassgrad.sweep's.
"""

import os

from glassgrad.errors import UserError

from .checks import Whole, arg


def add_grid_options(p):
    g = p.add_argument_group("grid and random search (docs/sweep.md)")
    g.add_argument("--grid", action="append", metavar="NAME=VALUES",
                   help="a setting and its values, e.g. lr=0.01,0.1,0.5 or model=mlp:64,mlp:128,64; "
                   "with --random also a range, lr=1e-4:1 (log-uniform for lr, weight-decay, batch-size, n). "
                   "Repeat for each setting")
    g.add_argument("--random", type=arg(Whole(1, 1000), "--random"), metavar="N",
                   help="draw N configurations at random (seeded by --seed) instead of the whole grid")
    g.add_argument("--executor", choices=("sequential", "local", "dask-local", "dask"), default="sequential",
                   help="where trials run: this process (default), local processes, a Dask LocalCluster, "
                   "or a Dask cluster (--dask-scheduler tcp://HOST:PORT); glassgrad[dask] for the last two")
    g.add_argument("--dask-scheduler", metavar="tcp://HOST:PORT", type=dask_address,
                   help="with --executor dask: the address of the Dask cluster's scheduler")
    g.add_argument("--workers", type=arg(Whole(1, 1024), "--workers"),
                   help="processes for local and dask-local (default: one per core)")
    g.add_argument("--metric", choices=("val_accuracy", "val_loss"), default="val_accuracy",
                   help="the validation score that chooses (default: val_accuracy, ties to the lower loss)")
    g.add_argument("--resume", action="store_true",
                   help="continue the sweep whose results.csv is in --out: finished trials are not run again")
    g.add_argument("--no-figures", action="store_true", help="skip the figures (no matplotlib needed)")


def dask_address(text):
    """--dask-scheduler: an address such as tcp://10.0.0.5:8786 (whether it answers is
    checked by glassgrad.sweep before anything is written)."""
    import argparse

    if "://" not in text:
        raise argparse.ArgumentTypeError(f"expected an address such as tcp://HOST:PORT, got {text!r}")
    return text


def one_parameter_form(args):
    """True for `sweep PARAM --values ...`; refuses a mix of the two forms."""
    if args.grid:
        if args.param or args.values:
            raise UserError("sweep: expected either PARAM --values V1,V2 or --grid NAME=VALUES, got both")
        return False
    if args.param is None:
        raise UserError("sweep: expected a setting to vary: PARAM --values V1,V2 (e.g. lr --values 0.01,0.1) "
                        "or --grid NAME=VALUES")
    if args.values is None:
        raise UserError("the following arguments are required: --values (or give --grid NAME=VALUES)")
    for option, given in (("--random", args.random is not None), ("--resume", args.resume),
                          ("--executor", args.executor != "sequential"), ("--no-figures", args.no_figures),
                          ("--dask-scheduler", args.dask_scheduler is not None)):
        if given:
            raise UserError(f"{option}: goes with --grid NAME=VALUES, not with the one-parameter form")
    return True


# Options whose argparse default is the value complete_settings would take anyway.
_PASSED = ("dataset", "n", "noise", "val_fraction", "test_fraction", "seed", "model", "activation", "dropout",
           "init", "loss", "optimizer", "lr", "momentum", "weight_decay", "decay", "batch_size", "epochs",
           "scheduler", "keep_best", "early_stopping", "random_shift")


def grid_command(args):
    import glassgrad.sweep as sweep

    space = {}
    for spec in args.grid:
        key, values = sweep.parse_spec(spec)
        if key in space:
            raise UserError(f"--grid {key}: given twice; give all its values in one --grid")
        space[key] = values
    address = args.dask_scheduler
    if args.executor == "dask" and address is None:
        raise UserError("--executor dask: expected --dask-scheduler tcp://HOST:PORT, the address of the Dask scheduler")
    if address is not None and args.executor != "dask":
        raise UserError(f"--dask-scheduler {address}: a Dask address goes with --executor dask")
    settings = {k: getattr(args, k) for k in _PASSED if getattr(args, k) is not None}
    settings["keep_best"] = None if args.keep_best == "none" else args.keep_best
    out = args.out or os.path.join("runs", "sweep")
    try:
        sweep.run(settings, space, executor=args.executor, workers=args.workers, scheduler=address,
                  random=args.random, out=out, resume=args.resume, metric=args.metric,
                  figures=not args.no_figures, progress=True)
    except KeyboardInterrupt:
        where = os.path.join(out, "results.csv")
        print(f"interrupted: the finished trials are in {where}; the same command with --resume continues",
              flush=True)
        return 130
    return 0
