"""Module and Parameter: the containers that hold a model's weights.

A ``Module`` is an object whose attributes are its parts. Assigning a ``Parameter`` to an
attribute registers it as a weight; assigning a ``Module`` registers it as a child. From
that registry (kept in assignment order) come ``parameters()``, ``state_dict()``, the
nested ``repr`` and ``train()`` / ``eval()``, all with PyTorch's names and key spelling, so
a ``state_dict`` of ``Sequential(Linear(784, 256), ReLU(), Linear(256, 10))`` has the keys
``0.weight, 0.bias, 2.weight, 2.bias`` in both libraries.

    >>> model = Sequential(Linear(4, 4), Tanh(), Linear(4, 3))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
"""

from collections import OrderedDict, namedtuple

from ..autograd.grad_mode import no_grad
from ..backend import get_default_dtype, xp
from ..device import CPUOnlyError, cpu_only, names_a_dtype, not_on_cpu
from ..device import device as _Device
from ..tensor import Tensor, _as_array
from .backward_hooks import call_with_backward_hooks

__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "IncompatibleKeys"]


# ---------------------------------------------------------------------- Parameter
class Parameter(Tensor):
    """A Tensor that is a model's weight: a leaf that requires grad unless told otherwise.

    ``Parameter(t)`` shares ``t``'s array (no copy), as in PyTorch; lists and NumPy arrays
    are converted (and copied) like ``glassgrad.tensor``. Assigning a Parameter to a
    Module attribute is what registers it.
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = xp.empty((0,), dtype=get_default_dtype())
        if isinstance(data, Tensor):
            array, vc = data.array, data._vc  # share storage and version, like a detach
        else:
            array, vc = _as_array(data), None
        param = cls._wrap(array, vc)  # Tensor's own constructor: every slot set
        if requires_grad:
            param.requires_grad_(True)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # all done in __new__

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        copy = Parameter(self.array.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            copy.grad = Tensor._wrap(self.grad.array.copy())
        memo[id(self)] = copy
        return copy


# ---------------------------------------------------------------------- Module
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = "What load_state_dict(strict=False) could not match: two lists of keys."


class _RemovableHandle:
    def __init__(self, hooks, key):
        self._hooks = hooks
        self._key = key

    def remove(self):
        self._hooks.pop(self._key, None)


class Module:
    """Base class of every layer, loss and model.

    Subclasses call ``super().__init__()`` first, then assign their parts as attributes and
    write ``forward``. Calling the module calls ``forward`` (and any forward hooks).
    """

    # Set by __init__; a class default keeps reading .training safe in odd subclasses.
    training = True
    _hook_counter = [0]

    def __init__(self):
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_backward_pre_hooks"] = OrderedDict()

    # ------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if self._backward_hooks or self._backward_pre_hooks:
            output = call_with_backward_hooks(self, self.forward, args, kwargs)
        else:
            output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, args)`` before forward; a returned value replaces args."""
        return self._add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """Call ``hook(module, args, output)`` after forward; a returned value replaces output."""
        return self._add_hook(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect to
        this module's inputs are known (tuples of Tensors; None for an input that needs no
        gradient); a returned tuple replaces grad_input. See nn/backward_hooks.py."""
        return self._add_hook(self._backward_hooks, hook)

    def register_full_backward_pre_hook(self, hook):
        """Call ``hook(module, grad_output)`` when the gradient of this module's output is
        known, before it goes on into the module; a returned tuple replaces it."""
        return self._add_hook(self._backward_pre_hooks, hook)

    def _add_hook(self, table, hook):
        self._check_init()
        Module._hook_counter[0] += 1
        key = Module._hook_counter[0]
        table[key] = hook
        return _RemovableHandle(table, key)

    # ------------------------------------------------------------ registration
    def _check_init(self):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning parameters, "
                "buffers or submodules"
            )

    def _check_name(self, name, kind, table):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")

    def _store(self, table, name, value):
        """Put ``value`` in one registry table (and in no other), mirrored in __dict__.

        The tables (``_parameters``, ``_buffers``, ``_modules``) are the registry, in
        order; the mirror makes ``self.weight`` a plain attribute read (about 100 times
        cheaper than a __getattr__ fallback, which runs on every layer call). Every write
        goes through here, ``__delattr__`` or ``_replace_children``, so the two agree.
        """
        d = self.__dict__
        for other in ("_parameters", "_buffers", "_modules"):
            if other != table:
                d[other].pop(name, None)
        if table != "_buffers":
            d["_non_persistent_buffers"].discard(name)
        d[table][name] = value
        d[name] = value

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent weight) under ``name``."""
        self._check_init()
        self._check_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(glassgrad.nn.Parameter or None required)"
            )
        self._store("_parameters", name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Register a Tensor that is state but not a weight (e.g. running statistics).

        Persistent buffers appear in ``state_dict``; ``to(dtype)`` converts floating ones.
        """
        self._check_init()
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(glassgrad.Tensor or None required)"
            )
        self._store("_buffers", name, tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Register ``module`` as a child called ``name`` (None keeps the slot empty)."""
        self._check_init()
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._store("_modules", name, module)

    register_module = add_module

    def _replace_children(self, modules):
        """Make ``modules`` (in order) the children, named 0, 1, ... (containers renumber)."""
        d = self.__dict__
        for name in d["_modules"]:
            d.pop(name, None)
        d["_modules"] = OrderedDict()
        for i, module in enumerate(modules):
            self._store("_modules", str(i), module)

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            self._check_init()
            d.pop(name, None)  # a plain attribute of that name gives way, as in PyTorch
            self._store("_parameters", name, value)
        elif "_parameters" in d and name in d["_parameters"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(glassgrad.nn.Parameter or None expected)"
                )
            self._store("_parameters", name, None)
        elif isinstance(value, Module):
            self._check_init()
            d.pop(name, None)
            self._store("_modules", name, value)
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(glassgrad.nn.Module or None expected)"
                )
            self._store("_modules", name, None)
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(glassgrad.Tensor or None expected)"
                )
            self._store("_buffers", name, value)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Reached only when the __dict__ mirror has no such name: an entry someone put in
        # a table directly is still found.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                del d[table][name]
                d.pop(name, None)
                d["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        own = list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(set(super().__dir__()) | set(own))

    # ------------------------------------------------------------ walking the tree
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, depth first, in order."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is None:
                continue
            child_prefix = prefix + ("." if prefix else "") + name
            yield from child.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named_members(self, table, prefix, recurse, remove_duplicate):
        seen = set()
        walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [
            (prefix, self)
        ]
        for module_prefix, module in walk:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, each shared Parameter once, in registration order."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target):
        """The descendant called ``target`` ('0', 'encoder.1'); '' is the module itself."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules or module._modules[part] is None:
                raise AttributeError(f"{type(module).__name__} has no submodule '{part}' (in '{target}')")
            module = module._modules[part]
        return module

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"{type(module).__name__} has no parameter '{name}' (in '{target}')")
        return module._parameters[name]

    def apply(self, fn):
        """Call ``fn(m)`` on every child (recursively), then on self; return self.

        The usual use is custom initialisation: ``model.apply(init_weights)``.
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ modes and gradients
    def train(self, mode=True):
        """Set training mode (Dropout drops) on this module and all descendants; return self."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode (Dropout is the identity): same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze (True) every parameter; return self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of every parameter: set ``.grad`` to None (default) or zero it."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.array[...] = 0
                p.grad._bump()

    # ------------------------------------------------------------ dtype conversion
    def _apply_to_floating(self, dtype):
        # Convert in place so that Parameter objects keep their identity: an optimizer
        # built before .double() still holds the same parameters.
        for module in self.modules():
            for table in (module._parameters, module._buffers):
                for t in table.values():
                    if t is None or t.array.dtype.kind != "f" or t.array.dtype == dtype:
                        continue
                    t.array = t.array.astype(dtype)
                    if t.grad is not None:
                        t.grad.array = t.grad.array.astype(dtype)
        return self

    def to(self, *args, dtype=None, device=None):
        """Convert floating-point parameters and buffers to ``dtype``, in place; return self.

        Accepts ``to(dtype)``, ``to(tensor)`` (take its dtype), ``to("cpu")`` and
        ``to(device, dtype)`` as PyTorch does; glassgrad has one device, the CPU.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.array.dtype
            elif isinstance(arg, (str, int, _Device)) and not names_a_dtype(arg):
                device = arg
            else:
                dtype = arg
        cpu_only("Module.to()", device)
        if dtype is None:
            return self
        try:
            dtype = xp.dtype(dtype)
        except TypeError:
            raise TypeError(f"to() expects a dtype, a tensor or 'cpu', got {dtype!r}") from None
        if dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        return self._apply_to_floating(dtype)

    def cpu(self):
        """The module itself: glassgrad's parameters live in CPU memory (NumPy)."""
        return self

    def cuda(self, device=None):
        raise CPUOnlyError(not_on_cpu("Module.cuda()", "CUDA"))

    def double(self):
        """Make floating-point parameters and buffers float64; return self."""
        return self._apply_to_floating(xp.dtype("float64"))

    def float(self):
        """Make floating-point parameters and buffers float32; return self."""
        return self._apply_to_floating(xp.dtype("float32"))

    # ------------------------------------------------------------ state dict
    def _local_state(self):
        """This module's own entries: parameters then persistent buffers, None skipped."""
        state = [(n, p) for n, p in self._parameters.items() if p is not None]
        state += [
            (n, b) for n, b in self._buffers.items()
            if b is not None and n not in self._non_persistent_buffers
        ]
        return state

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted names (``'0.weight'``) to tensors.

        The values are detached tensors sharing the parameters' arrays (no copy): save them
        or copy them, but know that an optimizer step changes them. ``keep_vars=True``
        returns the Parameters themselves. Order and names match PyTorch's.
        """
        if destination is None:
            destination = OrderedDict()
        for name, value in self._local_state():
            destination[prefix + name] = value if keep_vars else value.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _state_entries(self):
        """name -> the live Tensor (Parameter or buffer) behind each state_dict key."""
        entries = OrderedDict()
        for prefix, module in self.named_modules(remove_duplicate=False):
            for name, value in module._local_state():
                entries[(prefix + "." if prefix else "") + name] = value
        return entries

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything is written: every key, every shape, every
        dtype. With ``strict=True`` missing or unexpected keys are an error; a shape
        mismatch, or a non-floating value for a floating parameter, is always an error. On
        error nothing has changed. Values may be Tensors or NumPy arrays; floating values of
        another precision are converted, as PyTorch does. The parameters keep their
        identity (values are copied in), so an existing optimizer keeps working.

        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        entries = self._state_entries()
        missing = [k for k in entries if k not in state_dict]
        unexpected = [k for k in state_dict.keys() if k not in entries]

        errors = []
        if strict:
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + "."
                )
        copies = []
        for key, target in entries.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if isinstance(value, Tensor):
                array = value.array
            elif isinstance(value, (xp.ndarray, xp.generic)):
                array = xp.asarray(value)
            else:
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor or numpy.ndarray '
                    f"but received {type(value).__name__}."
                )
                continue
            if array.shape != target.array.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} from "
                    f"checkpoint, the shape in current model is {tuple(target.array.shape)}."
                )
                continue
            if _kind(array.dtype) != _kind(target.array.dtype):
                errors.append(
                    f"dtype mismatch for {key}: copying a value of dtype {array.dtype} from checkpoint "
                    f"into a {target.array.dtype} tensor of the current model."
                )
                continue
            copies.append((target, array))

        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for target, array in copies:
                if array is not target.array:
                    xp.copyto(target.array, array, casting="unsafe")  # same kind: checked above
                target._bump()
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ display
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (override in layers)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def _repr_html_(self):  # Jupyter: a summary table (glassgrad.display.summary adds output shapes)
        from ..display.summary import module_html

        return module_html(self)

    def __repr__(self):
        # PyTorch's layout, character for character: extra_repr lines, then one line per
        # child "(name): repr", children indented by two spaces.
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            "(" + name + "): " + _addindent(repr(child), 2) for name, child in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _addindent(text, spaces):
    """Indent every line but the first by ``spaces`` (blank lines stay empty)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line if line.strip() else "" for line in lines[1:])


