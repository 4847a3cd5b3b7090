"""glassgrad.data.transforms: torchvision's transforms checked by hand (torchvision is not
an oracle here: it is not installed with the test extra)."""

import numpy as np
import pytest

import glassgrad
from glassgrad.data import DataLoader, TensorDataset
from glassgrad.data import transforms as T


def img(a):
    return glassgrad.tensor(np.asarray(a, dtype=np.float32))


def test_to_tensor_moves_channels_first_and_scales_uint8_only():
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    out = T.ToTensor()(hwc).numpy()
    assert out.shape == (4, 2, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, hwc.transpose(2, 0, 1) / np.float32(255))
    hw = np.ones((2, 3), dtype=np.float64) * 7
    out = T.ToTensor()(hw).numpy()
    assert out.shape == (1, 2, 3) and (out == 7).all()  # floats are not divided
    with pytest.raises(TypeError, match="NumPy array"):
        T.ToTensor()([1, 2])


def test_normalize_per_channel():
    x = img(np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)]))
    out = T.Normalize((0.5, 1.0), (0.5, 2.0))(x).numpy()
    np.testing.assert_array_equal(out[0], 1.0)  # (1 - 0.5) / 0.5
    np.testing.assert_array_equal(out[1], 1.0)  # (3 - 1) / 2
    assert x.numpy()[0, 0, 0] == 1.0           # not in place by default
    T.Normalize((0.5, 1.0), (0.5, 2.0), inplace=True)(x)
    assert x.numpy()[0, 0, 0] == 1.0 and x.numpy()[1, 0, 0] == 1.0
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0,), (0,))


def test_random_crop_with_padding_is_a_window_of_the_padded_image():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4) + 1
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2)))
    glassgrad.manual_seed(0)
    seen = set()
    for _ in range(300):
        out = T.RandomCrop(4, padding=2)(img(x)).numpy()
        hits = [(i, j) for i in range(5) for j in range(5) if (padded[:, i:i + 4, j:j + 4] == out).all()]
        assert hits  # always some window of the padded picture
        seen.update(hits)
    assert len(seen) == 25  # every offset 0..4 x 0..4 is drawn


def test_random_crop_is_reproducible_from_the_seed():
    x = img(np.random.default_rng(0).random((1, 8, 8)))
    glassgrad.manual_seed(5)
    a = [T.RandomCrop(6, padding=1)(x).numpy() for _ in range(5)]
    glassgrad.manual_seed(5)
    b = [T.RandomCrop(6, padding=1)(x).numpy() for _ in range(5)]
    assert all((u == v).all() for u, v in zip(a, b))


def test_random_crop_too_large_is_refused():
    with pytest.raises(ValueError, match="larger than the input image size"):
        T.RandomCrop(5)(img(np.zeros((1, 4, 4))))


def test_horizontal_flip_probability_one_and_zero():
    x = img([[[1, 2, 3]]])
    assert T.RandomHorizontalFlip(p=1.0)(x).numpy().tolist() == [[[3, 2, 1]]]
    assert T.RandomHorizontalFlip(p=0.0)(x).numpy().tolist() == [[[1, 2, 3]]]


def test_affine_rotation_by_90_degrees_is_counter_clockwise():
    x = np.zeros((1, 5, 5), dtype=np.float32)
    x[0, 0, 2] = 1  # top middle
    out = T.RandomAffine(degrees=(90, 90))(img(x)).numpy()
    expected = np.rot90(x, 1, axes=(1, 2))  # NumPy's rot90 turns counter-clockwise
    np.testing.assert_array_equal(out, expected)
    assert out[0, 2, 0] == 1  # the pixel went to the left middle


def test_affine_translation_moves_content_by_whole_pixels_with_fill():
    x = np.zeros((1, 6, 6), dtype=np.float32)
    x[0, 2, 2] = 1
    glassgrad.manual_seed(0)
    for _ in range(20):
        out = T.RandomAffine(degrees=0, translate=(0.34, 0.34), fill=0)(img(x)).numpy()
        (r, c), = np.argwhere(out[0] == 1)
        assert abs(r - 2) <= 2 and abs(c - 2) <= 2 and out.sum() == 1  # |shift| <= 0.34 * 6


def test_lambda_and_compose_apply_in_order():
    t = T.Compose([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 10)])
    assert t(img([[[1.0]]])).numpy().item() == 20.0
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)


def test_transform_dataset_feeds_a_data_loader():
    X = glassgrad.tensor(np.ones((6, 1, 4, 4), dtype=np.float32))
    y = glassgrad.tensor(np.arange(6))
    ds = T.TransformDataset(TensorDataset(X, y), transform=T.RandomCrop(4, padding=1),
                            target_transform=lambda t: t * 2)
    glassgrad.manual_seed(0)
    xb, yb = next(iter(DataLoader(ds, batch_size=6)))
    assert tuple(xb.shape) == (6, 1, 4, 4) and yb.numpy().tolist() == [0, 2, 4, 6, 8, 10]
    # padding with zeros then cropping: each crop keeps some of the ones and may take zeros
    assert (xb.numpy().reshape(6, -1).sum(1) >= 9).all()
