"""Optimizer: the base class of every update rule (SGD, Adam, RMSprop, Adagrad).

An optimizer owns

* ``param_groups``: a list of dicts. Each holds ``"params"`` (a list of leaf Tensors)
  and the hyperparameters for those tensors (``"lr"``, ``"momentum"``, ...); keys a group
  does not set are filled from the optimizer's ``defaults``. Two groups may have two
  learning rates (a common trick: a smaller lr for a pretrained part of a network).
* ``state``: one dict per parameter with what the rule remembers between steps
  (momentum buffer, Adam's moment estimates, the step count). Buffers are NumPy arrays
  shaped like the parameter, created on the parameter's first step.

``step()`` walks the groups and updates every parameter that has a ``.grad``, in place on
its raw array (``p.array``), so views of the parameter and the optimizer's own references
stay valid. The updates use NumPy ufuncs with ``out=`` into preallocated buffers: no
temporary arrays on the training hot path. Each update bumps the tensor's version counter,
so a graph that saved the old value refuses to backpropagate through it.

No graph is recorded during an update: the arithmetic is on ``p.array`` (plain arrays), not
on Tensors, which is what ``torch.no_grad()`` achieves inside ``torch.optim``.
"""

import numbers
from collections import defaultdict

from ..autograd.grad_mode import enable_grad
from ..backend import xp
from ..tensor import Tensor


