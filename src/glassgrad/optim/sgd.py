"""SGD: gradient descent, with momentum, Nesterov momentum and two kinds of weight decay."""

from ..backend import xp
from .optimizer import Optimizer, check_decay, check_number, check_torch_flags


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD``, plus ``decay``).

    With gradient :math:`g_t` of the loss at :math:`w_{t-1}` and learning rate :math:`\eta`:

    .. math::

        d_t &= \pm g_t + \lambda w_{t-1}  \quad (\text{decay='l2'}; - \text{ if maximize}) \\
        b_t &= d_t \ (t = 1), \qquad b_t = \mu b_{t-1} + (1 - \tau) d_t \ (t > 1) \\
        d_t &\leftarrow d_t + \mu b_t \ (\text{nesterov}), \qquad d_t \leftarrow b_t \ (\text{otherwise}) \\
        w_t &= w_{t-1} - \eta d_t

    where :math:`\mu` = ``momentum``, :math:`\tau` = ``dampening``, :math:`\lambda` =
    ``weight_decay``. The momentum buffer starts as the first gradient itself (PyTorch's
    convention, not zero), so dampening does not shrink the first step.

    ``decay='decoupled'`` takes the decay out of the gradient: the weight shrinks first,
    :math:`w \leftarrow (1 - \eta\lambda) w`, then the step above runs with
    :math:`d_t = \pm g_t` (as AdamW does). Without momentum both forms give the same
    update, :math:`w_t = (1 - \eta\lambda) w_{t-1} - \eta g_t`; with momentum they differ,
    because the L2 term is accumulated in the buffer.

    >>> import glassgrad as gg
    >>> w = gg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = gg.optim.SGD([w], lr=0.1)
    >>> w.grad = gg.tensor([0.5, 0.5])
    >>> opt.step()
    >>> w
    tensor([ 0.95, -2.05], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None, decay="l2"):
        check_torch_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay, decay=decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        who = type(self).__name__
        check_number(who, "learning rate lr", group["lr"])
        check_number(who, "momentum", group["momentum"])
        check_number(who, "dampening", group["dampening"], high=1)
        check_number(who, "weight_decay", group["weight_decay"])
        check_decay(who, group["decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"{who}: Nesterov momentum requires a momentum > 0 and zero dampening")

    def _update_group(self, group):
        lr = group["lr"]
        momentum = group["momentum"]
        dampening = group["dampening"]
        nesterov = group["nesterov"]
        state = self.state

        for p, w, d, scratch in self._with_grad(group):
            s, t = scratch
            if momentum != 0:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:  # first step: the buffer is the gradient itself
                    buf = st["momentum_buffer"] = d.copy()
                else:  # buf <- momentum * buf + (1 - dampening) * d
                    buf *= momentum
                    if dampening == 0:
                        buf += d
                    else:
                        xp.multiply(d, 1 - dampening, out=t)
                        buf += t
                if nesterov:  # look ahead: d + momentum * buf
                    xp.multiply(buf, momentum, out=t)
                    d = xp.add(d, t, out=t)
                else:
                    d = buf
            xp.multiply(d, lr, out=t)  # w <- w - lr * d
            xp.subtract(w, t, out=w)
