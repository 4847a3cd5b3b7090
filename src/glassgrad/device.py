"""Devices, as PyTorch names them: ``glassgrad.device("cpu")``, the ``device=`` arguments and
the default device.

glassgrad computes with NumPy, so every tensor lives in CPU memory. A ``device`` object can
still name any of PyTorch's device types (``device("cuda")`` is a value a program may build
and print, as ``torch.device("cuda")`` is without a GPU); what is refused, in one line, is
*placing* a tensor or a module anywhere but on the CPU (:func:`cpu_only`).
"""

from .backend import xp

# The device types PyTorch's parser knows (torch.device("gpu") is an error, "xla" is not).
_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)


class CPUOnlyError(RuntimeError, ValueError):
    """Something that needs a GPU (or another accelerator) was asked of glassgrad.

    A RuntimeError, as PyTorch's own refusal on a machine without CUDA, and a ValueError
    (a device argument of a value glassgrad cannot take), as glassgrad's layers said before."""


class device:  # noqa: N801 - PyTorch's name
    """A device type and an optional index: ``device("cpu")``, ``device("cuda:1")``,
    ``device("cpu", 0)``. Equal when type and index are; printed as PyTorch prints them:
    ``repr`` is ``device(type='cpu')``, ``str`` is ``cpu`` (``cpu:0`` with an index)."""

    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's parameter name
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): give an index only with a device type string")
            self._type, self._index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # torch.device(0) names the first accelerator; there is none (as in PyTorch
            # without one, an error)
            raise CPUOnlyError(not_on_cpu(f"device({type})", "accelerator"))
        if not isinstance(type, str):
            raise TypeError(f"device() expects a device type string such as 'cpu', "
                            f"got {type.__class__.__name__}")
        name, colon, number = type.partition(":")
        if colon:
            if index is not None:
                raise RuntimeError(f"device(): the type string {type!r} already has an index")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"device(): the index must be an int, got {index!r}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self._type, self._index = name, index

    @property
    def type(self):
        """'cpu', 'cuda', 'mps', ..."""
        return self._type

    @property
    def index(self):
        """The device number, or None when none was given."""
        return self._index

    def __eq__(self, other):
        # as PyTorch: a device equals a device (device("cpu") == "cpu" is False)
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):  # copy.deepcopy of a model config that holds a device
        return (device, (self._type, self._index))


CPU = device("cpu")


def cpu_only(where, dev):
    """``dev`` (None, a string, an int or a device) as a device, checked to be the CPU:
    anything else is refused in one line that says why. ``where`` names the caller."""
    if dev is None:
        return CPU
    dev = device(dev)
    if dev.type != "cpu":
        raise CPUOnlyError(not_on_cpu(where, dev))
    return dev


def not_on_cpu(where, what):
    """The one-line refusal for a GPU request."""
    return (f"{where}: glassgrad runs on the CPU only (NumPy), there is no {what} device; "
            "use 'cpu' (the usual `'cuda' if torch.cuda.is_available() else 'cpu'` picks it)")


def names_a_dtype(arg):
    """True for a dtype or NumPy's name of one ('float64'): ``to()`` takes devices and
    dtypes in any order and tells them apart with this."""
    if isinstance(arg, (device, int)):
        return False
    try:
        xp.dtype(arg)
    except TypeError:
        return False
    return True


def set_default_device(dev):
    """As torch.set_default_device: the CPU (or None) is accepted, it is the only device."""
    cpu_only("set_default_device", dev)


def get_default_device():
    """device(type='cpu'), always."""
    return CPU
