"""The `glassgrad explain` sub-commands (being written)."""


def register(subparsers):
    pass
