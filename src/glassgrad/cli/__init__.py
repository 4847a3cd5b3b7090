"""The ``glassgrad`` command. Thin: each sub-command lives in its own module here, parses
its arguments and calls the library.

The error rules (docs/cli.md):

- a mistake in the input (an option, a config file, an exercise file, a run folder) is a
  ``glassgrad.errors.UserError``, raised by the checks before anything runs or any file
  or folder is created: one line on stderr, ``glassgrad COMMAND: error: ...``, exit 2;
  argparse's own refusals (unknown option, bad choice) are printed the same way;
- a missing optional dependency is a UserError too, naming the extra to install;
- an OSError while working (disk full, a file vanished) is one line and exit 1;
- a closed pipe (``glassgrad train | head -2``) ends the command quietly, as Unix tools do;
- anything else is a bug in glassgrad: its traceback is printed with where to report it,
  exit 1.
"""

import argparse
import importlib
import os
import sys
import warnings

from glassgrad.errors import UserError

# Each module defines register(subparsers): it adds its parsers and sets func=handler.
COMMAND_MODULES = ["train", "data", "explain", "study", "grade", "playground"]

# Kept for the sub-command modules and for callers of the old name.
CommandError = UserError

REPORT = ("this is a bug in glassgrad, not a mistake in your input: please report it on "
          "glassgrad's issue tracker with the command you ran, `glassgrad --version` and the "
          "traceback above")

EXIT_USER = 2  # bad input, refused before anything changed
EXIT_FAILED = 1  # a bug, or the system failed (disk full, ...)
EXIT_PIPE = 141  # 128 + SIGPIPE: what a Unix tool's status is when its reader went away


class UsageError(UserError):
    """argparse refused the command line; ``prog`` is the (sub-)command it refers to."""

    def __init__(self, prog, message):
        super().__init__(message)
        self.prog = prog


class OneLineParser(argparse.ArgumentParser):
    """argparse, whose errors are one line (no usage block) raised as UsageError.

    argparse writes "argument --lr: ..."; the word "argument" is dropped so that the
    line reads as the checks' own do: "--lr: expected a finite number > 0, got 'inf'".
    """

    def error(self, message):
        if message.startswith("argument "):
            message = message[len("argument "):]
        raise UsageError(self.prog, f"{message} (see {self.prog} --help)")


def build_parser():
    parser = OneLineParser(
        prog="glassgrad",
        description="A deep-learning framework on NumPy whose backward pass you can see through.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")  # sub-parsers: OneLineParser too
    for name in COMMAND_MODULES:
        importlib.import_module(f"glassgrad.cli.{name}").register(sub)
    return parser


def _version():
    from glassgrad import __version__

    return f"glassgrad {__version__}"


def main(argv=None):
    _reopen_closed_streams()
    parser = build_parser()
    prog = "glassgrad"
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USER
        prog = f"glassgrad {args.command}"
        with warnings.catch_warnings():  # a warning is one line too, not the source line that raised it
            warnings.showwarning = _warning_printer(prog)
            status = args.func(args) or 0
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except UsageError as exc:
        return _one_line(exc.prog, exc, EXIT_USER)
    except UserError as exc:
        return _one_line(prog, exc, EXIT_USER)
    except BrokenPipeError:
        return _pipe_closed()
    except KeyboardInterrupt:
        print("glassgrad: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the system failed while working: not a bug, not bad input
        return _one_line(prog, _describe_os_error(exc), EXIT_FAILED)
    except Exception:  # a bug: show everything
        import traceback

        traceback.print_exc()
        print(f"{prog}: {REPORT}", file=sys.stderr)
        return EXIT_FAILED


def _one_line(prog, message, status):
    if os.environ.get("GLASSGRAD_DEBUG"):
        raise  # noqa: PLE0704 - re-raise the exception being handled, with its traceback
    text = " ".join(str(message).split())  # one line, whatever the message held
    print(f"{prog}: error: {text}", file=sys.stderr)
    return status


def _warning_printer(prog):
    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"{prog}: warning: {text}", file=sys.stderr if file is None else file)

    return show


def _describe_os_error(exc):
    where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
    return f"{exc.strerror or exc}{where}"


def _pipe_closed():
    """The reader of our stdout went away (``| head``): stop quietly. Further writes,
    including the interpreter's final flush, go to /dev/null instead of raising again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's capture)
        pass
    return EXIT_PIPE


def _reopen_closed_streams():
    """Started with stdout or stderr closed (``glassgrad ... >&-``), Python sets them to
    None; what would have been printed is dropped instead (files asked for with --out are
    still written), as if the stream were /dev/null."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


if __name__ == "__main__":  # python -m glassgrad.cli
    sys.exit(main())
