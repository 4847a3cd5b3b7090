r"""Image transforms with torchvision's names and behaviour (``torchvision.transforms``).

    from glassgrad.data import transforms as T
    augment = T.Compose([T.RandomCrop(28, padding=2), T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    train = T.TransformDataset(images_and_labels, transform=augment)   # then a DataLoader

Images are (C, H, W) glassgrad Tensors (or NumPy arrays (H, W) / (H, W, C) before
ToTensor). The random transforms draw from glassgrad's global generator, as torchvision's
draw from torch's: ``glassgrad.manual_seed(s)`` makes an augmentation reproducible.
Geometric transforms use nearest-neighbour sampling (torchvision's default for tensors)
and fill what comes from outside the image with ``fill``.
"""

import math
import numbers

import numpy as np

from ..tensor import Tensor

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "RandomAffine",
           "Lambda", "TransformDataset"]


def _uniform(low, high):
    """One draw of U(low, high) from glassgrad's global generator."""
    import glassgrad

    return low + (high - low) * float(glassgrad.rand(1).item())


def _randint(low, high):
    """One integer in [low, high) from glassgrad's global generator."""
    import glassgrad

    return int(glassgrad.randint(low, high, (1,)).item())


def _array(img):
    if isinstance(img, Tensor):
        return img.array
    raise TypeError(f"expected an image as a glassgrad Tensor (C, H, W), got {type(img).__name__}; "
                    "convert NumPy arrays with ToTensor() first")


def _like(array, img):
    return Tensor._wrap(np.ascontiguousarray(array))


