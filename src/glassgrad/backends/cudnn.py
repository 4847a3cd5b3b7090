"""``glassgrad.backends.cudnn``: the cuDNN switches PyTorch programs set
(``torch.backends.cudnn.deterministic = True``, ``benchmark = False``). They are plain
module attributes here: settable and readable, with PyTorch's defaults, and without
effect, since glassgrad never calls cuDNN."""

enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available():
    return False


def version():
    """None: cuDNN is not there (PyTorch's answer on a CPU-only build)."""
    return None
