"""RAdam: Adam whose adaptive step is switched on gradually, as its variance estimate firms up."""

import math

from ..backend import xp
from .optimizer import (
    Optimizer, check_adam_group, check_torch_flags, decay_mode, ema_square_, lerp_,
)


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020), exactly as ``torch.optim.RAdam``, plus ``decay``.

    With gradient :math:`g_t`, step :math:`t = 1, 2, \dots` and :math:`m_0 = v_0 = 0`:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (\text{decay='l2'}; - \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) d_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) d_t^2 \\
        \rho_\infty &= \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        w_t &= w_{t-1} - \eta \frac{m_t}{1 - \beta_1^t}
               \cdot r_t \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}
               \quad (\rho_t > 5), \qquad
        w_t = w_{t-1} - \eta \frac{m_t}{1 - \beta_1^t} \quad (\text{otherwise})

    :math:`\rho_t` is the length of the simple moving average that :math:`v_t`
    approximates. While it is short (:math:`\rho_t \le 5`: the first steps) the variance
    of the adaptive factor is too large, and RAdam takes plain momentum-SGD steps; then
    the rectifier :math:`r_t \to 1` phases the Adam step in (no warm-up schedule needed).

    ``decay='decoupled'`` (PyTorch: ``decoupled_weight_decay=True``) shrinks the weight
    first, :math:`w \leftarrow (1 - \eta\lambda) w`, and uses :math:`d_t = \pm g_t`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False, decay=None):
        check_torch_flags(type(self).__name__, differentiable)
        decay = decay_mode(type(self).__name__, decay, decoupled_weight_decay)
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
        rho_inf = 2 / (1 - beta2) - 1  # the longest moving average v_t can approximate

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["exp_avg"] = xp.zeros_like(w)
                st["exp_avg_sq"] = xp.zeros_like(w)
            step = st["step"] = st["step"] + 1
            m = st["exp_avg"]
            v = st["exp_avg_sq"]
            s, t = scratch

            lerp_(m, d, 1 - beta1, tmp=t)  # m <- beta1 m + (1 - beta1) d
            ema_square_(v, d, beta2, tmp=t)  # v <- beta2 v + (1 - beta2) d^2

            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
            update = xp.divide(m, bias_correction1, out=s)  # lr m / (1 - beta1^t)
            update *= lr
            if rho_t > 5.0:  # the variance estimate is trustworthy: rectified Adam step
                rect = math.sqrt(
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                )
                adaptive = xp.sqrt(v, out=t)  # sqrt(1 - beta2^t) / (sqrt(v) + eps)
                adaptive += eps
                xp.divide(bias_correction2**0.5, adaptive, out=adaptive)
                update *= adaptive
                update *= rect
            xp.subtract(w, update, out=w)
