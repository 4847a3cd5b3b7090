"""Dict- and list-like containers whose contents are registered with the module:
ModuleDict (named child modules), ParameterList and ParameterDict (Parameters).

A plain Python list or dict of layers or weights is invisible to ``parameters()``,
``state_dict()``, ``train()`` and ``to()``; these containers register every entry under its
key (or position, "0", "1", ...), so the state_dict keys are PyTorch's: ``blocks.conv.weight``
for a ModuleDict entry, ``weights.0`` for a ParameterList entry.
"""


from ..tensor import Tensor
from .module import Module, Parameter, _normalise_index

__all__ = ["ModuleDict", "ParameterList", "ParameterDict"]


def _pairs(items, owner):
    """(key, value) pairs from a mapping or an iterable of pairs, as dict.update takes them."""
    if hasattr(items, "keys"):
        return [(k, items[k]) for k in items.keys()]
    pairs = []
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValueError(f"{owner}.update: element #{i} should be a (key, value) pair, "
                             f"got {item!r}")
        pairs.append(tuple(item))
    return pairs


class ModuleDict(Module):
    """Child modules by name, in insertion order: ``blocks["encoder"]``, ``for name in blocks``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]
        self.__dict__.pop(key, None)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        for key in list(self._modules):
            del self[key]

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        # another ModuleDict is a mapping (as in PyTorch); any other Module is not
        if isinstance(modules, Module) and not isinstance(modules, ModuleDict) \
                or not hasattr(modules, "__iter__"):
            raise TypeError("ModuleDict.update should be called with a mapping or an iterable "
                            f"of (key, module) pairs, got {type(modules).__name__}")
        for key, module in _pairs(modules, "ModuleDict"):
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: call its entries by name")


def _as_parameter(value, owner):
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)  # as PyTorch: a plain tensor becomes a Parameter (shared data)
    raise TypeError(f"{owner} holds Parameters or Tensors, got {type(value).__name__}")


def _parameter_line(key, p):
    size = "x".join(str(s) for s in p.shape)
    return f"  ({key}): Parameter containing: [{p.dtype} of size {size}]"


class ParameterList(Module):
    """Parameters in a list, registered as "0", "1", ... (tensors are made Parameters)."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self)[index])
        return self._parameters[str(_normalise_index(index, len(self), "ParameterList"))]

    def __setitem__(self, index, value):
        key = str(_normalise_index(index, len(self), "ParameterList"))
        self.register_parameter(key, _as_parameter(value, "ParameterList"))

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList"))
        return self

    def extend(self, values):
        if isinstance(values, Tensor) or not hasattr(values, "__iter__"):
            raise TypeError("ParameterList.extend should be called with an iterable, got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values):
        return self.extend(values)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList has no forward: index it or iterate over it")

    def extra_repr(self):
        return "\n".join(_parameter_line(i, p) for i, p in enumerate(self))


class ParameterDict(Module):
    """Parameters by name, in insertion order (tensors are made Parameters)."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key):
        del self._parameters[key]
        self.__dict__.pop(key, None)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def items(self):
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def clear(self):
        for key in list(self._parameters):
            del self[key]

    def update(self, parameters):
        if isinstance(parameters, Tensor) or not hasattr(parameters, "__iter__"):
            raise TypeError("ParameterDict.update should be called with a mapping or an "
                            f"iterable of (key, tensor) pairs, got {type(parameters).__name__}")
        for key, value in _pairs(parameters, "ParameterDict"):
            self[key] = value

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterDict has no forward: index it by name")

    def extra_repr(self):
        return "\n".join(_parameter_line(k, p) for k, p in self.items())
