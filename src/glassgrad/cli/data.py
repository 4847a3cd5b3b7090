"""The `glassgrad data` sub-commands (being written)."""


def register(subparsers):
    pass
