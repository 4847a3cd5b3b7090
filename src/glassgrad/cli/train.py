"""The `glassgrad train` sub-commands (being written)."""


def register(subparsers):
    pass
