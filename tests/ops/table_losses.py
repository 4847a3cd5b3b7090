"""Op table rows: the wave-3 losses of glassgrad.nn.functional (l1, smooth L1, Huber,
KL divergence, soft margin, cosine embedding, Gaussian NLL), every reduction, against
torch.nn.functional, with finite differences in float64 (row format: see harness.py).

Kinks are kept away: input ``grid(parity=0)`` and target ``grid(parity=1)`` differ by
0.2 j + 0.1 +- 0.04, never 0 (l1's kink) and never within 0.06 of beta = 0.6 or
delta = 0.4, 1.0 (where smooth L1 / Huber change branch). The behaviour *at* the kinks,
error messages and the Modules are in tests/nn/test_nn_loss_more.py.
"""

import warnings

import numpy as np

from harness import Case, const, grid, pos


def _f(name):
    """The same functional on both sides: F is glassgrad or torch."""
    def call(F, *tensors, **kw):
        with warnings.catch_warnings():  # torch's note that kl_div's 'mean' is not batchmean
            warnings.filterwarnings("ignore", message="reduction: 'mean' divides")
            return getattr(F.nn.functional, name)(*tensors, **kw)
    return call


PM1 = const(np.array([[1.0, -1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 1.0], [-1.0, -1.0, 1.0]]),
            requires_grad=False)  # +-1 labels for soft margin (torch has no target gradient)
PAIR_LABELS = const(np.array([1.0, -1.0, 1.0, -1.0, -1.0]), requires_grad=False)

CASES = []
for reduction in ("mean", "sum", "none"):
    CASES += [
        Case("l1_loss", grid(4, 3, parity=0), grid(4, 3, parity=1), fn=_f("l1_loss"), reduction=reduction,
             name=f"l1_loss,{reduction}"),
        Case("smooth_l1_loss", grid(4, 3, parity=0), grid(4, 3, parity=1), fn=_f("smooth_l1_loss"),
             reduction=reduction, beta=0.6, name=f"smooth_l1_loss,beta=0.6,{reduction}"),
        Case("huber_loss", grid(4, 3, parity=0), grid(4, 3, parity=1), fn=_f("huber_loss"),
             reduction=reduction, delta=0.4, name=f"huber_loss,delta=0.4,{reduction}"),
        Case("kl_div", (4, 3), pos(4, 3), fn=_f("kl_div"), reduction=reduction, name=f"kl_div,{reduction}"),
        Case("kl_div", (4, 3), (4, 3), fn=_f("kl_div"), reduction=reduction, log_target=True,
             name=f"kl_div,log_target,{reduction}"),
        Case("soft_margin_loss", (4, 3), PM1, fn=_f("soft_margin_loss"), reduction=reduction,
             name=f"soft_margin_loss,{reduction}"),
        Case("cosine_embedding_loss", (5, 3), (5, 3), PAIR_LABELS, fn=_f("cosine_embedding_loss"),
             reduction=reduction, name=f"cosine_embedding_loss,{reduction}"),
        Case("gaussian_nll_loss", (4, 3), (4, 3), pos(4, 3), fn=_f("gaussian_nll_loss"), reduction=reduction,
             name=f"gaussian_nll_loss,{reduction}"),
    ]

CASES += [
    Case("smooth_l1_loss", grid(2, 3, 2, parity=1), grid(2, 3, 2, parity=0), fn=_f("smooth_l1_loss"),
         name="smooth_l1_loss,default beta,3-d"),
    Case("huber_loss", grid(6, parity=0), grid(6, parity=1), fn=_f("huber_loss"), delta=1.0,
         name="huber_loss,delta=1,1-d"),
    Case("l1_loss", grid((), parity=0), grid((), parity=1), fn=_f("l1_loss"), name="l1_loss,0-d"),
    Case("kl_div", (4, 3), pos(4, 3), fn=_f("kl_div"), reduction="batchmean", name="kl_div,batchmean"),
    Case("kl_div", (4, 3), (4, 3), fn=_f("kl_div"), reduction="batchmean", log_target=True,
         name="kl_div,log_target,batchmean"),
    Case("kl_div", (), pos(), fn=_f("kl_div"), reduction="batchmean", name="kl_div,batchmean,0-d"),
    Case("cosine_embedding_loss", (5, 3), (5, 3), PAIR_LABELS, fn=_f("cosine_embedding_loss"), margin=-0.3,
         name="cosine_embedding_loss,margin"),
    Case("cosine_embedding_loss", (4,), (4,), const(np.array(-1.0), requires_grad=False),
         fn=_f("cosine_embedding_loss"), margin=-0.9, name="cosine_embedding_loss,unbatched"),
    Case("gaussian_nll_loss", (4, 3), (4, 3), pos(4), fn=_f("gaussian_nll_loss"), full=True,
         name="gaussian_nll_loss,full,one var per example"),
    Case("gaussian_nll_loss", (4, 3), (4, 3), pos(4, 1), fn=_f("gaussian_nll_loss"), reduction="sum",
         name="gaussian_nll_loss,var (N,1)"),
    # mse_loss with a weight per squared error (PyTorch composes it; 'mean' divides by the
    # weights' sum), the weight's own gradient included
    *[Case("mse_loss", grid(4, 3, parity=0), grid(4, 3, parity=1), pos(4, 3),
           fn=lambda F, a, b, w, **kw: F.nn.functional.mse_loss(a, b, weight=w, **kw),
           reduction=reduction, name=f"mse_loss,weight,{reduction}")
      for reduction in ("mean", "sum", "none")],
    # var below eps: clamped in the forward, invisible to the gradient (PyTorch's rule), so
    # finite differences (which see the clamp) cannot be the oracle here
    Case("gaussian_nll_loss", (4, 3), (4, 3), const(np.full((4, 3), 1e-9)), fn=_f("gaussian_nll_loss"),
         eps=1e-3, gradcheck=False, name="gaussian_nll_loss,clamped var"),
]