def _kind(dtype):
    """'float', 'int' or 'bool': load_state_dict converts within a kind, never across."""
    return {"f": "float", "i": "int", "u": "int", "b": "bool", "c": "complex"}.get(dtype.kind, dtype.kind)


# ---------------------------------------------------------------------- containers
def _normalise_index(index, length, kind):
    if isinstance(index, bool) or not isinstance(index, (int, xp.integer)):
        raise TypeError(f"{kind} indices must be integers or slices, not {type(index).__name__}")
    index = int(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a {kind} of length {length}")
    return index % length


class _Container(Module):
    """What Sequential and ModuleList share: children in order; deleting or inserting one
    renames them all by position, "0", "1", ... (as in PyTorch)."""

    _container_name = "container"  # named in error messages (not the subclass's name)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __delitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[_normalise_index(index, len(items), self._container_name)]
        self._replace_children(items)  # names stay 0..n-1, as in PyTorch

    def append(self, module):
        """Add ``module`` at the end (named by its position); return self."""
        self.add_module(str(len(self)), module)
        return self

    def _insert(self, index, module, in_range):
        """Put ``module`` before position ``index`` (list.insert's rule) and renumber;
        ``in_range`` refuses an index outside -len..len instead of clamping it."""
        if not isinstance(module, Module):
            raise TypeError(f"module should be of type Module, got {type(module).__name__}")
        items = list(self._modules.values())
        if in_range and not -len(items) <= index <= len(items):
            raise IndexError(f"Index out of range: {index}")
        items.insert(index, module)
        self._replace_children(items)


class Sequential(_Container):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The children are named "0", "1", ... (or by the keys of an OrderedDict), which are
    the prefixes of the state_dict keys: ``0.weight``, ``2.bias``.
    """

    _container_name = "Sequential"

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        keys = list(self._modules)
        return self._modules[keys[_normalise_index(index, len(keys), "Sequential")]]

    def __setitem__(self, index, module):
        keys = list(self._modules)
        self.add_module(keys[_normalise_index(index, len(keys), "Sequential")], module)

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        self._insert(index, module, in_range=True)
        return self


class ModuleList(_Container):
    """A list of modules whose parameters are registered (a plain list's would not be)."""

    _container_name = "ModuleList"

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return self._modules[str(_normalise_index(index, len(self), "ModuleList"))]

    def __setitem__(self, index, module):
        self.add_module(str(_normalise_index(index, len(self), "ModuleList")), module)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def extend(self, modules):
        if isinstance(modules, (Module, str)) or not hasattr(modules, "__iter__"):
            raise TypeError(f"ModuleList.extend should be called with an iterable, got {type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        self._insert(index, module, in_range=False)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            "ModuleList has no forward: iterate over it (for layer in layers: x = layer(x))"
        )

    def __repr__(self):
        # PyTorch compresses runs of identical children: "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks = []  # [start, end, text]
        for i, text in enumerate(reprs):
            if blocks and blocks[-1][2] == text:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, text])
        lines = []
        for start, end, text in blocks:
            if start == end:
                line = f"({start}): {text}"
            else:
                line = f"({start}-{end}): {end - start + 1} x {text}"
            lines.append(_addindent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