class _RequiredParameter:
    """Marks a default that every param group must set itself (no sensible default)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class: param groups, per-parameter state, zero_grad, state_dict, step.

    A subclass passes its hyperparameter ``defaults`` to ``__init__``, checks one group's
    hyperparameters in ``_check_group(group)`` (called for the defaults and for every group
    added or loaded, before anything changes), and updates one group in
    ``_update_group(group)``; ``_direction(group)`` gives it the gradient with sign and
    weight decay applied.
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        if not any(value is required for value in self.defaults.values()):
            self._check_group(self.defaults)  # bad arguments fail before the params are read
        self.state = defaultdict(dict)
        self.param_groups = []
        self._work = _Workspace()

        groups = _as_group_list(params, type(self).__name__)
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (missing keys come
        from the optimizer's defaults). Everything is checked before the group is added."""
        who = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{who}: a param group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{who}: a param group needs a 'params' entry (the tensors to optimize)")
        group = dict(param_group)  # the caller's dict is left as it was
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        else:
            _refuse_set(params, who)
            params = list(params)
        if not params:
            raise ValueError(f"{who}: a param group has an empty list of parameters")
        for i, p in enumerate(params):
            _check_param(p, i, who)

        seen = set()
        for p in params:
            if id(p) in seen:
                raise ValueError(
                    f"{who}: the same tensor (shape {tuple(p.shape)}) appears twice in one "
                    "param group; it would be updated twice per step"
                )
            seen.add(id(p))
        for other in self.param_groups:
            if any(id(q) in seen for q in other["params"]):
                raise ValueError(f"{who}: some parameters appear in more than one parameter group")

        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(f"{who}: parameter group didn't specify a value of required optimization parameter {key}")
            group.setdefault(key, default)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    def _check_group(self, group):
        """Raise ValueError if a hyperparameter of ``group`` is out of range (subclasses)."""

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters before the next backward.

        ``set_to_none=True`` (the default, as in PyTorch) drops ``.grad``: the next backward
        stores a fresh array and a skipped parameter is visibly skipped (its grad stays None).
        ``set_to_none=False`` fills the existing gradient arrays with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:  # a gradient built with a graph: cut it
                        grad.grad_fn = None
                        grad.requires_grad = False
                    grad.array.fill(0)
                    grad._vc[0] += 1

    # ------------------------------------------------------------------ the update
    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (some methods, like L-BFGS,
        need several evaluations per step); it runs with gradient recording on.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement _update_group")

    def _with_grad(self, group):
        """The loop every update rule shares: for each parameter of ``group`` that has a
        gradient, yields ``(p, w, d, scratch)``: the parameter, its array, the direction
        ``d`` of :meth:`_direction` (the gradient itself when there is nothing to add) and
        the parameter's scratch arrays, of which ``d`` may occupy the first. Once the rule
        has updated ``w`` in place and asks for the next parameter, ``p``'s version moves
        on, so a graph that saved the old weights refuses to run backward."""
        direction = self._direction(group)
        views = self._work.views
        for p in group["params"]:
            if p.grad is None:
                continue
            w = p.array
            scratch = views(p)
            d = p.grad.array if direction is None else direction(p.grad.array, w, out=scratch[0])
            yield p, w, d, scratch
            p._vc[0] += 1

    def _direction(self, group):
        r"""The step every rule starts with: ``direction(g, w, out) -> d`` for one parameter.

        .. math:: d = \pm g + \lambda w \quad (- \text{ if maximize}; \ \lambda w
                  \text{ only with decay='l2'})

        in PyTorch's order (sign first, then the L2 term). ``d`` is ``out`` holding the
        result, or ``g`` itself when only a decoupled shrink applies. For an optimizer with
        a ``decay`` hyperparameter, ``decay='decoupled'`` shrinks the weight in place
        instead, :math:`w \leftarrow (1 - \eta\lambda) w`, and :math:`d = \pm g`.

        Returns None when the gradient is the direction as it is (no decay, not maximize),
        so the common case costs no call per parameter.
        """
        weight_decay = group["weight_decay"]
        maximize = group["maximize"]
        decoupled = "decay" in self.defaults and group["decay"] == "decoupled"
        l2 = 0 if decoupled else weight_decay
        shrink = 1 - group["lr"] * weight_decay if decoupled and weight_decay else None
        if not (l2 or maximize or shrink is not None):
            return None

        def direction(g, w, out):
            if shrink is not None:  # decoupled decay: w <- (1 - lr * wd) w (here l2 is 0)
                w *= shrink
            if l2:
                xp.multiply(w, l2, out=out)
                if maximize:
                    return xp.subtract(out, g, out=out)
                return xp.add(g, out, out=out)
            if maximize:
                return xp.negative(g, out=out)
            return g

        return direction

    # ------------------------------------------------------------------ saving
    def state_dict(self):
        """The optimizer's state as plain data, in PyTorch's layout.

        ``{'state': {index: {name: value}}, 'param_groups': [{hyperparameters...,
        'params': [index, ...]}]}``. Parameters are numbered 0, 1, 2, ... in the order of
        the groups, so a state dict can be loaded into an optimizer built over other tensors
        of the same shapes (a fresh copy of the model). Arrays are copied: the result is a
        snapshot that later steps do not change (PyTorch returns references).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            if values and id(p) in index:
                state[index[id(p)]] = {
                    key: value.copy() if isinstance(value, xp.ndarray) else value
                    for key, value in values.items()
                }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and buffers saved by ``state_dict()``.

        The saved groups must match this optimizer's groups in number and size, and every
        buffer must have its parameter's shape; all of it is checked before anything
        changes. Buffers are copied and cast to the parameter's dtype.
        """
        who = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(f"{who}.load_state_dict expects a dict with 'state' and 'param_groups' entries")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{who}.load_state_dict: loaded state dict has {len(saved_groups)} parameter "
                f"groups, but the optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            ids = saved.get("params")
            if ids is None or len(ids) != len(group["params"]):
                n = "no" if ids is None else len(ids)
                raise ValueError(
                    f"{who}.load_state_dict: loaded parameter group {i} has {n} parameters, "
                    f"but the optimizer's group {i} has {len(group['params'])}"
                )
            for idx, p in zip(ids, group["params"]):
                by_index[idx] = p
            new_group = {key: value for key, value in saved.items() if key != "params"}
            for key, default in self.defaults.items():
                new_group.setdefault(key, default)
            self._check_group(new_group)
            new_group["params"] = group["params"]
            new_groups.append(new_group)

        new_state = defaultdict(dict)
        for idx, values in state_dict["state"].items():
            if isinstance(idx, str) and idx.isdigit():  # keys that went through JSON or a file
                idx = int(idx)
            if idx not in by_index:
                raise ValueError(
                    f"{who}.load_state_dict: state for parameter index {idx}, which no "
                    f"parameter group lists (known indices: {sorted(by_index)})"
                )
            p = by_index[idx]
            new_state[p] = {key: _restore_value(key, value, p, idx, who) for key, value in values.items()}

        self.param_groups = new_groups
        self.state = new_state


