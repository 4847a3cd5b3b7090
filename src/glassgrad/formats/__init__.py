"""The two file formats of glassgrad checkpoints, read and written by hand with NumPy so
that every byte of a file is checked before anything is allocated from it:

* ``npz``: NumPy's zip of ``.npy`` arrays (glassgrad writes it for ``.npz``, ``.pt``, ``.pth``
  and open file objects);
* ``safetensors``: an 8-byte header length, a JSON header, the raw tensor bytes.

Neither can hold code: nothing is ever unpickled. A reader raises only ``CheckpointError``.
"""

import os

MAX_DEPTH = 100  # nesting of dicts/lists in a checkpoint (a state dict uses 2 or 3)


class CheckpointError(ValueError):
    """A file could not be read as a glassgrad checkpoint (the message says why)."""


PICKLE_REFUSAL = (
    "it is a PyTorch pickle checkpoint (written by torch.save), and glassgrad never unpickles: "
    "loading a pickle can run arbitrary code. Convert it once, in PyTorch: "
    "`from safetensors.torch import save_file; save_file(model.state_dict(), 'model.safetensors')`, "
    "then glassgrad.load('model.safetensors')"
)


def memory_limit():
    """Bytes a checkpoint may claim: the machine's physical memory (a header claiming more
    is refused before anything is allocated)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 1 << 40


def check_claim(nbytes, name, what):
    limit = memory_limit()
    if nbytes > limit:
        raise CheckpointError(f"{name}: {what} claims {nbytes:,} bytes, more than this machine's "
                              f"{limit:,} bytes of memory: refused before allocating")
