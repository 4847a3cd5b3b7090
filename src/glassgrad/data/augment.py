r"""Random shifts of whole batches of images: data augmentation at the cost of one gather.

Per image, ``random_shift(images, padding)`` does what torchvision's
``RandomCrop(size, padding=padding)`` (and glassgrad's ``transforms.RandomCrop``) does: pad
with ``padding`` zeros on every side, then cut a window of the original size at a place
drawn uniformly among the (2 padding + 1)^2 that fit. The image moves by (dy, dx), each
uniform over -padding .. padding, and zeros come in at the edges:

    out[n, c, i, j] = padded[n, c, i + top_n, j + left_n],   top_n, left_n ~ U{0 .. 2 padding}

``transforms.RandomCrop`` does it one image at a time as a dataset reads it (torchvision's
way); here the whole batch moves in one NumPy gather, each image by its own offset, so a
training loop can afford a new shift of every image at every epoch.

    from glassgrad.data import DataLoader
    from glassgrad.data.augment import RandomShiftLoader
    loader = RandomShiftLoader(DataLoader(train, batch_size=64, shuffle=True), padding=2)
"""

import numpy as np

from .. import backend
from ..tensor import Tensor

__all__ = ["random_shift", "RandomShiftLoader"]


def random_shift(images, padding, generator=None):
    """A new (N, C, H, W) Tensor: each image of ``images`` (N, C, H, W) moved by its own
    random offset of at most ``padding`` pixels along each axis, zeros filling in.
    Draws 2 N integers from ``generator`` (a glassgrad.Generator; default the global one)."""
    _check_padding(padding)
    x = images.array if isinstance(images, Tensor) else np.asarray(images)
    if x.ndim != 4:
        raise ValueError(f"random_shift: expected images of shape (N, C, H, W), got shape {tuple(x.shape)}")
    if padding == 0:
        return Tensor._wrap(x.copy())
    n, c, h, w = x.shape
    padded = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    top, left = backend.rng(generator).integers(0, 2 * padding + 1, size=(2, n))
    rows = top[:, None] + np.arange(h)   # (N, H): the rows of padded that image n keeps
    cols = left[:, None] + np.arange(w)  # (N, W)
    out = padded[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None],
                 rows[:, None, :, None], cols[:, None, None, :]]
    return Tensor._wrap(out)


class RandomShiftLoader:
    """The batches of ``loader`` (pairs of images (N, C, H, W) and targets) with every image
    moved by a new ``random_shift`` each time it is drawn; the targets are passed as they are.
    ``len`` is the loader's, so ``fit`` and the progress bar count batches as before."""

    def __init__(self, loader, padding, generator=None):
        _check_padding(padding)
        self.loader, self.padding, self.generator = loader, padding, generator

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            yield random_shift(x, self.padding, self.generator), y

    def __repr__(self):
        return f"RandomShiftLoader({self.loader!r}, padding={self.padding})"


def _check_padding(padding):
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"random_shift: padding should be a whole number of pixels >= 0, got {padding!r}")
