"""The one exception type for a user's mistake.

``UserError`` is raised by the checks of settings, options, exercise files and run
folders: the input was wrong, the message says which input and what was expected, and
nothing has been changed yet. The ``glassgrad`` command prints it as one line and exits
with status 2; any other exception escaping a command is a bug in glassgrad and is shown
with its traceback.

It subclasses ``ValueError`` so that code written as ``except ValueError`` keeps working.
"""

__all__ = ["UserError", "MissingExtra", "missing_extra"]


class UserError(ValueError):
    """Bad input from the user: one line naming what was wrong and what was expected."""


class MissingExtra(UserError):
    """An optional dependency is not installed: the message names the extra to install."""


def missing_extra(feature, module, extra):
    """The error for ``feature`` needing ``module``, installed by ``glassgrad[extra]``."""
    return MissingExtra(f"{feature} needs {module}, which is not installed: "
                        f'pip install "glassgrad[{extra}]"')


def require(module, feature, extra):
    """Import ``module`` (a name) or raise MissingExtra naming ``extra``; returns the module."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing_extra(feature, module.split(".")[0], extra) from None
