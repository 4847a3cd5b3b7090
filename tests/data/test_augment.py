"""data.augment: a batch's random shifts, each image against every shift written by hand
(zeros coming in at the edges, as in torchvision's RandomCrop(size, padding))."""

import numpy as np
import pytest

import glassgrad
from glassgrad.data import DataLoader, TensorDataset
from glassgrad.data.augment import RandomShiftLoader, random_shift


def shifted(image, dy, dx):
    """image (C, H, W) moved dy rows down and dx columns right, zeros filling in: by hand."""
    c, h, w = image.shape
    out = np.zeros_like(image)
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[:, i, j] = image[:, i - dy, j - dx]
    return out


def offsets_of(images, outputs, padding):
    """For each pair, the (dy, dx) whose hand-made shift gives the output (None if none does)."""
    found = []
    for image, out in zip(images, outputs):
        match = [(dy, dx) for dy in range(-padding, padding + 1) for dx in range(-padding, padding + 1)
                 if np.array_equal(shifted(image, dy, dx), out)]
        found.append(match[0] if len(match) == 1 else None)
    return found


def test_each_image_is_one_of_the_hand_made_shifts():
    rng = np.random.default_rng(0)
    # values in [1, 2): no pixel is 0, so each shift leaves a different pattern of zeros
    images = (1 + rng.random((40, 2, 6, 5))).astype(np.float32)
    out = random_shift(glassgrad.tensor(images), 2, generator=glassgrad.Generator(0)).numpy()
    assert out.shape == images.shape and out.dtype == images.dtype
    found = offsets_of(images, out, 2)
    assert None not in found
    assert len(set(found)) > 10  # 40 images, 25 possible offsets: they differ from image to image


def test_offsets_cover_the_square_uniformly():
    # 5000 one-pixel images of value 1 on a 3x3 canvas, padding 1: the pixel lands on each of
    # the 9 cells with probability 1/9. Counts of a binomial(5000, 1/9): mean 556, sd 22.
    images = np.zeros((5000, 1, 3, 3), dtype=np.float32)
    images[:, 0, 1, 1] = 1
    out = random_shift(images, 1, generator=glassgrad.Generator(3)).numpy()
    assert (out.sum(axis=(1, 2, 3)) == 1).all()
    counts = out.sum(axis=0)[0]
    assert np.all(np.abs(counts - 5000 / 9) < 5 * 22)


def test_padding_zero_leaves_the_images_and_seeds_repeat():
    images = np.arange(2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    assert np.array_equal(random_shift(images, 0).numpy(), images)
    a = random_shift(images, 1, generator=glassgrad.Generator(7)).numpy()
    b = random_shift(images, 1, generator=glassgrad.Generator(7)).numpy()
    assert np.array_equal(a, b)


def test_the_loader_shifts_inputs_and_keeps_targets_and_length():
    X = glassgrad.tensor((1 + np.random.default_rng(1).random((10, 1, 5, 5))).astype(np.float32))
    y = glassgrad.tensor(np.arange(10))
    loader = RandomShiftLoader(DataLoader(TensorDataset(X, y), batch_size=4), padding=1,
                               generator=glassgrad.Generator(0))
    assert len(loader) == 3
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    xs = np.concatenate([b[0].numpy() for b in batches])
    assert np.array_equal(np.concatenate([b[1].numpy() for b in batches]), np.arange(10))
    assert None not in offsets_of(X.numpy(), xs, 1)


@pytest.mark.parametrize("bad, message", [
    (dict(padding=-1), "padding should be a whole number of pixels >= 0, got -1"),
    (dict(padding=1.5), "got 1.5"),
    (dict(images=np.zeros((3, 28, 28))), "expected images of shape (N, C, H, W), got shape (3, 28, 28)"),
])
def test_bad_arguments_get_one_clear_line(bad, message):
    args = dict(images=np.zeros((2, 1, 4, 4), dtype=np.float32), padding=1)
    args.update(bad)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        random_shift(args["images"], args["padding"])
