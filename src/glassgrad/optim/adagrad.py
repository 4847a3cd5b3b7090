"""Adagrad: each coordinate's step shrinks with the sum of its squared gradients."""

from ..backend import xp
from .optimizer import Optimizer, check_number, check_torch_flags


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), exactly as ``torch.optim.Adagrad``.

    With gradient :math:`g_t`, step :math:`t = 1, 2, \dots` and
    :math:`G_0` = ``initial_accumulator_value`` (every coordinate):

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (- \text{ if maximize}) \\
        \eta_t &= \frac{\eta}{1 + (t - 1)\,\text{lr\_decay}} \\
        G_t &= G_{t-1} + d_t^2 \\
        w_t &= w_{t-1} - \eta_t \frac{d_t}{\sqrt{G_t} + \epsilon}

    Coordinates that have seen large gradients take small steps; since :math:`G_t` only
    grows, the effective learning rate decays to 0 (which RMSprop and Adam avoid with a
    running average).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_torch_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        who = type(self).__name__
        check_number(who, "learning rate lr", group["lr"])
        check_number(who, "lr_decay", group["lr_decay"])
        check_number(who, "weight_decay", group["weight_decay"])
        check_number(who, "initial_accumulator_value", group["initial_accumulator_value"])
        check_number(who, "eps", group["eps"])

    def _update_group(self, group):
        lr = group["lr"]
        lr_decay = group["lr_decay"]
        eps = group["eps"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["sum"] = xp.full_like(w, group["initial_accumulator_value"])
            step = st["step"] = st["step"] + 1
            total = st["sum"]
            s, t = scratch

            clr = lr / (1 + (step - 1) * lr_decay)
            xp.multiply(d, d, out=t)  # G <- G + d^2
            total += t
            std = xp.sqrt(total, out=t)  # sqrt(G) + eps
            std += eps
            xp.multiply(d, clr, out=s)  # w <- w - clr d / std
            s /= std
            xp.subtract(w, s, out=w)
