"""Tensor: an ndarray, the node that made it, and a version counter.

A Tensor is deliberately thin. ``array`` is the plain NumPy array behind it, which you can
always look at (the framework's own code reads it; users reach it with ``.numpy()``);
``data`` is PyTorch's detached view of the same memory, a Tensor;
``grad_fn`` is the graph node (a Function instance) that produced it, None for leaves;
``_vc`` is a one-element list shared with views, bumped by every in-place change so that
backward can tell when a value it saved was overwritten.

The arithmetic methods (``x.exp()``, ``x + y``, ``x.sum(dim=1)``) are attached by
``glassgrad.ops.methods``: ops import this module, never the other way round.
"""

import weakref

from . import backend
from .backend import xp
from .device import CPU, CPUOnlyError, cpu_only, not_on_cpu
from .size import Size

_ndarray = xp.ndarray
_DTYPES = backend._DTYPES
_tuple_new = tuple.__new__


def _as_array(data, dtype=None):
    """Convert user data to an ndarray with PyTorch's dtype rules.

    Python floats (and lists of them) become the default float dtype (float32); Python
    ints become int64; bools stay bool; NumPy arrays keep their dtype (float64 included).
    """
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = xp.dtype(dtype)
        return xp.array(data, dtype=dtype, copy=True)
    if isinstance(data, (_ndarray, xp.generic)):
        return xp.array(data, copy=True)
    arr = xp.array(data)
    if arr.dtype.kind == "f":
        arr = arr.astype(backend.get_default_dtype(), copy=False)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(xp.int64, copy=False)
    elif arr.dtype.kind not in "bc":
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__} of dtype {arr.dtype}; "
            "expected numbers, nested lists of numbers or a NumPy array"
        )
    return arr



def _fill(t, array, vc):
    """Every field of a new Tensor, in the one place both constructors (``Tensor(...)``
    and ``Tensor._wrap`` for op outputs) set them: a leaf with no gradient yet, holding
    ``array``, with the version counter ``vc`` (shared with the tensors it is a view of)."""
    t.array = array
    t.grad = None
    t.grad_fn = None
    t.requires_grad = False
    t._vc = vc
    t.name = None
    t._hooks = None

