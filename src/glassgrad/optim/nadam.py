"""NAdam: Adam with Nesterov momentum (the first moment is looked at one step ahead)."""

from ..backend import xp
from .optimizer import (
    Optimizer, check_adam_group, check_number, check_torch_flags, decay_mode, ema_square_, lerp_,
)


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), exactly as ``torch.optim.NAdam``, plus ``decay``.

    With gradient :math:`g_t`, step :math:`t = 1, 2, \dots`, :math:`m_0 = v_0 = 0` and
    :math:`\psi` = ``momentum_decay``:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (\text{decay='l2'}; - \text{ if maximize}) \\
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t \psi}\right), \qquad
        \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) d_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) d_t^2 \\
        D_t &= \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        w_t &= w_{t-1} - \eta \frac{1 - \mu_t}{1 - \Pi_t} \frac{d_t}{D_t}
                       - \eta \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{D_t}

    The step mixes the current direction and the momentum one step ahead (Nesterov's
    look-ahead); the momentum weight :math:`\mu_t` warms up from :math:`\beta_1/2` to
    :math:`\beta_1`. ``decay='decoupled'`` (PyTorch: ``decoupled_weight_decay=True``,
    "NAdamW") shrinks the weight first, :math:`w \leftarrow (1 - \eta\lambda) w`, and uses
    :math:`d_t = \pm g_t`.

    The running product :math:`\Pi_t` is kept per parameter as state ``'mu_product'``
    (a Python float: float64 always; PyTorch keeps it in its default dtype, float32
    unless ``torch.set_default_dtype(torch.float64)``).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, decay=None):
        check_torch_flags(type(self).__name__, differentiable)
        decay = decay_mode(type(self).__name__, decay, decoupled_weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decay=decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        who = type(self).__name__
        check_adam_group(who, group)
        check_number(who, "momentum_decay", group["momentum_decay"])

    def _update_group(self, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        psi = group["momentum_decay"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["mu_product"] = 1.0
                st["exp_avg"] = xp.zeros_like(w)
                st["exp_avg_sq"] = xp.zeros_like(w)
            step = st["step"] = st["step"] + 1
            m = st["exp_avg"]
            v = st["exp_avg_sq"]
            s, t = scratch

            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))  # momentum weight, warming up
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
            mu_product = st["mu_product"] = st["mu_product"] * mu
            lerp_(m, d, 1 - beta1, tmp=t)  # m <- beta1 m + (1 - beta1) d
            ema_square_(v, d, beta2, tmp=t)  # v <- beta2 v + (1 - beta2) d^2

            denom = xp.divide(v, 1 - beta2**step, out=t)  # sqrt(v / (1 - beta2^t)) + eps
            xp.sqrt(denom, out=denom)
            denom += eps
            xp.multiply(d, lr * (1.0 - mu) / (1.0 - mu_product), out=s)  # the direction's share
            s /= denom
            xp.subtract(w, s, out=w)
            xp.multiply(m, lr * mu_next / (1.0 - mu_product * mu_next), out=s)  # the look-ahead
            s /= denom
            xp.subtract(w, s, out=w)
