"""Adadelta: a step whose units match the weights', from two running averages."""

from ..backend import xp
from .optimizer import Optimizer, _Workspace, check_number, check_torch_flags, ema_square_


class _ThreeSlots(_Workspace):
    SLOTS = 3  # the direction, the RMS of the gradients and the step itself


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), exactly as ``torch.optim.Adadelta``.

    With gradient :math:`g_t`, :math:`v_0 = a_0 = 0` and :math:`\rho` = ``rho``:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \rho v_{t-1} + (1 - \rho) d_t^2 \\
        \Delta_t &= \frac{\sqrt{a_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, d_t \\
        a_t &= \rho a_{t-1} + (1 - \rho) \Delta_t^2 \\
        w_t &= w_{t-1} - \eta \Delta_t

    The ratio of two RMS values gives :math:`\Delta_t` the units of :math:`w` (Zeiler's
    "unit correction"), so the method needs no learning rate: PyTorch's default ``lr=1.0``
    only scales the step. :math:`\epsilon` starts the numerator away from 0.

    Only L2 weight decay (``weight_decay`` added to the gradient), as in RMSprop and
    Adagrad: a decoupled shrink :math:`(1 - \eta\lambda)` would be scaled by an ``lr``
    that Adadelta does not use as a step size.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_torch_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)
        self._work = _ThreeSlots()

    def _check_group(self, group):
        who = type(self).__name__
        check_number(who, "learning rate lr", group["lr"])
        check_number(who, "rho", group["rho"], high=1)
        check_number(who, "eps", group["eps"])
        check_number(who, "weight_decay", group["weight_decay"])

    def _update_group(self, group):
        lr = group["lr"]
        rho = group["rho"]
        eps = group["eps"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["square_avg"] = xp.zeros_like(w)
                st["acc_delta"] = xp.zeros_like(w)
            st["step"] += 1
            v = st["square_avg"]
            a = st["acc_delta"]
            s, t, delta = scratch

            ema_square_(v, d, rho, tmp=t)  # v <- rho v + (1 - rho) d^2
            std = xp.add(v, eps, out=t)  # sqrt(v + eps)
            xp.sqrt(std, out=std)
            xp.add(a, eps, out=delta)  # delta = sqrt(a + eps) / std * d
            xp.sqrt(delta, out=delta)
            delta /= std
            delta *= d
            ema_square_(a, delta, rho, tmp=t)  # a <- rho a + (1 - rho) delta^2
            delta *= lr  # w <- w - lr delta
            xp.subtract(w, delta, out=w)