class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "_vc", "name", "_hooks", "__weakref__")
    __array_priority__ = 1000  # make ndarray + Tensor call Tensor.__radd__

    def __init__(self, *args, dtype=None, requires_grad=False, name=None, device=None):
        """PyTorch's ``torch.Tensor(...)``: ``Tensor(2, 3)`` (a shape: filled with zeros,
        where PyTorch leaves the memory uninitialised), ``Tensor([1, 2])`` (data, in the
        default float dtype: torch.Tensor is torch.FloatTensor), ``Tensor()`` (empty).
        ``glassgrad.tensor(data)`` is the factory that keeps ints as int64."""
        cpu_only("Tensor()", device)
        _fill(self, _constructor_array(args, dtype), [0])
        self.name = name
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_data(cls, data, dtype=None, requires_grad=False, name=None):
        """A tensor holding a copy of ``data``, dtypes as ``glassgrad.tensor`` gives them."""
        t = cls._wrap(_as_array(data, dtype))
        t.name = name
        return t.requires_grad_(True) if requires_grad else t

    @classmethod
    def _wrap(cls, data, vc=None):
        """Fast constructor for op outputs: no conversion, no copy."""
        t = object.__new__(cls)
        _fill(t, data, [0] if vc is None else vc)
        return t

    # ------------------------------------------------------------ properties
    @property
    def shape(self):
        """The sizes of the dims, a glassgrad.Size (a tuple: ``x.shape == (2, 3)``)."""
        return _tuple_new(Size, self.array.shape)  # Size._of without the call (read often)

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def dtype(self):
        """The element type, e.g. glassgrad.float32 (equal to NumPy's float32)."""
        dtype = self.array.dtype
        return _DTYPES.get(dtype, dtype)

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        return self._vc[0]

    @property
    def device(self):
        """device(type='cpu'): glassgrad keeps every tensor in CPU memory."""
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def is_mps(self):
        return False

    @property
    def is_meta(self):
        return False

    def is_pinned(self):
        """False: pinned memory is for copies to a GPU, which glassgrad does not have."""
        return False

    def pin_memory(self):
        raise CPUOnlyError(not_on_cpu("Tensor.pin_memory()", "accelerator"))

    def get_device(self):
        """-1, PyTorch's answer for a CPU tensor."""
        return -1

    def size(self, dim=None):
        return Size._of(self.array.shape) if dim is None else self.array.shape[dim]

    def dim(self):
        return self.array.ndim

    def numel(self):
        return self.array.size

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def is_floating_point(self):
        return self.array.dtype.kind == "f"

    def is_complex(self):
        return self.array.dtype.kind == "c"

    def nelement(self):
        return self.array.size

    def ndimension(self):
        return self.array.ndim

    def element_size(self):
        """Bytes per element (4 for float32)."""
        return self.array.itemsize

    def stride(self, dim=None):
        """Steps in elements between neighbours along each dim, as PyTorch counts them
        (NumPy's .strides are in bytes). conv2d's outputs are channels-last in memory, so
        their strides are those of an (N, H, W, C) array read as (N, C, H, W)."""
        steps = tuple(b // self.array.itemsize for b in self.array.strides)
        return steps if dim is None else steps[dim]

    def is_contiguous(self):
        """True when the elements lie in memory in row-major order without gaps."""
        return self.array.flags.c_contiguous

    # ------------------------------------------------------------ device (CPU only)
    def cpu(self):
        """The tensor itself: glassgrad has only CPU memory (as PyTorch for a CPU tensor)."""
        return self

    def cuda(self, *args, **kwargs):
        raise CPUOnlyError(not_on_cpu("Tensor.cuda()", "CUDA"))

    def type(self, dtype=None, non_blocking=False):
        """With no argument, PyTorch's name of this tensor's type: ``'torch.FloatTensor'``
        for float32, ``'torch.LongTensor'`` for int64 (the strings PyTorch code compares
        against). With one, this tensor converted: ``x.type(glassgrad.DoubleTensor)``,
        ``x.type('torch.DoubleTensor')`` or ``x.type(glassgrad.float64)``."""
        from .legacy import dtype_of_type, type_name

        if dtype is None:
            return type_name(self.array.dtype)
        return self.to(dtype_of_type(dtype))

    # ------------------------------------------------------------ new tensors like this one
    def new_tensor(self, data, dtype=None, requires_grad=False):
        """A new tensor from ``data``, of this tensor's dtype unless ``dtype`` is given."""
        return Tensor._from_data(data, dtype=self.array.dtype if dtype is None else dtype,
                                 requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        return self._new(xp.full, _shape((size,)), dtype, requires_grad, fill_value)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return self._new(xp.zeros, _shape(size), dtype, requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return self._new(xp.ones, _shape(size), dtype, requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        return self._new(xp.empty, _shape(size), dtype, requires_grad)

    def _new(self, make, shape, dtype, requires_grad, *fill):
        """``make(shape, *fill)`` in ``dtype``, or this tensor's dtype when None."""
        array = make(shape, *fill, dtype=self.array.dtype if dtype is None else dtype)
        t = Tensor._wrap(array)
        return t.requires_grad_(True) if requires_grad else t

    def type_as(self, other):
        """This tensor in ``other``'s dtype (``self.to(other.dtype)``)."""
        return self.to(other.array.dtype)

    # ------------------------------------------------------------ random fills, in place
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with draws from U(a, b) (the global generator, or ``generator``)."""
        return self._fill_random(lambda rng, n: rng.uniform(a, b, n), generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with draws from N(mean, std^2)."""
        return self._fill_random(lambda rng, n: rng.normal(mean, std, n), generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 1 (probability p) or 0."""
        return self._fill_random(lambda rng, n: rng.random(n) < p, generator)

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill with draws from the exponential distribution of rate ``lambd``."""
        return self._fill_random(lambda rng, n: rng.exponential(1.0 / lambd, n), generator)

    def _fill_random(self, draw, generator):
        tracked = self._tracks()
        if tracked:
            self._refuse_leaf_in_graph()  # before a number is drawn
        values = xp.asarray(draw(backend.rng(generator), self.array.size))
        values = values.reshape(self.array.shape).astype(self.array.dtype, copy=False)
        if tracked:  # a tensor of the graph becomes a constant: no gradient flows through
            return self._assign_inplace(Tensor._wrap(values))
        self.array[...] = values
        self._bump()
        return self

    # ------------------------------------------------------------ conversion
    def numpy(self):
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy()"
            )
        return self.array

    def item(self):
        if self.array.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars, got shape {self.shape}"
            )
        return self.array.item()

    def tolist(self):
        return self.array.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} elements is ambiguous"
            )
        return bool(self.array.item())

    def __index__(self):
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.array.item())

    def __format__(self, spec):
        """``f"{loss:.4f}"``: a 0-d tensor formats as its number (as in PyTorch, even with an
        empty spec); a tensor with dims only with an empty spec (its str)."""
        if self.array.ndim == 0:
            return self.array.item().__format__(spec)
        return object.__format__(self, spec)

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    def __hash__(self):
        return id(self)

    # ------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_() can only change leaf tensors; use .detach() to make a new leaf"
            )
        if requires_grad and self.array.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.array.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def data(self):
        """The same values as a Tensor cut from the graph, as PyTorch's ``.data``.

        It shares memory with this tensor, so ``p.data.add_(u)`` or ``w.data.normal_(0, 0.02)``
        change ``p`` and ``w``; unlike ``detach()`` it has a version counter of its own, so
        autograd does not see such changes (PyTorch's rule: ``.data`` is the unchecked way in).
        """
        return Tensor._wrap(self.array)

    @data.setter
    def data(self, value):
        # p.data = new_values swaps the array behind p (any shape), as in PyTorch
        if isinstance(value, Tensor):
            value = value.array
        elif not isinstance(value, _ndarray):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        self.array = value

    def detach(self):
        """A new leaf sharing this tensor's data (and version counter), cut from the graph."""
        return Tensor._wrap(self.array, self._vc)

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    # x.backward() is glassgrad.autograd.gradients.tensor_backward and x[i] = v (when tracked)
    # glassgrad.ops.indexing.setitem: the layers above bind them (ops/methods.py), so that
    # this module imports neither the engine nor the ops.

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor
        replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            if self.grad_fn._hooks is None:
                self.grad_fn._hooks = []
            hooks = self.grad_fn._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        node = self.grad_fn
        if node is not None:
            node._retain = weakref.ref(self)
            if node._hooks is None:
                node._hooks = []  # the engine looks at _retain only for nodes with hooks

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain is not None

    def named(self, name):
        """Give this tensor a name for the explain mode; returns self."""
        self.name = name
        return self

    # ------------------------------------------------------------ in-place changes
    def _bump(self):
        self._vc[0] += 1

    def _assign_inplace(self, result):
        """Finish an in-place op computed out of place on a tensor that is in the graph:
        this tensor takes the result's data and node, and its version moves on, so any
        node that saved the old value will refuse to run backward."""
        self._refuse_leaf_in_graph()
        self.array = result.array
        self.grad_fn = result.grad_fn
        self.requires_grad = result.requires_grad
        self._bump()
        return self

    def _refuse_leaf_in_graph(self):
        if self.is_leaf and self.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation; "
                "wrap the update in `with glassgrad.no_grad():`"
            )

    def _stand_in(self):
        """This tensor as the input of an in-place op's out-of-place computation: same
        values and node, but its own version counter (and array object). The nodes of that
        computation save the old value, which the swap in _assign_inplace leaves intact, so
        they must not trip over the version bump that follows; nodes made earlier that
        saved this tensor (including as ``other`` of x.mul_(x)) still do, as in PyTorch."""
        t = Tensor._wrap(self.array.view())
        t.grad_fn = self.grad_fn
        t.requires_grad = self.requires_grad
        return t

    def _tracks(self, *others):
        from .autograd.grad_mode import _enabled

        if not _enabled[0]:
            return False
        return self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)

    def _inplace_binary(self, other, ufunc, outofplace):
        if self._tracks(other):
            return self._assign_inplace(outofplace(self._stand_in(), other))
        o = other.array if isinstance(other, Tensor) else other
        ufunc(self.array, o, out=self.array, casting="same_kind")
        self._bump()
        return self

    def _unary_inplace(self, outofplace, *others):
        """x.op_() for an elementwise op (relu_, sigmoid_, F.relu(x, inplace=True), ...):
        the op's result written into x, whose version moves on. In a graph (x, or one of
        the op's other tensor arguments ``others``, requires grad) it is computed out of
        place and swapped in (_assign_inplace); outside one it is written into x's own
        memory, so views of x see it. ``outofplace(t)`` computes the op."""
        if self._tracks(*others):
            result = outofplace(self._stand_in())
            _check_cast(result, self)
            return self._assign_inplace(result)
        result = outofplace(self)
        _check_cast(result, self)
        self.array[...] = result.array
        self._bump()
        return self

    def add_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_binary(other, xp.add, Tensor.__add__)

    def sub_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_binary(other, xp.subtract, Tensor.__sub__)

    def mul_(self, other):
        return self._inplace_binary(other, xp.multiply, Tensor.__mul__)

    def div_(self, other):
        return self._inplace_binary(other, xp.true_divide, Tensor.__truediv__)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        if self._tracks():
            return self._assign_inplace(self._stand_in() * 0 + value)
        self.array[...] = value
        self._bump()
        return self

    def clamp_(self, min=None, max=None):
        if self._tracks():
            return self._assign_inplace(self._stand_in().clamp(min, max))
        xp.clip(self.array, min, max, out=self.array)
        self._bump()
        return self

    def copy_(self, src):
        if self._tracks(src):
            return self._assign_inplace(src + self._stand_in() * 0)
        self.array[...] = src.array if isinstance(src, Tensor) else src
        self._bump()
        return self

    # ------------------------------------------------------------ display
    def _repr_html_(self):  # Jupyter: values as a table, shape, dtype, grad_fn
        from .display.tensor_html import tensor_html

        return tensor_html(self)

    def graph(self):
        """The graph that made this tensor (a ``display.Graph``: SVG in a notebook, ``.to_dot()``)."""
        from .display.graph import graph

        return graph(self)

    def __repr__(self):
        """PyTorch's printout (glassgrad.printing; glassgrad.set_printoptions changes it)."""
        from .printing import tensor_body

        array = self.array
        extras = []
        if array.size == 0:
            body = "[]"
            if array.ndim != 1:
                extras.append(f"size={tuple(array.shape)}")
        else:
            body = tensor_body(array, len("tensor("))
        if array.dtype not in (backend.get_default_dtype(), xp.int64, xp.bool_) or (
                array.size == 0 and array.dtype == xp.int64):
            extras.append(f"dtype={self.dtype!r}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        tail = "".join(", " + e for e in extras)
        return f"tensor({body}{tail})"


def _constructor_array(args, dtype):
    """The array of ``Tensor(*args)``: a shape of ints, a Size, a Tensor (shared, as
    PyTorch's Tensor(other) shares), or data in the default float dtype."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        data = args[0].array
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    dtype = backend.get_default_dtype() if dtype is None else dtype
    if not args:
        return xp.zeros((0,), dtype=dtype)
    if isinstance(args[0], Size) or all(
            isinstance(n, (int, xp.integer)) and not isinstance(n, bool) for n in args):
        return xp.zeros(_shape(args), dtype=dtype)
    if len(args) > 1:
        raise TypeError(f"Tensor() takes sizes (ints) or one sequence of data, got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    data = args[0]
    if isinstance(data, (bool, float, complex, xp.generic)):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__}); "
                        f"glassgrad.tensor({data!r}) makes a 0-d tensor")
    return _as_array(data, dtype)


def _shape(size):
    """A shape given as numbers or as one tuple/list, (2, 3) or ((2, 3),), checked: the
    factories (zeros, ones, ...) and the new_* methods take sizes this way."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, xp.integer)) or n < 0:
            raise ValueError(f"sizes must be non-negative integers, got {tuple(size)}")
    return tuple(int(n) for n in size)


def _check_cast(result, t):
    """An in-place op cannot change its tensor's dtype (an integer tensor cannot hold a
    sigmoid): PyTorch's error, raised before anything is written."""
    if not xp.can_cast(result.array.dtype, t.array.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.array.dtype} can't be cast to the desired output "
                           f"type {t.array.dtype} of the tensor changed in place (shape "
                           f"{tuple(t.shape)}); convert it first, e.g. x = x.float()")


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
