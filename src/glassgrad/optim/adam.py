"""Adam and AdamW: steps scaled per coordinate by running moments of the gradient."""

from ..backend import xp
from .optimizer import (
    Optimizer, check_adam_group, check_torch_flags, decay_mode, ema_square_, lerp_,
)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), exactly as ``torch.optim.Adam``, plus ``decay``.

    With gradient :math:`g_t`, step :math:`t = 1, 2, \dots` and :math:`m_0 = v_0 = 0`:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (\text{decay='l2'}; - \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) d_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) d_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ (\text{amsgrad}), \qquad \hat v_t = v_t \ (\text{otherwise}) \\
        w_t &= w_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
               \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    The two bias corrections undo the pull of the zero initial moments towards 0; note
    that :math:`\epsilon` is added *after* :math:`\sqrt{\hat v_t}` is bias-corrected.

    ``decay='decoupled'`` is AdamW: the weight shrinks first, :math:`w \leftarrow (1 - \eta
    \lambda) w`, and :math:`d_t = \pm g_t`. Unlike with plain SGD, this is *not* the same as
    L2: with ``decay='l2'`` the term :math:`\lambda w` is divided by
    :math:`\sqrt{\hat v_t}` like the rest of the gradient, so weights with large gradients
    are barely decayed (Loshchilov & Hutter, 2019).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False, decay=None):
        check_torch_flags(type(self).__name__, differentiable)
        decay = decay_mode(type(self).__name__, decay, decoupled_weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        decay=decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        check_adam_group(type(self).__name__, group)

    def _update_group(self, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        amsgrad = group["amsgrad"]
        state = self.state

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
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            step_size = lr / bias_correction1
            if amsgrad:
                v_hat = st.get("max_exp_avg_sq")
                if v_hat is None:  # amsgrad switched on after the first steps
                    v_hat = st["max_exp_avg_sq"] = xp.zeros_like(w)
                xp.maximum(v_hat, v, out=v_hat)
            else:
                v_hat = v
            denom = xp.sqrt(v_hat, out=s)  # sqrt(v) / sqrt(1 - beta2^t) + eps
            denom /= bias_correction2_sqrt
            denom += eps
            xp.multiply(m, step_size, out=t)  # w <- w - step_size * m / denom
            t /= denom
            xp.subtract(w, t, out=w)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    The same as ``Adam(..., decay='decoupled')``: each step first shrinks every weight,
    :math:`w \leftarrow (1 - \eta\lambda) w`, then takes the Adam step on the plain gradient.
    Note PyTorch's default ``weight_decay=1e-2`` here (Adam's default is 0).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, differentiable=differentiable,
                         decay="decoupled")

    def _check_group(self, group):
        super()._check_group(group)
        if group["decay"] != "decoupled":
            raise ValueError(
                f"AdamW always decays decoupled; got decay={group['decay']!r} (use Adam for L2)"
            )
