"""The ``glassgrad`` command. Thin: each sub-command lives in its own module here, parses
its arguments and calls the library.

Bad arguments and bad data end in one clear line on stderr and a non-zero exit, never a
traceback (set GLASSGRAD_DEBUG=1 to see the traceback).
"""

import argparse
import importlib
import os
import sys

# Each module defines register(subparsers): it adds its parsers and sets func=handler.
COMMAND_MODULES = ["train", "data", "explain", "study"]


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassgrad",
        description="A deep-learning framework on NumPy whose backward pass you can see through.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"glassgrad.cli.{name}").register(sub)
    return parser


def _version():
    from glassgrad import __version__

    return f"glassgrad {__version__}"


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("glassgrad: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, TypeError, FileNotFoundError, OSError, KeyError) as exc:
        if os.environ.get("GLASSGRAD_DEBUG"):
            raise
        print(f"glassgrad {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # python -m glassgrad.cli
    sys.exit(main())
