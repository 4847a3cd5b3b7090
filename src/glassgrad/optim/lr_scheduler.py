"""Learning-rate schedules: change each param group's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch (or per iteration, if the schedule is counted in
iterations), after ``optimizer.step()``. A scheduler writes the new rate into
``optimizer.param_groups[i]["lr"]``; ``get_last_lr()`` returns what it wrote last.

The rates are computed as PyTorch computes them, step by step from the previous rate
(``lr <- lr * gamma``), so the numbers agree with ``torch.optim.lr_scheduler`` to the last
digit; each class also states its closed form.
"""

import math
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
        self._step_count = 0
        self._is_initial = True  # the constructor's step 0 must not move the rates
        self.step()
        self._is_initial = False

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def get_last_lr(self):
        """The rates this scheduler set last, one per param group."""
        return list(self._last_lr)

    def step(self):
        """Advance one epoch and write the new rates into the optimizer's groups."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
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
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
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
