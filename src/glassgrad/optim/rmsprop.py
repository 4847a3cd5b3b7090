"""RMSprop: divide each coordinate's step by a running root-mean-square of its gradient."""

from ..backend import xp
from .optimizer import Optimizer, check_number, check_torch_flags, ema_square_, lerp_


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), exactly as ``torch.optim.RMSprop``.

    With gradient :math:`g_t` and :math:`v_0 = \bar g_0 = b_0 = 0`:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) d_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) d_t \quad (\text{centered only}) \\
        r_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ (\text{centered}), \qquad
        r_t = \sqrt{v_t} + \epsilon \ (\text{otherwise}) \\
        b_t &= \mu b_{t-1} + d_t / r_t, \quad w_t = w_{t-1} - \eta b_t \quad (\mu > 0) \\
        w_t &= w_{t-1} - \eta\, d_t / r_t \quad (\mu = 0)

    ``centered`` divides by an estimate of the gradient's standard deviation instead of
    its root mean square. Note :math:`\epsilon` outside the square root, and no bias
    correction: early steps are large because :math:`v_t` starts at 0.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_torch_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        who = type(self).__name__
        check_number(who, "learning rate lr", group["lr"])
        check_number(who, "alpha", group["alpha"], high=1)
        check_number(who, "eps", group["eps"])
        check_number(who, "weight_decay", group["weight_decay"])
        check_number(who, "momentum", group["momentum"])

    def _update_group(self, group):
        lr = group["lr"]
        alpha = group["alpha"]
        eps = group["eps"]
        momentum = group["momentum"]
        centered = group["centered"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            st = state[p]
            if not st:
                st["step"] = 0
                st["square_avg"] = xp.zeros_like(w)
                if momentum > 0:
                    st["momentum_buffer"] = xp.zeros_like(w)
                if centered:
                    st["grad_avg"] = xp.zeros_like(w)
            st["step"] += 1
            v = st["square_avg"]
            s, t = scratch

            ema_square_(v, d, alpha, tmp=t)  # v <- alpha v + (1 - alpha) d^2
            if centered:
                g_avg = st["grad_avg"]
                lerp_(g_avg, d, 1 - alpha, tmp=t)  # g_avg <- alpha g_avg + (1 - alpha) d
                xp.multiply(g_avg, g_avg, out=t)
                rms = xp.subtract(v, t, out=t)  # v - g_avg^2
                xp.sqrt(rms, out=rms)
            else:
                rms = xp.sqrt(v, out=t)
            rms += eps

            if momentum > 0:
                buf = st["momentum_buffer"]
                buf *= momentum  # buf <- momentum buf + d / rms
                xp.divide(d, rms, out=t)
                buf += t
                xp.multiply(buf, lr, out=t)  # w <- w - lr buf
            else:
                xp.multiply(d, lr, out=s)  # w <- w - lr d / rms
                xp.divide(s, rms, out=t)
            xp.subtract(w, t, out=w)
