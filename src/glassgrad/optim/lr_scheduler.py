"""Learning-rate schedules: change each param group's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch (or per iteration, if the schedule is counted in
iterations), after ``optimizer.step()``. A scheduler writes the new rate into
``optimizer.param_groups[i]["lr"]``; ``get_last_lr()`` returns what it wrote last.

The rates are computed as PyTorch computes them, step by step from the previous rate
(``lr <- lr * gamma``), so the numbers agree with ``torch.optim.lr_scheduler`` to the last
digit; each class also states its closed form.
"""

import math
import types
from bisect import bisect_right
from collections import Counter

from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers the initial rates and the epoch counter ``last_epoch``.

    A subclass implements ``get_lr()``: the rates for epoch ``last_epoch`` (already
    advanced), usually from the current ``group["lr"]``. Creating a scheduler performs
    step 0, which leaves the rates as they are for most schedules.
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} expects a glassgrad Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming a scheduler with last_epoch={last_epoch}: load the "
                        "optimizer's state dict first, or start from last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """Step 0, taken by the constructor (and by SequentialLR when a scheduler starts)."""
        self._step_count = 0
        self._is_initial = True  # step 0 must not move the rates
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def get_last_lr(self):
        """The rates this scheduler set last, one per param group."""
        return list(self._last_lr)

    def step(self):
        """Advance one epoch and write the new rates into the optimizer's groups."""
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch=None):
        """Write the rates of the next epoch, or of epoch ``epoch`` (by the closed form
        where the schedule has one: SequentialLR restarts a schedule at epoch 0 this way)."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Everything but the optimizer (save the optimizer's own state_dict with it)."""
        return {
            key: (value.copy() if isinstance(value, (list, dict)) else value)
            for key, value in self.__dict__.items()
            if key != "optimizer"
        }

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _check_positive_int(who, name, value):
    # a whole float counts (PyTorch's transformer tutorial passes StepLR(optimizer, 1.0, ...))
    whole = isinstance(value, int) or isinstance(value, float) and value.is_integer()
    if isinstance(value, bool) or not whole or value < 1:
        raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")


def _check_gamma(who, gamma):
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not gamma >= 0:
        raise ValueError(f"{who}: gamma must be a number >= 0, got {gamma!r}")


class StepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs.

    Closed form: :math:`\eta_t = \eta_0 \, \gamma^{\lfloor t / \text{step\_size} \rfloor}`.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_positive_int("StepLR", "step_size", step_size)
        _check_gamma("StepLR", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` at each epoch listed in ``milestones``.

    A milestone listed twice multiplies by :math:`\gamma^2`. Closed form:
    :math:`\eta_t = \eta_0 \, \gamma^{\#\{m \in \text{milestones} : m \le t\}}`.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, int) or m < 0:
                raise ValueError(f"MultiStepLR: milestones must be epoch numbers >= 0, got {m!r}")
        _check_gamma("MultiStepLR", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every epoch: :math:`\eta_t = \eta_0 \gamma^t`."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_gamma("ExponentialLR", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial rate :math:`\eta_0` down to ``eta_min``.

    Closed form (SGDR without restarts):

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    The rate reaches ``eta_min`` at :math:`t = T_{\max}` and, if training goes on, climbs
    back (the cosine is periodic with period :math:`2 T_{\max}`). Like PyTorch, each step
    is computed from the previous rate by the ratio of consecutive cosine terms,

    .. math::
        \eta_{t} = \eta_{\min} + (\eta_{t-1} - \eta_{\min})
                   \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t-1) / T_{\max})},

    so that a rate changed by hand between steps is followed rather than overwritten.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_positive_int("CosineAnnealingLR", "T_max", T_max)
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)) or not eta_min >= 0:
            raise ValueError(f"CosineAnnealingLR: eta_min must be a number >= 0, got {eta_min!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed at epoch t: closed form once
            return [eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2 for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # leaving the minimum: the ratio would be 0/0
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, lr in zip(self.base_lrs, self._current_lrs())
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        t, T = self.last_epoch, self.T_max
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for base in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the rate by ``factor`` when a watched metric stops improving.

    Call ``scheduler.step(metric)`` once per epoch with, say, the validation loss. A value
    counts as an improvement on the best so far (``mode='min'``) when

    * ``threshold_mode='rel'``: :math:`x < \text{best}\,(1 - \text{threshold})`,
    * ``threshold_mode='abs'``: :math:`x < \text{best} - \text{threshold}`

    (reversed for ``mode='max'``). After more than ``patience`` epochs in a row without
    improvement, each group's rate becomes :math:`\max(\eta \cdot \text{factor},
    \text{min\_lr})` (a change smaller than ``eps`` is skipped), and the next ``cooldown``
    epochs are not counted.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        who = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who} expects a glassgrad Optimizer, got {type(optimizer).__name__}")
        if not 0 <= factor < 1.0:
            raise ValueError(f"{who}: factor must be in [0, 1) (new lr = lr * factor), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"{who}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{who}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"{who}: patience must be an integer >= 0, got {patience!r}")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int) or cooldown < 0:
            raise ValueError(f"{who}: cooldown must be an integer >= 0, got {cooldown!r}")
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(f"{who}: expected {n_groups} min_lrs (one per param group), got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n_groups
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        """Whether metric value ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            bound = best * (1 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold
            return a < bound
        bound = best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return a > bound

    def step(self, metrics):
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer now has {len(groups)} param groups but "
                    f"min_lr lists {len(self.min_lrs)}; set scheduler.min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr


# ---------------------------------------------------------------------- more schedules
def _per_group(who, name, value, optimizer):
    """One value per param group: a list of the right length, or one value for all."""
    n_groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            raise ValueError(f"{who}: expected {n_groups} values of {name} (one per param group), got {len(value)}")
        return list(value)
    return [value] * n_groups


def _check_factor(who, name, value, low_open=False):
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and (0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{who}: {name} must be a number in {interval}, got {value!r}")


def _lambdas_state(state, lambdas):
    """A schedule's state with its lambdas replaced as PyTorch does: a plain function is
    code, not state (saved as None); a callable object is saved by its attributes."""
    state["lr_lambdas"] = [
        None if isinstance(fn, types.FunctionType) else dict(vars(fn)) if hasattr(fn, "__dict__") else None
        for fn in lambdas
    ]
    return state


def _load_lambdas_state(scheduler, state_dict):
    state = dict(state_dict)
    saved = state.pop("lr_lambdas", [None] * len(scheduler.lr_lambdas))
    scheduler.__dict__.update(state)
    for fn, attributes in zip(scheduler.lr_lambdas, saved):
        if attributes is not None:
            fn.__dict__.update(attributes)


class _LambdaSchedule(LRScheduler):
    """Shared by LambdaLR and MultiplicativeLR: one function of the epoch per group."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        who = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who} expects a glassgrad Optimizer, got {type(optimizer).__name__}")
        lambdas = _per_group(who, "lr_lambda", lr_lambda, optimizer)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"{who}: lr_lambda should be a function of the epoch, got {type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = {key: value for key, value in super().state_dict().items() if key != "lr_lambdas"}
        return _lambdas_state(state, self.lr_lambdas)

    def load_state_dict(self, state_dict):
        _load_lambdas_state(self, state_dict)


class LambdaLR(_LambdaSchedule):
    r"""The initial rate times a function of the epoch: :math:`\eta_t = \eta_0 \, f(t)`.

    ``lr_lambda`` is one function for all param groups or a list with one per group.
    A warm-up, for instance: ``lambda t: min(1.0, (t + 1) / 5)``. In ``state_dict()`` a
    plain function (or lambda) is saved as None and a callable object by its attributes,
    as PyTorch does: code is not state.
    """

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaSchedule):
    r"""Multiply the current rate by a function of the epoch: :math:`\eta_t = \eta_{t-1} f(t)`.

    So :math:`\eta_t = \eta_0 \prod_{s=1}^{t} f(s)`; ``lambda t: 0.95`` is ExponentialLR.
    """

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


class ConstantLR(LRScheduler):
    r"""Multiply the rate by ``factor`` for the first ``total_iters`` epochs, then restore it.

    Closed form: :math:`\eta_t = \eta_0 \cdot \text{factor}` for :math:`t <` ``total_iters``,
    :math:`\eta_0` after. A warm-up at a reduced, constant rate. ``factor`` must be in
    (0, 1]: PyTorch accepts 0 and then fails with ZeroDivisionError when it restores the
    rate at ``total_iters``; glassgrad refuses it in the constructor.
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        # factor 0 would make the restoring step divide by 0 (PyTorch fails there, later)
        _check_factor("ConstantLR", "factor", factor, low_open=True)
        _check_positive_int("ConstantLR", "total_iters", total_iters)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        reached = self.last_epoch >= self.total_iters
        return [base * (self.factor + reached * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Scale the rate by a factor going linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` epochs, then keep it.

    Closed form: :math:`\eta_t = \eta_0 \left(s + (e - s) \frac{\min(t, T)}{T}\right)`.
    Like PyTorch, each step multiplies the previous rate by the ratio of consecutive
    factors, :math:`1 + \frac{e - s}{T s + (t - 1)(e - s)}`.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        _check_factor("LinearLR", "start_factor", start_factor, low_open=True)
        _check_factor("LinearLR", "end_factor", end_factor)
        _check_positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        s, e, t = self.start_factor, self.end_factor, self.last_epoch
        ratio = 1.0 + (e - s) / (self.total_iters * s + (t - 1) * (e - s))
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        s, e = self.start_factor, self.end_factor
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (s + (e - s) * progress) for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017).

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)

    :math:`T_{cur}` counts the epochs since the last restart; when it reaches
    :math:`T_i` the rate jumps back to :math:`\eta_0` and the next period is
    :math:`T_{i+1} = T_i \cdot` ``T_mult`` (first period ``T_0``).

    ``step(epoch)`` may be given a fractional epoch (``epoch + i / iters_per_epoch``) to
    anneal within an epoch; ``step()`` advances by one.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        who = "CosineAnnealingWarmRestarts"
        _check_positive_int(who, "T_0", T_0)
        _check_positive_int(who, "T_mult", T_mult)
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)):
            raise ValueError(f"{who}: eta_min must be a number, got {eta_min!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        phase = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * phase for base in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to ``epoch`` (a number >= 0, may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:  # a restart
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if isinstance(epoch, bool) or not isinstance(epoch, (int, float)) or not epoch >= 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be a number >= 0, got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # periods T_0, T_0 m, T_0 m^2...: n full periods end at T_0 (m^n - 1) / (m - 1)
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2018): warm up to ``max_lr``, then anneal far below
    the start. Step it after every *batch*; the cycle lasts ``total_steps`` steps (or
    ``epochs * steps_per_epoch``).

    With :math:`\eta_{\text{init}} = \text{max\_lr} / \text{div\_factor}` and
    :math:`\eta_{\min} = \eta_{\text{init}} / \text{final\_div\_factor}`, the phases (each
    interpolated by ``anneal_strategy``: ``'cos'``,
    :math:`a(s, e, p) = e + \tfrac12 (s - e)(1 + \cos \pi p)`, or ``'linear'``,
    :math:`s + (e - s) p`, with :math:`p` the fraction of the phase done) are

    * two phases (default): :math:`\eta_{\text{init}} \to \text{max\_lr}` over the first
      ``pct_start`` of the steps, then :math:`\text{max\_lr} \to \eta_{\min}`;
    * ``three_phase=True``: up, back down to :math:`\eta_{\text{init}}` symmetrically, then
      :math:`\eta_{\text{init}} \to \eta_{\min}`.

    With ``cycle_momentum`` the momentum moves the opposite way, between ``max_momentum``
    (at low rates) and ``base_momentum`` (at ``max_lr``): ``group['momentum']`` for SGD and
    RMSprop, :math:`\beta_1` in ``group['betas']`` for the Adam family. Phase :math:`k`
    ends at step :math:`\text{pct\_start} \cdot T - 1` (and :math:`2\,\text{pct\_start} \cdot T - 2`
    for the second of three), as in PyTorch.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        who = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who} expects a glassgrad Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            _check_positive_int(who, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int(who, "epochs", epochs)
            _check_positive_int(who, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{who}: give either total_steps, or both epochs and steps_per_epoch")
        if isinstance(pct_start, bool) or not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"{who}: pct_start must be a float between 0 and 1, got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{who}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        max_lrs = _per_group(who, "max_lr", max_lr, optimizer)
        uses_betas = "betas" in optimizer.defaults
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and not uses_betas:
                raise ValueError(
                    f"{who}: cycle_momentum=True needs an optimizer with momentum or betas "
                    f"(SGD, RMSprop, Adam...); {type(optimizer).__name__} has neither. "
                    "Pass cycle_momentum=False"
                )
            max_momentums = _per_group(who, "max_momentum", max_momentum, optimizer)
            base_momentums = _per_group(who, "base_momentum", base_momentum, optimizer)

        self.total_steps = total_steps
        end_up = float(pct_start * total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                dict(end_step=end_up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * total_steps) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=end_up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        self._anneal_func_type = anneal_strategy
        self.optimizer = optimizer
        if last_epoch == -1:  # the cycle's rates live in the groups (saved with the optimizer)
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = uses_betas
        if cycle_momentum and last_epoch == -1:
            for group, high, low in zip(optimizer.param_groups, max_momentums, base_momentums):
                self._set_momentum(group, high)
                group["max_momentum"] = high
                group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    @staticmethod
    def _annealing_cos(start, end, pct):
        """Cosine from ``start`` (pct 0) to ``end`` (pct 1)."""
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    @staticmethod
    def _annealing_linear(start, end, pct):
        """Straight line from ``start`` (pct 0) to ``end`` (pct 1)."""
        return (end - start) * pct + start

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return self._annealing_cos(start, end, pct)
        return self._annealing_linear(start, end, pct)

    def step(self):
        """Advance one batch; stepping past ``total_steps`` is an error (nothing changes)."""
        if self.last_epoch + 1 > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {self.last_epoch + 1} times, but the cycle has "
                f"total_steps={self.total_steps}; make total_steps (or epochs * steps_per_epoch) "
                "the number of optimizer steps of the whole run"
            )
        super().step()

    def get_lr(self):
        step = self.last_epoch
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                self._set_momentum(group, momentum)
        return lrs


class _Composite(LRScheduler):
    """A schedule made of schedules (SequentialLR, ChainedScheduler): its state dict holds
    its own counters plus each inner schedule's state dict."""

    @staticmethod
    def _check_parts(who, schedulers, optimizer, verb, which):
        """Refuse an empty list, a ReduceLROnPlateau (its step() needs the metric), anything
        that is not a glassgrad LRScheduler, and a schedule of another optimizer."""
        if not schedulers:
            raise ValueError(f"{who} expects at least one scheduler to be {verb}, got none")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{who}: scheduler {i} is a ReduceLROnPlateau, which needs the "
                                 f"metric in step(); it cannot be {verb}")
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{who}: scheduler {i} is a {type(scheduler).__name__}, not a "
                                "glassgrad LRScheduler")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{who}: every scheduler must belong to {which} optimizer, but "
                                 f"scheduler {i} ({type(scheduler).__name__}) drives another one")

    def state_dict(self):
        state = {key: value for key, value in super().state_dict().items() if key != "_schedulers"}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        inner = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, inner):
            scheduler.load_state_dict(saved)