class Compose:
    """Apply the transforms in order: ``Compose([t1, t2])(x) = t2(t1(x))``."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """A NumPy image (H, W) or (H, W, C) to a float Tensor (C, H, W); uint8 values are
    divided by 255 (to [0, 1]), other dtypes are kept as they are (torchvision's rule)."""

    def __call__(self, pic):
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: pic should be a NumPy array (H, W) or (H, W, C), got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise ValueError(f"ToTensor: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
        chw = pic[None] if pic.ndim == 2 else pic.transpose(2, 0, 1)
        if pic.dtype == np.uint8:
            chw = chw.astype(np.float32) / 255
        return Tensor._wrap(np.ascontiguousarray(chw))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """Per channel c: (x[c] - mean[c]) / std[c], on a Tensor (..., C, H, W)."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std evaluated to zero after conversion, leading to division by zero: {std}")

    def __call__(self, tensor):
        x = _array(tensor)
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(f"Normalize: input tensor should be a float tensor, got {x.dtype}")
        if x.ndim < 3:
            raise ValueError(f"Normalize: expected a tensor image of size (..., C, H, W), got shape {x.shape}")
        shape = (-1, 1, 1)
        mean = np.asarray(self.mean, dtype=x.dtype).reshape(shape)
        std = np.asarray(self.std, dtype=x.dtype).reshape(shape)
        out = (x - mean) / std
        if self.inplace:
            x[...] = out
            tensor._bump()  # an in-place change: the version counter must see it
            return tensor
        return _like(out, tensor)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


def _pair(size, name):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{name}: size should be an int or a sequence of 1 or 2 ints, got {size}")
    return int(size[0]), int(size[1])


def _pad(x, left, top, right, bottom, fill, mode):
    width = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, width, mode="constant", constant_values=fill)
    return np.pad(x, width, mode={"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[mode])


class RandomCrop:
    """Pad (``padding``: p, (left/right, top/bottom) or (left, top, right, bottom)), then cut a
    ``size`` window at a random place: each offset uniform over the positions that fit."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _pair(size, "RandomCrop")
        self.padding, self.pad_if_needed, self.fill = padding, pad_if_needed, fill
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: padding_mode should be constant, edge, reflect or symmetric, got {padding_mode!r}")
        self.padding_mode = padding_mode

    def __call__(self, img):
        x = _array(img)
        if self.padding is not None:
            p = self.padding
            p = (p, p, p, p) if isinstance(p, numbers.Number) else tuple(p)
            if len(p) == 2:
                p = (p[0], p[1], p[0], p[1])
            x = _pad(x, *p, self.fill, self.padding_mode)
        th, tw = self.size
        h, w = x.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(0, tw - w), max(0, th - h)
            x = _pad(x, dw, dh, dw, dh, self.fill, self.padding_mode)
            h, w = x.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: required crop size {(th, tw)} is larger than the input image size {(h, w)}")
        i = _randint(0, h - th + 1)
        j = _randint(0, w - tw + 1)
        return _like(x[..., i:i + th, j:j + tw], img)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability p."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        x = _array(img)
        if _uniform(0, 1) < self.p:
            return _like(x[..., ::-1], img)
        return img

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class RandomAffine:
    r"""Rotate by an angle in ``degrees``, shift by up to ``translate`` = (a, b) of the width
    and height, scale by a factor in ``scale`` = (lo, hi), shear by an angle in ``shear``;
    about the image centre, nearest-neighbour, ``fill`` outside.

    Each output pixel p takes the input pixel at M^{-1} (p - c - t) + c, M = R(angle) S(shear) * scale.
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None, fill=0, center=None):
        self.degrees = (-degrees, degrees) if isinstance(degrees, numbers.Number) else tuple(degrees)
        if isinstance(degrees, numbers.Number) and degrees < 0:
            raise ValueError("RandomAffine: if degrees is a single number, it must be positive")
        if translate is not None and not all(0 <= t <= 1 for t in translate):
            raise ValueError("RandomAffine: translation values should be between 0 and 1")
        if scale is not None and not all(s > 0 for s in scale):
            raise ValueError("RandomAffine: scale values should be positive")
        self.translate, self.scale, self.fill, self.center = translate, scale, fill, center
        if shear is None:
            self.shear = None
        elif isinstance(shear, numbers.Number):
            self.shear = (-shear, shear, 0.0, 0.0)
        else:
            self.shear = tuple(shear) + (0.0, 0.0) if len(shear) == 2 else tuple(shear)

    def get_params(self, height, width):
        angle = _uniform(*self.degrees)
        tx = ty = 0
        if self.translate is not None:
            mx, my = self.translate[0] * width, self.translate[1] * height
            tx, ty = int(round(_uniform(-mx, mx))), int(round(_uniform(-my, my)))
        scale = _uniform(*self.scale) if self.scale is not None else 1.0
        sx = sy = 0.0
        if self.shear is not None:
            sx = _uniform(self.shear[0], self.shear[1])
            if self.shear[2:] != (0.0, 0.0):
                sy = _uniform(self.shear[2], self.shear[3])
        return angle, (tx, ty), scale, (sx, sy)

    def __call__(self, img):
        x = _array(img)
        h, w = x.shape[-2:]
        angle, (tx, ty), scale, (sx, sy) = self.get_params(h, w)
        a, shx, shy = math.radians(angle), math.radians(sx), math.radians(sy)
        # counter-clockwise on screen (rows grow downwards), as torchvision turns
        rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
        shear = np.array([[1.0, math.tan(shx)], [math.tan(shy), 1.0]])
        m_inv = np.linalg.inv(scale * rot @ shear)
        cx, cy = self.center if self.center is not None else ((w - 1) / 2, (h - 1) / 2)
        yy, xx = np.mgrid[0:h, 0:w]
        dx, dy = xx - cx - tx, yy - cy - ty
        src_x = np.rint(m_inv[0, 0] * dx + m_inv[0, 1] * dy + cx).astype(int)
        src_y = np.rint(m_inv[1, 0] * dx + m_inv[1, 1] * dy + cy).astype(int)
        inside = (src_x >= 0) & (src_x < w) & (src_y >= 0) & (src_y < h)
        out = np.full_like(x, self.fill)
        out[..., inside] = x[..., src_y[inside], src_x[inside]]
        return _like(out, img)

    def __repr__(self):
        return f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, shear={self.shear})"


class Lambda:
    """A user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


class TransformDataset:
    """``dataset`` with ``transform`` applied to each input and ``target_transform`` to each
    target as they are read (what torchvision's datasets do with their transform= arguments):
    a new random augmentation every time an example is drawn."""

    def __init__(self, dataset, transform=None, target_transform=None):
        self.dataset, self.transform, self.target_transform = dataset, transform, target_transform

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        x, y = self.dataset[index]
        if self.transform is not None:
            x = self.transform(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y