# ---------------------------------------------------------------------- helpers
def _as_group_list(params, who):
    """The constructor's ``params`` as a list of group dicts (one group if plain tensors)."""
    if isinstance(params, Tensor):
        raise TypeError(
            f"{who}: params should be an iterable of Tensors or dicts, but got a single "
            f"Tensor of shape {tuple(params.shape)}; pass [tensor] or model.parameters()"
        )
    if isinstance(params, dict):
        raise TypeError(f"{who}: params should be an iterable of Tensors or of dicts, got one dict; pass [dict]")
    _refuse_set(params, who)
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{who}: params should be an iterable of Tensors or dicts, got {type(params).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{who} got an empty parameter list (did the model create its layers?)")
    if all(isinstance(item, dict) for item in items):
        return items
    if any(isinstance(item, dict) for item in items):
        raise TypeError(f"{who}: params mixes Tensors and dicts; give either all tensors or all param groups")
    return [{"params": items}]


def _refuse_set(params, who):
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{who}: parameters must be given in an ordered collection (list, tuple, "
            "generator), not a set: the order decides the indices in state_dict()"
        )


def _check_param(p, i, who):
    if not isinstance(p, Tensor):
        raise TypeError(f"{who} can only optimize Tensors, but parameter {i} is a {type(p).__name__}")
    if p.array.dtype.kind != "f":
        raise TypeError(f"{who} can only optimize floating-point tensors, parameter {i} has dtype {p.array.dtype}")
    if not p.requires_grad:
        raise ValueError(
            f"{who}: parameter {i} (shape {tuple(p.shape)}) does not require grad; create it "
            "with requires_grad=True or leave it out"
        )
    if not p.is_leaf:
        raise ValueError(
            f"{who} can't optimize a non-leaf Tensor (parameter {i}, made by "
            f"{type(p.grad_fn).__name__}): optimize the leaf it was computed from"
        )


def _restore_value(key, value, p, idx, who):
    """One saved state entry, checked against its parameter and copied in its dtype."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value.array
    if key == "step":
        step = xp.asarray(value)
        if step.size != 1:
            raise ValueError(f"{who}.load_state_dict: 'step' of parameter {idx} is not a number")
        return int(step.item())
    if isinstance(value, numbers.Number):
        return value
    arr = xp.asarray(value)
    if arr.shape != p.array.shape:
        raise ValueError(
            f"{who}.load_state_dict: state '{key}' of parameter {idx} has shape "
            f"{tuple(arr.shape)}, but the parameter has shape {tuple(p.array.shape)}"
        )
    return xp.array(arr, dtype=p.array.dtype, copy=True)


def check_number(who, name, value, low=0, high=None, high_open=False):
    """Raise a clear error unless ``low <= value`` (and ``value < high`` or ``<= high``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who}: {name} must be a real number, got {type(value).__name__}")
    if value != value:
        raise ValueError(f"{who}: {name} must be a number, got nan")
    if value < low or (high is not None and (value >= high if high_open else value > high)):
        upper = "" if high is None else (f" and < {high}" if high_open else f" and <= {high}")
        raise ValueError(f"{who}: invalid {name} {value}; expected a value >= {low}{upper}")


def decay_mode(who, decay, decoupled_weight_decay):
    """PyTorch's ``decoupled_weight_decay=True`` is glassgrad's ``decay='decoupled'``."""
    if decay is None:
        return "decoupled" if decoupled_weight_decay else "l2"
    if decoupled_weight_decay and decay != "decoupled":
        raise ValueError(
            f"{who}: decoupled_weight_decay=True contradicts decay={decay!r}; "
            "give one of them (decay='decoupled' is the same as decoupled_weight_decay=True)"
        )
    return decay


def check_torch_flags(who, differentiable):
    """PyTorch's implementation switches. ``foreach``, ``fused`` and ``capturable`` choose
    among PyTorch's kernels for the same update (glassgrad has one per rule), so they are
    accepted and change nothing; ``differentiable=True`` asks for a step that autograd can
    differentiate through, which glassgrad's in-place steps are not."""
    if differentiable:
        raise ValueError(f"{who}: differentiable=True is not supported: glassgrad updates the "
                         "weights in place, outside the graph")


def check_adam_group(who, group):
    """The hyperparameters Adam, AdamW, Adamax, NAdam and RAdam share: lr, betas, eps,
    weight_decay and decay."""
    check_number(who, "learning rate lr", group["lr"])
    check_betas(who, group["betas"])
    check_number(who, "eps", group["eps"])
    check_number(who, "weight_decay", group["weight_decay"])
    check_decay(who, group["decay"])


def check_betas(who, betas):
    """Adam's family: betas = (beta1, beta2), each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_number(who, "beta1 (betas[0])", betas[0], high=1, high_open=True)
    check_number(who, "beta2 (betas[1])", betas[1], high=1, high_open=True)


DECAY_MODES = ("l2", "decoupled")


def check_decay(who, decay):
    if decay not in DECAY_MODES:
        raise ValueError(
            f"{who}: decay must be 'l2' (add weight_decay * w to the gradient) or 'decoupled' "
            f"(shrink w by lr * weight_decay directly), got {decay!r}"
        )


def ema_square_(avg, d, beta, tmp):
    """``avg <- beta avg + (1 - beta) d^2`` in place: the moving average of squared
    gradients (Adam's v, RMSprop's and Adadelta's square_avg), in PyTorch's order
    ``avg.mul_(beta).addcmul_(d, d, value=1 - beta)``. ``tmp`` is scratch of d's shape."""
    avg *= beta
    xp.multiply(d, 1 - beta, out=tmp)
    tmp *= d
    avg += tmp


def lerp_(start, end, weight, tmp):
    """``start <- start + weight * (end - start)`` in place, PyTorch's lerp formulation.

    Like ``torch.lerp`` it switches to ``end - (end - start) * (1 - weight)`` for weights of
    1/2 or more, which is the more accurate of the two there.
    """
    xp.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        xp.subtract(end, tmp, out=start)


class _Workspace:
    """Scratch arrays for the updates, shared by all parameters of one dtype.

    Parameters are updated one after another, so two flat buffers sized for the largest
    parameter serve them all: a parameter gets views of the first ``numel`` entries. One
    small shared buffer stays in cache, where a scratch array per parameter would double
    the optimizer's memory.
    """

    SLOTS = 2

    def __init__(self):
        self._flat = {}  # dtype -> (numel per slot, flat array)
        self._views = {}  # (shape, dtype) -> tuple of SLOTS arrays
        self._by_param = {}  # id(tensor) -> (its data array, views): the fast path

    def views(self, p):
        """Scratch arrays shaped and typed like ``p.array``."""
        entry = self._by_param.get(id(p))
        a = p.array
        if entry is not None and entry[0] is a:  # same array as last step
            return entry[1]
        views = self._views.get((a.shape, a.dtype))
        if views is None:
            views = self._make(a.shape, a.dtype, a.size)
        self._by_param[id(p)] = (a, views)
        return views

    def _make(self, shape, dtype, n):
        size, flat = self._flat.get(dtype, (0, None))
        if n > size:
            size = n
            flat = xp.empty(self.SLOTS * size, dtype=dtype)
            self._flat[dtype] = (size, flat)
            # views into the old buffer stay valid but are dropped to free it
            for key in [k for k in self._views if k[1] == dtype]:
                del self._views[key]
            self._by_param = {k: v for k, v in self._by_param.items() if v[0].dtype != dtype}
        views = tuple(flat[k * size:k * size + n].reshape(shape) for k in range(self.SLOTS))
        self._views[(shape, dtype)] = views
        return views