class SequentialLR(_Composite):
    r"""Run schedules one after another: ``schedulers[i]`` from ``milestones[i-1]`` on.

    At each milestone the next schedule restarts at its epoch 0 (from its closed form
    where it has one), so ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5),
    CosineAnnealingLR(opt, T_max=95)], milestones=[5])`` is a 5-epoch linear warm-up
    followed by cosine annealing. All schedules must drive the same optimizer.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        who = "SequentialLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{who} expects a glassgrad Optimizer, got {type(optimizer).__name__}")
        schedulers = list(schedulers)
        milestones = list(milestones)
        self._check_parts(who, schedulers, optimizer, "sequenced", "the given")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{who}: expected one milestone fewer than schedulers ({len(schedulers) - 1}), "
                f"got {len(milestones)} milestones for {len(schedulers)} schedulers"
            )
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, int) or m < 1:
                raise ValueError(f"{who}: milestones must be epoch numbers >= 1, got {m!r}")
        if milestones != sorted(milestones):
            raise ValueError(f"{who}: milestones must be increasing, got {milestones}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # Each scheduler's constructor took a step 0; undo them and start the first one.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @classmethod
    def _undo_initial_steps(cls, scheduler):
        inner = getattr(scheduler, "_schedulers", None)
        if inner is not None:  # a SequentialLR inside: undo its own schedules
            for s in inner:
                cls._undo_initial_steps(s)
        else:
            scheduler.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)  # this schedule starts now, at its epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()



class PolynomialLR(LRScheduler):
    r"""Decay the rate polynomially to 0 over ``total_iters`` epochs, then keep it.

    Closed form: :math:`\eta_t = \eta_0 (1 - \min(t, T)/T)^p`. Like PyTorch, each step
    multiplies the previous rate by :math:`\left(\frac{1 - t/T}{1 - (t-1)/T}\right)^p`.
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check_positive_int("PolynomialLR", "total_iters", total_iters)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, total = self.last_epoch, self.total_iters
        factor = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (1.0 - progress) ** self.power for base in self.base_lrs]


class ChainedScheduler(_Composite):
    """Step several schedules of one optimizer together, each step: their factors
    multiply (e.g. a constant warm-up factor and an exponential decay at once)."""

    def __init__(self, schedulers, optimizer=None):
        who = "ChainedScheduler"
        schedulers = list(schedulers)
        if schedulers and optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._check_parts(who, schedulers, optimizer, "chained", "the same")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()

