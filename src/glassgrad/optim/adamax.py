"""Adamax: Adam with the infinity norm in place of the root mean square."""

from ..backend import xp
from .optimizer import Optimizer, check_adam_group, check_torch_flags, lerp_


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), exactly as ``torch.optim.Adamax``, plus ``decay``.

    With gradient :math:`g_t`, step :math:`t = 1, 2, \dots` and :math:`m_0 = u_0 = 0`:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (\text{decay='l2'}; - \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) d_t \\
        u_t &= \max(\beta_2 u_{t-1},\ |d_t| + \epsilon) \\
        w_t &= w_{t-1} - \frac{\eta}{1 - \beta_1^t} \frac{m_t}{u_t}

    :math:`u_t` is an exponentially weighted infinity norm of the past gradients (the
    limit :math:`p \to \infty` of Adam's :math:`L^2` average); it needs no bias correction.
    PyTorch adds :math:`\epsilon` inside the max, so :math:`u_t \ge \epsilon` and the
    division is always safe.

    ``decay='decoupled'`` (not in PyTorch's Adamax; the AdamW rule applied to Adamax)
    shrinks the weight first, :math:`w \leftarrow (1 - \eta\lambda) w`, and uses
    :math:`d_t = \pm g_t`.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False,
                 decay="l2"):
        check_torch_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        decay=decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        check_adam_group(type(self).__name__, group)

    def _update_group(self, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["exp_avg"] = xp.zeros_like(w)
                st["exp_inf"] = xp.zeros_like(w)
            step = st["step"] = st["step"] + 1
            m = st["exp_avg"]
            u = st["exp_inf"]
            s, t = scratch

            lerp_(m, d, 1 - beta1, tmp=t)  # m <- beta1 m + (1 - beta1) d
            u *= beta2  # u <- max(beta2 u, |d| + eps)
            xp.abs(d, out=t)
            t += eps
            xp.maximum(u, t, out=u)

            xp.multiply(m, lr / (1 - beta1**step), out=t)  # w <- w - lr / (1 - beta1^t) m / u
            t /= u
            xp.subtract(w, t, out=w)
